#!/usr/bin/env bash
# The media check with a decoder we did not write: Pillow (PyPI, pinned) makes
# the uploads (JPEG with EXIF orientation and a GPS position, PNG, WebP, GIF),
# and decodes every format the server sends back.
#
# Usage: scripts/media-check.sh [PATH_TO_MASTHEAD_BINARY]
#   default binary: ${CARGO_TARGET_DIR:-target}/debug/masthead (this script builds nothing)
#
# Steps:
#   1. creates/reuses the virtualenv .venv at the repository root and installs the pinned
#      Pillow into it unless that exact version is there;
#   2. starts masthead on a free loopback port with a temporary SQLite file;
#   3. runs scripts/media_check.py against it: every upload's dimensions, every rendition's
#      format, size and crop around the focal point, and no EXIF or GPS data in anything served.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-${CARGO_TARGET_DIR:-target}/debug/masthead}"
VENV="$ROOT/.venv"
# 11.2 is the first Pillow whose wheels read AVIF.
PILLOW_VERSION="11.3.0"

log() { echo "media-check: $*" >&2; }
die() { log "error: $*"; exit 2; }
# shellcheck source=lib/server.sh
. "$ROOT/scripts/lib/server.sh"

case "$BIN" in
  /*) ;;
  *) BIN="$PWD/$BIN" ;;
esac
[ -x "$BIN" ] || die "masthead binary not found or not executable: $BIN (build it first: cargo build)"
command -v python3 >/dev/null || die "python3 is needed"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/masthead-media.XXXXXX")"
trap masthead_cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -x "$VENV/bin/python" ]; then
  log "creating virtualenv $VENV"
  python3 -m venv "$VENV"
fi
installed="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("pillow"))' 2>/dev/null || true)"
if [ "$installed" != "$PILLOW_VERSION" ]; then
  log "installing pillow==$PILLOW_VERSION (found: ${installed:-none})"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "pillow==$PILLOW_VERSION"
fi

SECRET="media-check-secret-of-at-least-32-bytes"
masthead_start "$SECRET"
TOKEN="$(masthead_token editor media-check)"
"$VENV/bin/python" "$ROOT/scripts/media_check.py" "$BASE" "$TOKEN"
log "ok"
