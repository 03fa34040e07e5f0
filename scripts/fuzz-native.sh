#!/usr/bin/env bash
# Runs every Fuzz target of native/ for a bounded number of inputs each (default 200000x; FUZZTIME=30s
# or 1000000x to change). A count, not a duration: see scripts/go-test-count.sh.
set -euo pipefail
cd "$(dirname "$0")/../native"
export GOTOOLCHAIN=local
fuzztime="${FUZZTIME:-200000x}"
targets=$(grep -ho '^func Fuzz[A-Za-z0-9_]*' ./*_test.go | sed 's/^func //')
for target in $targets; do
  echo "fuzz: $target for $fuzztime"
  go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" .
done
