#!/usr/bin/env bash
# End to end over the live code path: `odte replay-server` serves the shipped recorded day on
# loopback; odted in replay mode with transport = "websocket" reads it through its feed threads
# (websocket client, parser, rings) into the core and the paper broker; odtectl steers it
# (status, pause, resume, kill, a bad command); SIGTERM stops it with exit 3 (stopped before the end
# of the recording). Then the same day at
# full speed over websocket must give the same journal as the in-process replay.
# usage: websocket_replay.sh BIN_DIR SOURCE_DIR WORK_DIR
source "$(dirname "$0")/lib.sh" "$@"

write_config() {  # name transport port
  cat > "$work/$1.toml" <<TOML
mode = "replay"
journal = "$work/$1/journal.odj"
output_dir = "$work/$1"
[replay]
recording = "$recording"
transport = "$2"
[feed]
stocks_url = "ws://127.0.0.1:$3/stocks"
options_url = "ws://127.0.0.1:$3/options"
indices_url = "ws://127.0.0.1:$3/indices"
api_key_file = "$work/key"
[admin]
socket = "$work/$1/admin.sock"
[[strategy]]
name = "regime"
[[strategy]]
name = "iron_condor"
TOML
}
ctl() { "$bin/odtectl" --socket "$work/steered/admin.sock" "$@"; }

# 1. Steered run: the day paced at 2500x (about 10 s), commands while it streams, then SIGTERM.
start_server 2500 --speed 2500
write_config steered websocket "$port"
"$bin/odted" --config "$work/steered.toml" > "$work/steered.out" 2> "$work/steered.log" &
odted=$!
pids+=($odted)
wait_for_core "$work/steered/admin.sock" "$work/steered.log"
ctl status | tee "$work/status.txt"
ctl pause > /dev/null
says '"paused":true' ctl --json status || { echo "FAIL: pause not shown in status"; ctl --json status; exit 1; }
ctl resume > /dev/null
ctl kill > /dev/null
says '"killed":true' ctl --json status || { echo "FAIL: kill not shown in status"; ctl --json status; exit 1; }
if ctl no-such-command > "$work/bad.txt" 2>&1; then echo "FAIL: an unknown command was accepted"; exit 1; fi
says '"regime"' ctl --json strategies || { echo "FAIL: strategies not listed"; exit 1; }
# The feed threads' own counters reach the operator: events counted and a connection up.
soon_says '"events":[1-9]' ctl --json metrics && soon_says '"connected":true' ctl --json metrics ||
  { echo "FAIL: metrics do not show the feeds"; ctl --json metrics; exit 1; }
kill -TERM "$odted"
rc=0; wait "$odted" || rc=$?
[ "$rc" -eq 3 ] || { echo "FAIL: odted exited $rc on SIGTERM, want 3 (stopped before the end)"; cat "$work/steered.log"; exit 1; }
grep -q "stopped" "$work/steered.log" || { echo "FAIL: no stop in the log"; cat "$work/steered.log"; exit 1; }
says '"type":"kill_switch"' "$bin/odte" journal "$work/steered/journal.odj" ||
  { echo "FAIL: the kill switch is not in the journal"; exit 1; }

# 2. Full speed over websocket against the in-process replay of the same day.
start_server max --speed max
write_config ws websocket "$port"
write_config inproc in-process "$port"
"$bin/odted" --config "$work/ws.toml" > "$work/ws.out" 2> "$work/ws.log"
"$bin/odted" --config "$work/inproc.toml" > "$work/inproc.out" 2> "$work/inproc.log"
grep -q "ring drops" "$work/ws.log" && ! grep -q "[1-9][0-9]* ring drops" "$work/ws.log" ||
  { echo "FAIL: events dropped on the way in"; grep "ring drops" "$work/ws.log"; exit 1; }
cmp <("$bin/odte" journal "$work/ws/journal.odj") <("$bin/odte" journal "$work/inproc/journal.odj") ||
  { echo "FAIL: websocket and in-process replays of the same day differ"; exit 1; }
echo "websocket_replay: steered run stopped cleanly; websocket journal equals in-process journal"
