#!/usr/bin/env bash
# End to end over FIX: odted in paper-live mode with broker.kind = "fix" routes its orders to the
# FIX 4.4 adapter, which talks to the loopback test acceptor (test code, a real QuickFIX
# acceptor that fills every order in one-unit rounds). `odte replay-server` plays the shipped day.
# Checks: logon and reconciliation, orders sent as 35=AB and filled at the acceptor, fills booked
# from its leg reports, positions closed by the time exit, exit 0 at the end of the feed.
# usage: paper_live_fix.sh BIN_DIR PEER SOURCE_DIR WORK_DIR
set -euo pipefail
peer=$2
source "$(dirname "$0")/lib.sh" "$1" "$3" "$4"

"$peer" acceptor 0 "$work/venue" > "$work/venue.out" 2> "$work/venue.err" &
pids+=($!)
fix_port=
for _ in $(seq 100); do
  fix_port=$(grep -o 'READY [0-9]*' "$work/venue.out" 2>/dev/null | grep -o '[0-9]*$' || true)
  [ -n "$fix_port" ] && break
  sleep 0.1
done
[ -n "$fix_port" ] || { echo "FAIL: the test acceptor did not start"; cat "$work/venue.err"; exit 1; }

start_server fix --speed 600 --clock shared
cat > "$work/fix.toml" <<TOML
mode = "paper-live"
journal = "$work/fix/journal.odj"
output_dir = "$work/fix"
[feed]
stocks_url = "ws://127.0.0.1:$port/stocks"
options_url = "ws://127.0.0.1:$port/options"
indices_url = ""
rest_url = "http://127.0.0.1:$port"
api_key_file = "$work/key"
underlyings = ["SPY"]
max_option_contracts = 40
stale_after_ms = 900000
[risk]
max_risk_fraction = 0.005
no_trade_windows = ["09:30-09:35"]
profit_target_fraction = 5.0
exit_time = "15:00"
[broker]
kind = "fix"
cancel_on_shutdown = true
[broker.fix]
host = "127.0.0.1"
port = $fix_port
sender_comp_id = "ODTE"
target_comp_id = "BROKER"
store_dir = "$work/fix/fix-store"
log_dir = "$work/fix/fix-log"
heartbeat_s = 5
reconnect_s = 1
start_time = "00:00:00"
end_time = "00:00:00"
[admin]
socket = "$work/fix/admin.sock"
[[strategy]]
name = "iv_spike_butterfly"
[strategy.params]
entry_mode = "time"
entry_time = "09:45"
wing = 5.0
exit_time = "14:00"
TOML

"$bin/odted" --config "$work/fix.toml" > "$work/fix.out" 2> "$work/fix.log" &
odted=$!
pids+=($odted)
rc=0; wait "$odted" || rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: odted exited $rc"; tail -30 "$work/fix.log"; exit 1; }
grep -q "fix: reconciled with the venue's mass status; link up" "$work/fix.log" ||
  { echo "FAIL: no FIX logon and reconciliation"; grep "fix:" "$work/fix.log" | head; exit 1; }
"$bin/odte" journal "$work/fix/journal.odj" > "$work/fix.jsonl"
grep -q '"type":"order_command"' "$work/fix.jsonl" || { echo "FAIL: no order was sent"; exit 1; }
grep -q '"type":"book_fill"' "$work/fix.jsonl" || { echo "FAIL: no fill was booked"; exit 1; }
grep -q "35=AB" "$work/fix/fix-log/FIX.4.4-ODTE-BROKER.messages.current.log" ||
  { echo "FAIL: no NewOrderMultileg on the wire"; exit 1; }
grep -q "442=2" "$work/fix/fix-log/FIX.4.4-ODTE-BROKER.messages.current.log" ||
  { echo "FAIL: no leg-level execution report came back"; exit 1; }
grep -q '"open_positions": 0' "$work/fix/summary.json" ||
  { echo "FAIL: positions left open after the time exit"; cat "$work/fix/summary.json"; exit 1; }
[ ! -s "$work/venue/dups.log" ] || { echo "FAIL: a ClOrdID reached the venue twice"; cat "$work/venue/dups.log"; exit 1; }
echo "paper_live_fix: orders routed over FIX, filled by the acceptor, booked and closed"
