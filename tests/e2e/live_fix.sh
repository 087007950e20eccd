#!/usr/bin/env bash
# End to end in mode live: odted routes its orders to the FIX 4.4 adapter, which talks to the
# loopback test acceptor (test code, a real QuickFIX acceptor that plays the broker and fills every
# order in one-unit rounds). `odte replay-server` plays the shipped day on a shared clock.
#   1. Live refuses the replayed feed as it would a delayed one (feed.max_feed_lag_ms): exit 1, the
#      key named, no order on the wire.
#   2. With the check off (the only way to drive live from a recording): logon and reconciliation,
#      status says live, orders sent as 35=AB and filled at the acceptor, fills booked from its leg
#      reports, positions closed by the time exit, no ClOrdID twice, exit 0 at the end of the feed.
#   3. kill -9 under [journal] durability = "send_then_sync" once an order is on the wire; the
#      restart recovers, reconciles with the venue and finishes the day; no ClOrdID twice.
# paper-live with broker.kind = "fix" runs this same loop (only the mode's name differs).
# usage: live_fix.sh BIN_DIR PEER SOURCE_DIR WORK_DIR
set -euo pipefail
peer=$2
source "$(dirname "$0")/lib.sh" "$1" "$3" "$4"

# start_venue NAME: a test acceptor with its own book in $work/NAME; its port in $fix_port.
start_venue() {
  "$peer" acceptor 0 "$work/$1" > "$work/$1.out" 2> "$work/$1.err" &
  pids+=($!)
  fix_port=
  for _ in $(seq 100); do
    fix_port=$(grep -o 'READY [0-9]*' "$work/$1.out" 2>/dev/null | grep -o '[0-9]*$' || true)
    [ -n "$fix_port" ] && break
    sleep 0.1
  done
  [ -n "$fix_port" ] || { echo "FAIL: the test acceptor did not start"; cat "$work/$1.err"; exit 1; }
}
start_venue venue

# One FIX session (store and logs) across both runs, as across restarts against a real venue.
# fix_broker [SESSION]: the [broker] tables, store and logs in $work/fix-store$SESSION, fix-log$SESSION.
fix_broker() {
  cat <<TOML
[broker]
kind = "fix"
cancel_on_shutdown = true
[broker.fix]
host = "127.0.0.1"
port = $fix_port
sender_comp_id = "ODTE"
target_comp_id = "BROKER"
store_dir = "$work/fix-store${1:-}"
log_dir = "$work/fix-log${1:-}"
heartbeat_s = 5
reconnect_s = 1
start_time = "00:00:00"
end_time = "00:00:00"
TOML
}
messages() { cat "$work"/fix-log${1:-}/FIX.4.4-ODTE-BROKER.messages.current.log 2>/dev/null || true; }

# 1. The recorded day is months old: live mode must not trade it.
start_server old --speed 600 --clock shared
write_live_config old "$port" live "$(fix_broker)"
rc=0; "$bin/odted" --config "$work/old.toml" > "$work/old.out" 2> "$work/old.log" || rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: live on an old feed exited $rc, not 1"; tail -20 "$work/old.log"; exit 1; }
grep -q 'feed.max_feed_lag_ms: the first market event is [0-9]* s behind the wall clock' "$work/old.log" ||
  { echo "FAIL: the refusal does not name feed.max_feed_lag_ms"; tail -5 "$work/old.log"; exit 1; }
if messages | grep -q "35=AB"; then echo "FAIL: an order reached the venue from an old feed"; exit 1; fi

# 2. The same day with the check off.
start_server fix --speed 600 --clock shared
write_live_config fix "$port" live "$(fix_broker)" "max_feed_lag_ms = 0"
"$bin/odted" --config "$work/fix.toml" > "$work/fix.out" 2> "$work/fix.log" &
odted=$!
pids+=($odted)
wait_for_core "$work/fix/admin.sock" "$work/fix.log"
says '"mode":"live"' "$bin/odtectl" --socket "$work/fix/admin.sock" --json status ||
  { echo "FAIL: status does not say live"; "$bin/odtectl" --socket "$work/fix/admin.sock" --json status; exit 1; }
rc=0; wait "$odted" || rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: odted exited $rc"; tail -30 "$work/fix.log"; exit 1; }
grep -q "fix: reconciled with the venue's mass status; link up" "$work/fix.log" ||
  { echo "FAIL: no FIX logon and reconciliation"; grep "fix:" "$work/fix.log" | head; exit 1; }
grep -q "odted: live stopped" "$work/fix.out" || { echo "FAIL: odted did not say live stopped"; cat "$work/fix.out"; exit 1; }
"$bin/odte" journal "$work/fix/journal.odj" > "$work/fix.jsonl"
grep -q '"type":"order_command"' "$work/fix.jsonl" || { echo "FAIL: no order was sent"; exit 1; }
grep -q '"type":"book_fill"' "$work/fix.jsonl" || { echo "FAIL: no fill was booked"; exit 1; }
messages > "$work/fix.messages"
grep -q "35=AB" "$work/fix.messages" || { echo "FAIL: no NewOrderMultileg on the wire"; exit 1; }
grep -q "442=2" "$work/fix.messages" || { echo "FAIL: no leg-level execution report came back"; exit 1; }
grep -q '"open_positions": 0' "$work/fix/summary.json" ||
  { echo "FAIL: positions left open after the time exit"; cat "$work/fix/summary.json"; exit 1; }
[ ! -s "$work/venue/dups.log" ] || { echo "FAIL: a ClOrdID reached the venue twice"; cat "$work/venue/dups.log"; exit 1; }

# 3. kill -9 under [journal] durability = "send_then_sync" once the entry order is on the wire (a
#    venue and FIX session of its own: the day's ids start again in a new journal). Orders leave
#    before their records are written; the journal ring's shared memory file survives the kill,
#    and the restart recovers what the journal lacked, restores, reconciles with the venue -- which
#    kept the order and filled it meanwhile -- and finishes the day: no ClOrdID reaches the venue
#    twice, no fill is lost (the position is closed by the time exit), exit 0.
start_venue venue9
start_server fix9 --speed 600 --clock shared
write_live_config fix9 "$port" live "$(fix_broker 9)" "max_feed_lag_ms = 0"
sed -i '/^journal = /d' "$work/fix9.toml"
printf '[journal]\npath = "%s"\ndurability = "send_then_sync"\n' "$work/fix9/journal.odj" >> "$work/fix9.toml"
"$bin/odted" --config "$work/fix9.toml" > "$work/fix9.out" 2> "$work/fix9.log" &
odted=$!
pids+=($odted)
for _ in $(seq 300); do messages 9 | grep -q "35=AB" && break; sleep 0.1; done
messages 9 | grep -q "35=AB" || { echo "FAIL: no order on the wire within 30 s (send_then_sync)"; tail -20 "$work/fix9.log"; exit 1; }
kill -KILL "$odted"
wait "$odted" 2>/dev/null || true
rc=0; "$bin/odted" --config "$work/fix9.toml" > "$work/fix9-restart.out" 2> "$work/fix9-restart.log" || rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: the restart after kill -9 (send_then_sync) exited $rc"; tail -30 "$work/fix9-restart.log"; exit 1; }
grep -q "journal restored: .* [1-9][0-9]* orders" "$work/fix9-restart.log" ||
  { echo "FAIL: the order that left was not restored after kill -9"; grep -i "journal\|restor" "$work/fix9-restart.log"; exit 1; }
grep -q "core state reconciling -> running" "$work/fix9-restart.log" ||
  { echo "FAIL: no reconciliation with the venue after kill -9"; grep -i "reconcil\|note" "$work/fix9-restart.log"; exit 1; }
grep -q '"open_positions": 0' "$work/fix9/summary.json" ||
  { echo "FAIL: positions left open after the restart"; cat "$work/fix9/summary.json"; exit 1; }
"$bin/odte" journal "$work/fix9/journal.odj" > "$work/fix9.jsonl"
grep -q '"type":"book_fill"' "$work/fix9.jsonl" || { echo "FAIL: no fill booked across the kill"; exit 1; }
[ ! -s "$work/venue9/dups.log" ] || { echo "FAIL: a ClOrdID reached the venue twice after kill -9"; cat "$work/venue9/dups.log"; exit 1; }
echo "live_fix: an old feed refused; orders routed over FIX, filled by the acceptor, booked and closed; kill -9 under send_then_sync restored and reconciled with no ClOrdID twice"
