#!/usr/bin/env bash
# The browser twin's end-to-end test: starts the native gateway on a free loopback port with a throwaway data
# directory, serving public/ (where the wasm build puts twin.js and twin.wasm), and drives the page in headless
# Chromium with twin.e2e.mjs. Screenshots and e2e-summary.json go to build/e2e/. Exit status: the test's.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
tower="$root/build/native/native/tower"
public=${TOWER_PUBLIC:-$root/public}  # another directory of built twin files, if given
export TOWER_PUBLIC=$public
out="$root/build/e2e"
chromium=${CHROMIUM:-/usr/bin/chromium}
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

missing() {
  echo "e2e: $1" >&2
  exit 1
}
[[ -x $tower ]] || missing "$tower is missing: build it first (cmake --preset native && cmake --build --preset native)"
for file in twin.js twin.wasm; do
  [[ -f $public/$file ]] || missing "$public/$file is missing: build the twin first (NODE_PATH=/usr/share/nodejs cmake --preset wasm && NODE_PATH=/usr/share/nodejs cmake --build --preset wasm --target twin)"
done
[[ -x $chromium ]] || missing "$chromium is missing: apt-get install -y chromium"
command -v node >/dev/null || missing "node is missing: apt-get install -y nodejs npm"

# npm writes node_modules/.package-lock.json on every install: older than the lockfile means out of date.
if [[ ! -d $here/node_modules/playwright-core || $here/package-lock.json -nt $here/node_modules/.package-lock.json ]]; then
  (cd "$here" && npm ci --no-audit --no-fund)
fi

mkdir -p "$out"
data=$(mktemp -d)
server=0
cleanup() {
  if ((server > 0)) && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
base="http://127.0.0.1:$port"
"$tower" serve --port "$port" --address 127.0.0.1 --data "$data" --public "$public" --speed 20 2>"$out/gateway.log" &
server=$!

healthy() {
  node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$base/healthz"
}
deadline=$((SECONDS + 20))
until healthy; do
  if ! kill -0 "$server" 2>/dev/null; then
    tail -n 20 "$out/gateway.log" >&2
    missing "the gateway exited before answering /healthz (log: $out/gateway.log)"
  fi
  ((SECONDS < deadline)) || missing "the gateway did not answer $base/healthz within 20 s (log: $out/gateway.log)"
  sleep 0.2
done
echo "e2e: gateway on $base (pid $server, data $data, log $out/gateway.log)"

status=0
node "$here/twin.e2e.mjs" "$base" "$out" || status=$?
exit "$status"
