#!/usr/bin/env bash
# The trading day, every day: one odted in paper-live with a journal directory runs a week and a
# half day in one process, on the test clock ([session] clock = "file": New York time read from a
# file this script writes, never behind the feed's own time), with `odte replay-server` serving
# each day on the same port at 600x:
#   Saturday 2026-07-18  idle at once: READY=1 and status answer before any market event, next =
#                        connecting Monday 09:00 New York; no journal
#   Monday 2026-07-20    data/replay/spy-0dte-2026-07-20.odr: connected, traded, closed, reported
#   Wednesday 2026-07-22 tests/data/real/spy-0dte-2026-07-22.odr: kill -9 mid-day, restarted on
#                        the same journal directory: that day's journal resumed, the day closed
#   Friday 2026-07-24    tests/data/real/spy-0dte-2026-07-24.odr: closed and reported
#   the weekend          idle, next = Monday 2026-07-27; nothing connects, no journal
#   Friday 2026-11-27    the day after Thanksgiving, a half day: a recording BUILT here (SPY trades
#                        and a strip of SPY options quotes every 30 s from 09:30 to 15:00, prices
#                        made up, imported with `odte import massive`), so the feed runs past the
#                        13:00 close: the day is closed at 13:00 + close_after (13:05) by the feed's
#                        own time, not at the feed's end
# (Tuesday and Thursday have no recording: the clock is moved past them while idle.)
# Then SIGTERM: exit 0.
# usage: lifecycle.sh BIN_DIR SOURCE_DIR WORK_DIR
source "$(dirname "$0")/lib.sh" "$@"

jdir=$work/journal
sock=$work/run/admin.sock
clockf=$work/clock
ctl() { "$bin/odtectl" --socket "$sock" "$@"; }
set_clock() { printf '%s\n' "$1" > "$clockf.tmp" && mv "$clockf.tmp" "$clockf"; }
log=$work/odted.log  # the running odted's log
fail() { echo "FAIL: $*"; tail -40 "$log"; exit 1; }

# ---- the half day, built: 2026-11-27 (EST, UTC-5), 09:30-15:00 every 30 s ----------------------
base=$(date -u -d '2026-11-27 14:30:00' +%s)
awk -v base="$base" 'BEGIN {
  print "ticker,sip_timestamp,price,size,exchange" > "'"$work"'/half-trades.csv"
  print "ticker,sip_timestamp,bid_price,ask_price,bid_size,ask_size,bid_exchange,ask_exchange" > "'"$work"'/half-quotes.csv"
  for (i = 0; i <= 660; i++) {
    t = sprintf("%d000000000", base + i * 30)  # ns, as text: awk integers are doubles
    s = 600 + 1.5 * sin(i / 40.0)
    printf "SPY,%s,%.2f,100,4\n", t, s >> "'"$work"'/half-trades.csv"
    for (k = 594; k <= 606; k++) {
      c = (s > k ? s - k : 0) + 0.40; p = (k > s ? k - s : 0) + 0.40
      printf "O:SPY261127C%05d000,%s,%.2f,%.2f,50,50,1,1\n", k, substr(t, 1, length(t) - 4) "1000", c - 0.02, c + 0.02 >> "'"$work"'/half-quotes.csv"
      printf "O:SPY261127P%05d000,%s,%.2f,%.2f,50,50,1,1\n", k, substr(t, 1, length(t) - 4) "2000", p - 0.02, p + 0.02 >> "'"$work"'/half-quotes.csv"
    }
  }
}'
"$bin/odte" import massive "$work/half-day-2026-11-27.odr" "$work/half-trades.csv" "$work/half-quotes.csv" \
  > "$work/import.out" 2>&1 || { echo "FAIL: the half day could not be built"; cat "$work/import.out"; exit 1; }

# ---- one replay-server per day, all on one port -------------------------------------------------
server=
serve() {  # RECORDING NAME
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  local listen=127.0.0.1:${port:-0}
  "$bin/odte" replay-server --recording "$1" --key-file "$work/key" --listen "$listen" --speed 600 --clock shared \
    > "$work/server-$2.out" 2> "$work/server-$2.err" &
  server=$!
  pids+=($server)
  for _ in $(seq 100); do
    local p
    p=$(head -1 "$work/server-$2.out" 2>/dev/null | grep -o '[0-9]*$' || true)
    [ -n "$p" ] && { port=$p; return 0; }
    sleep 0.1
  done
  echo "FAIL: replay-server for $2 did not start"; cat "$work/server-$2.err"; exit 1
}
serve "$recording" mon

cat > "$work/odted.toml" <<TOML
mode = "paper-live"
journal_dir = "$jdir"
[session]
connect_before_open = "30m"
close_after = "5m"
clock = "file"
clock_file = "$clockf"
[feed]
stocks_url = "ws://127.0.0.1:$port/stocks"
options_url = "ws://127.0.0.1:$port/options"
indices_url = ""
rest_url = "http://127.0.0.1:$port"
api_key_file = "$work/key"
underlyings = ["SPY"]
max_option_contracts = 80
stale_after_ms = 900000
[risk]
max_risk_fraction = 0.005
no_trade_windows = ["09:30-09:35"]
profit_target_fraction = 5.0
exit_time = "15:00"
[broker]
kind = "paper"
[admin]
socket = "$sock"
[[strategy]]
name = "iv_spike_butterfly"
[strategy.params]
entry_mode = "time"
entry_time = "09:45"
wing = 5.0
exit_time = "14:00"
TOML
"$bin/odted" --check-config "$work/odted.toml" > /dev/null || { echo "FAIL: the config is refused"; exit 1; }

# lifecycle FIELD: a field of status' lifecycle object ("state", "trading_day", "next", "next_at").
lifecycle() {
  local out
  out=$(ctl --json status 2>/dev/null) || return 1
  grep -o '"lifecycle":{[^}]*}' <<< "$out" | grep -o "\"$1\":\"[^\"]*\"" | cut -d'"' -f4
}
# wait_idle_before DAY SECONDS: status says idle with DAY (YYYY-MM-DD) the next trading day.
wait_idle_before() {
  for _ in $(seq $(($2 * 10))); do
    [ "$(lifecycle state)" = idle ] && [ "$(lifecycle trading_day)" = "$1" ] && return 0
    sleep 0.1
  done
  fail "not idle before $1 within $2 s (lifecycle: $(ctl --json status 2>&1 | grep -o '"lifecycle":{[^}]*}'))"
}
# day_done DAY: the day's journal ends in its session end and its report is written.
day_done() {
  "$bin/odte" journal "$jdir/$1.odj" > "$work/$1.jsonl" || fail "the journal of $1 does not read"
  tail -1 "$work/$1.jsonl" | grep -q '"type":"session_end"' || fail "the journal of $1 does not end in its session end"
  [ -s "$jdir/$1/report/report.html" ] || fail "no report for $1 ($jdir/$1)"
  grep -q '"open_positions": 0' "$jdir/$1/summary.json" || fail "positions left open on $1: $(cat "$jdir/$1/summary.json")"
}

# ---- Saturday: READY=1 and the admin socket, idle, before any market event ------------------------
set_clock "2026-07-18 12:00"
python3 - "$work/notify.sock" > "$work/notify.txt" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
while True:
    msg = s.recv(4096).decode()
    print(msg.replace("\n", " | "), flush=True)
    if "READY=1" in msg:
        break
PY
notifier=$!
pids+=($notifier)
for _ in $(seq 50); do [ -S "$work/notify.sock" ] && break; sleep 0.1; done
NOTIFY_SOCKET=$work/notify.sock "$bin/odted" --config "$work/odted.toml" > "$work/odted.out" 2> "$work/odted.log" &
odted=$!
pids+=($odted)
wait_for_core "$sock" "$work/odted.log"
wait_idle_before 2026-07-20 10
[ "$(lifecycle next)" = connecting ] && [ "$(lifecycle next_at)" = "2026-07-20 09:00 New York" ] ||
  fail "status does not say when Monday connects: $(ctl --json status)"
says '"state":"idle"' ctl --json status || fail "status state is not idle: $(ctl --json status)"
wait "$notifier" || fail "READY=1 was not sent while idle"
grep -q "READY=1 | STATUS=idle: next trading day 2026-07-20, connecting at 2026-07-20 09:00 New York" "$work/notify.txt" ||
  fail "READY=1 is not the idle one: $(cat "$work/notify.txt")"
out=$(ctl pause 2>&1) && fail "pause while idle answered ok: $out"
grep -q "no trading day is running (lifecycle idle)" <<< "$out" || fail "pause while idle does not say why: $out"
ls "$jdir"/*.odj > /dev/null 2>&1 && fail "a journal exists before the first trading day: $(ls "$jdir")"

# ---- Monday: a whole day -----------------------------------------------------------------------
set_clock "2026-07-20 09:05"
wait_idle_before 2026-07-21 120
day_done 2026-07-20
grep -q '"type":"order_command","kind":"new"' "$work/2026-07-20.jsonl" || fail "nothing was traded on Monday"
grep -q "lifecycle: trading day 2026-07-20: trading" "$work/odted.log" || fail "Monday never reached trading"

# ---- Wednesday: kill -9 mid-day, restart, the day's journal resumed -------------------------------
serve "$src/tests/data/real/spy-0dte-2026-07-22.odr" wed
set_clock "2026-07-22 09:05"
for _ in $(seq 300); do
  [ "$(lifecycle state)" = trading ] && [ "$(lifecycle trading_day)" = 2026-07-22 ] && break
  sleep 0.1
done
[ "$(lifecycle state)" = trading ] || fail "Wednesday did not reach trading"
sleep 3
kill -KILL "$odted"
wait "$odted" 2>/dev/null || true
before=$("$bin/odte" journal "$jdir/2026-07-22.odj" | wc -l)
[ "$before" -gt 1 ] || fail "Wednesday's journal holds nothing before the kill"
log=$work/odted2.log
"$bin/odted" --config "$work/odted.toml" > "$work/odted2.out" 2> "$log" &
odted=$!
pids+=($odted)
wait_for_core "$sock" "$log"
for _ in $(seq 1200); do
  [ "$(lifecycle state)" = idle ] && [ "$(lifecycle trading_day)" = 2026-07-23 ] && break
  sleep 0.1
done
[ "$(lifecycle trading_day)" = 2026-07-23 ] || fail "Wednesday was not closed after the restart"
grep -q "journal restored: [1-9][0-9]* records" "$log" || fail "the restart did not resume Wednesday's journal"
day_done 2026-07-22
[ "$(grep -c '"type":"session_start"' "$work/2026-07-22.jsonl")" -eq 1 ] || fail "Wednesday's journal was started twice"

# ---- Friday, then the weekend --------------------------------------------------------------------
serve "$src/tests/data/real/spy-0dte-2026-07-24.odr" fri
set_clock "2026-07-24 09:05"
wait_idle_before 2026-07-27 120
day_done 2026-07-24
for t in "2026-07-25 12:00" "2026-07-26 21:00"; do
  set_clock "$t"
  sleep 0.5
  [ "$(lifecycle state)" = idle ] && [ "$(lifecycle next_at)" = "2026-07-27 09:00 New York" ] ||
    fail "at $t (the weekend) not idle until Monday 09:00: $(ctl --json status | grep -o '"lifecycle":{[^}]*}')"
done
for d in 2026-07-21 2026-07-23 2026-07-25 2026-07-26 2026-07-27; do
  [ ! -e "$jdir/$d.odj" ] || fail "a journal for $d, a day with no session run"
done

# ---- the half day: closed at 13:00 + close_after by the feed's own time ---------------------------
serve "$work/half-day-2026-11-27.odr" half
set_clock "2026-11-27 09:05"
wait_idle_before 2026-11-30 120
day_done 2026-11-27
grep -q "lifecycle: trading day 2026-11-27: open 2026-11-27 09:30, close 2026-11-27 13:00 (early close)" "$log" ||
  fail "the half day was not planned with its 13:00 close"
grep -q "lifecycle: trading day 2026-11-27: 2026-11-27 13:0[5-9] New York, the day's end (the 13:00 early close" "$log" ||
  fail "the half day was not closed at 13:05 by the feed's time: $(grep 'lifecycle:' "$log" | tail -5)"
# Its session end is at the day's end (13:05-13:06 New York), two hours before the built feed's end.
end_ns=$(grep '"type":"session_end"' "$work/2026-11-27.jsonl" | grep -o '"at_ns":[0-9]*' | grep -o '[0-9]*$' || true)
from=$(( $(date -u -d '2026-11-27 18:05:00' +%s) * 1000000000 ))
to=$(( $(date -u -d '2026-11-27 18:06:00' +%s) * 1000000000 ))
[ -n "$end_ns" ] && [ "$end_ns" -ge "$from" ] && [ "$end_ns" -le "$to" ] ||
  fail "the half day's session end is not at 13:05 New York: $(grep session_end "$work/2026-11-27.jsonl")"

# ---- SIGTERM while idle: exit 0 -----------------------------------------------------------------
kill -TERM "$odted"
rc=0; wait "$odted" || rc=$?
[ "$rc" -eq 0 ] || fail "odted exited $rc on SIGTERM while idle"
ls "$jdir"
echo "lifecycle: a week and a half day in one run -- idle on the weekend, a journal and a report per day, kill -9 resumed the day's journal, the half day closed at 13:00"
