#!/usr/bin/env bash
# Cross-compiles every native/src/*.cc for aarch64 Linux with binding.gyp's flags, defines and include
# dirs (object files only, no link) so arm64 build breaks show up on an x86-64 machine. Needs Debian's
# g++-aarch64-linux-gnu. Exits 1 if any file fails to compile (its compiler output on stderr), 2 if
# the cross compiler or Node's headers are missing.
# Environment: CXX_AARCH64 (compiler, default aarch64-linux-gnu-g++), NODE_HEADERS (default
# /usr/include/node), OE_ARM64_SRC (directory of .cc files, default native/src), JOBS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."

cxx="${CXX_AARCH64:-aarch64-linux-gnu-g++}"
if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "check-arm64: $cxx not found (apt-get install g++-aarch64-linux-gnu)" >&2
  exit 2
fi
node_headers="${NODE_HEADERS:-/usr/include/node}"
if [ ! -f "$node_headers/node_api.h" ]; then
  echo "check-arm64: no node_api.h in $node_headers (set NODE_HEADERS)" >&2
  exit 2
fi
src_dir="${OE_ARM64_SRC:-native/src}"
shopt -s nullglob
sources=("$src_dir"/*.cc)
if [ ${#sources[@]} -eq 0 ]; then
  echo "check-arm64: no .cc files in $src_dir" >&2
  exit 2
fi

out="$(mktemp -d "${TMPDIR:-/tmp}/oe-arm64.XXXXXX")"
trap 'rm -rf "$out"' EXIT
export OE_CXX="$cxx" OE_OUT="$out" OE_NODE="$node_headers" OE_INC="$PWD/native/include"
OE_NAPI="$(node -p "require('path').resolve(require('node-addon-api').include_dir)")"
export OE_NAPI

compile_one() {
  local src="$1" obj
  obj="$OE_OUT/$(basename "$src" .cc).o"
  if "$OE_CXX" -std=c++17 -O2 -fexceptions -Wall -Wextra -Wno-unused-parameter \
    -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -DNODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS \
    -I"$OE_NAPI" -I"$OE_INC" -I"$OE_NODE" -c "$src" -o "$obj" 2>"$obj.log"; then
    if [ -s "$obj.log" ]; then cat "$obj.log" >&2; fi
    # e_machine (ELF header bytes 18-19, little-endian) must be EM_AARCH64 = 183 = 0xb7.
    if [ "$(od -An -tx1 -j18 -N2 "$obj" | tr -d ' \n')" != "b700" ]; then
      echo "FAIL $src (object is not AArch64)"
      return 1
    fi
    echo "ok   $src"
  else
    cat "$obj.log" >&2
    echo "FAIL $src"
    return 1
  fi
}
export -f compile_one

status=0
printf '%s\0' "${sources[@]}" | xargs -0 -n1 -P"${JOBS:-2}" bash -c 'compile_one "$1"' _ || status=1
if [ "$status" -ne 0 ]; then
  echo "check-arm64: aarch64 compile failed (see FAIL lines)" >&2
  exit 1
fi
echo "check-arm64: all ${#sources[@]} files compiled for $("$cxx" -dumpmachine)"
