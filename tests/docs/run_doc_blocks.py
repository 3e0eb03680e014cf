#!/usr/bin/env python3
"""run_doc_blocks.py — runs every ```sh block of the operator docs.

  run_doc_blocks.py --source ROOT --build BUILD_DIR [--work DIR] [--keep]
                    [--list] [DOC ...]

The docs (docs/*.md and docs/ceremonies/*.md, or the DOCs given, relative to
ROOT) are run in one throwaway workspace that looks like a checkout: copies
of the parts of ROOT the commands read (WORKSPACE_COPIES), `build/default`
a symlink to BUILD_DIR, `demo-state/` a real folder. docs/demo.md runs first (its blocks run
the demo, which fills demo-state/); then every other doc in name order.

Conventions (docs/README.md):
  ```sh            run, in order, from the workspace root; the blocks of one
                   doc share one bash (variables and `cd` carry over), with
                   `set -Eeuo pipefail`. Write only under demo-state/ or
                   $TMPDIR.
  ```sh notest     shown, not run; the block's first line must be a comment
                   saying why (`# not run by tests/docs: ...`).
  ```console ```text ```yaml ```ini ``` (bare) ...
                   illustrations: output, formats, config. Not run.
  ```bash ```shell ```shell-session
                   refused: say ```sh (run) or ```console (shown).

A failing command is reported as `docs/FILE.md:LINE: ...` with the tail of
the doc's output. After the blocks, reference checks that need the demo's
live signerd: every metric named in docs/signerd-deploy.md is one signerd
served (demo-state/pipeline/metrics.txt), and every metric family served is
named there, and the alert rules in deploy/prometheus use only served
metrics. Exit 0 if everything ran, 1 otherwise.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

# Build and CI docs: their ```sh blocks are build, fuzz, firmware and
# benchmark runs that CI's own jobs (make test, the presets) perform; they
# are parsed (fence rules apply) but not run here: a test must not build.
BUILD_DOCS = {
    "docs/building.md": "build commands (make test runs them)",
    "docs/fuzzing.md": "fuzz builds and runs (make test runs short fuzz runs)",
    "docs/firmware.md": "firmware and cross builds (make test-firmware, make test-aarch64)",
    "docs/performance.md": "benchmark builds and runs (bench/, never timed in tests)",
}
# Elsewhere a ```sh block that builds is refused: mark it ```sh notest.
BUILDS = re.compile(r"(^|[;&|(]\s*)(cmake|ninja|make)\s")

# What of the checkout the workspace holds: copies (a block cannot change the
# sources), and only what the docs' commands read. A command that needs more
# fails, naming the missing file: add it here.
WORKSPACE_COPIES = ["README.md", "docs", "scripts", "ceremony/scripts", "deploy", "proto",
                    "signer/src/config/signerd.example.yaml"]

FENCE = re.compile(r"^( *)```(\S*)(.*)$")
REFUSED_LANGS = {"bash", "shell", "shell-session", "zsh"}
DOC_TIMEOUT_S = int(os.environ.get("PKI_DOCS_TIMEOUT_S", "600"))


class Block:
    def __init__(self, doc, line, lang, attrs, lines):
        self.doc = doc      # path relative to ROOT
        self.line = line    # 1-based line of the first content line
        self.lang = lang
        self.attrs = attrs
        self.lines = lines


def parse_blocks(root, doc):
    """Returns (blocks, problems) of |doc|."""
    blocks, problems = [], []
    with open(os.path.join(root, doc), encoding="utf-8") as fh:
        text = fh.read().splitlines()
    i = 0
    while i < len(text):
        m = FENCE.match(text[i])
        if not m:
            i += 1
            continue
        indent, lang, attrs = len(m.group(1)), m.group(2), m.group(3).split()
        start = i + 1
        body = []
        i += 1
        while i < len(text) and not re.match(r"^ {0,%d}```\s*$" % (indent + 3), text[i]):
            line = text[i]
            body.append(line[indent:] if line[:indent].strip() == "" else line)
            i += 1
        if i >= len(text):
            problems.append(f"{doc}:{start}: unterminated ``` block")
            break
        i += 1
        if lang in REFUSED_LANGS:
            problems.append(f"{doc}:{start}: ```{lang}: use ```sh (run by tests/docs) or ```console (shown, not run)")
            continue
        if lang == "sh" and "notest" in attrs and (not body or not body[0].lstrip().startswith("#")):
            problems.append(f"{doc}:{start}: ```sh notest needs a first-line comment saying why it is not run")
        if lang == "sh" and "notest" not in attrs and doc not in BUILD_DOCS:
            for k, line in enumerate(body):
                if BUILDS.search(line):
                    problems.append(f"{doc}:{start + 1 + k}: a ```sh block that builds ({line.strip()[:60]}): "
                                    "tests must not build; mark the block ```sh notest")
                    attrs.append("notest")
                    break
        blocks.append(Block(doc, start + 1, lang, attrs, body))
    return blocks, problems


def list_docs(root):
    docs = []
    for sub in ("docs", "docs/ceremonies"):
        d = os.path.join(root, sub)
        docs += sorted(f"{sub}/{n}" for n in os.listdir(d) if n.endswith(".md"))
    docs.sort(key=lambda d: (d != "docs/demo.md", d))
    return docs


def make_workspace(root, build, work):
    for rel in WORKSPACE_COPIES:
        src, dst = os.path.join(root, rel), os.path.join(work, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.isdir(src):
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)
    os.makedirs(os.path.join(work, "build"))
    os.symlink(os.path.abspath(build), os.path.join(work, "build", "default"))
    os.makedirs(os.path.join(work, "tmp"), mode=0o700)


def run_doc(work, doc, blocks, log_path):
    """Runs the ```sh blocks of |doc| in one bash. Returns (ok, ran, skipped, message)."""
    script = ["set -Eeuo pipefail",
              "trap 'echo \"__DOCS_FAIL__ $LINENO $? $BASH_COMMAND\" >&2' ERR"]
    line_map = {}  # script line -> doc line
    ran = skipped = 0
    for b in blocks:
        if b.lang != "sh":
            continue
        if "notest" in b.attrs or b.doc in BUILD_DOCS:
            skipped += 1
            continue
        ran += 1
        script.append(f"echo '__DOCS_BLOCK__ {b.doc}:{b.line}'")
        for k, line in enumerate(b.lines):
            script.append(line)
            line_map[len(script)] = b.line + k
        script.append(":")  # a block ending in a continuation line fails here, not in the next block
    if ran == 0:
        return True, 0, skipped, ""
    env = dict(os.environ)
    env.pop("SOFTHSM2_CONF", None)
    env["TMPDIR"] = os.path.join(work, "tmp")
    # The built programs are on PATH, as installed ones are for an operator.
    env["PATH"] = os.path.join(work, "build/default/bin") + os.pathsep + env.get("PATH", "")
    with open(log_path, "w") as log:
        try:
            p = subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env, stdout=log,
                               stderr=subprocess.STDOUT, timeout=DOC_TIMEOUT_S, stdin=subprocess.DEVNULL)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            rc = None
    with open(log_path, errors="replace") as log:
        out = log.read()
    if rc == 0:
        return True, ran, skipped, ""
    tail = "\n".join("    " + l for l in out.splitlines()[-30:])
    if rc is None:
        blocks_seen = re.findall(r"__DOCS_BLOCK__ (\S+)", out)
        where = blocks_seen[-1] if blocks_seen else doc
        return False, ran, skipped, f"{where}: block did not finish within {DOC_TIMEOUT_S}s\n{tail}"
    m = None
    for m in re.finditer(r"__DOCS_FAIL__ (\d+) (\d+) (.*)", out):
        pass
    if m:
        line = line_map.get(int(m.group(1)))
        where = f"{doc}:{line}" if line else doc
        return False, ran, skipped, f"{where}: command failed (exit {m.group(2)}): {m.group(3)}\n{tail}"
    return False, ran, skipped, f"{doc}: bash exited {rc}\n{tail}"


def leftover_processes(work):
    """Processes (not this one) whose working folder is inside |work|: pid -> command line."""
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if cwd == work or cwd.startswith(work + "/"):
            found[int(pid)] = cmd
    return found


def stop_leftovers(work):
    """Stops what a doc left running (SIGTERM, then SIGKILL); returns their command lines."""
    left = leftover_processes(work)
    for pid in left:
        try:
            os.kill(pid, 15)
        except OSError:
            pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and leftover_processes(work):
        time.sleep(0.1)
    for pid in leftover_processes(work):
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    return sorted(left.values())


def check_metrics(root, work):
    """Every signer_* metric named in docs/signerd-deploy.md is served, and the other way round."""
    doc = os.path.join(root, "docs/signerd-deploy.md")
    served_path = os.path.join(work, "demo-state/pipeline/metrics.txt")
    if not os.path.exists(doc):
        return ["docs/signerd-deploy.md: missing"]
    if not os.path.exists(served_path):
        return [f"{served_path}: the demo saved no metrics scrape"]
    with open(served_path) as fh:
        served = set(re.findall(r"^# TYPE (signer_[a-z_]+) ", fh.read(), re.M))
    problems = []
    named = {}
    with open(doc) as fh:
        for n, line in enumerate(fh, 1):
            for name in re.findall(r"\bsigner_[a-z_]+", line):
                base = re.sub(r"_(bucket|sum|count)$", "", name)
                named.setdefault(base, n)
    for name, n in sorted(named.items(), key=lambda kv: kv[1]):
        if name not in served:
            problems.append(f"docs/signerd-deploy.md:{n}: metric {name} is not one signerd serves "
                            f"(served: {', '.join(sorted(served))})")
    for name in sorted(served - set(named)):
        problems.append(f"docs/signerd-deploy.md: signerd serves {name}, the guide does not name it")
    rules_dir = os.path.join(root, "deploy/prometheus")
    for rules in sorted(os.listdir(rules_dir)) if os.path.isdir(rules_dir) else []:
        with open(os.path.join(rules_dir, rules)) as fh:
            for n, line in enumerate(fh, 1):
                for name in re.findall(r"\bsigner_[a-z_]+", line):
                    if re.sub(r"_(bucket|sum|count)$", "", name) not in served:
                        problems.append(f"deploy/prometheus/{rules}:{n}: metric {name} is not one signerd serves")
    if not problems:
        print(f"metrics: the {len(served)} metric families signerd served are exactly those docs/signerd-deploy.md "
              f"names; deploy/prometheus rules use only served metrics")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--work", help="workspace folder (default: a new temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the workspace")
    ap.add_argument("--list", action="store_true", help="list the blocks, run nothing")
    ap.add_argument("docs", nargs="*")
    a = ap.parse_args()
    root = os.path.abspath(a.source)
    docs = a.docs or list_docs(root)
    if a.docs and "docs/demo.md" not in docs:
        docs.insert(0, "docs/demo.md")  # the others run against its state

    all_blocks, problems = {}, []
    for doc in docs:
        all_blocks[doc], p = parse_blocks(root, doc)
        problems += p
    if a.list:
        for doc in docs:
            for b in all_blocks[doc]:
                if b.lang == "sh":
                    print(f"{b.doc}:{b.line}: sh{' notest' if 'notest' in b.attrs else ''} ({len(b.lines)} lines)")
        return 0

    for doc, why in sorted(BUILD_DOCS.items()):
        n = sum(1 for b in all_blocks.get(doc, []) if b.lang == "sh")
        if n:
            print(f"{doc}: {n} sh blocks not run: {why}")
    work = a.work or tempfile.mkdtemp(prefix="docs_test_")
    os.makedirs(work, exist_ok=True)
    failures = list(problems)
    total_ran = total_skipped = 0
    try:
        make_workspace(root, a.build, work)
        for doc in docs:
            t0 = time.monotonic()
            log = os.path.join(work, "tmp", doc.replace("/", "_") + ".log")
            ok, ran, skipped, msg = run_doc(work, doc, all_blocks[doc], log)
            left = stop_leftovers(work)
            if left and ok:
                ok, msg = False, f"{doc}: left running after its blocks (a block that starts a service stops it): " + "; ".join(left)
            total_ran += ran
            total_skipped += skipped
            if ran or skipped:
                print(f"{doc}: {ran} blocks run, {skipped} not run (notest), "
                      f"{time.monotonic() - t0:.1f}s: {'OK' if ok else 'FAILED'}", flush=True)
            if not ok:
                failures.append(msg)
                if doc == "docs/demo.md":
                    break  # everything else needs the demo's state
        else:
            failures += check_metrics(root, work)
    finally:
        stop_leftovers(work)
        if not a.keep and not a.work:
            shutil.rmtree(work, ignore_errors=True)
    print(f"docs test: {total_ran} blocks run, {total_skipped} shown only, {len(failures)} problems")
    for f in failures:
        print(f"docs test: FAILED: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
