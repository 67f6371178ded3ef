#!/usr/bin/env bash
# Runs a command and checks its exit code exactly and that its output (stdout + stderr) matches a pattern.
# CTest's WILL_FAIL would also pass on a crash; a refusal must be a clean, explained exit.
# usage: expect_exit.sh EXIT_CODE PATTERN COMMAND [ARGS...]
set -u
expected=$1 pattern=$2
shift 2
output=$("$@" 2>&1)
actual=$?
if [ "$actual" != "$expected" ]; then
  printf 'expected exit %s, got %s\n%s\n' "$expected" "$actual" "$output"
  exit 1
fi
if ! grep -qE -- "$pattern" <<<"$output"; then
  printf 'output does not match /%s/:\n%s\n' "$pattern" "$output"
  exit 1
fi
