#!/usr/bin/env bash
# Docs page in a real browser: opens /docs/ of a running masthead in headless Debian Chromium with
# no network beyond the server, checks that every operation of /openapi.json is listed and that a
# "Try it out" GET /v1/articles returns 200 from the live server (tests/browser/docs-page.mjs).
#
# Usage: scripts/browser-docs.sh [PATH_TO_MASTHEAD_BINARY]
#   default binary: ${CARGO_TARGET_DIR:-target}/debug/masthead (this script builds nothing)
#
# What it does:
#   1. without /usr/bin/chromium: installs Debian's chromium with apt-get when it can (as root
#      with apt-get, or when CI=true or MASTHEAD_INSTALL_CHROMIUM=1; MASTHEAD_INSTALL_CHROMIUM=0
#      never installs), otherwise prints SKIPPED and exits 0;
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
# shellcheck source=lib/server.sh
. "$ROOT/scripts/lib/server.sh"

# --- 1. Debian's chromium ---------------------------------------------------------------------------
may_install() {
  case "${MASTHEAD_INSTALL_CHROMIUM:-}" in
    0) return 1 ;;
    1) return 0 ;;
  esac
  [ "${CI:-}" = "true" ] || { [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; }
}
if [ ! -x "$CHROMIUM" ] && may_install; then
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
trap masthead_cleanup EXIT
trap 'exit 130' INT TERM
masthead_start "browser-docs-fixed-secret-0123456789abcdef"
TOKEN="$(masthead_token editor t)"
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
