# Sourced by the end-to-end scripts: one way to run a throwaway masthead.
# The caller sets BIN (the binary) and WORK (a temporary directory it owns)
# and defines log and die. The server runs in $WORK, so no .env from the
# caller's directory is read, with a fixed secret and none of the optional
# settings a developer's environment might carry.

SERVER_PID=""

# Succeeds when URL answers 2xx, with whichever HTTP client the machine has.
masthead_http_ok() {
  if command -v curl >/dev/null; then
    curl -fsS -o /dev/null "$1" 2>/dev/null
  elif command -v node >/dev/null; then
    node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$1"
  else
    python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" 2>/dev/null
  fi
}

masthead_free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
  else
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
  fi
}

# masthead_start SECRET: starts the server on a free loopback port with a
# fresh database in $WORK (or MASTHEAD_E2E_DATABASE_URL, an empty database
# the caller made, such as a PostgreSQL one), sets BASE, and waits (10 s at
# most) for /readyz.
masthead_start() {
  PORT="$(masthead_free_port)"
  BASE="http://127.0.0.1:$PORT"
  server_env=(
    env -u JWT_ISSUER -u JWT_AUDIENCE -u JWT_ALGORITHM -u JWT_PUBLIC_KEY
    -u RATE_LIMIT_READS_PER_MINUTE -u RATE_LIMIT_WRITES_PER_MINUTE
    -u CACHE_MAX_AGE -u CACHE_STALE_WHILE_REVALIDATE -u LOG_FORMAT
    DATABASE_URL="${MASTHEAD_E2E_DATABASE_URL:-$WORK/masthead.db}"
    MASTHEAD_BIND="127.0.0.1:$PORT"
    JWT_SECRET="$1"
    RUST_LOG="${RUST_LOG:-warn}"
  )
  log "starting $BIN on $BASE"
  # Arguments after the secret go to `serve` (e.g. --demo).
  (cd "$WORK" && exec "${server_env[@]}" "$BIN" serve "${@:2}" >"$WORK/server.log" 2>&1) &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    if masthead_http_ok "$BASE/readyz"; then
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      cat "$WORK/server.log" >&2
      die "masthead exited before it was ready"
    fi
    sleep 0.1
  done
  cat "$WORK/server.log" >&2
  die "masthead not ready after 10 s"
}

# masthead_token ROLE SUBJECT: a one-hour token for the running server.
masthead_token() {
  (cd "$WORK" && "${server_env[@]}" "$BIN" token --sub "$2" --role "$1" --ttl 1h)
}

# For `trap masthead_cleanup EXIT`: stops the server and removes $WORK.
masthead_cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
