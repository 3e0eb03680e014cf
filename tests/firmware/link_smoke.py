#!/usr/bin/env python3
"""link_smoke.py — the appliance firmware under QEMU, spoken to over its UART.

Starts qemu-system-arm with the image's UART0 on a loopback TCP socket
(nodelay=on), waits for the firmware's ready banner on the semihosting
console, then acts as the host side of the link (docs/appliance-link.md):
frames GetStatus requests, checks each response frame (sync, version, kind,
length, request id, CRC-32) and its protobuf body, measures round trips, and
checks that garbage on the line gets an ERROR frame with request id 0 and
that the link still works afterwards.

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


def fail(msg):
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
            "-kernel", image, "-append", "storage=%s seed=1" % storage]
    t0 = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
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
        sock.close()
    finally:
        proc.kill()
        proc.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
