#!/usr/bin/env bash
# End to end: odted in replay mode runs the shipped recorded day (deploy/odted.replay.toml, the
# quick start's config) twice from clean folders. Both runs must exit 0 and give byte-identical
# journals, final states and run reports; a third start over the finished journal must verify
# every record and write nothing new.
# usage: replay_day.sh ODTED SOURCE_DIR WORK_DIR
set -euo pipefail
odted=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$src"
run() {
  local name=$1
  sed -e "s|out/replay|$work/$name|g" deploy/odted.replay.toml > "$work/$name.toml"
  "$odted" --config "$work/$name.toml" > "$work/$name.stdout" 2> "$work/$name.log"
}
run a
run b
for f in journal.odj final_state.txt summary.json report/summary.json report/trades.csv report/report.html; do
  cmp "$work/a/$f" "$work/b/$f" || { echo "FAIL: $f differs between two runs of the same day"; exit 1; }
done
grep -q '"events": 15791' "$work/a/summary.json" || { echo "FAIL: not every recorded event was applied"; cat "$work/a/summary.json"; exit 1; }
# Restart over the finished journal: recovery re-creates and verifies every record.
"$odted" --config "$work/a.toml" > "$work/a2.stdout" 2> "$work/a2.log"
records=$(grep -c . <("$(dirname "$odted")/odte" journal "$work/a/journal.odj"))
grep -q "\"journal_records_verified\": $records" "$work/a/summary.json" ||
  { echo "FAIL: restart did not verify all $records journal records"; cat "$work/a/summary.json"; exit 1; }
grep -q '"journal_records_written": 0' "$work/a/summary.json" ||
  { echo "FAIL: restart wrote new records"; cat "$work/a/summary.json"; exit 1; }
# The operator's log: one line per order and per fill, naming the strategy, each leg's symbol and
# side, and the price; a restart that only re-creates the journal logs none of them again.
journal_json=$("$(dirname "$odted")/odte" journal "$work/a/journal.odj")
orders=$(grep -c '"type":"order_command","kind":"new"' <<<"$journal_json" || true)
fills=$(grep -c '"type":"exec_report","kind":"\(partial_\)\?fill"' <<<"$journal_json" || true)
[ "$orders" -gt 0 ] && [ "$fills" -gt 0 ] || { echo "FAIL: the shipped day has no orders ($orders) or fills ($fills)"; exit 1; }
logged_orders=$(grep -c ' info order OD' "$work/a.log" || true)
logged_fills=$(grep -c ' info \(partial \)\?fill OD' "$work/a.log" || true)
[ "$logged_orders" -eq "$orders" ] || { echo "FAIL: $orders orders in the journal, $logged_orders order lines in the log"; exit 1; }
[ "$logged_fills" -eq "$fills" ] || { echo "FAIL: $fills fills in the journal, $logged_fills fill lines in the log"; exit 1; }
if grep ' info order OD' "$work/a.log" |
   grep -v -E ' (regime|iron_condor|iv_spike_butterfly|vix1d_credit_spread|short_strangle) (open|close) [0-9]+ x \[(BUY|SELL) [0-9]+ [^]]+\] (debit|credit) [0-9]+(\.[0-9]+)?'; then
  echo "FAIL: an order line (above) lacks its strategy, legs or price"; exit 1
fi
grep -q ' info account: equity ' "$work/a.log" || { echo "FAIL: no account line in the log"; exit 1; }
if grep -q ' info order OD' "$work/a2.log"; then echo "FAIL: the restart logged the journal's orders again"; exit 1; fi
echo "replay_day: two runs identical, restart verified $records records, $orders orders and $fills fills logged"
