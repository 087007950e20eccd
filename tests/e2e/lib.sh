# Shared by the end-to-end scripts, sourced as `source lib.sh BIN_DIR SOURCE_DIR WORK_DIR`: sets
# $bin, $src, $work (emptied), $recording (the shipped day) and $work/key; cleans up background
# processes on exit; starts `odte replay-server` on a free loopback port.
set -euo pipefail
bin=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
recording=$src/data/replay/spy-0dte-2026-07-20.odr
printf 'e2e-test-key' > "$work/key"
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

# says PATTERN CMD...: CMD's output (captured whole, so no early close of a pipe can fail it
# under pipefail) matches PATTERN.
says() {
  local pattern=$1 out
  shift
  out=$("$@" 2>&1) || true
  grep -q -- "$pattern" <<< "$out"
}
