#!/usr/bin/env bash
# Installs what is missing, builds the native and the WebAssembly configurations, and runs every test:
# the core's and the twin's tests natively and compiled to WASM under Node, the gateway's and the CLI's, and
# the browser twin end to end in headless Chromium against a real gateway, a short run of each fuzz target
# (tests/fuzz/run.sh), then the whole native suite again under AddressSanitizer and UndefinedBehaviorSanitizer
# and the gateway's tests under ThreadSanitizer. CI runs exactly this.
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

step "sanitizers: the whole native suite under ASan+UBSan"
cmake --preset native-asan >/dev/null
cmake --build --preset native-asan
ctest --preset native-asan -j2

step "sanitizers: the gateway's tests under TSan"
cmake --preset native-tsan >/dev/null
cmake --build --preset native-tsan
ctest --preset native-tsan -j2
