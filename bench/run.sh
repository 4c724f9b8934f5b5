#!/usr/bin/env bash
# The masthead HTTP benchmark: one command, see README.md "Performance".
#
#   bench/run.sh [--articles N] [--duration SECONDS] [--connections C]
#                [--threads T] [--port P] [--no-pin] [--output FILE]
#
# Builds the release binary, generates a deterministic dataset
# (bench/generate.py), imports it into a fresh SQLite database in a temp
# directory (timed), starts `masthead serve`, drives it with wrk, one
# time-bounded workload after another, and prints a Markdown table that is
# also written to bench/RESULTS.md (bench/RESULTS-<N>.md for other sizes).
#
# CPU pinning (default on a machine with 2+ CPUs): the server runs on CPU 0
# and wrk on CPU 1, so the load generator never steals cycles from the server
# and every workload, /healthz included, gets exactly one core of server
# time. The ratios against /healthz are then "how much of a core's request
# budget does this route cost". --no-pin lets the kernel schedule both freely.
set -euo pipefail

ARTICLES=10000
DURATION=10
CONNECTIONS=64
THREADS=2
PORT=18080
PIN=1
OUTPUT=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    --articles) ARTICLES="$2"; shift 2 ;;
    --duration) DURATION="${2%s}"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --no-pin) PIN=0; shift ;;
    --output) OUTPUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
if [[ -z "$OUTPUT" ]]; then
  if [[ "$ARTICLES" == 10000 ]]; then OUTPUT="$BENCH/RESULTS.md"; else OUTPUT="$BENCH/RESULTS-$ARTICLES.md"; fi
fi
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
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is required" >&2; exit 1; }
done

NCPU="$(nproc)"
SERVER_PIN=(); WRK_PIN=()
if [[ "$PIN" == 1 && "$NCPU" -ge 2 ]] && command -v taskset >/dev/null; then
  SERVER_PIN=(taskset -c 0); WRK_PIN=(taskset -c 1)
  PIN_NOTE="server pinned to CPU 0, wrk to CPU 1 (taskset)"
else
  PIN=0
  PIN_NOTE="not pinned: server and wrk scheduled freely on $NCPU CPU(s)"
fi

# ------------------------------------------------------------------ data
WORK="$(mktemp -d "${TMPDIR:-/tmp}/masthead-bench.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

export DATABASE_URL="$WORK/bench.db"
export MASTHEAD_BIND="127.0.0.1:$PORT"
export JWT_SECRET="masthead-benchmark-secret-0123456789abcdef"
export RUST_LOG="${RUST_LOG:-info}"

log "generating $ARTICLES articles"
python3 "$BENCH/generate.py" "$WORK/data.ndjson" --articles "$ARTICLES"
DATA_MB=$(( $(stat -c %s "$WORK/data.ndjson") / 1048576 ))

log "importing ($DATA_MB MiB of NDJSON)"
t0=$(date +%s.%N)
"$BIN" import "$WORK/data.ndjson" >"$WORK/import.log" 2>&1 || { cat "$WORK/import.log" >&2; exit 1; }
t1=$(date +%s.%N)
IMPORT_S=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
DB_MB=$(( $(du -sk "$WORK" --exclude=data.ndjson | cut -f1) / 1024 ))
log "import took ${IMPORT_S}s; database $DB_MB MiB"

# ------------------------------------------------------------------ server
log "starting the server ($PIN_NOTE)"
# Ready to serve = from the launch until /readyz first answers 200 (the
# migrations check and the pool included), polled every 10 ms.
t0=$(date +%s.%N)
"${SERVER_PIN[@]}" "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 1000); do
  curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.01
done
t1=$(date +%s.%N)
curl -fsS "$BASE/readyz" >/dev/null
READY_MS=$(python3 -c "print(f'{($t1 - $t0) * 1000:.0f}')")
log "ready to serve after ${READY_MS} ms"

TOKEN="$("$BIN" token --sub bench --role editor --ttl 1h)"
export TOKEN RUN="r$(date +%s)$$" ARTICLES

# The values the workloads need, each checked to answer as expected.
log "finding a slug, its ETag, a tag and the cursor for item ~90%"
eval "$(BASE="$BASE" ARTICLES="$ARTICLES" python3 - <<'PY'
import json, os, shlex, urllib.request, urllib.error
base = os.environ["BASE"]
n = int(os.environ["ARTICLES"])

def get(path, headers=None):
    req = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()

status, _, body = get("/v1/articles?per_page=1")
assert status == 200, status
slug = json.loads(body)["data"][0]["slug"]
status, headers, _ = get("/v1/articles/" + slug)
assert status == 200, status
etag = headers["ETag"]
status, _, _ = get("/v1/articles/" + slug, {"If-None-Match": etag})
assert status == 304, f"If-None-Match answered {status}, not 304"
status, _, body = get("/v1/tags?sort=-article_count&per_page=1")
assert status == 200, status
tag = json.loads(body)["data"][0]
# Walk to item ~90% of the list by cursor, 100 a page (item 9,000 of 10,000).
target = n * 9 // 10
cursor, seen = None, 0
while seen < target:
    path = "/v1/articles?per_page=100&fields=slug"
    if cursor:
        path += "&cursor=" + cursor
    status, _, body = get(path)
    assert status == 200, status
    page = json.loads(body)
    seen += len(page["data"])
    cursor = page["meta"]["next_cursor"]
    assert cursor, "the list ended early"
status, _, body = get("/v1/articles?cursor=" + cursor)
assert status == 200 and json.loads(body)["data"], status
# The one-request pages: an article with every embed, and the homepage.
PAGE = "?include=authors.full,related.suggested,related.groups,more_in_section"
status, _, body = get("/v1/articles/" + slug + PAGE)
assert status == 200 and "more_in_section" in json.loads(body), status
status, _, body = get("/v1/sections?latest=6&articles=4&dedupe=true")
assert status == 200 and json.loads(body)["data"], status
for q in ("harbour",):
    status, _, body = get("/v1/articles?q=" + q)
    assert status == 200 and json.loads(body)["meta"]["total"] > 0, status
    search_total = json.loads(body)["meta"]["total"]
print(f"SLUG={shlex.quote(slug)}")
print(f"ETAG={shlex.quote(etag)}")
print(f"TAG={shlex.quote(tag['slug'])}")
print(f"TAG_COUNT={int(tag.get('article_count', 0))}")
print(f"CURSOR={shlex.quote(cursor)}")
print(f"CURSOR_ITEM={seen}")
print(f"SEARCH_TOTAL={search_total}")
PY
)"

# ------------------------------------------------------------------ workloads
# name | target kind | target value | wrk arguments (after the common ones)
WORKLOADS=(
  "GET /healthz (floor)|floor|0|$BASE/healthz"
  "a. article detail by slug|ratio|0.50|$BASE/v1/articles/$SLUG"
  "b. detail, If-None-Match (304)|ratio|0.70|-H|If-None-Match: $ETAG|$BASE/v1/articles/$SLUG"
  "c. list, page 1|ratio|0.25|$BASE/v1/articles"
  "d. list filtered by tag ($TAG)|ratio|0.25|$BASE/v1/articles?tag=$TAG"
  "e. deep page by cursor (item $CURSOR_ITEM)|read|0|$BASE/v1/articles?cursor=$CURSOR"
  "c2. list, page 1, uncached (with a token)|read|0|-H|Authorization: Bearer $TOKEN|$BASE/v1/articles"
  "e2. deep page by cursor, uncached (with a token)|read|0|-H|Authorization: Bearer $TOKEN|$BASE/v1/articles?cursor=$CURSOR"
  "f. full-text search (q=harbour)|ratio|0.10|$BASE/v1/articles?q=harbour"
  "p1. article page, every include (one request)|ratio|0.50|$BASE/v1/articles/$SLUG?include=authors.full,related.suggested,related.groups,more_in_section"
  "p2. homepage, /v1/sections (one request)|ratio|0.25|$BASE/v1/sections?latest=6&articles=4&dedupe=true"
  "g. authenticated creates|rate|2000|-s|$BENCH/lua/create.lua|$BASE/v1/articles"
  "h. 95/5 read/write mix|mix|0|-s|$BENCH/lua/mix.lua|$BASE/"
)

ms() { # wrk latency text (e.g. 812.00us, 1.23ms, 2.01s) -> milliseconds
  awk -v t="$1" 'BEGIN {
    v = t + 0; u = t; sub(/^[0-9.]+/, "", u)
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
    if (f < 0) { print "nan"; exit 1 }
    printf "%.2f\n", v * f }'
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
# Requests a workload left queued in the server (wrk closes its connections,
# but handlers already on the blocking pool run to the end) must not be
# billed to the next workload: wait until the server is idle (at most 1 clock
# tick of CPU in 250 ms), for up to 60 s.
settle() {
  local prev now
  for _ in $(seq 1 240); do
    prev=$(cpu_ticks); sleep 0.25; now=$(cpu_ticks)
    (( now - prev <= 1 )) && return 0
  done
  log "the server is still busy after 60 s; going on"
}
hwm_mib() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$SERVER_PID/status"; }

ROWS=()
declare -A P50
HEALTHZ_RPS=""
ALL_PASS=1
MISSES=()
for spec in "${WORKLOADS[@]}"; do
  IFS='|' read -r -a parts <<<"$spec"
  name="${parts[0]}"; kind="${parts[1]}"; want="${parts[2]}"; args=("${parts[@]:3}")
  settle
  log "$name: ${DURATION}s, $CONNECTIONS connections, $THREADS threads"
  out="$WORK/wrk.$(( ${#ROWS[@]} + 1 )).txt"
  "${WRK_PIN[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency \
    "${args[@]}" >"$out" 2>&1 || { cat "$out" >&2; exit 1; }
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server died" >&2; tail "$WORK/server.log" >&2; exit 1; }
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  rps_fmt=$(python3 -c "print(f'{$rps:,.0f}')")
  p50=$(ms "$(awk '$1=="50%" {print $2}' "$out")")
  p99=$(ms "$(awk '$1=="99%" {print $2}' "$out")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out"); non2xx=${non2xx:-0}
  sock=$(awk '/Socket errors:/ {gsub(",", ""); print $4+$6+$8+$10}' "$out"); sock=${sock:-0}
  errors=$(( non2xx + sock ))
  rss=$(hwm_mib)
  P50["${name%%.*}"]="$p50"
  [[ "$kind" == floor ]] && HEALTHZ_RPS="$rps"
  ratio=$(python3 -c "print(f'{$rps / $HEALTHZ_RPS:.4f}')")
  ratio_pct=$(python3 -c "r = $ratio * 100; print(f'{r:.1f}%' if r >= 1 else f'{r:.2f}%')")
  # Targets: every read p99 < 10 ms, zero errors everywhere, plus per workload.
  verdict=()
  case "$kind" in
    ratio)
      target="≥ $(python3 -c "print(f'{$want*100:.0f}')")% of /healthz, p99 < 10 ms"
      python3 -c "import sys; sys.exit(0 if $ratio >= $want else 1)" || verdict+=("$ratio_pct of /healthz < $(python3 -c "print(f'{$want*100:.0f}')")%") ;;
    rate)
      target="≥ $want req/s"
      python3 -c "import sys; sys.exit(0 if $rps >= $want else 1)" || verdict+=("$rps_fmt req/s < $want") ;;
    floor|read) target="p99 < 10 ms" ;;
    mix) target="zero errors" ;;
  esac
  if [[ "$kind" != rate && "$kind" != mix ]]; then
    python3 -c "import sys; sys.exit(0 if $p99 < 10 else 1)" || verdict+=("p99 $p99 ms ≥ 10")
  fi
  [[ "$errors" == 0 ]] || verdict+=("$errors errors")
  if [[ ${#verdict[@]} -eq 0 ]]; then result="PASS"; else
    result="**MISS**: $(IFS=';'; echo "${verdict[*]}" | sed 's/;/; /g')"; ALL_PASS=0
    MISSES+=("$name: $(IFS=';'; echo "${verdict[*]}" | sed 's/;/; /g')")
  fi
  ROWS+=("| $name | $rps_fmt | $p50 | $p99 | $errors | $rss | $ratio_pct | $target | $result |")
  printf '   %s req/s, p50 %s ms, p99 %s ms, %s errors, VmHWM %s MiB\n' "$rps_fmt" "$p50" "$p99" "$errors" "$rss" >&2
done

PEAK_RSS=$(hwm_mib)
RSS_RESULT=PASS
python3 -c "import sys; sys.exit(0 if $PEAK_RSS <= 64 else 1)" || { RSS_RESULT="**MISS**"; ALL_PASS=0; MISSES+=("peak RSS $PEAK_RSS MiB > 64"); }
CREATED=$(curl -fsS "$BASE/v1/articles?per_page=1" | python3 -c "import json,sys; print(json.load(sys.stdin)['meta']['total'])")

# ------------------------------------------------------------------ report
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
git -C "$ROOT" diff --quiet HEAD -- src Cargo.toml Cargo.lock migrations 2>/dev/null || COMMIT="$COMMIT (+ uncommitted changes)"
CPU_MODEL="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
MEM_GIB="$(awk '/MemTotal/ {printf "%.1f", $2/1048576}' /proc/meminfo)"

{
  echo "# masthead benchmark results"
  echo
  echo "Produced by \`bench/run.sh --articles $ARTICLES --duration $DURATION\` (see README.md, \"Performance\")."
  echo
  echo "## Machine"
  echo
  echo "- CPUs: $NCPU × $CPU_MODEL; memory $MEM_GIB GiB"
  echo "- Kernel: $(uname -srm)"
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- Commit: $COMMIT; $(rustc --version 2>/dev/null || echo rustc unknown); release profile"
  echo "- Load generator: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $THREADS threads, $CONNECTIONS connections, ${DURATION}s per workload, \`--latency\`"
  echo "- Placement: $PIN_NOTE; loopback only"
  echo "- Server: default settings (pool of 8 SQLite connections, WAL, synchronous=FULL, request log at RUST_LOG=$RUST_LOG to a file)"
  echo
  echo "## Dataset"
  echo
  echo "- \`bench/generate.py --articles $ARTICLES\`: $ARTICLES published articles (~2 KB Markdown bodies), 200 authors, 500 tags, 3 tags and 2 related links each; $DATA_MB MiB of NDJSON"
  echo "- Import (\`masthead import\`): ${IMPORT_S}s; database $DB_MB MiB"
  echo "- Detail slug \`$SLUG\`; tag \`$TAG\` ($TAG_COUNT articles); search \`harbour\` matches $SEARCH_TOTAL articles; deep cursor starts after item $CURSOR_ITEM"
  echo "- Articles after the run (creates included): $CREATED"
  echo
  echo "## Results"
  echo
  echo ""% of /healthz" = the workload's req/s ÷ /healthz req/s in the same run. Latency is as wrk measures it (ms), corrected for coordinated omission: a stall of every connection counts as the requests it kept from being sent. Errors = non-2xx/3xx responses + socket errors. RSS = the server's VmHWM (peak resident set) after the workload, so it only grows."
  echo
  echo "| Workload | req/s | p50 ms | p99 ms | errors | peak RSS MiB | % of /healthz | target | result |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "Server peak RSS over the whole run: **$PEAK_RSS MiB** (target ≤ 64 MiB): $RSS_RESULT"
  echo
  echo "## Scale checks"
  echo
  echo "The targets of the 1,000,000-article run; at other sizes they are shown for reference."
  echo
  echo "| check | measured | target | result |"
  echo "|---|---:|---|---|"
  scale_row() { # name measured target-text python-condition
    local result
    if python3 -c "import sys; sys.exit(0 if $4 else 1)"; then result=PASS; else result="**MISS**"; fi
    echo "| $1 | $2 | $3 | $result |"
  }
  scale_row "import of $ARTICLES articles" \
    "${IMPORT_S} s ($(python3 -c "print(f'{$IMPORT_S * 1000000 / $ARTICLES:.0f}')") s per 1M)" \
    "< 120 s for 1M" "$IMPORT_S * 1000000 / $ARTICLES < 120"
  scale_row "ready to serve after start" "${READY_MS} ms" "< 500 ms" "$READY_MS < 500"
  scale_row "deep cursor page p50 ÷ page 1 p50, uncached (e2 ÷ c2)" \
    "$(python3 -c "print(f'{${P50[e2]} / ${P50[c2]}:.2f}')")×" "≤ 1.5×" "${P50[e2]} <= 1.5 * ${P50[c2]}"
  echo
  if [[ "$ALL_PASS" == 1 ]]; then
    echo "All targets met."
  else
    echo "Targets missed:"
    echo
    printf -- '- %s\n' "${MISSES[@]}"
  fi
} >"$WORK/results.md"

cat "$WORK/results.md"
cp "$WORK/results.md" "$OUTPUT"
log "written to ${OUTPUT#"$ROOT"/}"
log "uploads and renditions are measured apart: bench/media.sh (README.md, \"Media\")"
