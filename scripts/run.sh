#!/usr/bin/env bash
# Installs what is missing, builds, and starts Tower on the embedded default tower.
# Until the gateway lands (issue 4) this runs the guided demo of the core through the CLI.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash scripts/setup.sh
cmake --preset native >/dev/null
cmake --build --preset native --target tower
exec build/native/native/tower demo "$@"
