#!/usr/bin/env bash
# One pass that brings the whole tree in line with `npm run lint`; meant to be run once after the
# branches are merged (it rewrites many files, so it is not run while others edit in parallel):
#   1. Biome: format every file and apply the safe lint fixes (import type, template literals, ...);
#   2. gofmt -w over native/;
#   3. `npm run lint`, which lists whatever is left for a person to fix (go vet and staticcheck have
#      no automatic fixes; Biome's unsafe fixes are left for review).
set -uo pipefail
cd "$(dirname "$0")/.."
npx --no-install biome check --write .
(cd native && gofmt -w .)
bash scripts/lint.sh
