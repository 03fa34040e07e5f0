#!/usr/bin/env bash
# Installs a pinned Go tool into <repo>/.tools (once, through the Go module proxy) and prints its path.
#   scripts/go-tools.sh staticcheck
# Like scripts/s3-server.sh does for versitygw: nothing is installed outside the repository.
set -euo pipefail
STATICCHECK_VERSION=v0.8.2 # staticcheck 2026.2.2, built for Go 1.26
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"

case "${1:-}" in
  staticcheck)
    bin="$TOOLS/staticcheck"
    stamp="$TOOLS/staticcheck.version"
    if [[ ! -x "$bin" || "$(cat "$stamp" 2>/dev/null)" != "$STATICCHECK_VERSION" ]]; then
      echo "installing staticcheck $STATICCHECK_VERSION into $TOOLS" >&2
      mkdir -p "$TOOLS"
      GOTOOLCHAIN=local GOBIN="$TOOLS" go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" >&2
      echo "$STATICCHECK_VERSION" > "$stamp"
    fi
    echo "$bin" ;;
  *) echo "usage: $0 staticcheck" >&2; exit 2 ;;
esac
