#!/usr/bin/env bash
# Runs every Fuzz target of native/ for a bounded number of inputs each (default 200000x; FUZZTIME=30s
# or 1000000x to change). A count, not a duration: see scripts/go-test-count.sh.
set -euo pipefail
cd "$(dirname "$0")/../native"
export GOTOOLCHAIN=local
fuzztime="${FUZZTIME:-200000x}"
# Every package with Fuzz targets: the main package and those under internal/ (the wire decoder).
for pkg in . $(grep -l '^func Fuzz' internal/*/*_test.go 2>/dev/null | xargs -r -n1 dirname | sort -u | sed 's|^|./|'); do
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$pkg"/*_test.go | sed 's/^func //'); do
    echo "fuzz: $pkg $target for $fuzztime"
    go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$pkg"
  done
done
