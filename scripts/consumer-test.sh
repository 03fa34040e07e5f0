#!/usr/bin/env bash
# Tests the packed package the way a user gets it: npm pack (prepack builds the Go library for every
# platform and the JavaScript), a new project in a temp folder, `npm install <tarball>` (npm 11 runs no
# dependency scripts by default, and skyshelve ships none), then the scripts of spec/fixtures/consumer/ run there. Every check prints "ok - ..." or
# "not ok - ..."; the last line is "N passed, N failed". KEEP_CONSUMER=1 keeps the temp folder.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/sky-consumer-XXXXXX")
app="$work/app"
passed=0; failed=0
unset SKYSHELVE_LIB

cleanup() { if [ "${KEEP_CONSUMER:-}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
ok() { echo "ok - $1"; passed=$((passed + 1)); }
fail() { echo "not ok - $1"; failed=$((failed + 1)); }
finish() { echo; echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }
# Runs a fixture script; counts its "ok"/"not ok" lines, and a crash or a silent script as a failure.
run_checks() {
  local name=$1; shift
  local out="$work/$name.log" rc p f
  (cd "$app" && "$@") >"$out" 2>&1; rc=$?
  cat "$out"
  p=$(grep -cE '^ok - ' "$out"); f=$(grep -cE '^not ok - ' "$out")
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then fail "$name exited with $rc"; fi
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$rc" -eq 0 ]; then fail "$name reported no checks"; fi
}

echo "=== npm pack (prepack: Go library + tsc)"
cp "$repo/package.json" "$work/package.json.before"
if (cd "$repo" && npm pack --json --pack-destination "$work" >"$work/pack.json" 2>"$work/pack.log"); then
  ok "npm pack"
else
  cat "$work/pack.json" "$work/pack.log"; fail "npm pack"; finish
fi
# npm prints the output of the prepare script on stdout too, before the JSON.
node -e '
const text = require("fs").readFileSync(process.argv[1], "utf8");
require("fs").writeFileSync(process.argv[1], text.slice(text.search(/^\[\s*\{\s*"id"/m)));
' "$work/pack.json"
tarball=$(node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(j[0].filename)' "$work/pack.json")
# Every platform of scripts/prebuilds/targets.mjs: its library and header, as "folder/file" words.
prebuilt_files=$(node --input-type=module -e '
const { TARGETS, HEADER } = await import(process.argv[1]);
console.log(TARGETS.flatMap((t) => [`${t.folder}/${t.file}`, `${t.folder}/${HEADER}`]).join(" "));
' "$repo/scripts/prebuilds/targets.mjs")
# shellcheck disable=SC2086
node -e '
const [info] = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
console.log(`tarball: ${info.filename}, packed ${(info.size / 1048576).toFixed(2)} MiB, unpacked ${(info.unpackedSize / 1048576).toFixed(2)} MiB, ${info.entryCount} files`);
const files = new Set(info.files.map((f) => f.path));
const sizes = new Map(info.files.map((f) => [f.path, f.size]));
const prebuilt = process.argv.slice(2).map((f) => `prebuilds/${f}`);
const want = [...prebuilt.filter((f) => f.endsWith(".h")), "dist/src/index.js", "dist/src/index.d.ts", "LICENSE", "package.json"];
for (const f of want) console.log(`${files.has(f) ? "ok" : "not ok"} - tarball holds ${f}`);
// A Go c-shared library is several MiB; a tiny file would be a failed or placeholder build.
for (const f of prebuilt.filter((f) => !f.endsWith(".h"))) {
  const size = sizes.get(f) ?? 0;
  console.log(`${size > 1048576 ? "ok" : "not ok"} - tarball holds ${f} (${(size / 1048576).toFixed(1)} MiB)`);
}
const folders = new Set(prebuilt.map((f) => f.split("/")[1]));
const stray = [...files].filter((f) => f.startsWith("prebuilds/") && !folders.has(f.split("/")[1]));
console.log(`${stray.length === 0 ? "ok" : "not ok"} - tarball holds no other prebuilds folder${stray.length ? ": " + stray.join(", ") : ""}`);
const banned = [...files].filter((f) => /^(spec|bench|examples|dist\/spec|dist\/bench|dist\/examples|native\/build|\.ci|\.tools)\//.test(f) || /_test\.go$/.test(f));
console.log(`${banned.length === 0 ? "ok" : "not ok"} - tarball holds no specs, benches or build output${banned.length ? ": " + banned.slice(0, 5).join(", ") : ""}`);
' "$work/pack.json" $prebuilt_files | tee "$work/tarball.log"
passed=$((passed + $(grep -cE '^ok - ' "$work/tarball.log"))); failed=$((failed + $(grep -cE '^not ok - ' "$work/tarball.log")))
# The packed package.json has no lifecycle script that npm would run (or warn about) on install,
# and postpack put the repository's own package.json, scripts included, back unchanged.
tar -xzf "$work/$tarball" -O package/package.json >"$work/packed-package.json"
scripts=$(node -e 'console.log(Object.keys(require(process.argv[1]).scripts ?? {}).join(" "))' "$work/packed-package.json")
if [ -z "$scripts" ]; then ok "the packed package.json has no scripts"; else fail "the packed package.json has scripts: $scripts"; fi
if cmp -s "$repo/package.json" "$work/package.json.before" && [ ! -e "$repo/package.json.prepack" ]; then
  ok "postpack restored the repository's package.json"
else
  fail "postpack did not restore the repository's package.json"
fi

echo "=== a new project, npm install <tarball> (npm 11's defaults: dependency scripts are not run)"
mkdir -p "$app"
cp -r "$repo/spec/fixtures/consumer/." "$app/"
printf '{ "name": "skyshelve-consumer", "version": "1.0.0", "private": true }\n' >"$app/package.json"
# The consumer imports reflect-metadata and class-validator itself. They are skyshelve's peer
# dependencies, so it declares them at the versions this repository tests with (one copy of each in
# node_modules), and @types/node for its own TypeScript.
deps=$(node -e '
const p = require(process.argv[1]);
console.log(["reflect-metadata", "class-validator"].map((n) => `${n}@${p.devDependencies[n]}`).join(" "), `@types/node@${p.devDependencies["@types/node"]}`);
' "$repo/package.json")
# shellcheck disable=SC2086
if (cd "$app" && npm install --no-audit --no-fund --prefer-offline "$work/$tarball" $deps) >"$work/install.log" 2>&1; then
  ok "npm install of the tarball"
else
  cat "$work/install.log"; fail "npm install of the tarball"; finish
fi
# npm 11 lists every package with an install script it did not run ("npm warn install-scripts ...");
# skyshelve must not be one of them (its dependencies koffi and cbor-extract are, and need not run).
if grep -E 'install-scripts?' "$work/install.log" | grep -q 'skyshelve@'; then
  grep -E 'install-scripts?' "$work/install.log"; fail "npm warned about an install script of skyshelve"
else
  ok "npm printed no install-script warning for skyshelve"
fi

echo "=== tsc over the consumer's TypeScript (strict; includes the types fixture)"
if (cd "$app" && "$repo/node_modules/.bin/tsc" -p tsconfig.json) >"$work/tsc.log" 2>&1; then
  ok "consumer TypeScript compiles against the installed types (strict, @ts-expect-error lines hold)"
else
  cat "$work/tsc.log"; fail "consumer TypeScript compiles against the installed types"
fi

echo "=== scripts"
for compiled in esm.mjs cjs.cjs; do # compiled in place from esm.mts and cjs.cts
  if [ -f "$app/$compiled" ]; then run_checks "ts-$compiled" node "$compiled"; else fail "$compiled was not compiled"; fi
done
run_checks esm-js node plain.mjs
run_checks cjs-js node plain.cjs
run_checks lazy-load env SKYSHELVE_LIB="$work/missing/libskyshelve.so" node lazy.mjs
run_checks no-prebuilt-freebsd env FAKE_PLATFORM=freebsd node no-prebuilt.mjs
run_checks no-prebuilt-linux-ia32 env FAKE_PLATFORM=linux FAKE_ARCH=ia32 node no-prebuilt.mjs
run_checks prebuilt-darwin-arm64 env FAKE_PLATFORM=darwin FAKE_ARCH=arm64 EXPECT=prebuilt EXPECT_FILE=libskyshelve.dylib node no-prebuilt.mjs
run_checks prebuilt-darwin-x64 env FAKE_PLATFORM=darwin FAKE_ARCH=x64 EXPECT=prebuilt EXPECT_FILE=libskyshelve.dylib node no-prebuilt.mjs
run_checks prebuilt-win32-x64 env FAKE_PLATFORM=win32 FAKE_ARCH=x64 EXPECT=prebuilt EXPECT_FILE=skyshelve.dll node no-prebuilt.mjs
run_checks prebuilt-linux-arm64 env FAKE_PLATFORM=linux FAKE_ARCH=arm64 EXPECT=prebuilt EXPECT_FILE=libskyshelve.so node no-prebuilt.mjs
run_checks no-prebuilt-musl env FAKE_PLATFORM=musl node no-prebuilt.mjs

echo "=== build from source inside the installed package (npx skyshelve build-native)"
if [ ! -f "$app/node_modules/skyshelve/bin/skyshelve.js" ]; then
  fail "the package has no bin/skyshelve.js (npx skyshelve build-native)"
elif ! command -v go >/dev/null; then
  echo "Go is not installed: the build-from-source checks cannot run"; fail "npx skyshelve build-native (no Go)"
elif (cd "$app" && npx --no-install skyshelve build-native) >"$work/build.log" 2>&1 \
    && [ -f "$app/node_modules/skyshelve/native/build/libskyshelve.so" ]; then
  ok "npx skyshelve build-native builds node_modules/skyshelve/native/build/libskyshelve.so"
  # Pretending to be FreeBSD again: no prebuilt, so the loader must fall back to the library just built.
  run_checks built-from-source env FAKE_PLATFORM=freebsd EXPECT=built node no-prebuilt.mjs
else
  cat "$work/build.log"; fail "npx skyshelve build-native"
fi
finish
