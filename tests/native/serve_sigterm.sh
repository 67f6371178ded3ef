#!/usr/bin/env bash
# `tower serve` as an operator runs it: it starts on a fresh data directory, stocks the tower, exits 0 on
# SIGTERM after flushing, and a restart on the same directory finds every record again.
# usage: serve_sigterm.sh TOWER_BINARY
set -u
tower=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
start() {
  "$tower" serve --port 0 --address 127.0.0.1 --data "$dir/data" --public "$dir" 2>"$dir/log" &
  pid=$!
  for _ in $(seq 100); do grep -q '"msg":"tower gateway listening"' "$dir/log" && return 0; sleep 0.1; done
  echo "the gateway did not start:"; cat "$dir/log"; exit 1
}
stop() {
  kill -TERM "$pid"
  wait "$pid"
  status=$?
  if [ "$status" != 0 ]; then echo "exit status $status after SIGTERM:"; cat "$dir/log"; exit 1; fi
  grep -q '"msg":"tower gateway stopped"' "$dir/log" || { echo "no clean stop logged:"; cat "$dir/log"; exit 1; }
}
start
stop
first=$(grep -o '"records":"[0-9]*"' "$dir/log" | tail -1)
start
grep -q "\"msg\":\"tower gateway listening\".*$first" "$dir/log" || { echo "restart lost records (had $first):"; cat "$dir/log"; exit 1; }
stop
echo "clean stop and restart with $first"
