#!/usr/bin/env bash
# End to end: the end of the real day 2026-07-29 (data/replay/spy-0dte-2026-07-29.odr, imported by
# `odte import` from the shared Cboe chains, data/replay/SOURCES.txt) through odted with the shipped
# config (deploy/odted.replay.toml, only the recording and the output paths changed).
# vix1d_credit_spread sells the 749/751 call spread at 09:45 (749C bid 0.17, 751C offered 0.07) and
# holds it; SPY ends near 731, both calls far out of the money, bid by nobody, offered at 0.01.
# The physical close at 15:50 buys back the short 749C alone at its 0.01 offer and leaves the unbid
# 751C to expire (settled at 0). Checked: that close, the settlement after it, no order working at
# the end, the session end last with the latest time, and the trade's P&L to the cent:
# (0.17 - 0.07 - 0.01) x 100 - 3 contracts x 0.675 = 6.975.
# usage: expiry_day.sh ODTED_DIR SOURCE_DIR WORK_DIR   (exit 77 = skipped: recording absent)
set -euo pipefail
bin=$1 src=$2 work=$3
rec="$src/data/replay/spy-0dte-2026-07-29.odr"
if [[ ! -f $rec ]]; then
  echo "SKIP: $rec is not in this tree (it comes with the 18 real days of branch evidence16)"
  exit 77
fi
rm -rf "$work"
mkdir -p "$work"
cd "$src"
sed -e "s|out/replay|$work/out|g" -e "s|^recording = .*|recording = \"$rec\"|" deploy/odted.replay.toml > "$work/day.toml"
"$bin/odted" --config "$work/day.toml" > "$work/stdout" 2> "$work/log" || { echo "FAIL: odted exit $?"; tail "$work/log"; exit 1; }
"$bin/odte" journal "$work/out/journal.odj" > "$work/journal.jsonl"
fail() { echo "FAIL: $*"; exit 1; }
J="$work/journal.jsonl"

# The close: one leg, the short 749C bought at 0.01 at 15:50 + 50 ms; the 751C settled at 0.
jq -e -s '[.[] | select(.type=="book_fill" and .symbol=="O:SPY260729C00749000" and .side=="buy" and .opening==false)]
          | length == 1 and .[0].price == "0.01" and .[0].at_ns == 1785354600050000000 and (.[0].settlement == null)' "$J" > /dev/null ||
  fail "the short 749C was not bought back alone at 0.01 at 15:50"
jq -e -s '[.[] | select(.type=="order_command" and .kind=="new" and .opening==false)] | all(.legs | length == 1)' "$J" > /dev/null ||
  fail "a close tried to sell the unbid 751C"
jq -e -s '[.[] | select(.type=="book_fill" and .symbol=="O:SPY260729C00751000" and .opening==false)]
          | length == 1 and .[0].price == "0" and .[0].settlement == "cash" and .[0].at_ns == 1785355200000000000' "$J" > /dev/null ||
  fail "the 751C was not left to expire at 0"
# The settlement (16:00) comes after every order's last answer; the session end is the last record
# and carries the latest time of all.
jq -e -s '(map(.type) | index("settlement")) as $s | ([to_entries[] | select(.value.type=="exec_report") | .key] | max) < $s' "$J" > /dev/null ||
  fail "settlement booked before an order's last answer"
jq -e -s '.[-1].type == "session_end" and .[-1].at_ns == ([.[] | .at_ns // 0] | max) and .[-1].at_ns == 1785355200000000000' "$J" > /dev/null ||
  fail "session_end is not last with the latest time: $(tail -1 "$J")"
# No order working at the end of the day.
if grep -E '^order ' "$work/out/final_state.txt" | grep -vqE 'state=(filled|cancelled|rejected|expired) '; then
  fail "an order is still working at the end: $(grep -E '^order ' "$work/out/final_state.txt")"
fi
# The trade, to the cent: closed by the physical close, +6.975 (the report rounds to 6.97).
line=$(grep ',vix1d_credit_spread:call,' "$work/out/report/trades.csv") || fail "no vix1d_credit_spread trade"
IFS=, read -r _ _ _ _ _ closed _ reason units entry exit _ fees pnl status <<< "$line"
[[ $closed == "2026-07-29 16:00:00" && $reason == "expiry:close_physical" && $units == 1 && $entry == "-0.1000" &&
   $exit == "-0.0100" && $fees == "2.03" && $pnl == "6.97" && $status == "closed" ]] || fail "trade: $line"
grep -q '^position .* O:SPY260729C00749000 qty=0 cost=0 realized=16 fees=1.35$' "$work/out/final_state.txt" || fail "749C"
grep -q '^position .* O:SPY260729C00751000 qty=0 cost=0 realized=-7 fees=0.675$' "$work/out/final_state.txt" || fail "751C"
echo "expiry_day: short bought back at 15:50, unbid long expired, settled after every answer, net 6.975"
