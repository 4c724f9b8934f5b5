#!/usr/bin/env bash
# Docs page in a real browser: opens /docs/ of a running masthead in headless Debian Chromium with
# no network beyond the server, checks that every operation of /openapi.json is listed and that a
# "Try it out" GET /v1/articles returns 200 from the live server (tests/browser/docs-page.mjs).
#
# Usage: scripts/browser-docs.sh [PATH_TO_MASTHEAD_BINARY]
#   default binary: ${CARGO_TARGET_DIR:-target}/debug/masthead (this script builds nothing)
#
# What it does:
#   1. without /usr/bin/chromium: installs Debian's chromium when CI=true or
#      MASTHEAD_INSTALL_CHROMIUM=1 (apt-get), otherwise prints SKIPPED and exits 0;
#   2. installs the pinned playwright-core into tests/browser/node_modules (npm ci) unless the
#      installed one already matches the lockfile (Playwright never downloads a browser here);
#   3. starts masthead on a free loopback port with a fresh temporary SQLite database and a fixed
#      JWT_SECRET, waits for /readyz, mints an editor token with the same binary, seeds one author
#      and one published article through the API;
#   4. runs tests/browser/docs-page.mjs against it. The server is stopped on exit.
# Exits non-zero when any check fails (the page's screenshot path is printed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BROWSER_DIR="$ROOT/tests/browser"
BIN="${1:-${CARGO_TARGET_DIR:-target}/debug/masthead}"
CHROMIUM=/usr/bin/chromium

log() { echo "browser-docs: $*" >&2; }
die() { log "error: $*"; exit 2; }

# --- 1. Debian's chromium ---------------------------------------------------------------------------
if [ ! -x "$CHROMIUM" ] && { [ "${CI:-}" = "true" ] || [ "${MASTHEAD_INSTALL_CHROMIUM:-}" = "1" ]; }; then
  log "installing Debian's chromium (apt-get)"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo_cmd=(sudo)
  apt_log="$(mktemp "${TMPDIR:-/tmp}/masthead-apt.XXXXXX")"
  if ! { "${sudo_cmd[@]}" apt-get update -qq \
      && "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends chromium; } >"$apt_log" 2>&1; then
    tail -n 20 "$apt_log" >&2
    log "apt-get could not install chromium"
  fi
  rm -f "$apt_log"
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "SKIPPED: docs page test needs Debian's chromium (set MASTHEAD_INSTALL_CHROMIUM=1 to install it)"
  exit 0
fi

# Resolve the binary to an absolute path: the server is started from a temporary directory.
case "$BIN" in
  /*) ;;
  *) BIN="$PWD/$BIN" ;;
esac
[ -x "$BIN" ] || die "masthead binary not found or not executable: $BIN (build it first: cargo build)"
command -v node >/dev/null || die "node (>= 20) is needed"
command -v npm >/dev/null || die "npm is needed"
command -v curl >/dev/null || die "curl is needed"
command -v python3 >/dev/null || die "python3 is needed"

# --- 2. playwright-core, pinned by the lockfile ------------------------------------------------------
want="$(node -e 'console.log(require(process.argv[1]).packages["node_modules/playwright-core"].version)' "$BROWSER_DIR/package-lock.json")"
have="$(node -e 'try { console.log(require(process.argv[1]).version) } catch { console.log("") }' "$BROWSER_DIR/node_modules/playwright-core/package.json")"
if [ "$want" != "$have" ]; then
  log "npm ci in tests/browser (playwright-core $want; found: ${have:-none})"
  (cd "$BROWSER_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund >/dev/null)
fi

# --- 3. start masthead and seed it ---------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/masthead-browser.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
BASE="http://127.0.0.1:$PORT"

# A clean, fixed environment (no inherited issuer/audience/algorithm, rate limits or cache knobs);
# the server runs in $WORK so that no .env from the caller's directory is read.
server_env=(
  env -u JWT_ISSUER -u JWT_AUDIENCE -u JWT_ALGORITHM -u JWT_PUBLIC_KEY
  -u RATE_LIMIT_READS_PER_MINUTE -u RATE_LIMIT_WRITES_PER_MINUTE
  -u CACHE_MAX_AGE -u CACHE_STALE_WHILE_REVALIDATE
  DATABASE_URL="$WORK/masthead.db"
  MASTHEAD_BIND="127.0.0.1:$PORT"
  JWT_SECRET="browser-docs-fixed-secret-0123456789abcdef"
  RUST_LOG="${RUST_LOG:-warn}"
)

log "starting $BIN on $BASE"
(cd "$WORK" && exec "${server_env[@]}" "$BIN" serve >"$WORK/server.log" 2>&1) &
SERVER_PID=$!

for _ in $(seq 1 100); do
  if curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    cat "$WORK/server.log" >&2
    die "masthead exited before it was ready"
  fi
  sleep 0.1
done
curl -fsS -o /dev/null "$BASE/readyz" || { cat "$WORK/server.log" >&2; die "masthead not ready after 10 s"; }

TOKEN="$(cd "$WORK" && "${server_env[@]}" "$BIN" token --sub t --role editor)"
[ -n "$TOKEN" ] || die "could not mint an editor token"

api() { # METHOD PATH JSON
  local out status
  out="$(curl -sS -X "$1" "$BASE$2" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data "$3" -w '\n%{http_code}')"
  status="${out##*$'\n'}"
  case "$status" in
    2??) ;;
    *) log "seeding $1 $2 failed with $status: ${out%$'\n'*}"; exit 2 ;;
  esac
}
api POST /v1/authors '{"name":"Browser Tester","bio":"Writes for the docs page test."}'
api POST /v1/articles '{"title":"Docs page story","slug":"docs-page-story","body":"Seeded for the docs page test.","status":"published","authors":["browser-tester"]}'
log "seeded: author browser-tester, published article docs-page-story"

# --- 4. the browser ---------------------------------------------------------------------------------
set +e
(cd "$BROWSER_DIR" && CHROMIUM="$CHROMIUM" node docs-page.mjs "$BASE")
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then log "masthead died during the run"; fi
  log "server log (last 30 lines):"
  tail -n 30 "$WORK/server.log" >&2 || true
  log "FAILED (docs-page.mjs exit code $rc)"
  exit "$rc"
fi
log "passed"
