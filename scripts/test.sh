#!/usr/bin/env bash
# Installs what is missing, builds the native and the WebAssembly configurations, and runs every test:
# the core's and the twin's tests natively and compiled to WASM under Node, the gateway's and the CLI's, and
# the browser twin end to end in headless Chromium against a real gateway, then a short run of each fuzz
# target (tests/fuzz/run.sh). CI runs exactly this.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

step() { printf '\n== %s\n' "$*" >&2; }

step "setup"
bash scripts/setup.sh

# emcc imports Debian's acorn from here.
export NODE_PATH=/usr/share/nodejs

step "native: configure and build"
cmake --preset native >/dev/null
cmake --build --preset native

step "native: tests"
ctest --preset native -j2

step "wasm: configure and build"
cmake --preset wasm >/dev/null
cmake --build --preset wasm

step "wasm: core tests under Node"
ctest --preset wasm -j2

step "twin: end to end in headless Chromium"
bash tests/e2e/run.sh

step "fuzz: smoke"
bash tests/fuzz/run.sh smoke
