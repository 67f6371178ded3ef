#!/usr/bin/env bash
# Installs what is missing, builds the gateway and the browser twin, and starts the tower gateway on the
# embedded default tower with the simulated machine: the twin at http://localhost:8080/, the API under
# /api/v1, data in ./tower-data. Extra arguments go to `tower serve` (try --help, --speed 20 for a brisk demo).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash scripts/setup.sh
cmake --preset native >/dev/null
cmake --build --preset native --target tower
# emcc imports Debian's acorn from here.
export NODE_PATH=/usr/share/nodejs
cmake --preset wasm >/dev/null
cmake --build --preset wasm --target twin
exec build/native/native/tower serve "$@"
