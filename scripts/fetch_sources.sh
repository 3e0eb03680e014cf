#!/usr/bin/env bash
# fetch_sources.sh — unpack the Debian source packages the appliance builds
# from (mbedtls for its crypto, nanopb for its runtime pb_*.c) into .deps/src.
#
# Uses a private APT configuration that adds the deb-src lines matching the
# system's own suites; the system's APT sources are not touched. A no-op when
# the sources are already unpacked.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS="$ROOT/.deps"
SRC="$DEPS/src"
mkdir -p "$SRC"

have() { compgen -G "$SRC/$1-*/" >/dev/null; }
if have mbedtls && have nanopb; then exit 0; fi

APT="$DEPS/apt"
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/etc"
# deb-src lines for exactly the suites the system's deb lines use.
{
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed -e 's/^Types: *deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources
  fi
  if [ -f /etc/apt/sources.list ]; then
    grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' || true
  fi
} > "$APT/etc/private.sources"
if [ -s "$APT/etc/private.sources" ] && grep -q '^Types:' "$APT/etc/private.sources"; then
  LIST_OPTS=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$APT/etc/parts")
  mkdir -p "$APT/etc/parts"; mv "$APT/etc/private.sources" "$APT/etc/parts/private.sources"
else
  LIST_OPTS=(-o "Dir::Etc::SourceList=$APT/etc/private.sources" -o "Dir::Etc::SourceParts=/dev/null")
fi
OPTS=("${LIST_OPTS[@]}" -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache"
      -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")

echo "bootstrap: fetching Debian source packages mbedtls, nanopb"
apt-get "${OPTS[@]}" update -qq
cd "$SRC"
apt-get "${OPTS[@]}" source -qq --only-source mbedtls nanopb >/dev/null
have mbedtls && have nanopb || { echo "bootstrap: source unpack failed" >&2; exit 1; }
