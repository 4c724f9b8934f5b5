#!/usr/bin/env bash
# The TypeScript client check: proves openapi/openapi.json works with real code generators.
#
# Usage: scripts/typescript-client.sh [PATH_TO_MASTHEAD_BINARY]
#   default binary: ${CARGO_TARGET_DIR:-target}/debug/masthead (this script builds nothing)
#
# Steps:
#   1. `npm ci` in clients/typescript, only when node_modules is missing or older than package-lock.json;
#   2. regenerates the types from openapi/openapi.json into a temp file and fails when the committed
#      clients/typescript/src/schema.d.ts differs (fix: `npm --prefix clients/typescript run generate`);
#   3. `tsc` (strict) over src, examples and test, emitting JS into clients/typescript/dist;
#   4. starts masthead on a free loopback port with a temporary SQLite file and a fixed JWT_SECRET,
#      waits for /readyz, mints an editor token with the same binary;
#   5. runs the smoke program (dist/test/smoke.js) against it, and the pages program
#      (dist/test/pages.js), which renders the demo's article page and homepage. The server,
#      started with the demo newsroom, is always stopped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLIENT="$ROOT/clients/typescript"
BIN="${1:-${CARGO_TARGET_DIR:-target}/debug/masthead}"
REGEN_CMD="npm --prefix clients/typescript run generate"

log() { echo "typescript-client: $*" >&2; }
die() { log "error: $*"; exit 2; }
# shellcheck source=lib/server.sh
. "$ROOT/scripts/lib/server.sh"

case "$BIN" in
  /*) ;;
  *) BIN="$PWD/$BIN" ;;
esac
[ -x "$BIN" ] || die "masthead binary not found or not executable: $BIN (build it first: cargo build)"
command -v node >/dev/null || die "node is needed"
command -v npm >/dev/null || die "npm is needed"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/masthead-tsclient.XXXXXX")"
trap masthead_cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. dependencies -----------------------------------------------------------------------------
# npm ci writes node_modules/.package-lock.json; it is stale when package-lock.json is newer.
stamp="$CLIENT/node_modules/.package-lock.json"
if [ ! -f "$stamp" ] || [ "$CLIENT/package-lock.json" -nt "$stamp" ] || [ "$CLIENT/package.json" -nt "$stamp" ]; then
  log "npm ci (node_modules missing or stale)"
  (cd "$CLIENT" && npm ci --no-audit --no-fund --loglevel=error >"$WORK/npm.log" 2>&1) \
    || { cat "$WORK/npm.log" >&2; die "npm ci failed"; }
  touch "$stamp"
fi

# --- 2. generated types are up to date ------------------------------------------------------------
(cd "$CLIENT" && node_modules/.bin/openapi-typescript ../../openapi/openapi.json --output "$WORK/schema.d.ts" \
  >"$WORK/generate.log" 2>&1) || { cat "$WORK/generate.log" >&2; die "openapi-typescript could not read openapi/openapi.json"; }
if ! diff -u "$CLIENT/src/schema.d.ts" "$WORK/schema.d.ts" >"$WORK/schema.diff"; then
  head -n 60 "$WORK/schema.diff" >&2
  die "clients/typescript/src/schema.d.ts is out of date with openapi/openapi.json; regenerate it with: $REGEN_CMD"
fi
log "generated types are up to date"

# --- 3. type-check (strict) and compile -----------------------------------------------------------
rm -rf "$CLIENT/dist"
(cd "$CLIENT" && node_modules/.bin/tsc -p .) || die "tsc failed (see the errors above)"
log "tsc passed"

# --- 4. start masthead ----------------------------------------------------------------------------
masthead_start "typescript-client-fixed-secret-0123456789" --demo
log "masthead ready on $BASE"
TOKEN="$(masthead_token editor typescript-client)"
[ -n "$TOKEN" ] || die "could not mint a token"

# --- 5. smoke program -----------------------------------------------------------------------------
if ! (cd "$CLIENT" && MASTHEAD_URL="$BASE" MASTHEAD_TOKEN="$TOKEN" node dist/test/smoke.js); then
  log "server log (last 30 lines):"
  tail -n 30 "$WORK/server.log" >&2
  die "the smoke program failed"
fi
if ! (cd "$CLIENT" && MASTHEAD_URL="$BASE" node dist/test/pages.js); then
  log "server log (last 30 lines):"
  tail -n 30 "$WORK/server.log" >&2
  die "the pages program failed"
fi
log "passed"
