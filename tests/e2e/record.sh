#!/usr/bin/env bash
# End to end: `odte record` records the feed `odte replay-server` serves.
#   1. At full speed until replay_complete: the recording holds exactly the market events of the
#      source recording (compared as decoded events, receive times aside).
#   2. kill -9 of the recorder mid-stream (zstd blocks): the file is still readable up to its last
#      whole record, and what it holds is part of the source.
#   3. Bad use: an existing output file, no cluster, a wrong key -- clear errors, non-zero exit.
# usage: record.sh BIN_DIR SOURCE_DIR WORK_DIR
source "$(dirname "$0")/lib.sh" "$@"
subs='T.*,Q.*,A.*,AM.*'
events() {  # decoded market events, receive time dropped, sorted
  "$bin/odte" decode "$1" 2> /dev/null | grep -v '"kind":"status"' | sed 's/"recv_ns":[0-9]*,//' | sort > "$2"
}
events "$recording" "$work/source.txt"

# 1. Whole recording.
start_server full --speed max
"$bin/odte" record --out "$work/full.odr" --key-file "$work/key" --base "ws://127.0.0.1:$port" \
  --stocks "$subs" --options "$subs" --until-complete 2> "$work/full.err"
events "$work/full.odr" "$work/full.txt"
cmp "$work/source.txt" "$work/full.txt" ||
  { echo "FAIL: the recorded events differ from the source"; diff "$work/source.txt" "$work/full.txt" | head; exit 1; }
grep -q " 0 dropped" "$work/full.err" || { echo "FAIL: frames dropped"; cat "$work/full.err"; exit 1; }

# 2. kill -9 while recording a paced replay.
start_server paced --speed 300
"$bin/odte" record --out "$work/killed.odr" --key-file "$work/key" --base "ws://127.0.0.1:$port" \
  --stocks "$subs" --options "$subs" --zstd 2> "$work/killed.err" &
rec=$!
pids+=($rec)
sleep 3
kill -9 "$rec"
wait "$rec" 2> /dev/null || true
"$bin/odte" decode "$work/killed.odr" > /dev/null 2> "$work/killed-decode.err" ||
  { echo "FAIL: a killed recording is unreadable"; cat "$work/killed-decode.err"; exit 1; }
events "$work/killed.odr" "$work/killed.txt"
[ -s "$work/killed.txt" ] || { echo "FAIL: nothing survived the kill (synced once a second)"; cat "$work/killed-decode.err"; exit 1; }
[ -z "$(comm -13 "$work/source.txt" "$work/killed.txt")" ] ||
  { echo "FAIL: the killed recording holds events the source does not"; exit 1; }

# 3. Bad use.
if "$bin/odte" record --out "$work/full.odr" --key-file "$work/key" --base "ws://127.0.0.1:$port" --stocks "$subs" \
    2> "$work/exists.err"; then echo "FAIL: an existing recording was overwritten"; exit 1; fi
grep -q "full.odr" "$work/exists.err" || { echo "FAIL: the refusal does not name the file"; cat "$work/exists.err"; exit 1; }
if "$bin/odte" record --out "$work/none.odr" --key-file "$work/key" 2> "$work/none.err"; then
  echo "FAIL: no cluster accepted"; exit 1
fi
grep -q "at least one of --stocks" "$work/none.err" || { echo "FAIL: unclear error"; cat "$work/none.err"; exit 1; }
printf 'wrong-key' > "$work/wrong"
if "$bin/odte" record --out "$work/wrong.odr" --key-file "$work/wrong" --base "ws://127.0.0.1:$port" --stocks "$subs" \
    --duration 20 2> "$work/wrong.err"; then echo "FAIL: a refused key was not an error"; exit 1; fi
grep -q "authentication failed" "$work/wrong.err" || { echo "FAIL: auth failure not said"; cat "$work/wrong.err"; exit 1; }
if grep -q "wrong-key" "$work/wrong.err"; then echo "FAIL: the key was logged"; exit 1; fi
echo "record: recorded events equal the source; a killed recording stays readable; bad use refused"
