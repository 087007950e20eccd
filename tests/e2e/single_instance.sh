#!/usr/bin/env bash
# End to end: one odted per journal and run directory, and start-up faults that end in a named
# error rather than an abort (issue 15, sections 2 and 3).
#  1. replay: a second odted on the same config exits 1 naming the first one's pid; the first
#     keeps its admin socket (still answers), and removes it when it stops.
#  2. the same for paper-live against odte replay-server (the feed, the journal, the broker).
#  3. journal = a directory, log.path = a directory, the config file a directory, a busy metrics
#     port: each exits non-zero with the real cause named, no abort, no admin socket left.
#  4. under `ulimit -f 4` the journal write fails with EFBIG: exit 1 saying "File too large", not
#     a death by SIGXFSZ.
#  5. a journal.odj.tmp.PID left by an interrupted creation is removed at the next start.
#  6. no enabled strategy: a warning in replay, refused in live unless allow_no_strategies = true.
# usage: single_instance.sh BIN_DIR SOURCE_DIR WORK_DIR
source "$(dirname "$0")/lib.sh" "$@"
fail() { echo "FAIL: $*"; exit 1; }

# replay_config NAME [extra top-level lines] [speed]: the shipped day replayed into $work/NAME.
replay_config() {
  cat > "$work/$1.toml" <<TOML
mode = "replay"
journal = "$work/$1/journal.odj"
output_dir = "$work/$1"
${2:-}
[replay]
recording = "$recording"
speed = ${3:-0}
[feed]
stale_after_ms = 900000
[admin]
socket = "$work/$1/admin.sock"
[[strategy]]
name = "iron_condor"
TOML
}

# 1. Two replays on one config.
replay_config slow "" 1  # real time: runs until stopped
"$bin/odted" --config "$work/slow.toml" > "$work/slow.out" 2> "$work/slow.log" &
first=$!
pids+=($first)
wait_for_core "$work/slow/admin.sock" "$work/slow.log"
set +e
timeout 30 "$bin/odted" --config "$work/slow.toml" > "$work/second.out" 2> "$work/second.err"
rc=$?
set -e
[ "$rc" = 1 ] || fail "the second odted on one journal exited $rc, not 1"
grep -q "journal $work/slow/journal.odj.lock is locked by another odted (pid $first)" "$work/second.err" ||
  { cat "$work/second.err"; fail "the second odted did not name the first one's pid ($first)"; }
[ -S "$work/slow/admin.sock" ] || fail "the second odted removed the first one's admin socket"
"$bin/odtectl" --socket "$work/slow/admin.sock" status > /dev/null || fail "the first odted's admin socket stopped answering"
# A second instance with its own journal but the same admin socket is refused too (the run directory).
sed -e "s|^journal = .*|journal = \"$work/other/journal.odj\"|" "$work/slow.toml" > "$work/same-socket.toml"
set +e
timeout 30 "$bin/odted" --config "$work/same-socket.toml" > /dev/null 2> "$work/same-socket.err"
rc=$?
set -e
[ "$rc" = 1 ] && grep -q "admin.sock.lock is locked by another odted (pid $first)" "$work/same-socket.err" ||
  { cat "$work/same-socket.err"; fail "a second odted on the same admin socket was not refused (exit $rc)"; }
[ ! -e "$work/other/journal.odj" ] || fail "the refused instance created its journal"
"$bin/odtectl" --socket "$work/slow/admin.sock" status > /dev/null || fail "the first odted's admin socket stopped answering"
kill -TERM "$first"
set +e
wait "$first"
rc=$?
set -e
# A replay stopped before the end of its recording exits 3 (docs/operations.md), not 0 and not a crash.
[ "$rc" = 3 ] || fail "the first odted did not stop cleanly (exit $rc, a stopped replay exits 3)"
[ ! -e "$work/slow/admin.sock" ] || fail "the admin socket was left after the stop"
# The lock went with the process: a restart takes it.
replay_config slow ""
"$bin/odted" --config "$work/slow.toml" > /dev/null 2> "$work/restart.log" || { cat "$work/restart.log"; fail "restart after the stop refused"; }

# 2. Two paper-live instances on one journal (the issue's case: both ran, the journal was torn).
start_server live --speed 600 --clock shared
write_live_config live "$port" paper-live '[broker]
kind = "paper"'
"$bin/odted" --config "$work/live.toml" > "$work/live.out" 2> "$work/live.log" &
live=$!
pids+=($live)
wait_for_core "$work/live/admin.sock" "$work/live.log"
set +e
timeout 30 "$bin/odted" --config "$work/live.toml" > /dev/null 2> "$work/live2.err"
rc=$?
set -e
[ "$rc" = 1 ] && grep -q "locked by another odted (pid $live)" "$work/live2.err" ||
  { cat "$work/live2.err"; fail "a second paper-live odted was not refused (exit $rc)"; }
"$bin/odtectl" --socket "$work/live/admin.sock" status > /dev/null || fail "the paper-live admin socket stopped answering"
kill -TERM "$live"
wait "$live" || { tail "$work/live.log"; fail "paper-live did not stop cleanly"; }
"$bin/odte" journal "$work/live/journal.odj" > /dev/null || fail "the paper-live journal does not read back"

# 3. Faults named, not aborts.
# expect_error NAME CODE PATTERN: odted --config $work/NAME.toml exits CODE with PATTERN on stderr.
expect_error() {
  set +e
  "$bin/odted" --config "$work/$1.toml" > "$work/$1.out" 2> "$work/$1.err"
  local rc=$?
  set -e
  [ "$rc" = "$2" ] || { cat "$work/$1.err"; fail "$1: exit $rc, not $2"; }
  grep -q -- "$3" "$work/$1.err" || { cat "$work/$1.err"; fail "$1: stderr does not say '$3'"; }
  [ ! -e "$work/$1/admin.sock" ] || fail "$1: admin socket left behind"
}
mkdir -p "$work/jdir/journal.odj"
replay_config jdir
expect_error jdir 1 "journal.odj: is a directory"
mkdir -p "$work/logdir/odted.log"
replay_config logdir
printf '[log]\npath = "%s"\n' "$work/logdir/odted.log" >> "$work/logdir.toml"
expect_error logdir 1 "log.path $work/logdir/odted.log: .*Is a directory"
mkdir -p "$work/confdir.toml"
set +e
"$bin/odted" --config "$work/confdir.toml" 2> "$work/confdir.err"
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "confdir.toml: is a directory" "$work/confdir.err" ||
  { cat "$work/confdir.err"; fail "a config path that is a directory: exit $rc"; }
# The replay-server's port is busy: the metrics endpoint cannot have it.
replay_config metrics
sed -i -e "s|^\[admin\]|[admin]\nmetrics_port = $port|" "$work/metrics.toml"
expect_error metrics 1 "admin.metrics_port: cannot listen on 127.0.0.1:$port: Address already in use"
! grep -q "admin socket" "$work/metrics.err" || fail "a busy metrics port reported as an admin socket problem"

# 4. RLIMIT_FSIZE: EFBIG is a journal write failure like any other.
# The shipped replay config: its strategies trade, so the journal outgrows 4 KiB.
sed -e "s|out/replay|$work/fsize|g" -e "s|data/replay/|$src/data/replay/|" "$src/deploy/odted.replay.toml" > "$work/fsize.toml"
set +e
# The output goes through a pipe to a writer without the limit: only odted's own files have it.
(ulimit -f 4; exec "$bin/odted" --config "$work/fsize.toml") 2>&1 | cat > "$work/fsize.err"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 1 ] || { tail "$work/fsize.err"; fail "under ulimit -f 4 odted exited $rc, not 1 (153 = killed by SIGXFSZ)"; }
grep -q "journal write failed: File too large" "$work/fsize.err" || { tail "$work/fsize.err"; fail "EFBIG not named"; }

# 5. An orphan temporary journal from an interrupted creation.
replay_config orphan
mkdir -p "$work/orphan"
touch "$work/orphan/journal.odj.tmp.4242" "$work/orphan/journal.odj.tmp.keep"
"$bin/odted" --config "$work/orphan.toml" > /dev/null 2> "$work/orphan.log" || { cat "$work/orphan.log"; fail "orphan run"; }
[ ! -e "$work/orphan/journal.odj.tmp.4242" ] || fail "the orphan journal.odj.tmp.4242 was left"
[ -e "$work/orphan/journal.odj.tmp.keep" ] || fail "a file that is not a journal temporary was removed"
grep -q "removed $work/orphan/journal.odj.tmp.4242" "$work/orphan.log" || fail "the orphan's removal not logged"

# 6. No enabled strategy.
replay_config none
sed -i -e 's|^\[\[strategy\]\]|[[strategy]]\nenabled = false|' "$work/none.toml"
"$bin/odted" --config "$work/none.toml" > /dev/null 2> "$work/none.log" || { cat "$work/none.log"; fail "replay with no strategy"; }
grep -q "warn.*no enabled \[\[strategy\]\]" "$work/none.log" || { cat "$work/none.log"; fail "no warning for a replay without strategy"; }
"$bin/odted" --check-config "$work/none.toml" > /dev/null 2> "$work/none.check" || fail "--check-config refused a replay without strategy"
grep -q "warning: .*no enabled \[\[strategy\]\]" "$work/none.check" || fail "--check-config did not warn"
write_live_config nolive 1 live '[broker]
kind = "fix"
[broker.fix]
host = "127.0.0.1"
port = 1
sender_comp_id = "A"
target_comp_id = "B"
store_dir = "'"$work"'/fix"'
sed -i -e '/^\[\[strategy\]\]/,$d' "$work/nolive.toml"
set +e
"$bin/odted" --check-config "$work/nolive.toml" > /dev/null 2> "$work/nolive.err"
rc=$?
"$bin/odted" --config "$work/nolive.toml" > /dev/null 2> "$work/nolive.run"
rc_run=$?
set -e
[ "$rc" = 2 ] && [ "$rc_run" = 2 ] && grep -q "no enabled \[\[strategy\]\] when mode = \"live\"" "$work/nolive.err" ||
  { cat "$work/nolive.err"; fail "live with no strategy not refused (check $rc, run $rc_run)"; }
sed -i -e "1a allow_no_strategies = true" "$work/nolive.toml"
"$bin/odted" --check-config "$work/nolive.toml" > /dev/null 2> "$work/nolive.ok" || { cat "$work/nolive.ok"; fail "allow_no_strategies = true refused"; }
! grep -q warning "$work/nolive.ok" || fail "a flatten-only day the operator asked for still warns"

echo "single_instance: second instance refused with the holder's pid; faults named"
