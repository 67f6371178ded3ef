#!/usr/bin/env bash
# Installs what is missing, builds, and starts the tower gateway on the embedded default tower with the
# simulated machine: the API at http://localhost:8080/api/v1, data in ./tower-data. Extra arguments go to
# `tower serve` (try --help, --speed 20 for a brisk demo machine).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash scripts/setup.sh
cmake --preset native >/dev/null
cmake --build --preset native --target tower
exec build/native/native/tower serve "$@"
