#!/usr/bin/env bash
# Runs every Fuzz target of native/ for a bounded time each (default 10s; FUZZTIME=30s to change).
set -euo pipefail
cd "$(dirname "$0")/../native"
export GOTOOLCHAIN=local
fuzztime="${FUZZTIME:-10s}"
targets=$(grep -ho '^func Fuzz[A-Za-z0-9_]*' ./*_test.go | sed 's/^func //')
for target in $targets; do
  echo "fuzz: $target for $fuzztime"
  go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" .
done
