#!/usr/bin/env bash
# The lint step of CI (`npm run lint`): Biome's formatter check and linter over the TypeScript and
# JavaScript, then gofmt, go vet and staticcheck over native/. Each tool is one check: it prints
# "ok - <tool>" or "not ok - <tool>" with its findings, and the last line is "N passed, N failed".
# staticcheck is installed by scripts/go-tools.sh into .tools/ at a pinned version.
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0; failed=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

check() { # name, command...: run one tool, show its output when it fails
  local name=$1; shift
  if "$@" >"$log/out" 2>&1; then
    echo "ok - $name"; passed=$((passed + 1))
  else
    cat "$log/out"; echo "not ok - $name"; failed=$((failed + 1))
  fi
}

gofmt_clean() { local files; files=$(cd native && gofmt -l .); [ -z "$files" ] || { echo "not gofmt-formatted: $files"; return 1; }; }

check "biome format (npm run format writes it)" npx --no-install biome format .
check "biome lint" npx --no-install biome lint --max-diagnostics=50 .
check "gofmt (native/)" gofmt_clean
check "go vet (native/)" bash -c 'cd native && go vet ./...'
if staticcheck=$(bash scripts/go-tools.sh staticcheck 2>"$log/install"); then
  check "staticcheck (native/)" bash -c "cd native && '$staticcheck' ./..."
else
  cat "$log/install"; echo "not ok - staticcheck (could not be installed)"; failed=$((failed + 1))
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
