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

# wait_for_core PATH LOG: within 10 s the daemon's admin socket answers status (it opens before
# the core has published its first state, and until then status says to try again).
wait_for_core() {
  for _ in $(seq 100); do
    [ -S "$1" ] && "$bin/odtectl" --socket "$1" status > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "FAIL: admin socket $1 did not answer status"; cat "$2"; exit 1
}

# says PATTERN CMD...: CMD's output (captured whole, so no early close of a pipe can fail it
# under pipefail) matches PATTERN.
says() {
  local pattern=$1 out
  shift
  out=$("$@" 2>&1) || true
  grep -q -- "$pattern" <<< "$out"
}

# soon_says PATTERN CMD...: says, within 5 s -- for what the core publishes on its own schedule
# (counters every 50 ms), not for what a command changes (its reply follows the republish).
soon_says() {
  for _ in $(seq 50); do says "$@" && return 0; sleep 0.1; done
  return 1
}

# write_live_config NAME PORT MODE BROKER_TOML [FEED_TOML]: $work/NAME.toml for odted in a live mode
# (paper-live or live) against the replay-server on PORT: SPY and its options (40 slots: 20 contracts,
# quotes and trades, around the money, the legs of what is held pinned) from the shipped day, start-up REST from the server, outputs and admin socket in
# $work/NAME, the iv_spike_butterfly strategy entering at 09:45. BROKER_TOML is the [broker] table
# (and [broker.fix]); FEED_TOML adds lines to [feed].
write_live_config() {
  cat > "$work/$1.toml" <<TOML
mode = "$3"
journal = "$work/$1/journal.odj"
output_dir = "$work/$1"
[feed]
stocks_url = "ws://127.0.0.1:$2/stocks"
options_url = "ws://127.0.0.1:$2/options"
indices_url = ""
rest_url = "http://127.0.0.1:$2"
api_key_file = "$work/key"
underlyings = ["SPY"]
max_option_contracts = 40
stale_after_ms = 900000
${5:-}
[risk]
max_risk_fraction = 0.005
no_trade_windows = ["09:30-09:35"]
profit_target_fraction = 5.0
exit_time = "15:00"
$4
[admin]
socket = "$work/$1/admin.sock"
[[strategy]]
name = "iv_spike_butterfly"
[strategy.params]
entry_mode = "time"
entry_time = "09:45"
wing = 5.0
exit_time = "14:00"
TOML
}
