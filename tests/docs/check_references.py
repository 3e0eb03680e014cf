#!/usr/bin/env python3
"""check_references.py — the operator docs' reference tables against the code.

  check_references.py --source ROOT --build BUILD_DIR

  config   docs/signerd-deploy.md's config reference: its rows, grouped by
           parent field, are exactly the mappings signer/src/config's reader
           accepts (every `r.Map(node, path, {...})` key list).
  reasons  docs/ra-developer-guide.md's ErrorInfo reason table holds exactly
           the reasons signer/src/server returns.
  systemd  deploy/systemd/signerd.service passes `systemd-analyze verify`
           (ExecStart pointed at the built signerd, no warning) and
           `systemd-analyze security --offline=true` rates its exposure at
           most 2.0. Skipped, saying so, where systemd-analyze is missing.
  links    every relative link in README.md and the docs names a file that
           exists.

Prints one line per check; exits 1 naming every mismatch.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile


def read(root, rel):
    with open(os.path.join(root, rel), encoding="utf-8") as fh:
        return fh.read()


def code_maps(root):
    """The key lists of every Reader::Map call, as frozensets."""
    maps = []
    for rel in ("signer/src/config/config.cc", "signer/src/config/issuance_config.cc"):
        text = read(root, rel)
        for m in re.finditer(r"\bMap\(\s*[^,]+,\s*[^,]+,\s*\{([^}]*)\}", text):
            keys = re.findall(r'"([a-z0-9_]+)"', m.group(1))
            if keys:
                maps.append(frozenset(keys))
    return maps


def doc_config_groups(root):
    """{parent: set(keys)} from the config table (rows starting with | `a.b`)."""
    groups = {}
    lines = {}
    in_reference = False
    for n, line in enumerate(read(root, "docs/signerd-deploy.md").splitlines(), 1):
        if line.startswith("## "):
            in_reference = line.strip() == "## Config reference"
        m = re.match(r"^\| `([a-z0-9_.\[\]]+)` \|", line) if in_reference else None
        if not m:
            continue
        path = m.group(1)
        parent, _, leaf = path.rpartition(".")
        groups.setdefault(parent, set()).add(leaf)
        lines.setdefault(parent, n)
    return groups, lines


def check_config(root):
    problems = []
    maps = code_maps(root)
    groups, lines = doc_config_groups(root)
    if len(maps) < 10:
        problems.append(f"config: found only {len(maps)} Map() key lists in signer/src/config (reader changed?)")
    unmatched = list(maps)
    for parent, keys in sorted(groups.items()):
        fk = frozenset(keys)
        if fk in unmatched:
            unmatched.remove(fk)
            continue
        best = max(maps, key=lambda s: len(s & fk)) if maps else frozenset()
        name = parent or "(top level)"
        problems.append(f"docs/signerd-deploy.md:{lines[parent]}: config fields under {name} are {sorted(keys)}; "
                        f"the reader's closest mapping accepts {sorted(best)} "
                        f"(missing: {sorted(best - fk)}, unknown: {sorted(fk - best)})")
    for s in unmatched:
        problems.append(f"docs/signerd-deploy.md: no config reference group for the reader's mapping {sorted(s)}")
    if not problems:
        print(f"config: {len(groups)} field groups in docs/signerd-deploy.md match the reader's "
              f"{len(maps)} mappings ({sum(len(s) for s in maps)} fields)")
    return problems


def check_reasons(root):
    problems = []
    code = set()
    for rel in ("signer/src/server/errors.cc", "signer/src/server/service.cc", "signer/src/server/server.cc",
                "signer/src/server/sign_request_check.cc"):
        path = os.path.join(root, rel)
        if os.path.exists(path):
            code |= set(re.findall(r'"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,})"', read(root, rel)))
    doc = {}
    for n, line in enumerate(read(root, "docs/ra-developer-guide.md").splitlines(), 1):
        m = re.match(r"^\| `([A-Z][A-Z0-9_]+)` \| `[A-Z_]+`", line)
        if m:
            doc.setdefault(m.group(1), n)
    for r in sorted(code - set(doc)):
        problems.append(f"docs/ra-developer-guide.md: ErrorInfo reason {r} (signer/src/server) is not in the reason table")
    for r, n in sorted(doc.items(), key=lambda kv: kv[1]):
        if r not in code:
            problems.append(f"docs/ra-developer-guide.md:{n}: reason {r} is not one signer/src/server returns")
    if not problems:
        print(f"reasons: the {len(doc)} ErrorInfo reasons in docs/ra-developer-guide.md are exactly the server's")
    return problems


def check_systemd(root, build):
    tool = shutil.which("systemd-analyze")
    if tool is None:
        print("systemd: SKIPPED (systemd-analyze is not installed)")
        return []
    unit = read(root, "deploy/systemd/signerd.service")
    signerd = os.path.join(os.path.abspath(build), "bin", "signerd")
    if "ExecStart=/usr/local/bin/signerd " not in unit:
        return ["deploy/systemd/signerd.service: ExecStart is not /usr/local/bin/signerd --config ..."]
    problems = []
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "signerd.service")
        with open(path, "w") as fh:
            fh.write(unit.replace("/usr/local/bin/signerd", signerd))
        p = subprocess.run([tool, "verify", path], capture_output=True, text=True)
        if p.returncode != 0 or p.stderr.strip() or p.stdout.strip():
            problems.append(f"deploy/systemd/signerd.service: systemd-analyze verify (exit {p.returncode}): "
                            f"{(p.stdout + p.stderr).strip()}")
        p = subprocess.run([tool, "security", "--offline=true", "--threshold=20", path],
                           capture_output=True, text=True)
        m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", p.stdout + p.stderr)
        if p.returncode != 0 or not m:
            problems.append(f"deploy/systemd/signerd.service: systemd-analyze security: exposure "
                            f"{m.group(1) if m else '?'} above 2.0 (exit {p.returncode})")
    if not problems:
        print(f"systemd: deploy/systemd/signerd.service verifies; exposure {m.group(1)} (at most 2.0)")
    return problems


def check_links(root):
    """Every relative link of README.md and the docs names a file that exists."""
    problems = []
    files = ["README.md"] + sorted(f"docs/{n}" for n in os.listdir(os.path.join(root, "docs")) if n.endswith(".md"))
    files += sorted(f"docs/ceremonies/{n}" for n in os.listdir(os.path.join(root, "docs/ceremonies"))
                    if n.endswith(".md"))
    count = 0
    for rel in files:
        lines = read(root, rel).splitlines()
        in_code = False
        for n, line in enumerate(lines, 1):
            if line.lstrip().startswith("```"):
                in_code = not in_code
                continue
            if in_code:
                continue
            for m in re.finditer(r"\]\(([^)\s]+)\)", line):
                target = m.group(1)
                if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                    continue
                count += 1
                path = os.path.normpath(os.path.join(root, os.path.dirname(rel), target.split("#")[0]))
                if not os.path.exists(path):
                    problems.append(f"{rel}:{n}: link to {target}: no such file")
    if not problems:
        print(f"links: {count} relative links in README.md and docs/ name existing files")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", required=True)
    ap.add_argument("--build", required=True)
    a = ap.parse_args()
    problems = (check_config(a.source) + check_reasons(a.source) + check_systemd(a.source, a.build) +
                check_links(a.source))
    for p in problems:
        print(f"check_references: FAILED: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
