#!/usr/bin/env bash
# End to end: a recording served by `odte replay-server` that does not end whole fails the odted
# reading it, as in-process replay does (issue 15) -- never exit 0 on half a day:
#   1. replay over websocket of a recording cut in half (a torn tail): the server says
#      replay_ended_early; odted exits 1, says where the data ended (log, summary.json, report) and
#      journals no session_end; with replay.allow_torn_tail = true: exit 0, the day ended, still said;
#   2. paper-live against the same server: exit 1 and no session_end; accepted: exit 0;
#   3. corruption met while serving (the file overwritten after the server checked it at start):
#      the server says replay_failed with the reader's reason; odted, in replay over websocket and
#      in paper-live, exits 1 naming it, journals no session_end and writes no success.
# usage: websocket_faults.sh BIN_DIR SOURCE_DIR WORK_DIR
source "$(dirname "$0")/lib.sh" "$@"

shipped=$recording
size=$(stat -c %s "$shipped")
mid=$((size / 2))
head -c "$mid" "$shipped" > "$work/half.odr"

write_replay_config() {  # name port [extra [replay] lines]
  cat > "$work/$1.toml" <<TOML
mode = "replay"
journal = "$work/$1/journal.odj"
output_dir = "$work/$1"
[replay]
recording = "$shipped"
transport = "websocket"
${3:-}
[feed]
stocks_url = "ws://127.0.0.1:$2/stocks"
options_url = "ws://127.0.0.1:$2/options"
indices_url = "ws://127.0.0.1:$2/indices"
api_key_file = "$work/key"
[admin]
socket = "$work/$1/admin.sock"
[[strategy]]
name = "iron_condor"
TOML
}
write_paper_config() {  # name port [extra [replay] lines]
  write_live_config "$1" "$2" paper-live $'[broker]\nkind = "paper"'
  printf '[replay]\n%s\n' "${3:-}" >> "$work/$1.toml"
}
# run NAME: odted on $work/NAME.toml in the foreground; sets $rc.
run() {
  rc=0
  "$bin/odted" --config "$work/$1.toml" > "$work/$1.out" 2> "$work/$1.log" || rc=$?
}
session_ended() { "$bin/odte" journal "$work/$1/journal.odj" | grep -q '"session_end"'; }
fail() { echo "FAIL: $*"; for f in "$work"/*.log "$work"/server-*.err; do echo "== $f"; tail -8 "$f"; done; exit 1; }

# 1. Replay over websocket, a torn tail.
recording=$work/half.odr
start_server half --speed max
write_replay_config wshalf "$port"
run wshalf
[ "$rc" -eq 1 ] || fail "replay over websocket of a torn recording exited $rc"
grep -q "the recording ended early: a torn last block of [0-9]* bytes" "$work/wshalf.log" || fail "no early end in the log"
grep -q '"end": "ended_early"' "$work/wshalf/summary.json" || fail "summary.json does not say ended_early"
grep -q '"ended_early": ".*half.odr: the recording ended early' "$work/wshalf/summary.json" ||
  fail "summary.json does not say where the recording ended"
! session_ended wshalf || fail "a torn recording over websocket journaled session_end"
! grep -q "replay finished" "$work/wshalf.out" || fail "a torn recording over websocket said replay finished"
write_replay_config wshalf_ok "$port" "allow_torn_tail = true"
run wshalf_ok
[ "$rc" -eq 0 ] || fail "an accepted torn tail over websocket exited $rc"
grep -q '"end": "finished"' "$work/wshalf_ok/summary.json" || fail "accepted torn tail over websocket: not finished"
grep -q '"ended_early": ".*the recording ended early' "$work/wshalf_ok/summary.json" || fail "accepted torn tail not said"
session_ended wshalf_ok || fail "an accepted torn tail over websocket did not end the session"

# 2. paper-live against it (600x on one shared clock: the half day in about 20 s).
start_server halflive --speed 600 --clock shared
write_paper_config plhalf "$port"
run plhalf
[ "$rc" -eq 1 ] || fail "paper-live on a torn recording exited $rc"
grep -q "odted: paper-live failed: .*the recording ended early" "$work/plhalf.log" || fail "paper-live: no early-end error"
grep -q '"end": "ended_early"' "$work/plhalf/summary.json" || fail "paper-live: summary.json does not say ended_early"
! session_ended plhalf || fail "paper-live on a torn recording journaled session_end"
start_server halflive2 --speed 600 --clock shared
write_paper_config plhalf_ok "$port" "allow_torn_tail = true"
run plhalf_ok
[ "$rc" -eq 0 ] || fail "paper-live with an accepted torn tail exited $rc"
session_ended plhalf_ok || fail "paper-live with an accepted torn tail did not end the session"
grep -q "the recording ended early.*accepted" "$work/plhalf_ok/report/report.html" ||
  fail "paper-live: the accepted torn tail is not in the report"

# 3. Corruption met while serving: the server checked the whole file at start; it is overwritten
#    in place with a copy that has one byte flipped mid-file before odted subscribes (both
#    servers are started first: one started on a corrupt file refuses to serve it at all).
cp "$shipped" "$work/day.odr"
cp "$shipped" "$work/flipped.odr"
byte=$(od -An -tu1 -j "$mid" -N1 "$work/flipped.odr" | tr -d ' ')
printf "$(printf '\\%03o' $(((byte + 1) % 256)))" | dd of="$work/flipped.odr" bs=1 seek="$mid" conv=notrunc status=none
recording=$work/day.odr
start_server corrupt --speed max
write_replay_config wscorrupt "$port"
start_server corruptlive --speed 600 --clock shared
write_paper_config plcorrupt "$port"
cp "$work/flipped.odr" "$work/day.odr"
run wscorrupt
[ "$rc" -eq 1 ] || fail "replay over websocket of a corrupt recording exited $rc"
# (At full speed the strict merge may meet the failure before the first event: "replay over
# websocket: stocks: replay_failed: ..."; later, "replay failed: market data: feed stocks: ...".)
grep -q "replay.*: .*replay_failed: .*day.odr: block checksum mismatch at offset" "$work/wscorrupt.log" ||
  fail "replay over websocket: no replay_failed naming the file"
! session_ended wscorrupt || fail "a corrupt recording over websocket journaled session_end"
[ ! -e "$work/wscorrupt/summary.json" ] || fail "a corrupt recording over websocket wrote summary.json"
run plcorrupt
[ "$rc" -eq 1 ] || fail "paper-live on a corrupt recording exited $rc"
grep -q "odted: paper-live failed: .*replay_failed: .*day.odr" "$work/plcorrupt.log" || fail "paper-live: no replay_failed"
! session_ended plcorrupt || fail "paper-live on a corrupt recording journaled session_end"
grep -q '"end": "failed"' "$work/plcorrupt/summary.json" || fail "paper-live: summary.json does not say failed"
echo "websocket_faults: torn and corrupt recordings over websocket fail the run; an accepted torn tail ends the day"
