#!/usr/bin/env bash
# End to end: `odte backtest` (issue 18) over the real days the repo carries, a 3 x 3 parameter grid
# of the shipped replay config, two workers.
#   1. the sweep: 3 days x 9 sets = 27 runs, exit 0, the aggregate report and its files;
#   2. determinism: a run's journal from the pool equals odted alone on that run's config, byte for byte;
#   3. resume: a rerun skips every finished run; a run whose outputs are not complete runs again (and
#      its journal stays the same);
#   4. a failing run: named on its own line, the report says so, the exit is non-zero;
#   5. a recording spanning several trading days: refused by odte backtest and by odted, naming it;
#   6. the aggregate's statistics against an independent computation from each run's own outputs;
#   7. the aggregate report in headless chromium: every chart there, no console error, every link
#      to a run's page resolves.
# usage: backtest.sh BIN_DIR SOURCE_DIR WORK_DIR
source "$(dirname "$0")/lib.sh"
cd "$src"
fail() { echo "FAIL: $*"; exit 1; }
days=(data/replay/spy-0dte-2026-07-20.odr tests/data/real/spy-0dte-2026-07-22.odr tests/data/real/spy-0dte-2026-07-24.odr)

cat > "$work/grid.toml" <<'EOF'
[grid]
strategy.iv_spike_butterfly.params.entry_time = ["09:45", "11:00", "13:00"]
"strategy.iv_spike_butterfly.params.wing_fraction" = [0.03, 0.05, 0.07]
EOF

# 1. The sweep.
out=$work/sweep
rc=0
"$bin/odte" backtest --config deploy/odted.replay.toml --grid "$work/grid.toml" --out "$out" --jobs 2 "${days[@]}" \
  2> "$work/sweep.err" || rc=$?
[ $rc -eq 0 ] || { cat "$work/sweep.err"; fail "the sweep exited $rc"; }
grep -q "9 set(s) x 3 day(s) = 27 runs planned" "$work/sweep.err" || { cat "$work/sweep.err"; fail "plan line"; }
grep -q "27 run(s) finished, 0 failed, 0 skipped" "$work/sweep.err" || { cat "$work/sweep.err"; fail "run line"; }
for f in report.html aggregate.json sets.csv days.csv plan.json runs.tsv; do [ -s "$out/$f" ] || fail "no $f"; done
[ "$(wc -l < "$out/runs.tsv")" -eq 27 ] || fail "runs.tsv has not 27 lines"
[ "$(find "$out/runs" -name done.json | wc -l)" -eq 27 ] || fail "not 27 finished runs"
grep -q 'wing_fraction = 0.07' "$out/runs/set09/2026-07-24/config.toml" || fail "set09 is not wing 0.07"
grep -q "entry_time = '13:00'" "$out/runs/set09/2026-07-24/config.toml" || fail "set09 does not enter at 13:00"

# 2. Determinism: odted alone on the same config (its own paths) writes the same journal.
run=$out/runs/set05/2026-07-22
sed -e "s|$run|$work/alone|g" "$run/config.toml" > "$work/alone.toml"
grep -q "$work/alone/journal.odj" "$work/alone.toml" || fail "alone config"
"$bin/odted" --config "$work/alone.toml" > "$work/alone.out" 2> "$work/alone.err" || fail "odted alone failed"
cmp "$run/journal.odj" "$work/alone/journal.odj" || fail "the pool's journal differs from odted alone"
cp "$run/journal.odj" "$work/set05.odj"

# 3. Resume: nothing to do, then only the run whose outputs are not complete.
"$bin/odte" backtest --config deploy/odted.replay.toml --grid "$work/grid.toml" --out "$out" --jobs 2 "${days[@]}" \
  2> "$work/rerun.err" || { cat "$work/rerun.err"; fail "the rerun failed"; }
grep -q "27 of 27 runs already finished, skipped" "$work/rerun.err" || { cat "$work/rerun.err"; fail "rerun skipped"; }
grep -q "0 run(s) finished, 0 failed, 27 skipped" "$work/rerun.err" || { cat "$work/rerun.err"; fail "rerun ran"; }
rm "$run/report/report.html"
"$bin/odte" backtest --out "$out" --jobs 2 2> "$work/resume.err" || { cat "$work/resume.err"; fail "resume failed"; }
grep -q "1 run(s) finished, 0 failed, 26 skipped" "$work/resume.err" || { cat "$work/resume.err"; fail "resume ran more than one"; }
[ -s "$run/report/report.html" ] || fail "the resumed run has no report"
cmp "$run/journal.odj" "$work/set05.odj" || fail "the resumed run's journal changed"

# 4. A failing run: a set whose history file does not exist fails in odted (exit 1), the other runs.
cat > "$work/sets.toml" <<'EOF'
[[set]]
name = "good"
[[set]]
name = "bad"
replay.history = ["no/such/history.odr"]
EOF
rc=0
"$bin/odte" backtest --config deploy/odted.replay.toml --grid "$work/sets.toml" --out "$work/failing" --jobs 2 \
  "${days[0]}" 2> "$work/failing.err" || rc=$?
[ $rc -eq 1 ] || { cat "$work/failing.err"; fail "a failed run gave exit $rc, want 1"; }
grep -q "FAILED bad 2026-07-20 (odted exit 1): .*no/such/history.odr" "$work/failing.err" || { cat "$work/failing.err"; fail "no FAILED line"; }
grep -q "1 run(s) finished, 1 failed" "$work/failing.err" || { cat "$work/failing.err"; fail "summary line"; }
grep -q "bad 2026-07-20: failed" "$work/failing/report.html" || fail "the report does not say the run failed"
[ -s "$work/failing/runs/good/2026-07-20/done.json" ] || fail "the good run did not finish"
rc=0
"$bin/odte" backtest --collect "$work/failing" 2> "$work/collect.err" || rc=$?
[ $rc -eq 1 ] || fail "--collect with a failed run gave exit $rc, want 1"

# 5. Several trading days in one recording: refused by both, naming it, nothing run.
multi=tests/data/real/eqker-spy-vix-1min-2019.odr
rc=0
"$bin/odte" backtest --config deploy/odted.replay.toml --out "$work/multi" "$multi" 2> "$work/multi.err" || rc=$?
[ $rc -eq 2 ] || fail "odte backtest on a multi-day recording gave exit $rc, want 2"
grep -q "$multi spans more than one trading day" "$work/multi.err" || { cat "$work/multi.err"; fail "backtest message"; }
[ ! -e "$work/multi/runs" ] || fail "runs were planned for a multi-day recording"
sed -e "s|^journal = .*|journal = \"$work/multi-odted/journal.odj\"|" -e "s|^output_dir = .*|output_dir = \"$work/multi-odted\"|" \
    -e "s|^socket = .*|socket = \"$work/multi-odted/admin.sock\"|" -e "s|^recording = .*|recording = \"$multi\"|" \
    deploy/odted.replay.toml > "$work/multi.toml"
rc=0
"$bin/odted" --config "$work/multi.toml" > /dev/null 2> "$work/multi-odted.err" || rc=$?
[ $rc -eq 1 ] || fail "odted on a multi-day recording gave exit $rc, want 1"
grep -q "replay.recording: $multi spans more than one trading day" "$work/multi-odted.err" || { cat "$work/multi-odted.err"; fail "odted message"; }
[ ! -e "$work/multi-odted/journal.odj" ] || fail "odted wrote a journal for a multi-day recording"

# 6. The aggregate's statistics, computed here from each run's own outputs (docs/reports.md).
python3 - "$out" <<'EOF' || fail "aggregate statistics"
import csv, json, math, os, sys
out = sys.argv[1]
agg = json.load(open(os.path.join(out, "aggregate.json")))
assert len(agg["sets"]) == 9 and len(agg["runs"]) == 27, "9 sets, 27 runs"
e0 = 100000.0
ranked = [s["statistics"]["net_pnl"] for s in agg["sets"]]
assert ranked == sorted(ranked, reverse=True), "ranking by net P&L"
def near(a, b, tol, what):
    if a is None or b is None:
        assert a is None and b is None, f"{what}: {a} vs {b}"
        return
    assert abs(a - b) <= tol, f"{what}: aggregate {a}, independent {b}"
for s in agg["sets"]:
    name, st = s["set"], s["statistics"]
    base = os.path.join(out, "runs", name)
    days = sorted(os.listdir(base))
    pnl, trade_pnl, curve = [], [], [e0]
    for d in days:
        summary = json.load(open(os.path.join(base, d, "summary.json")))
        assert summary["end"] == "finished" and summary["open_positions"] == 0
        pnl.append(float(summary["net"]))
        with open(os.path.join(base, d, "report", "trades.csv")) as f:
            trade_pnl += [float(r["pnl"]) for r in csv.DictReader(f) if r["status"] == "closed"]
        with open(os.path.join(base, d, "report", "equity.csv")) as f:
            curve += [e0 + sum(pnl[:-1]) + float(r["pnl"]) for r in csv.DictReader(f)]
    rets, eq = [], e0
    for p in pnl:
        rets.append(p / eq)
        eq += p
    n = len(rets)
    mean = sum(rets) / n
    sd = math.sqrt(sum((r - mean) ** 2 for r in rets) / (n - 1))
    down = math.sqrt(sum(min(r, 0.0) ** 2 for r in rets) / n)
    near(st["net_pnl"], round(sum(pnl), 2), 0.005, name + " net")
    near(st["days"], n, 0, name + " days")
    near(st["sharpe"], mean / sd * math.sqrt(252) if sd > 0 else None, 1e-5, name + " sharpe")
    near(st["sortino"], mean / down * math.sqrt(252) if down > 0 else None, 1e-5, name + " sortino")
    near(st["annualized_return"], (1 + sum(pnl) / e0) ** (252 / n) - 1, 1e-5, name + " annualized")
    peak, mdd = curve[0], 0.0
    for v in curve:
        peak = max(peak, v)
        mdd = max(mdd, peak - v)
    near(st["max_drawdown"], round(mdd, 2), 0.005, name + " max drawdown")
    wins = [p for p in trade_pnl if p > 0]
    losses = [p for p in trade_pnl if p < 0]
    near(st["trades"], len(trade_pnl), 0, name + " trades")
    near(st["win_rate"], len(wins) / len(trade_pnl) if trade_pnl else None, 1e-5, name + " win rate")
    near(st["profit_factor"], sum(wins) / -sum(losses) if losses else None, 1e-5, name + " profit factor")
    cum = 0.0
    for point, p in zip(s["equity_curve"], pnl):
        cum += p
        near(point["cumulative"], round(cum, 2), 0.005, name + " equity curve")
for r in agg["runs"]:
    assert r["status"] == "ok", r
    assert any(n.startswith("iron_condor:") for n in r["notes"]), f"no iron_condor note in {r['set']} {r['day']}"
    assert os.path.isfile(os.path.join(out, r["report"])), r["report"]
print("aggregate statistics match the independent computation")
EOF

# 7. The page in a real browser.
chrome=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chrome" ] || fail "chromium is not installed (scripts/setup installs it)"
rm -rf "$work/profile"
timeout 90 "$chrome" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
  --disable-sync --no-first-run --disable-dev-shm-usage --enable-logging=stderr --v=0 --user-data-dir="$work/profile" \
  --dump-dom "file://$out/report.html" > "$work/dom.html" 2> "$work/chromium.err" || fail "chromium failed"
grep -q 'data-loaded="ok"' "$work/dom.html" || fail "the page's charts are not all there: $(grep -o 'data-loaded="[^"]*"' "$work/dom.html")"
for bad in Uncaught "Refused to" ERR_; do
  if grep -q "$bad" "$work/chromium.err"; then cat "$work/chromium.err"; fail "chromium logged $bad"; fi
done
grep -q 'id="ranking"' "$work/dom.html" || fail "no ranking table"
grep -q 'strategy.iv_spike_butterfly.params.wing_fraction' "$work/dom.html" || fail "the differing parameters are not named"
links=$(grep -o 'href="runs/[^"]*report.html"' "$out/report.html" | sort -u | sed 's/href="//; s/"$//')
[ "$(wc -l <<< "$links")" -eq 27 ] || fail "not 27 links to the runs' pages"
while read -r l; do [ -s "$out/$l" ] || fail "link $l does not resolve"; done <<< "$links"
if grep -qi "annualized" "$work/failing/runs/good/2026-07-20/report/summary.json" &&
   ! grep -q '"annualized_return": null' "$work/failing/runs/good/2026-07-20/report/summary.json"; then
  fail "a one-day run's report gives an annualized return"
fi
echo "backtest: 27 runs swept, identical to odted alone, resumed, failures and multi-day recordings refused, report checked"
