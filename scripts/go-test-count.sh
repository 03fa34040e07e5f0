#!/usr/bin/env bash
# Runs the Go tests and a short, bounded fuzz of every Go decoder; prints "N passed, N failed".
# FUZZTIME is an execution count (100000x) by default: a duration ends with the coordinator's
# deadline, which on a loaded machine can fail a clean run with "context deadline exceeded".
set -uo pipefail
cd "$(dirname "$0")/../native"
export GOTOOLCHAIN=local
out=$(mktemp)
go test -count=1 -v ./... 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
p=$(grep -cE '^\s*--- PASS' "$out"); f=$(grep -cE '^\s*--- FAIL' "$out")
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
for pkg in . $(grep -l '^func Fuzz' internal/*/*_test.go 2>/dev/null | xargs -r -n1 dirname | sort -u | sed 's|^|./|'); do
  for target in $(grep -ho 'func Fuzz[A-Za-z0-9_]*' "$pkg"/*_test.go | sed 's/func //'); do
    if go test -run='^$' -fuzz="^${target}\$" -fuzztime="${FUZZTIME:-100000x}" "$pkg" >"$out.fuzz" 2>&1; then
      p=$((p + 1)); echo "fuzz $pkg $target: ok"
    else
      f=$((f + 1)); echo "fuzz $pkg $target: FAILED"; tail -n 30 "$out.fuzz"
    fi
  done
done
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
