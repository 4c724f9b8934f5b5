#!/usr/bin/env bash
# Conformance fuzzing: runs Schemathesis against the OpenAPI document served by a running masthead.
#
# Usage: scripts/conformance.sh [PATH_TO_MASTHEAD_BINARY]
#   default binary: ${CARGO_TARGET_DIR:-target}/debug/masthead (this script builds nothing)
#
# What it does:
#   1. creates/reuses the virtualenv .venv at the repository root and installs the pinned
#      Schemathesis into it unless that exact version is already there (PyPI, via pip);
#   2. starts masthead on a free loopback port with a fresh temporary SQLite database (or the empty
#      database MASTHEAD_E2E_DATABASE_URL names, e.g. a PostgreSQL one) and a fixed
#      JWT_SECRET, waits for /readyz, mints an admin token with the same binary;
#   3. seeds a little data through the API (an author, a tag, two published articles, a related link);
#   4. runs `st run` on the served /openapi.json with the admin bearer token, every check, a bounded
#      number of examples per operation and a fixed seed; only loopback traffic.
# Exits non-zero when Schemathesis reports any failure or error. The server is stopped on exit.
#
# Knobs (environment): CONFORMANCE_MAX_EXAMPLES (default 100), CONFORMANCE_WORKERS (default 1:
# Hypothesis describes filter lambdas by parsing their source, which is not thread-safe on
# Python 3.11 and fails runs with "AST constructor recursion depth mismatch" at 2),
# CONFORMANCE_SEED (default 20240601), CONFORMANCE_TIMEOUT (hard wall-clock bound for `st run`
# in seconds, default 600), CONFORMANCE_EXTRA_ARGS (extra `st run` arguments, word-split).
set -euo pipefail

SCHEMATHESIS_VERSION="4.32.5"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
BIN="${1:-${CARGO_TARGET_DIR:-target}/debug/masthead}"
MAX_EXAMPLES="${CONFORMANCE_MAX_EXAMPLES:-100}"
WORKERS="${CONFORMANCE_WORKERS:-1}"
SEED="${CONFORMANCE_SEED:-20240601}"
ST_TIMEOUT="${CONFORMANCE_TIMEOUT:-600}"

log() { echo "conformance: $*" >&2; }
die() { log "error: $*"; exit 2; }
# shellcheck source=lib/server.sh
. "$ROOT/scripts/lib/server.sh"

# Resolve the binary to an absolute path: the server is started from a temporary directory.
case "$BIN" in
  /*) ;;
  *) BIN="$PWD/$BIN" ;;
esac
[ -x "$BIN" ] || die "masthead binary not found or not executable: $BIN (build it first: cargo build)"
command -v python3 >/dev/null || die "python3 is needed"
command -v curl >/dev/null || die "curl is needed"

# --- 1. virtualenv with the pinned Schemathesis -------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  log "creating virtualenv $VENV"
  python3 -m venv "$VENV"
fi
installed="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true)"
if [ "$installed" != "$SCHEMATHESIS_VERSION" ]; then
  log "installing schemathesis==$SCHEMATHESIS_VERSION (found: ${installed:-none})"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
ST="$VENV/bin/st"

# --- 2. start masthead ---------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/masthead-conformance.XXXXXX")"
trap masthead_cleanup EXIT
trap 'exit 130' INT TERM
masthead_start "conformance-fixed-secret-0123456789abcdef"
TOKEN="$(masthead_token admin conformance)"
[ -n "$TOKEN" ] || die "could not mint a token"

# --- 3. seed data ----------------------------------------------------------------------------------
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
api POST /v1/authors '{"name":"Ada Writer","bio":"Writes things.","email":"ada@example.com","website":"https://example.com","social":{"mastodon":"@ada@example.social"}}'
api POST /v1/tags '{"name":"Climate","description":"Weather and climate."}'
api POST /v1/articles '{"title":"First story","slug":"first-story","body":"Some *Markdown* body text for the first story.","status":"published","published_at":"2024-01-02T10:00:00Z","authors":["ada-writer"],"tags":["climate"],"feature_image":{"url":"https://cdn.example.com/a.jpg","alt":"A river"}}'
api POST /v1/articles '{"title":"Second story","slug":"second-story","body":"Another body with enough words to read.","status":"published","published_at":"2024-01-03T10:00:00Z","authors":["ada-writer"],"tags":["climate"]}'
api POST /v1/articles/first-story/related '{"article":"second-story","kind":"read_next"}'
log "seeded: author ada-writer, tag climate, articles first-story and second-story, one related link"

# --- 4. run Schemathesis ---------------------------------------------------------------------------
# Every check is on. scripts/conformance_hooks.py drops only the "schema-valid request rejected"
# failures that are the contract's intended behaviour and cannot be written in OpenAPI (If-Match
# preconditions, page/cursor exclusivity, opaque cursors, references to rows that do not exist);
# see that file for the exact rules.
# Run from $WORK so that nothing (hypothesis database, reports) lands in the repository.
st_args=(
  run "$BASE/openapi.json"
  --header "Authorization: Bearer $TOKEN"
  --checks all
  --max-examples "$MAX_EXAMPLES"
  --seed "$SEED"
  --workers "$WORKERS"
  --generation-database none
  --request-timeout 10
  --no-color
  # The token is for a throwaway server; unsanitized, untruncated output makes the reproductions
  # copy-pasteable (sanitizing also hides every field whose name contains "auth", e.g. `authors`).
  --output-sanitize false
  --output-truncate false
)
# shellcheck disable=SC2206
[ -n "${CONFORMANCE_EXTRA_ARGS:-}" ] && st_args+=(${CONFORMANCE_EXTRA_ARGS})

log "running: st ${st_args[*]/$TOKEN/<admin token>}"
set +e
(cd "$WORK" && SCHEMATHESIS_HOOKS="$ROOT/scripts/conformance_hooks.py" timeout --signal=INT --kill-after=30 "$ST_TIMEOUT" "$ST" "${st_args[@]}")
rc=$?
set -e

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  log "masthead died during the run; its log:"
  tail -n 50 "$WORK/server.log" >&2
  rc=${rc:-1}; [ "$rc" -eq 0 ] && rc=1
fi
if [ "$rc" -eq 124 ] || [ "$rc" -eq 130 ]; then
  log "schemathesis did not finish within ${ST_TIMEOUT}s"
fi
if [ "$rc" -ne 0 ]; then
  log "FAILED (schemathesis exit code $rc)"
  exit "$rc"
fi
log "passed"
