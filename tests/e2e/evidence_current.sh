#!/usr/bin/env bash
# docs/evidence.md is what scripts/evidence makes now: the shipped replay configs replayed on every
# real SPY day the repository carries. A change that alters any outcome (a strategy's trades, P&L,
# exits or notes, a config, a recording) fails here until the table is regenerated and committed.
# usage: evidence_current.sh BIN_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
bin=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
python3 "$src/scripts/evidence" --odted "$bin/odted" --odte "$bin/odte" --out "$work/evidence.md" --jobs 2
if ! diff -u "$src/docs/evidence.md" "$work/evidence.md" > "$work/evidence.diff"; then
  head -80 "$work/evidence.diff"
  echo "FAIL: docs/evidence.md is not what the replays give now; run scripts/build && scripts/evidence and commit it"
  exit 1
fi
echo "evidence: docs/evidence.md matches the replays of every carried day"
