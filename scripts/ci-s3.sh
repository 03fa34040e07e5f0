#!/usr/bin/env bash
# Starts the local S3 server, runs every S3 spec against it (key-value contract, models, a replica,
# fencing), and stops the server again. Prints mocha's "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/s3-server.sh start || { echo "0 passed, 1 failed"; exit 1; }
trap 'bash scripts/s3-server.sh stop >/dev/null 2>&1' EXIT
# Without the server's environment the S3 specs register no test at all: that is a failure here.
if ! s3env=$(bash scripts/s3-server.sh env) || ! grep -q '^AWS_ENDPOINT_URL_S3=' <<<"$s3env" || ! grep -q '^BUCKET_NAME=' <<<"$s3env"; then
  echo "s3-server.sh env failed or printed no AWS_ENDPOINT_URL_S3 / BUCKET_NAME"; echo "0 passed, 1 failed"; exit 1
fi
set -a; eval "$s3env"; set +a
export SKYSHELVE_S3_ONLY=1
npx mocha --no-config --timeout 120000 --exit --reporter ./spec/support/reporter.cjs \
  dist/spec/backend/slatedb-s3.spec.js dist/spec/backend/slatedb-s3-config.spec.js dist/spec/backend/slatedb.spec.js $(ls dist/spec/model/*.s3.spec.js 2>/dev/null)
