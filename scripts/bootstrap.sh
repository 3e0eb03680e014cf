#!/usr/bin/env bash
# bootstrap.sh — install every Debian package the project needs, and fetch the
# Debian source packages (mbedTLS, nanopb) the appliance builds from.
#
# Idempotent: when everything is present it returns in well under a second.
# Nothing is downloaded but Debian packages; the system's APT sources are left
# alone (deb-src lines live in a private APT configuration under third_party/).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config git dpkg-dev python3 curl procps
  # host crypto, X.509, TLS
  libssl-dev openssl
  # PKCS#11: reference token, client library, independent tools
  softhsm2 libsofthsm2 libp11-dev opensc p11-kit p11-kit-modules
  # wire formats and transport
  protobuf-compiler libprotobuf-dev nanopb libgrpc++-dev protobuf-compiler-grpc
  # config, CLI, logs
  libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev
  # tests, fuzzing, sanitizers
  libgtest-dev libgmock-dev clang-14 libclang-rt-14-dev tmux
  python3-cryptography  # tests/fuzz/make_seeds.sh (certificates with set dates, TBS bytes)
  # emulated hardware
  gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-dev libstdc++-arm-none-eabi-newlib
  qemu-system-arm qemu-user qemu-user-static
  crossbuild-essential-arm64
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

if [ "${#missing[@]}" -gt 0 ]; then
  echo "bootstrap: installing ${#missing[@]} Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian source packages for the appliance (built with our own configuration).
"$ROOT/scripts/fetch_sources.sh"
