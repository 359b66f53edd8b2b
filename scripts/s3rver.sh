#!/usr/bin/env bash
# s3rver (https://github.com/jamhall/s3rver), a real S3 API server in Node.js, for the S3 tests and
# benchmark: pinned by tests/s3/package-lock.json, installed from the npm registry with `npm ci`.
#
#   s3rver.sh install BUILD_DIR           npm ci into BUILD_DIR/s3-npm (kept when it matches the
#                                         lock file and loads: a second run does not touch the
#                                         network); prints the install directory
#   s3rver.sh start BUILD_DIR DATA_DIR    start s3rver on a free loopback port, storing its
#                                         buckets in DATA_DIR; waits until it answers, prints
#                                         the endpoint (http://127.0.0.1:PORT) on stdout.
#                                         Its pid goes to DATA_DIR.pid, its log to DATA_DIR.log
#   s3rver.sh stop DATA_DIR               stop the s3rver started for DATA_DIR
#   With S3RVER_TLS_DIR=DIR, start serves HTTPS with DIR/key.pem and DIR/cert.pem (made with
#   openssl when missing: a self-signed certificate for 127.0.0.1, which is also its CA) and
#   prints https://127.0.0.1:PORT.
#
# How s3rver 3.7.1 behaves (checked by hand; tests/s3/interop_test.sh relies on it):
# - Credentials: the access key id must be S3RVER (else 403 InvalidAccessKeyId) and x-amz-date
#   within 15 minutes of the server's clock (else 403 RequestTimeTooSkewed), but a SigV4
#   signature is NOT verified ("V4 signatures have incomplete support"): a wrong secret key is
#   accepted, and requests without an Authorization header are served anonymously.
#   tests/s3/fault_proxy.py --mode sigv4 verifies signatures in front of it.
# - Multipart uploads work (parts of any size, assembled on completion), but the object's ETag
#   is the plain MD5 of the whole object, not S3's "md5-N": multipart use is proven from a
#   request log (fault_proxy.py --mode pass --log, s3tool.py multipart-check --proxy-log).
# - Range GETs "bytes=A-B" and "bytes=A-" give 206 with Content-Range (B past the end is
#   clamped; A past the end is 416 InvalidRange). A suffix range "bytes=-N" is WRONG: it
#   returns bytes 0..N instead of the last N bytes.
# - ListObjectsV2 (list-type=2) with prefix, delimiter, max-keys (at most 1000 per page) and
#   continuation tokens. The tokens are DES-encrypted, which OpenSSL 3 only has in its legacy
#   provider: without node's --openssl-legacy-provider every truncated listing (more than
#   max-keys objects) fails with 500 InternalError, so start() passes that flag.
# Credentials: AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER (s3rver's only key pair).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/tests/s3"
# Bound on s3rver's start (Node.js loads in well under a second).
start_timeout=30

usage() {
  sed -n '5,12p' "$0" >&2
  exit 2
}

loads() {  # dest
  (cd "$1" && node -e 'require("s3rver")' >/dev/null 2>&1)
}

install() {  # build_dir
  local dest="$1/s3-npm"
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "s3rver: node and npm are required (scripts/install-deps.sh installs them)" >&2
    return 1
  fi
  if cmp -s "$src/package-lock.json" "$dest/package-lock.json" && loads "$dest"; then
    echo "s3rver: present in $dest" >&2
    echo "$dest"
    return 0
  fi
  mkdir -p "$dest"
  cp "$src/package.json" "$src/package-lock.json" "$dest/"
  # --prefer-offline: packages already in npm's cache are not fetched again.
  if ! (cd "$dest" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >&2); then
    echo "s3rver: npm ci failed in $dest" >&2
    rm -f "$dest/package-lock.json"  # not a valid install: retry next time
    return 1
  fi
  if ! loads "$dest"; then
    echo "s3rver: installed into $dest but does not load" >&2
    return 1
  fi
  echo "s3rver: installed into $dest" >&2
  echo "$dest"
}

running() {  # pid: true when the process lives and is an s3rver
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q s3rver
}

start() {  # build_dir data_dir
  local dest="$1/s3-npm" data="${2%/}"
  loads "$dest" || install "$1" >/dev/null
  mkdir -p "$data"
  local pidfile="$data.pid" log="$data.log"
  if [ -f "$pidfile" ] && running "$(cat "$pidfile")"; then
    echo "s3rver: already running for $data (pid $(cat "$pidfile")); stop it first" >&2
    return 1
  fi
  # Port 0: the kernel picks a free port (no race between choosing and binding); s3rver prints
  # "S3rver listening on 127.0.0.1:PORT", also with --silent (which only quiets request logs).
  : >"$log"
  local tls=() scheme=http curl_tls=()
  if [ -n "${S3RVER_TLS_DIR:-}" ]; then
    mkdir -p "$S3RVER_TLS_DIR"
    [ -f "$S3RVER_TLS_DIR/cert.pem" ] || openssl req -x509 -newkey ec \
      -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3 -subj /CN=127.0.0.1 \
      -addext subjectAltName=IP:127.0.0.1 -keyout "$S3RVER_TLS_DIR/key.pem" \
      -out "$S3RVER_TLS_DIR/cert.pem" 2>/dev/null
    tls=(--key "$S3RVER_TLS_DIR/key.pem" --cert "$S3RVER_TLS_DIR/cert.pem")
    scheme=https
    curl_tls=(--cacert "$S3RVER_TLS_DIR/cert.pem")
  fi
  local legacy=--openssl-legacy-provider  # DES for list continuation tokens (see above)
  node "$legacy" -e 0 2>/dev/null || legacy=""
  node $legacy "$dest/node_modules/s3rver/bin/s3rver.js" --directory "$data" --address 127.0.0.1 \
    --port 0 --silent "${tls[@]}" </dev/null >"$log" 2>&1 &
  local pid=$!
  echo "$pid" >"$pidfile"
  local deadline=$((SECONDS + start_timeout)) port=""
  while [ $SECONDS -lt $deadline ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "s3rver: exited during start-up; its log ($log):" >&2
      cat "$log" >&2
      rm -f "$pidfile"
      return 1
    fi
    port=$(sed -n 's/.*S3rver listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -1)
    # Answers: GET / without credentials lists the buckets (s3rver allows anonymous access).
    if [ -n "$port" ] && curl -sf "${curl_tls[@]}" -o /dev/null --max-time 2 \
      "$scheme://127.0.0.1:$port/"; then
      echo "$scheme://127.0.0.1:$port"
      return 0
    fi
    sleep 0.2
  done
  echo "s3rver: no answer within $start_timeout s (port '${port:-unknown}'); its log ($log):" >&2
  cat "$log" >&2
  kill "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  return 1
}

stop() {  # data_dir
  local pidfile="${1%/}.pid"
  [ -f "$pidfile" ] || return 0
  local pid
  pid=$(cat "$pidfile")
  if running "$pid"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

[ $# -ge 1 ] || usage
command=$1
shift
case $command in
  install) [ $# -eq 1 ] || usage; install "$1" ;;
  start) [ $# -eq 2 ] || usage; start "$1" "$2" ;;
  stop) [ $# -eq 1 ] || usage; stop "$1" ;;
  *) usage ;;
esac
