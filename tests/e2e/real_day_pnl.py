#!/usr/bin/env python3
"""End to end: the shipped replay configs on real SPY days, every fill and every dollar checked
against the recording's own quotes.

usage: real_day_pnl.py BIN_DIR SOURCE_DIR WORK_DIR

On every real SPY day the repository carries (data/replay/spy-0dte-*.odr and
tests/data/real/spy-0dte-*.odr), each shipped replay config (deploy/odted.replay.toml, and the
strangle's deploy/odted.replay-strangle.toml) is run by odted unchanged except for its [replay]
recording and its out/ paths. Then, with nothing from the engine or the paper broker but the orders it sent
(`odte journal`: each order_command's time, limit and legs) and what it booked (report/fills.csv):

- the recording is decoded independently (`odte decode`, the live feed parser) into each
  contract's quotes over time;
- every execution fill is priced from those quotes by docs/brokers.md's paper-broker rules: an
  order marketable when it reaches the venue (order time + [broker] latency_ms) fills every leg at
  that moment's touch (buy at the ask, sell at the bid); an order that rested fills later at its
  limit: its net per unit is the limit, every leg but the one carrying the difference at the touch
  of the fill's moment;
- fees are contracts x (commission_per_contract + fee_per_contract);
- each trade's P&L (sells less buys x multiplier, less fees), entry and exit per unit are
  recomputed and compared to the cent with report/trades.csv, and their sums with summary.json's
  realized, fees and net and the report's statistics.

A position held to the close is settled in cash at its intrinsic value on SPY's last print at or
before the close, without a fee. Each config must trade on at least MIN_TRADING_DAYS days (fewer
is a failure, not a silent pass). Last, the checker is shown to fail: one fill price, one trade's
P&L and the run's net, each moved by a cent, must each be reported as a mismatch.
"""

import bisect
import csv
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tomllib

CONFIGS = ["deploy/odted.replay.toml", "deploy/odted.replay-strangle.toml"]
DAY_DIRS = ["data/replay", "tests/data/real"]
MIN_TRADING_DAYS = 3  # per config; fewer means a strategy stopped trading on the real days


def cents(x):
    return round(x * 100.0)


def same_cent(got, want):
    """`got` (as written, to the cent or exact) is `want` to the cent. Fees are sub-cent (0.675 a
    contract: 3 contracts are 2.025), so a written 6.97 for an exact 6.975 is the same money; a
    cent off (0.01) is not."""
    diff = abs(float(got or 0) - want)
    if diff < 0.005 - 1e-9:
        return True
    # Exactly half a cent apart: only when `want` itself ends in half a cent (either rounding).
    half_cent = round(want * 1000) % 10 == 5 and abs(want * 1000 - round(want * 1000)) < 1e-6
    return half_cent and abs(diff - 0.005) < 1e-9


class Quotes:
    """Each symbol's (time, bid, ask) from `odte decode`, in recording order."""

    def __init__(self, odte, recording):
        r = subprocess.run([odte, "decode", str(recording)], capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"FAIL: odte decode {recording}: {r.stderr.strip()}")
        self.by_symbol = {}
        self.prints = []
        for line in r.stdout.splitlines():
            if '"kind":"quote"' in line:
                q = json.loads(line)
                self.by_symbol.setdefault(q["sym"], []).append((q["t_ns"], q["bid"], q["ask"]))
            elif '"kind":"trade"' in line and '"stream":"stocks"' in line:
                t = json.loads(line)
                self.prints.append((t["t_ns"], t["price"]))
        self.times = {s: [t for t, _, _ in v] for s, v in self.by_symbol.items()}

    def last_print(self, symbol, at_ns):
        """The underlying's last price at or before at_ns (the chain days carry one print per snapshot)."""
        assert symbol == "SPY"
        before = [p for t, p in self.prints if t <= at_ns]
        return before[-1] if before else float("nan")

    def touch(self, symbol, at_ns):
        """The last quote of `symbol` at or before at_ns: (bid, ask)."""
        i = bisect.bisect_right(self.times.get(symbol, []), at_ns)
        if i == 0:
            return None
        _, bid, ask = self.by_symbol[symbol][i - 1]
        return bid, ask


def journal_orders(odte, journal):
    r = subprocess.run([odte, "journal", str(journal)], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"FAIL: odte journal {journal}: {r.stderr.strip()}")
    orders = {}
    for line in r.stdout.splitlines():
        rec = json.loads(line)
        if rec["type"] == "order_command" and rec["kind"] in ("new", "replace"):
            orders.setdefault(rec["id"], []).append(rec)  # a replace keeps the id and sends again
    return orders


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def check(run, quotes, orders, fills, trades, summary, stats, cfg):
    """Every mismatch between what odted booked and what the quotes and the rules give."""
    bad = []
    kinds = check.kinds = {"on arrival": 0, "rested": 0}
    latency_ns = int(cfg["broker"].get("latency_ms", 0)) * 1_000_000
    per_contract = cfg["broker"].get("commission_per_contract", 0.0) + cfg["broker"].get("fee_per_contract", 0.0)
    if cfg["broker"].get("slippage_per_contract", 0.0) != 0.0:
        bad.append(f"{run}: the config has slippage; this check prices fills at the touch without it")

    executions = [f for f in fills if not f["settlement"]]
    settlements = [f for f in fills if f["settlement"]]
    for f in settlements:
        # Held to the close: settled at the option's intrinsic value on the underlying's last price
        # at or before the close (a recording that ends early settles on its last values).
        if f["settlement"] != "cash":
            bad.append(f"{run}: a {f['settlement']} settlement row; this check prices cash settlements only")
            continue
        spot = quotes.last_print("SPY", int(f["at_ns"]))
        strike = float(f["strike"])
        value = max(0.0, spot - strike) if f["right"] == "call" else max(0.0, strike - spot)
        if cents(float(f["price"])) != cents(value) or cents(float(f["fee"])) != 0:
            bad.append(f"{run}: {f['symbol']} settled at {f['price']} (fee {f['fee']}); SPY's last print {spot} "
                       f"gives {value:.2f}, no fee")
    # The fills of one order at one moment: one execution of the combo.
    groups = {}
    for f in executions:
        groups.setdefault((f["order"], int(f["at_ns"])), []).append(f)
    for (oid, at_ns), legs in sorted(groups.items(), key=lambda kv: kv[0][1]):
        cmds = [c for c in orders.get(oid, []) if c["at_ns"] <= at_ns]
        if not cmds:
            bad.append(f"{run}: fill of {oid} at {at_ns} with no order sent before it")
            continue
        cmd = cmds[-1]  # the order as last sent (new or replace) before this fill
        arrival = cmd["at_ns"] + latency_ns
        limit = float(cmd["limit"])  # per unit: debit > 0, credit < 0
        ratio = {i: leg["ratio"] for i, leg in enumerate(cmd["legs"])}
        side = {i: leg["side"] for i, leg in enumerate(cmd["legs"])}
        units = {int(f["quantity"]) // ratio[int(f["leg"])] for f in legs}
        if len(units) != 1:
            bad.append(f"{run}: {oid} legs filled in different units {units}")
            continue
        expected = {}
        for f in legs:
            leg = int(f["leg"])
            if f["side"] != side[leg]:
                bad.append(f"{run}: {oid} leg {leg} booked {f['side']}, the order says {side[leg]}")
            t = quotes.touch(f["symbol"], at_ns)
            if t is None:
                bad.append(f"{run}: {oid} leg {leg} {f['symbol']} filled with no quote before it")
                continue
            expected[leg] = t[1] if side[leg] == "buy" else t[0]
        if len(expected) != len(legs):
            continue
        natural = sum((1 if side[i] == "buy" else -1) * ratio[i] * p for i, p in expected.items())
        if at_ns == arrival:
            kinds["on arrival"] += 1
            # Marketable on arrival: every leg at the touch, and the touch no worse than the limit.
            if cents(natural) > cents(limit):
                bad.append(f"{run}: {oid} filled on arrival at natural {natural:.2f}, worse than its limit {limit:.2f}")
        elif at_ns > arrival:
            kinds["rested"] += 1
            # Rested: it fills only once the touch reaches its limit, and then at the limit: the first
            # leg whose ratio divides the difference and whose price stays above zero carries it (a
            # bought leg pays more, a sold leg receives less).
            better = round((limit - natural) * 10_000)  # in 1/10,000 dollars, the engine's price unit
            if better < 0:
                bad.append(f"{run}: {oid} rested and filled at {at_ns} though the touch {natural:.2f} is worse "
                           f"than its limit {limit:.2f}")
            elif better > 0:
                for i in sorted(expected):
                    if better % ratio[i] != 0:
                        continue
                    step = better // ratio[i] / 10_000
                    px = expected[i] + step if side[i] == "buy" else expected[i] - step
                    if round(px * 10_000) <= 0:
                        continue
                    expected[i] = px
                    break
        else:
            bad.append(f"{run}: {oid} filled at {at_ns}, before it reached the venue at {arrival}")
        for f in legs:
            leg = int(f["leg"])
            if cents(float(f["price"])) != cents(expected[leg]):
                bad.append(f"{run}: {oid} leg {leg} {f['symbol']} {f['side']} at {f['price']}, the quotes give "
                           f"{expected[leg]:.2f} (fill at {at_ns}, order sent {cmd['at_ns']})")
            fee = int(f["quantity"]) * per_contract
            if cents(float(f["fee"])) != cents(fee):
                bad.append(f"{run}: {oid} leg {leg} fee {f['fee']}, the config gives {fee:.4f}")

    # Each trade from its fills: P&L, fees, entry and exit per unit.
    total_realized = total_fees = 0.0
    for t in trades:
        mine = [f for f in fills if f["trade"] == t["trade"]]
        units = int(t["units"])
        cash = sum((1 if f["side"] == "sell" else -1) * float(f["price"]) * int(f["quantity"]) * int(f["multiplier"])
                   for f in mine)
        fees = sum(int(f["quantity"]) * per_contract for f in mine if not f["settlement"])
        opening = [f for f in mine if f["opening"] == "1"]
        closing = [f for f in mine if f["opening"] == "0"]
        entry = sum((1 if f["side"] == "buy" else -1) * float(f["price"]) * int(f["quantity"]) for f in opening) / units
        exit_ = sum((1 if f["side"] == "sell" else -1) * float(f["price"]) * int(f["quantity"]) for f in closing) / units
        total_realized += cash
        total_fees += fees
        for name, got, want in (("pnl", t["pnl"], cash - fees), ("fees", t["fees"], fees), ("entry", t["entry"], entry),
                                ("exit", t["exit"], exit_)):
            if not same_cent(got, want):
                bad.append(f"{run}: trade {t['trade']} {name} {got}, its fills give {want:.2f}")
        if t["status"] != "closed":
            bad.append(f"{run}: trade {t['trade']} is still open at the end")
    for name, got, want in (("realized", summary["realized"], total_realized), ("fees", summary["fees"], total_fees),
                            ("net", summary["net"], total_realized - total_fees),
                            ("report net_pnl", stats["net_pnl"], total_realized - total_fees),
                            ("report fees", stats["fees"], total_fees)):
        if not same_cent(got, want):
            bad.append(f"{run}: summary {name} {got}, the fills give {want:.2f}")
    return bad


def run_config(odted, src, config, recording, out, run):
    """odted on `recording` with the shipped `config` (only the recording and out/ paths changed):
    (summary, report statistics, fills, trades), or None when nothing traded."""
    text = (src / config).read_text()
    text, n = re.subn(r'(?m)^(recording\s*=\s*)"[^"]*"', lambda m: m.group(1) + json.dumps(str(src / recording)),
                      text, count=1)
    assert n == 1, "no recording line in " + config
    text = re.sub(r'"out/[^/"]+', lambda m: '"' + str(out), text)
    cfg_path = out.parent / (out.name + ".toml")
    cfg_path.write_text(text)
    shutil.rmtree(out, ignore_errors=True)
    r = subprocess.run([str(odted), "--config", str(cfg_path)], capture_output=True, text=True, cwd=src)
    if r.returncode != 0:
        raise SystemExit(f"FAIL: {run}: odted exited {r.returncode}: {r.stderr[-2000:]}")
    summary = json.loads((out / "summary.json").read_text())
    if summary["end"] != "finished":
        raise SystemExit(f"FAIL: {run}: the replay ended {summary['end']}")
    stats = json.loads((out / "report" / "summary.json").read_text())["statistics"]
    fills = read_csv(out / "report" / "fills.csv")
    trades = read_csv(out / "report" / "trades.csv")
    if not trades:
        if fills or float(summary["net"]) != 0.0:
            raise SystemExit(f"FAIL: {run}: fills or P&L without a trade")
        print(f"{run}: no trade")
        return None
    return summary, stats, fills, trades


def main():
    bin_dir, src, work = (pathlib.Path(a) for a in sys.argv[1:4])
    odted, odte = bin_dir / "odted", bin_dir / "odte"
    work.mkdir(parents=True, exist_ok=True)
    checked_fills = checked_trades = 0
    first_run = None
    days = sorted({p.name: p.relative_to(src).as_posix()
                   for d in DAY_DIRS for p in (src / d).glob("spy-0dte-*.odr")}.values(), key=lambda r: r[-14:])
    for config in CONFIGS:
        trading_days = 0
        for recording in days:
            run = f"{pathlib.Path(config).name} on {pathlib.Path(recording).name}"
            out = work / (pathlib.Path(config).stem + "-" + pathlib.Path(recording).stem)
            result = run_config(odted, src, config, recording, out, run)
            if result is None:
                continue
            summary, stats, fills, trades = result
            trading_days += 1
            cfg = tomllib.loads((src / config).read_text())
            quotes = Quotes(odte, src / recording)
            orders = journal_orders(odte, out / "journal.odj")
            bad = check(run, quotes, orders, fills, trades, summary, stats, cfg)
            if bad:
                print("\n".join("FAIL: " + b for b in bad))
                raise SystemExit(1)
            checked_fills += len(fills)
            checked_trades += len(trades)
            print(f"{run}: {len(trades)} trades, {len(fills)} fills in {check.kinds['on arrival']} executions on "
                  f"arrival and {check.kinds['rested']} resting, net {summary['net']}: every fill at its touch or limit, "
                  f"every dollar to the cent")
            if first_run is None:
                first_run = (run, quotes, orders, fills, trades, summary, stats, cfg)
        if trading_days < MIN_TRADING_DAYS:
            raise SystemExit(f"FAIL: {config} traded on {trading_days} of {len(days)} real days; this check needs "
                             f"at least {MIN_TRADING_DAYS}")

    # The checker fails when a number is wrong by a cent.
    run, quotes, orders, fills, trades, summary, stats, cfg = first_run
    moved = [dict(f) for f in fills]
    moved[0]["price"] = f"{float(moved[0]['price']) + 0.01:.4f}"
    if not check(run, quotes, orders, moved, trades, summary, stats, cfg):
        raise SystemExit("FAIL: a fill price a cent off was not caught")
    wrong = [dict(t) for t in trades]
    wrong[0]["pnl"] = f"{float(wrong[0]['pnl']) + 0.01:.2f}"
    if not check(run, quotes, orders, fills, wrong, summary, stats, cfg):
        raise SystemExit("FAIL: a trade P&L a cent off was not caught")
    if not check(run, quotes, orders, fills, trades, dict(summary, net=f"{float(summary['net']) + 0.01:.3f}"), stats,
                 cfg):
        raise SystemExit("FAIL: a summary net a cent off was not caught")
    print(f"real_day_pnl: {len(CONFIGS)} shipped configs on {len(days)} real days, {checked_trades} trades and {checked_fills} fills "
          f"checked to the cent from the recorded quotes; a cent off is caught")


if __name__ == "__main__":
    main()
