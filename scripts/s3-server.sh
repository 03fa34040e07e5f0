#!/usr/bin/env bash
# A local S3 server for the SlateDB tests: versitygw (Apache-2.0, pure Go) with its posix backend.
#   scripts/s3-server.sh start   install if missing, start on a free 127.0.0.1 port, create the bucket,
#                                check conditional PUT (If-None-Match: *), which SlateDB's fencing needs,
#                                and that it is atomic (of 8 racing creates of one key, exactly 1 wins)
#   scripts/s3-server.sh env     print KEY=VALUE lines (eval "$(scripts/s3-server.sh env | sed 's/^/export /')")
#   scripts/s3-server.sh stop    stop it and delete its data
# State (pid, port, data) lives in $SKYSHELVE_S3_STATE, default <repo>/.tools/s3-server.
# SKYSHELVE_S3_ACCESS_LOG=<file> keeps versitygw's access log (one line per request) outside the state.
set -euo pipefail

VERSITYGW_VERSION=v1.7.0
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/versitygw"
STATE="${SKYSHELVE_S3_STATE:-$TOOLS/s3-server}"
ACCESS_KEY=skyshelve-test
SECRET_KEY=skyshelve-test-secret
REGION=us-east-1
BUCKET=skyshelve

running() { [[ -f "$STATE/pid" ]] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null; }
endpoint() { echo "http://127.0.0.1:$(cat "$STATE/port")"; }
# s3 METHOD URL [BODY] [HEADER...]: a SigV4-signed request (curl signs; S3 also wants the payload hash).
s3() {
  local method="$1" url="$2" body="${3:-}"; shift 3 || shift $#
  local hash; hash="$(printf '%s' "$body" | sha256sum | cut -d' ' -f1)"
  local args=(-s -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:$REGION:s3" --user "$ACCESS_KEY:$SECRET_KEY"
    -X "$method" -H "x-amz-content-sha256: $hash")
  for h in "$@"; do args+=(-H "$h"); done
  [[ -n "$body" ]] && args+=(--data-binary "$body")
  curl "${args[@]}" "$url"
}

# For each of 5 rounds, how many of 8 concurrent If-None-Match: * PUTs of one new key succeeded (1 MB
# each, so the requests overlap on the server). Without --concurrency 1, versitygw let 2 to 8 win in
# most rounds, though a single round (often the first on a fresh server) can show 1 by luck.
race_wins() {
  local body="$STATE/race.bin" url round
  head -c 1048576 /dev/urandom > "$body"
  local args=(-s -Z --parallel-immediate --parallel-max 8 -w '%{http_code}\n' --aws-sigv4 "aws:amz:$REGION:s3"
    --user "$ACCESS_KEY:$SECRET_KEY" -X PUT -H "x-amz-content-sha256: $(sha256sum "$body" | cut -d' ' -f1)"
    -H 'If-None-Match: *' --data-binary "@$body")
  for round in 1 2 3 4 5; do
    url="$(endpoint)/$BUCKET/.conditional-put-race-$round"
    local targets=()
    for _ in 1 2 3 4 5 6 7 8; do targets+=(-o /dev/null "$url"); done
    echo -n "$(curl "${args[@]}" "${targets[@]}" 2>/dev/null | grep -c '^200$') "
    s3 DELETE "$url" > /dev/null
  done
  rm -f "$body"
}

install() {
  [[ -x "$BIN" ]] && return 0
  echo "installing versitygw $VERSITYGW_VERSION into $TOOLS" >&2
  mkdir -p "$TOOLS"
  GOTOOLCHAIN=local GOBIN="$TOOLS" go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
}

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# versitygw's posix PUT checks If-None-Match, writes a temp file, then renames it over the key, with no
# lock in between: several racing creates of one key all answer 200 and the last rename wins. SlateDB's
# fencing and manifest updates are exactly such races (two writers creating the same WAL or manifest
# id), where both could "win" and one file silently replace the other. --concurrency 1 runs one
# backend action at a time, which makes check-and-write atomic.
launch() { # $@: extra posix flags
  local port; port="$(free_port)"
  echo "$port" > "$STATE/port"
  local logging=()
  [[ -n "${SKYSHELVE_S3_ACCESS_LOG:-}" ]] && logging=(--access-log "$SKYSHELVE_S3_ACCESS_LOG")
  ROOT_ACCESS_KEY_ID="$ACCESS_KEY" ROOT_SECRET_ACCESS_KEY="$SECRET_KEY" \
    setsid "$BIN" --port "127.0.0.1:$port" --region "$REGION" "${logging[@]}" posix --concurrency 1 "$@" "$STATE/data" \
    > "$STATE/log" 2>&1 < /dev/null &
  echo $! > "$STATE/pid"
  for _ in $(seq 1 100); do
    running || return 1
    curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
    sleep 0.1
  done
  return 1
}

start() {
  if running; then echo "already running at $(endpoint)" >&2; return 0; fi
  install
  rm -rf "$STATE"; mkdir -p "$STATE/data"
  # The posix backend keeps metadata in user xattrs; where the filesystem has none, use a sidecar dir.
  if ! launch; then
    echo "versitygw did not start with xattrs ($(tail -n 2 "$STATE/log" | tr '\n' ' ')); retrying with --sidecar" >&2
    mkdir -p "$STATE/meta"
    launch --sidecar "$STATE/meta" || { cat "$STATE/log" >&2; echo "versitygw failed to start" >&2; exit 1; }
  fi
  local code; code="$(s3 PUT "$(endpoint)/$BUCKET")"
  [[ "$code" == 200 ]] || { echo "CreateBucket returned HTTP $code" >&2; cat "$STATE/log" >&2; stop; exit 1; }
  # SlateDB's manifest updates and writer fencing rely on PUT If-None-Match: * answering 412 when the key exists.
  local first second
  first="$(s3 PUT "$(endpoint)/$BUCKET/.conditional-put-check" x 'If-None-Match: *')"
  second="$(s3 PUT "$(endpoint)/$BUCKET/.conditional-put-check" y 'If-None-Match: *')"
  s3 DELETE "$(endpoint)/$BUCKET/.conditional-put-check" > /dev/null
  if [[ "$first" != 200 || "$second" != 412 ]]; then
    echo "conditional PUT not supported (first $first, second $second); SlateDB fencing would be unsafe" >&2
    stop; exit 1
  fi
  local wins; wins="$(race_wins)"
  if [[ "$wins" != "1 1 1 1 1 " ]]; then
    echo "conditional PUT is not atomic: of 8 racing If-None-Match PUTs of one key, $wins(per round) succeeded, not 1; SlateDB fencing would be unsafe" >&2
    stop; exit 1
  fi
  echo "versitygw $VERSITYGW_VERSION running at $(endpoint), bucket '$BUCKET', conditional PUT ok and atomic" >&2
}

print_env() {
  running || { echo "the S3 server is not running; run: $0 start" >&2; exit 1; }
  echo "AWS_ENDPOINT_URL_S3=$(endpoint)"
  echo "AWS_REGION=$REGION"
  echo "AWS_ACCESS_KEY_ID=$ACCESS_KEY"
  echo "AWS_SECRET_ACCESS_KEY=$SECRET_KEY"
  echo "BUCKET_NAME=$BUCKET"
}

stop() {
  if [[ -f "$STATE/pid" ]]; then
    local pid; pid="$(cat "$STATE/pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  rm -rf "$STATE"
}

case "${1:-}" in
  start) start ;;
  env) print_env ;;
  stop) stop ;;
  *) echo "usage: $0 start|env|stop" >&2; exit 2 ;;
esac
