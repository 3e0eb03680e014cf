#!/usr/bin/env python3
"""link_smoke.py — the appliance firmware under QEMU, spoken to over its UART.

Starts qemu-system-arm with the image's UART0 on a loopback TCP socket
(nodelay=on), waits for the firmware's ready banner on the semihosting
console, then acts as the host side of the link (docs/appliance-link.md):
frames GetStatus requests, checks each response frame (sync, version, kind,
length, request id, CRC-32) and its protobuf body, measures round trips, and
checks that garbage on the line gets an ERROR frame with request id 0 and
that the link still works afterwards.

Then root-init: Init (EC P-384, 2-of-3 custodians with TEST passphrases,
few PBKDF2 iterations), FetchResult of the root DER, whose SHA-256 must match
the one Init reported and which `openssl verify` must accept; GetStatus must
then say LOCKED. Then sign-intermediate: an openssl-made P-256 CSR,
BeginOperation, two custodians' shares, Execute, FetchResult; `openssl verify`
must accept the intermediate under the board's root.

usage: link_smoke.py QEMU MACHINE IMAGE STORAGE_DIR [ROUNDS]
Exit 0 on success; 1 with the reason on stderr.
"""
import os
import shutil
import socket
import struct
import subprocess
import sys
import time
import zlib

SYNC = b"\xa5\x5a"
VERSION = 1
KIND_REQUEST, KIND_RESPONSE = 1, 2
HEADER = 10


PROC = None  # the QEMU process, for its console output on failure


def fail(msg):
    if PROC is not None:
        PROC.kill()
        rest = PROC.stdout.read().decode(errors="replace")
        print("firmware console after the ready banner:\n" + rest, file=sys.stderr)
    print("link_smoke: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def frame(kind, request_id, payload):
    body = struct.pack(">BBHI", VERSION, kind, len(payload), request_id) + payload
    return SYNC + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def get_status_request(request_id):
    # Request { request_id = 1; get_status = 10 (empty message) }
    return b"\x08" + varint(request_id) + b"\x52\x00"


def field_bytes(number, data):
    return varint((number << 3) | 2) + varint(len(data)) + data


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def parse_fields(buf):
    """Minimal protobuf reader: {field: [values]} (varints as int, len-delimited as bytes)."""
    fields, i = {}, 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = read_varint(buf, i)
        elif wire == 2:
            n, i = read_varint(buf, i)
            value, i = buf[i:i + n], i + n
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        else:
            fail("unexpected wire type %d in response" % wire)
        fields.setdefault(field, []).append(value)
    return fields


def read_varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def read_frame(sock, deadline):
    buf = b""
    while True:
        start = buf.find(SYNC)
        if start >= 0 and len(buf) - start >= HEADER:
            version, kind, length, rid = struct.unpack(">BBHI", buf[start + 2:start + HEADER])
            total = HEADER + length + 4
            if len(buf) - start >= total:
                f = buf[start:start + total]
                crc = struct.unpack(">I", f[-4:])[0]
                if crc != zlib.crc32(f[2:-4]) & 0xFFFFFFFF:
                    fail("response frame CRC mismatch")
                if version != VERSION or kind != KIND_RESPONSE:
                    fail("bad response header version=%d kind=%d" % (version, kind))
                return rid, f[HEADER:HEADER + length]
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            fail("timed out waiting for a response frame (got %r)" % buf[:64])
        sock.settimeout(remaining)
        chunk = sock.recv(4096)
        if not chunk:
            fail("appliance closed the link")
        buf += chunk


def main():
    if len(sys.argv) < 5:
        fail(__doc__)
    qemu, machine, image, storage = sys.argv[1:5]
    rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 50
    shutil.rmtree(storage, ignore_errors=True)
    os.makedirs(storage)
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    args = [qemu, "-M", machine, "-nographic", "-monitor", "none",
            "-serial", "tcp:127.0.0.1:%d,server=on,wait=off,nodelay=on" % port,
            "-semihosting-config", "enable=on,target=native",
            "-kernel", image, "-append", "storage=%s seed=1 iterations=1000" % storage]
    t0 = time.monotonic()
    global PROC
    proc = PROC = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        console = b""
        while b"appliance ready" not in console:
            line = proc.stdout.readline()
            if not line:
                fail("QEMU exited before the ready banner:\n" + console.decode(errors="replace"))
            console += line
            if time.monotonic() - t0 > 60:
                fail("no ready banner within 60 s")
        boot_s = time.monotonic() - t0
        print(console.decode(errors="replace").replace("\n!!", "\n  !!"), end="")
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def get_status(rid):
            sock.sendall(frame(KIND_REQUEST, rid, get_status_request(rid)))
            got_id, payload = read_frame(sock, time.monotonic() + 10)
            if got_id != rid:
                fail("response id %d for request %d" % (got_id, rid))
            fields = parse_fields(payload)
            if fields.get(1, [0])[0] != rid:
                fail("payload request_id differs from the frame's")
            if 11 not in fields:
                fail("GetStatus answered without a status body: %r" % fields)
            return parse_fields(fields[11][0])

        status = get_status(1)
        version = status.get(2, [b""])[0].decode()
        print("GetStatus: state=%d firmware_version=%r production_build=%d"
              % (status.get(1, [0])[0], version, status.get(3, [0])[0]))
        if not version:
            fail("no firmware version in the status")
        times = []
        for rid in range(2, 2 + rounds):
            t = time.monotonic()
            get_status(rid)
            times.append((time.monotonic() - t) * 1000)
        times.sort()
        print("GetStatus round trip over TCP-UART: median %.2f ms, max %.2f ms (%d rounds)"
              % (times[len(times) // 2], times[-1], rounds))
        # Garbage ending in a frame header with a bad CRC: answered with id 0.
        sock.sendall(b"\x00\x13garbage" + frame(KIND_REQUEST, 77, b"\x08\x4d\x52\x00")[:-1] + b"\x00")
        got_id, payload = read_frame(sock, time.monotonic() + 10)
        if got_id != 0 or 10 not in parse_fields(payload):
            fail("bad frame not answered with an ERROR for request id 0")
        errors = 1
        # The garbage and the bad-CRC frame may each get their ERROR; take
        # them all, then the link must still answer.
        sock.sendall(frame(KIND_REQUEST, rounds + 10, get_status_request(rounds + 10)))
        while True:
            got_id, payload = read_frame(sock, time.monotonic() + 10)
            if got_id == 0 and 10 in parse_fields(payload):
                errors += 1
                continue
            if got_id != rounds + 10 or 11 not in parse_fields(payload):
                fail("after the bad frames, GetStatus got id %d %r" % (got_id, parse_fields(payload)))
            break
        print("bad bytes answered with %d ERROR frame(s), id 0" % errors)
        print("link resynchronized; boot to ready %.2f s" % boot_s)

        def call(rid, body_field, body, want_field):
            sock.sendall(frame(KIND_REQUEST, rid, field_varint(1, rid) + field_bytes(body_field, body)))
            got_id, payload = read_frame(sock, time.monotonic() + 120)
            fields = parse_fields(payload)
            if got_id != rid or want_field not in fields:
                fail("request %d: unexpected response %r" % (rid, fields))
            return parse_fields(fields[want_field][0])

        # Test-only custodians and passphrases (never real ones in argv/logs).
        custodians = b"".join(
            field_bytes(5, field_bytes(1, name) + field_bytes(2, b"test passphrase of " + name))
            for name in (b"alice", b"bob", b"carol"))
        init = (field_varint(1, 2) + field_bytes(2, b"C=XX,O=PKI firmware test,CN=Board Root R1")
                + field_varint(3, 3650) + field_varint(4, 2) + custodians)
        t = time.monotonic()
        result = call(900, 11, init, 12)
        init_ms = (time.monotonic() - t) * 1000
        digest = result.get(1, [b""])[0]
        size = result.get(2, [0])[0]
        shares = result.get(3, [])
        if len(digest) != 32 or not size or len(shares) != 3:
            fail("Init answered %r" % result)
        next_id = [901]

        def fetch_result():
            out, offset = b"", 0
            while True:
                chunk = call(next_id[0], 17, field_varint(1, offset) if offset else b"", 18)
                next_id[0] += 1
                data = chunk.get(2, [b""])[0]
                out += data
                offset += len(data)
                if chunk.get(4, [0])[0] or not data:
                    return out

        der = fetch_result()
        rid = next_id[0]
        import hashlib
        if len(der) != size or hashlib.sha256(der).digest() != digest:
            fail("fetched root (%d bytes) does not match Init's size/SHA-256" % len(der))
        der_path = os.path.join(storage, "board_root.der")
        pem_path = der_path + ".pem"
        with open(der_path, "wb") as f:
            f.write(der)
        subprocess.run(["openssl", "x509", "-inform", "DER", "-in", der_path, "-out", pem_path], check=True)
        verify = subprocess.run(["openssl", "verify", "-x509_strict", "-check_ss_sig", "-CAfile", pem_path,
                                 pem_path], capture_output=True, text=True)
        if verify.returncode != 0:
            fail("openssl verify rejects the board's root: " + verify.stdout + verify.stderr)
        state = get_status(rid).get(1, [0])[0]
        if state != 2:
            fail("state after Init is %d, not LOCKED (2)" % state)
        print("root-init: EC P-384 2-of-3 in %.0f ms (incl. 3 share wraps); root %d bytes, "
              "sha256 %s; openssl: %s; state LOCKED"
              % (init_ms, size, digest.hex(), verify.stdout.strip().split(": ")[-1]))

        # sign-intermediate with a quorum of two.
        key_path = os.path.join(storage, "inter.key")
        csr_path = os.path.join(storage, "inter.csr.der")
        subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-keyout", key_path, "-subj", "/C=XX/O=PKI firmware test/CN=Board Issuing CA 1",
                        "-outform", "DER", "-out", csr_path], check=True, capture_output=True)
        with open(csr_path, "rb") as f:
            csr = f.read()
        profile = (field_bytes(1, b"issuing-tls") + field_varint(2, 365)
                   + field_varint(3, 0))
        begin = field_bytes(10, field_bytes(1, csr) + field_bytes(2, profile))
        next_id[0] = rid + 1
        t = time.monotonic()
        began = call(next_id[0], 13, begin, 14)
        next_id[0] += 1
        nonce = began.get(2, [b""])[0]
        if len(nonce) != 16:
            fail("BeginOperation answered %r" % began)
        wrapped = {parse_fields(w)[1][0]: parse_fields(w)[2][0] for w in shares}
        for name in (b"carol", b"alice"):
            sub = (field_bytes(1, nonce) + field_bytes(2, name) + field_bytes(3, wrapped[name])
                   + field_bytes(4, b"test passphrase of " + name))
            call(next_id[0], 14, sub, 15)
            next_id[0] += 1
        executed = call(next_id[0], 15, field_bytes(1, nonce), 16)
        next_id[0] += 1
        sign_ms = (time.monotonic() - t) * 1000
        cert = fetch_result()
        if hashlib.sha256(cert).digest() != executed.get(2, [b""])[0]:
            fail("fetched intermediate does not match Execute's SHA-256")
        inter_der = os.path.join(storage, "inter.der")
        with open(inter_der, "wb") as f:
            f.write(cert)
        subprocess.run(["openssl", "x509", "-inform", "DER", "-in", inter_der, "-out", inter_der + ".pem"],
                       check=True)
        verify = subprocess.run(["openssl", "verify", "-x509_strict", "-CAfile", pem_path, inter_der + ".pem"],
                                capture_output=True, text=True)
        if verify.returncode != 0:
            fail("openssl verify rejects the intermediate: " + verify.stdout + verify.stderr)
        print("sign-intermediate: BeginOperation + 2 shares + Execute in %.0f ms; intermediate %d bytes; "
              "openssl verify under the board root: OK" % (sign_ms, len(cert)))
        sock.close()
        proc.kill()
        rest = proc.stdout.read().decode(errors="replace")
        print("".join(line + "\n" for line in rest.splitlines() if line.startswith("ram:")), end="")
    finally:
        proc.kill()
        proc.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
