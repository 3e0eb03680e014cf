#!/usr/bin/env python3
"""chain_check.py — independent checks of the demo's hash-chained records.

Written from the documented formats only (no project code), so it is a second
opinion next to the project's own verifiers, and the only check available
where those cannot run yet:

  audit LOG [--anchor-seq N --anchor-sha256 HEX]
      signerd's audit log (signer/src/audit/audit_record.h): every line's
      "prev" is the SHA-256 of the line before (64 zeros first), seq and gen
      as documented; the head must equal signerd's shutdown anchor if given.
  transcript FILE --media DIR [--previous FILE] [--artifact PATH=FILE ...]
      a ceremony transcript (proto/ceremony/v1/transcript.proto): COMPLETED,
      chained to the previous body by SHA-256 with sequence + 1, every
      artifact's SHA-256 matches its file, the recorded root fingerprint is
      the root certificate's. Says whether it is signed (the signature itself
      is `ceremony verify-transcript`'s job).
  audit-key FILE --out PEM
      the audit public key a signed transcript carries (to pin it from the
      root-init transcript for `ceremony verify-transcript`).
  journal EXPORT --transcript FILE
      an appliance journal export (docs/custody.md): contiguous sequences,
      each record links to SHA-256("pki-journal-record-v1" || previous record),
      the trailer's head is the last record's hash, and that head is one the
      transcript recorded. The trailer and checkpoint signatures need the
      appliance's audit public key, which no tool prints yet: not checked.

Prints one line per check; exits 0 if all pass, 1 naming the first failure.
"""
import argparse
import hashlib
import os
import re
import struct
import subprocess
import sys


def fail(msg):
    print(f"chain_check: FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


# --- protobuf wire format, just enough for the transcript -------------------

def varint(buf, i):
    shift = result = 0
    while True:
        if i >= len(buf):
            raise ValueError("truncated varint")
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def fields(buf):
    """Returns {field number: [values]} (bytes for length-delimited, int for varint)."""
    out = {}
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, i = varint(buf, i)
        elif wire == 2:
            n, i = varint(buf, i)
            v = bytes(buf[i:i + n])
            if len(v) != n:
                raise ValueError("truncated field")
            i += n
        elif wire == 1:
            v = buf[i:i + 8]
            i += 8
        elif wire == 5:
            v = buf[i:i + 4]
            i += 4
        else:
            raise ValueError(f"wire type {wire}")
        out.setdefault(num, []).append(v)
    return out


def one(f, num, default=b""):
    return f.get(num, [default])[-1]


def load_transcript(path):
    with open(path, "rb") as fh:
        signed = fields(fh.read())
    body = one(signed, 1)
    return signed, body, fields(body)


def cmd_transcript(a):
    signed, body, b = load_transcript(a.file)
    name = one(b, 1).decode()
    seq = one(b, 2, 0)
    outcome = one(b, 17, 0)
    if outcome != 1:
        fail(f"{a.file}: outcome {outcome}, not COMPLETED")
    if a.previous:
        _, pbody, pb = load_transcript(a.previous)
        if one(b, 3) != hashlib.sha256(pbody).digest():
            fail(f"{a.file}: previous_transcript_sha256 is not the SHA-256 of {a.previous}'s body")
        if seq != one(pb, 2, 0) + 1:
            fail(f"{a.file}: sequence {seq} does not follow {one(pb, 2, 0)}")
    elif seq != 1 or one(b, 3):
        fail(f"{a.file}: sequence {seq} needs --previous")
    overrides = dict(x.split("=", 1) for x in a.artifact)
    checked = 0
    for raw in b.get(14, []):
        art = fields(raw)
        rel = one(art, 1).decode()
        path = overrides.get(rel, os.path.join(a.media, rel))
        try:
            with open(path, "rb") as fh:
                digest = hashlib.sha256(fh.read()).digest()
        except OSError:
            fail(f"{a.file}: artifact {rel}: missing ({path})")
        if digest != one(art, 2):
            fail(f"{a.file}: artifact {rel}: SHA-256 differs from the transcript ({path})")
        checked += 1
    root = os.path.join(a.media, "out/root.crt")
    appliance = fields(one(b, 5))
    der = subprocess.run(["openssl", "x509", "-in", root, "-outform", "DER"], check=True,
                         capture_output=True).stdout
    if one(appliance, 4) != hashlib.sha256(der).digest():
        fail(f"{a.file}: the recorded root fingerprint is not out/root.crt's")
    signed_state = "signed" if one(signed, 2) else "UNSIGNED (no signature to check)"
    print(f"{os.path.basename(a.file)}: {name} #{seq} COMPLETED, "
          f"{'chained to #' + str(seq - 1) if a.previous else 'first of its root'}, "
          f"{checked} artifacts match, root fingerprint matches, {signed_state}; "
          f"body SHA-256 {hashlib.sha256(body).hexdigest()}")


def cmd_audit_key(a):
    signed, _, _ = load_transcript(a.file)
    der = one(signed, 3)
    if not der:
        fail(f"{a.file}: holds no audit public key (unsigned)")
    subprocess.run(["openssl", "pkey", "-pubin", "-inform", "DER", "-out", a.out], input=der, check=True)
    print(f"{a.out}: audit public key from {os.path.basename(a.file)}")


def cmd_audit(a):
    prev = "0" * 64
    last_seq = 0
    gen = None
    n = 0
    with open(a.log, "rb") as fh:
        data = fh.read()
    if data and not data.endswith(b"\n"):
        fail(f"{a.log}: ends in a partial record")
    line_re = re.compile(rb'^\{"prev":"([0-9a-f]{64})","gen":(\d+),"seq":(\d+),')
    for lineno, line in enumerate(data.splitlines(), 1):
        m = line_re.match(line)
        if not m:
            fail(f"{a.log}:{lineno}: not a well-formed audit record")
        if m.group(1).decode() != prev:
            fail(f"{a.log}:{lineno}: prev is not the SHA-256 of the record before")
        g, s = int(m.group(2)), int(m.group(3))
        if gen is not None and g != gen:
            fail(f"{a.log}:{lineno}: generation changes inside one file")
        if s != last_seq + 1:
            fail(f"{a.log}:{lineno}: seq {s}, expected {last_seq + 1}")
        gen, last_seq = g, s
        prev = hashlib.sha256(line).hexdigest()
        n += 1
    if a.anchor_seq is not None and (a.anchor_seq != last_seq or a.anchor_sha256 != prev):
        fail(f"{a.log}: head seq {last_seq} sha256 {prev} differs from the anchor "
             f"seq {a.anchor_seq} sha256 {a.anchor_sha256}")
    print(f"{os.path.basename(a.log)}: {n} records chained, head seq {last_seq} sha256 {prev}"
          f"{', equals signerd shutdown anchor' if a.anchor_seq is not None else ''}")


def cmd_journal(a):
    with open(a.export, "rb") as fh:
        data = fh.read()
    if len(data) < 20 or data[:4] != b"PKJX" or data[4] != 1:
        fail(f"{a.export}: header: not a version-1 journal export")
    first, count = struct.unpack(">QI", data[8:20])
    i = 20
    prev_hash = None
    checkpoints = 0
    for k in range(count):
        if i + 2 > len(data):
            fail(f"{a.export}: truncated: header says {count} records, found {k}")
        (n,) = struct.unpack(">H", data[i:i + 2])
        rec = data[i + 2:i + 2 + n]
        if len(rec) != n or n < 118:
            fail(f"{a.export}: record at position {k}: bad length")
        i += 2 + n
        (seq,) = struct.unpack(">Q", rec[:8])
        if seq != first + k:
            fail(f"{a.export}: record at position {k} has seq {seq}, expected {first + k}")
        if prev_hash is not None and rec[84:116] != prev_hash:
            fail(f"{a.export}: record seq {seq}: does not link to record {seq - 1}")
        if prev_hash is None and first == 0 and rec[84:116] != bytes(32):
            fail(f"{a.export}: record 0 does not start from zero")
        if struct.unpack(">H", rec[8:10])[0] == 0x7F01:
            checkpoints += 1
        prev_hash = hashlib.sha256(b"pki-journal-record-v1" + rec).digest()
    trailer = data[i:]
    if len(trailer) < 4 + 8 + 32 + 2 or trailer[:4] != b"PKJT":
        fail(f"{a.export}: truncated: the signed trailer is missing")
    last, = struct.unpack(">Q", trailer[4:12])
    head = trailer[12:44]
    if count and (last != first + count - 1 or head != prev_hash):
        fail(f"{a.export}: trailer: last sequence or head does not match the records")
    recorded = set()
    if a.transcript:
        _, _, b = load_transcript(a.transcript)
        recorded.add(one(fields(one(b, 7)), 2))
        for raw in b.get(13, []):
            step = fields(raw)
            recorded.update(re.findall(r"head ([0-9a-f]{64})", one(step, 8).decode(errors="replace")))
        if head not in recorded and head.hex() not in recorded:
            fail(f"{a.export}: head {head.hex()} is not a head {a.transcript} recorded")
    print(f"{os.path.basename(a.export)}: records {first}..{last} chained, {checkpoints} checkpoints, "
          f"head {head.hex()}{', recorded in ' + os.path.basename(a.transcript) if a.transcript else ''}; "
          f"signatures not checked (no tool prints the appliance's audit key yet)")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("transcript")
    t.add_argument("file")
    t.add_argument("--media", required=True)
    t.add_argument("--previous")
    t.add_argument("--artifact", action="append", default=[], help="PATH=FILE: check PATH against FILE")
    au = sub.add_parser("audit")
    au.add_argument("log")
    au.add_argument("--anchor-seq", type=int)
    au.add_argument("--anchor-sha256")
    j = sub.add_parser("journal")
    j.add_argument("export")
    j.add_argument("--transcript")
    k = sub.add_parser("audit-key")
    k.add_argument("file")
    k.add_argument("--out", required=True)
    a = p.parse_args()
    try:
        {"transcript": cmd_transcript, "audit": cmd_audit, "journal": cmd_journal,
         "audit-key": cmd_audit_key}[a.cmd](a)
    except (ValueError, struct.error) as e:
        fail(f"does not decode: {e}")
    except OSError as e:
        fail(f"{e.filename}: {e.strerror}")


if __name__ == "__main__":
    main()
