# Shared by the end-to-end scripts: background processes cleaned up on exit, and
# `odte replay-server` started on a free loopback port.
# Needs: $bin (directory of odte/odted/odtectl), $work, $recording, $work/key.
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# start_server NAME [replay-server options...] -> sets $port
start_server() {
  local name=$1
  shift
  "$bin/odte" replay-server --recording "$recording" --key-file "$work/key" "$@" \
    > "$work/server-$name.out" 2> "$work/server-$name.err" &
  pids+=($!)
  for _ in $(seq 100); do
    port=$(head -1 "$work/server-$name.out" 2>/dev/null | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  echo "FAIL: replay-server did not report its port"; cat "$work/server-$name.err"; exit 1
}

# wait_for_socket PATH LOG: the daemon's admin socket appears within 10 s
wait_for_socket() {
  for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.1; done
  echo "FAIL: no admin socket $1"; cat "$2"; exit 1
}
