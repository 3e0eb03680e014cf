#!/usr/bin/env bash
# Stage 00: the foundation's own checks — the toolchain the story needs is
# here, and the wire schemas round-trip between protobuf C++ and nanopb.
set -euo pipefail
for tool in softhsm2-util pkcs11-tool openssl protoc nanopb_generator.py grpc_cpp_plugin; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done
echo "tools: softhsm2 $(softhsm2-util --version), $(openssl version | cut -d' ' -f1-2), protoc $(protoc --version | cut -d' ' -f2)"
"$BIN/../tests/proto_roundtrip_test" --gtest_brief=1 | tail -1
