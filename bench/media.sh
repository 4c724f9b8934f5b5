#!/usr/bin/env bash
# The masthead media benchmark: uploads and renditions, see README.md "Media".
#
#   bench/media.sh [--duration SECONDS] [--connections C] [--threads T]
#                  [--cold N] [--uploads N] [--port P] [--no-pin] [--output FILE]
#
# Same conventions as bench/run.sh: release build, wrk, the server on CPU 0
# and wrk on CPU 1 on a machine with 2+ CPUs (--no-pin: scheduled freely),
# settle between workloads, the server's VmHWM, a Markdown table written to
# bench/RESULTS-media.md. Pillow (pinned, in the virtualenv .venv at the
# repository root, created if missing) makes a 4000x3000 JPEG of about 5 MB:
# a colour gradient under Gaussian noise, so it compresses like a photograph.
# Workloads, on an empty SQLite database with renditions under a fresh
# MEDIA_CACHE_DIR (every other media setting at its default):
#   1. /healthz, then a cached rendition (?w=800&format=webp, after one
#      warm-up request), wrk with C connections for SECONDS;
#   2. N sequential cold 800-px WebP renditions of the 12 MP upload, each
#      cold by its own quality (q=61, 62, ...), timed by curl;
#   3. N sequential raw-body uploads of the ~5 MB JPEG, each different bytes
#      (a changing JPEG comment segment), timed by curl;
#   4. wrk with C connections for SECONDS over bench/lua/renditions.lua (a
#      different width x format x quality each request, nearly all cold): the
#      server's peak RSS during it (VmHWM, reset just before), req/s, and the
#      answers that were not 2xx, 503 Busy counted apart.
set -euo pipefail

DURATION=10
CONNECTIONS=64
THREADS=2
COLD=15
UPLOADS=10
PORT=18090
PIN=1
OUTPUT=""
PILLOW_VERSION="11.3.0"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="${2%s}"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --cold) COLD="$2"; shift 2 ;;
    --uploads) UPLOADS="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --no-pin) PIN=0; shift ;;
    --output) OUTPUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "media.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
OUTPUT="${OUTPUT:-$BENCH/RESULTS-media.md}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$CARGO_TARGET_DIR/release/masthead"
BASE="http://127.0.0.1:$PORT"
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# ------------------------------------------------------------------ tools
log "building the release binary"
(cd "$ROOT" && cargo build --release --quiet)

if ! command -v wrk >/dev/null 2>&1; then
  log "installing wrk"
  SUDO=""; [[ "$(id -u)" != 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq wrk >/dev/null
fi
for tool in python3 curl; do
  command -v "$tool" >/dev/null || { echo "media.sh: $tool is required" >&2; exit 1; }
done

VENV="$ROOT/.venv"
if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating the virtualenv $VENV"
  python3 -m venv "$VENV"
fi
if [[ "$("$VENV/bin/python" -c 'import PIL; print(PIL.__version__)' 2>/dev/null)" != "$PILLOW_VERSION" ]]; then
  log "installing pillow==$PILLOW_VERSION"
  "$VENV/bin/pip" install -q "pillow==$PILLOW_VERSION"
fi
PY="$VENV/bin/python"

NCPU="$(nproc)"
SERVER_PIN=(); WRK_PIN=()
if [[ "$PIN" == 1 && "$NCPU" -ge 2 ]] && command -v taskset >/dev/null; then
  SERVER_PIN=(taskset -c 0); WRK_PIN=(taskset -c 1)
  PIN_NOTE="server pinned to CPU 0, wrk and curl to CPU 1 (taskset)"
  SERVER_CPUS=1
else
  PIN=0
  PIN_NOTE="not pinned: server and load scheduled freely on $NCPU CPU(s)"
  SERVER_CPUS="$NCPU"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/masthead-media-bench.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# Other worktrees may share CARGO_TARGET_DIR and build over release/masthead
# while this runs: run a copy of the binary just built.
cp "$BIN" "$WORK/masthead"
BIN="$WORK/masthead"

export DATABASE_URL="$WORK/bench.db"
export MASTHEAD_BIND="127.0.0.1:$PORT"
export JWT_SECRET="masthead-benchmark-secret-0123456789abcdef"
export MEDIA_CACHE_DIR="$WORK/renditions"
export RUST_LOG="${RUST_LOG:-info}"

# ------------------------------------------------------------------ images
log "making the 4000x3000 JPEG and $UPLOADS variants of it (Pillow $PILLOW_VERSION)"
"$PY" - "$WORK" "$UPLOADS" <<'PY'
import struct, sys
from PIL import Image, ImageChops
work, uploads = sys.argv[1], int(sys.argv[2])
W, H = 4000, 3000
# A smooth colour field (three gradients as channels) under Gaussian noise
# (sigma 14), saved at quality 90: about 5 MB, like a 12 MP photograph.
r = Image.linear_gradient("L").rotate(30).resize((W, H))
g = Image.radial_gradient("L").resize((W, H))
b = Image.linear_gradient("L").transpose(Image.Transpose.ROTATE_90).resize((W, H))
noise = Image.effect_noise((W, H), 14).convert("RGB")
img = ImageChops.add(Image.merge("RGB", (r, g, b)), noise, scale=1.0, offset=-128)
img.save(f"{work}/photo.jpg", "JPEG", quality=90)
data = open(f"{work}/photo.jpg", "rb").read()
assert data[:2] == b"\xff\xd8"
# Upload i: the same picture with a comment segment (COM) naming it, right
# after the start-of-image marker: different bytes, the same decoding work.
for i in range(uploads):
    text = f"masthead media benchmark upload {i}".encode()
    com = b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text
    open(f"{work}/upload-{i}.jpg", "wb").write(data[:2] + com + data[2:])
PY
PHOTO_MB=$(python3 -c "print(f'{$(stat -c %s "$WORK/photo.jpg") / 1e6:.2f}')")
log "the JPEG is $PHOTO_MB MB"

# ------------------------------------------------------------------ server
log "starting the server ($PIN_NOTE)"
"${SERVER_PIN[@]}" "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 1000); do
  curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.01
done
curl -fsS "$BASE/readyz" >/dev/null
TOKEN="$("$BIN" token --sub bench --role editor --ttl 1h)"

ms() { # wrk latency text (e.g. 812.00us, 1.23ms, 2.01s) -> milliseconds
  awk -v t="$1" 'BEGIN {
    v = t + 0; u = t; sub(/^[0-9.]+/, "", u)
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
    if (f < 0) { print "nan"; exit 1 }
    printf "%.2f\n", v * f }'
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
# As in run.sh: wait until the server is idle (at most 1 clock tick of CPU in
# 250 ms), for up to 60 s, so no workload is billed for the one before.
settle() {
  local prev now
  for _ in $(seq 1 240); do
    prev=$(cpu_ticks); sleep 0.25; now=$(cpu_ticks)
    (( now - prev <= 1 )) && return 0
  done
  log "the server is still busy after 60 s; going on"
}
hwm_mib() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$SERVER_PID/status"; }
rss_mib() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$SERVER_PID/status"; }
alive() { kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server died" >&2; tail "$WORK/server.log" >&2; exit 1; }; }
# p50 and max of a file of seconds, one a line -> "p50_ms max_ms"
p50_max() {
  python3 -c "
import statistics, sys
v = [float(x) * 1000 for x in open(sys.argv[1]) if x.strip()]
print(f'{statistics.median(v):.0f} {max(v):.0f}')" "$1"
}

# One upload first: the picture every rendition is made from.
upload() { # file -> writes the answer to $WORK/upload.json, prints "status seconds"
  "${WRK_PIN[@]}" curl -sS -o "$WORK/upload.json" -w '%{http_code} %{time_total}\n' \
    -H "Authorization: Bearer $TOKEN" -H "Content-Type: image/jpeg" \
    --data-binary @"$1" "$BASE/v1/media"
}
log "uploading the 12 MP JPEG"
read -r status _ < <(upload "$WORK/photo.jpg")
[[ "$status" == 2* ]] || { echo "the upload answered $status:" >&2; cat "$WORK/upload.json" >&2; exit 1; }
eval "$(python3 - "$WORK/upload.json" <<'PY'
import json, shlex, sys
doc = json.load(open(sys.argv[1]))
doc = doc.get("data", doc)
assert (doc["width"], doc["height"]) == (4000, 3000), doc
print(f"MEDIA_ID={int(doc['id'])}")
print(f"MEDIA_URL={shlex.quote(doc['url'])}")
PY
)"
# The path alone, should MEDIA_BASE_URL have made the URL absolute.
MEDIA_PATH="/${MEDIA_URL#*://*/}"; [[ "$MEDIA_URL" == /* ]] && MEDIA_PATH="$MEDIA_URL"
log "media $MEDIA_ID at $MEDIA_PATH"
HWM_AFTER_FIRST_UPLOAD=$(hwm_mib)

ROWS=()
MISSES=()
verdict() { # python-condition miss-text: sets r to PASS or **MISS** (and records the miss)
  if python3 -c "import sys; sys.exit(0 if $1 else 1)"; then r=PASS; else
    MISSES+=("$2"); r="**MISS**"; fi
}

# ------------------------------------------------------------------ 1. cached
run_wrk() { # out-file wrk-arguments...
  local out="$1"; shift
  "${WRK_PIN[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" >"$out" 2>&1 \
    || { cat "$out" >&2; exit 1; }
  alive
}
wrk_field() { # out-file -> "rps p50 p99 non2xx socket-errors"
  local out="$1" rps p50 p99 non2xx sock
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(ms "$(awk '$1=="50%" {print $2}' "$out")")
  p99=$(ms "$(awk '$1=="99%" {print $2}' "$out")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out"); non2xx=${non2xx:-0}
  sock=$(awk '/Socket errors:/ {gsub(",", ""); print $4+$6+$8+$10}' "$out"); sock=${sock:-0}
  echo "$rps $p50 $p99 $non2xx $sock"
}
fmt() { python3 -c "print(f'{$1:,.0f}')"; }

settle
log "GET /healthz: ${DURATION}s, $CONNECTIONS connections"
run_wrk "$WORK/wrk.healthz.txt" --timeout 5s "$BASE/healthz"
read -r H_RPS H_P50 H_P99 H_NON H_SOCK < <(wrk_field "$WORK/wrk.healthz.txt")
ROWS+=("| GET /healthz (floor) | $(fmt "$H_RPS") | $H_P50 | $H_P99 | $((H_NON + H_SOCK)) | $(hwm_mib) | 100% | — | — |")

CACHED="$MEDIA_PATH?w=800&format=webp"
log "warming $CACHED"
"${WRK_PIN[@]}" curl -fsS -o "$WORK/warm.webp" -w '   warm-up: %{http_code} in %{time_total}s, %{size_download} bytes\n' "$BASE$CACHED" >&2
settle
log "cached rendition: ${DURATION}s, $CONNECTIONS connections"
run_wrk "$WORK/wrk.cached.txt" --timeout 5s "$BASE$CACHED"
read -r C_RPS C_P50 C_P99 C_NON C_SOCK < <(wrk_field "$WORK/wrk.cached.txt")
C_PCT=$(python3 -c "print(f'{$C_RPS / $H_RPS * 100:.1f}')")
verdict "$C_RPS >= 0.5 * $H_RPS and $((C_NON + C_SOCK)) == 0" "1. cached rendition: $C_PCT% of /healthz (goal ≥ 50%), $((C_NON + C_SOCK)) errors"
ROWS+=("| 1. cached rendition (\`?w=800&format=webp\`) | $(fmt "$C_RPS") | $C_P50 | $C_P99 | $((C_NON + C_SOCK)) | $(hwm_mib) | $C_PCT% | ≥ 50% of /healthz | $r |")
printf '   /healthz %s req/s; cached rendition %s req/s (%s%%), p50 %s ms, p99 %s ms\n' \
  "$(fmt "$H_RPS")" "$(fmt "$C_RPS")" "$C_PCT" "$C_P50" "$C_P99" >&2

# ------------------------------------------------------------------ 2. cold
settle
log "$COLD cold 800-px WebP renditions, one after another (q=61...)"
: >"$WORK/cold.txt"
for i in $(seq 0 $((COLD - 1))); do
  q=$((61 + i))
  read -r status secs < <("${WRK_PIN[@]}" curl -sS -o "$WORK/cold.webp" -w '%{http_code} %{time_total}\n' \
    "$BASE$MEDIA_PATH?w=800&format=webp&q=$q")
  [[ "$status" == 200 ]] || { echo "cold rendition q=$q answered $status" >&2; cat "$WORK/cold.webp" >&2; exit 1; }
  echo "$secs" >>"$WORK/cold.txt"
done
alive
read -r COLD_P50 COLD_MAX < <(p50_max "$WORK/cold.txt")
COLD_ALL=$(python3 -c "import sys; print(', '.join(f'{float(x)*1000:.0f}' for x in open(sys.argv[1])))" "$WORK/cold.txt")
verdict "$COLD_P50 < 150" "2. cold 800-px WebP from 12 MP: p50 $COLD_P50 ms (goal < 150 ms)"
ROWS+=("| 2. cold 800-px WebP from the 12 MP JPEG, $COLD sequential | — | $COLD_P50 | max $COLD_MAX | 0 | $(hwm_mib) | — | p50 < 150 ms | $r |")
printf '   p50 %s ms, max %s ms (%s)\n' "$COLD_P50" "$COLD_MAX" "$COLD_ALL" >&2

# ------------------------------------------------------------------ 3. uploads
settle
log "$UPLOADS raw-body uploads of the $PHOTO_MB MB JPEG, one after another"
: >"$WORK/uploads.txt"
for i in $(seq 0 $((UPLOADS - 1))); do
  read -r status secs < <(upload "$WORK/upload-$i.jpg")
  [[ "$status" == 2* ]] || { echo "upload $i answered $status:" >&2; cat "$WORK/upload.json" >&2; exit 1; }
  echo "$secs" >>"$WORK/uploads.txt"
done
alive
read -r UP_P50 UP_MAX < <(p50_max "$WORK/uploads.txt")
UP_ALL=$(python3 -c "import sys; print(', '.join(f'{float(x)*1000:.0f}' for x in open(sys.argv[1])))" "$WORK/uploads.txt")
verdict "$UP_P50 < 300" "3. $PHOTO_MB MB JPEG upload: p50 $UP_P50 ms (goal < 300 ms)"
ROWS+=("| 3. $PHOTO_MB MB JPEG upload (raw body), $UPLOADS sequential | — | $UP_P50 | max $UP_MAX | 0 | $(hwm_mib) | — | p50 < 300 ms | $r |")
printf '   p50 %s ms, max %s ms (%s)\n' "$UP_P50" "$UP_MAX" "$UP_ALL" >&2

# ------------------------------------------------------------------ 4. cold under load
settle
HWM_BEFORE_LOAD=$(hwm_mib)
RSS_BEFORE_LOAD=$(rss_mib)
# Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+), so
# the figure below is the peak during this workload alone.
if echo 5 >"/proc/$SERVER_PID/clear_refs" 2>/dev/null; then HWM_NOTE="reset to VmRSS ($RSS_BEFORE_LOAD MiB) just before"
else HWM_NOTE="could not be reset: the peak of the whole run"; fi
log "cold renditions under load: ${DURATION}s, $CONNECTIONS connections (bench/lua/renditions.lua)"
# Cold requests queue for a render slot for up to 10 s before 503 Busy, so
# wrk waits up to 15 s for an answer instead of run.sh's 5 s.
MEDIA_PATH="$MEDIA_PATH" WRK_THREADS="$THREADS" \
  run_wrk "$WORK/wrk.load.txt" --timeout 15s -s "$BENCH/lua/renditions.lua" "$BASE/"
read -r L_RPS L_P50 L_P99 L_NON L_SOCK < <(wrk_field "$WORK/wrk.load.txt")
L_HWM=$(hwm_mib)
L_REQS=$(awk '/requests in/ {print $1}' "$WORK/wrk.load.txt")
read -r L_OK L_BUSY L_OTHER < <(awk '/^STATUS/ {sub("ok=", "", $2); sub("busy=", "", $3); sub("other=", "", $4); print $2, $3, $4}' "$WORK/wrk.load.txt")
L_TIMEOUTS=$(awk '/Socket errors:/ {gsub(",", ""); print $NF}' "$WORK/wrk.load.txt"); L_TIMEOUTS=${L_TIMEOUTS:-0}
settle
RENDITIONS=$(find "$MEDIA_CACHE_DIR" -type f | wc -l)
verdict "$L_HWM < 160 and $L_OTHER == 0" "4. cold renditions under load: peak RSS $L_HWM MiB (goal < 160 MiB), $L_OTHER answers neither 2xx nor 503"
ROWS+=("| 4. cold renditions, $CONNECTIONS connections (w × format × q) | $(python3 -c "print(f'{$L_RPS:,.1f}')") | $L_P50 | $L_P99 | $L_OK ok, $L_BUSY busy (503), $L_OTHER other, $L_SOCK socket | **$L_HWM** | — | peak RSS < 160 MiB | $r |")
printf '   %s req/s, %s ok, %s busy, %s other, %s socket errors; VmHWM %s MiB\n' \
  "$L_RPS" "$L_OK" "$L_BUSY" "$L_OTHER" "$L_SOCK" "$L_HWM" >&2

# ------------------------------------------------------------------ report
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
git -C "$ROOT" diff --quiet HEAD -- src Cargo.toml Cargo.lock migrations 2>/dev/null || COMMIT="$COMMIT (+ uncommitted changes)"
CPU_MODEL="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
MEM_GIB="$(awk '/MemTotal/ {printf "%.1f", $2/1048576}' /proc/meminfo)"
LOADAVG="$(cut -d' ' -f1-3 /proc/loadavg)"

{
  echo "# masthead media benchmark results"
  echo
  echo "Produced by \`bench/media.sh --duration $DURATION --connections $CONNECTIONS --cold $COLD --uploads $UPLOADS\` (see README.md, \"Media\")."
  echo
  echo "## Machine"
  echo
  echo "- CPUs: $NCPU × $CPU_MODEL; memory $MEM_GIB GiB; load average at the end $LOADAVG"
  echo "- Kernel: $(uname -srm)"
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- Commit: $COMMIT; $(rustc --version 2>/dev/null || echo rustc unknown); release profile"
  echo "- Load generator: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $THREADS threads, $CONNECTIONS connections, ${DURATION}s per wrk workload, \`--latency\`; curl for the sequential ones"
  echo "- Placement: $PIN_NOTE; loopback only"
  echo "- Server: empty SQLite database, originals in it (no MEDIA_DIR), renditions under a fresh MEDIA_CACHE_DIR, every media setting at its default: MEDIA_RENDER_CONCURRENCY = the CPUs the server may run on ($SERVER_CPUS), a cold request waits up to 10 s for a render slot before 503 Busy"
  echo
  echo "## Image"
  echo
  echo "- 4000×3000 JPEG (12 MP), quality 90, $PHOTO_MB MB, made by Pillow $PILLOW_VERSION: three gradients as RGB channels under Gaussian noise (sigma 14)"
  echo "- Uploads: the same JPEG with a comment segment naming it (\`upload-0\`...), so each upload is different bytes with the same decoding work"
  echo "- Media $MEDIA_ID, \`$MEDIA_PATH\`; renditions in the cache at the end: $RENDITIONS"
  echo
  echo "## Results"
  echo
  echo "Latency in ms. For the wrk rows it is as wrk measures it; for the sequential rows it is curl's \`time_total\` (p50 and max). Peak RSS = the server's VmHWM after the workload; for row 4 it was $HWM_NOTE (the peak before it, over the uploads and renders: $HWM_BEFORE_LOAD MiB)."
  echo
  echo "| Workload | req/s | p50 ms | p99 / max ms | answers | peak RSS MiB | % of /healthz | goal | result |"
  echo "|---|---:|---:|---:|---|---:|---:|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "- Row 2, each rendition in ms: $COLD_ALL"
  echo "- Row 3, each upload in ms: $UP_ALL"
  echo "- Row 4: $L_REQS requests answered in ${DURATION}s; $L_OK rendered (2xx), $L_BUSY refused with 503 Busy (allowed under overload: no render slot came free within 10 s), $L_OTHER other non-2xx, $L_SOCK socket errors ($L_TIMEOUTS of them timeouts at 15 s)"
  echo
  if [[ ${#MISSES[@]} -eq 0 ]]; then
    echo "All goals met."
  else
    echo "Goals missed:"
    echo
    printf -- '- %s\n' "${MISSES[@]}"
  fi
} >"$WORK/results.md"

cat "$WORK/results.md"
cp "$WORK/results.md" "$OUTPUT"
log "written to ${OUTPUT#"$ROOT"/}"
