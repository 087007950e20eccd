#!/usr/bin/env python3
"""bench/run's last step: reads the raw outputs in SCRATCH, prints one table and writes OUT (JSON).

Every figure is the median over repetitions (Google Benchmark --benchmark_repetitions) or passes
(the whole-path tools), with the min-max beside it. Each row pairs odte's figure with one peer or
limit measured in the same run and says what the ratio means. Standard library only.
"""
import glob
import json
import os
import statistics
import sys


def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


class GBench:
    """Per-repetition values of a Google Benchmark JSON output."""

    def __init__(self, path):
        data = load(path) or {}
        self.runs = [b for b in data.get("benchmarks", []) if b.get("run_type") == "iteration"]

    def values(self, name, key):
        out = []
        for b in self.runs:
            if b.get("run_name") != name and b.get("name") != name:
                continue
            v = b.get(key)
            if v is None:
                continue
            if key in ("real_time", "cpu_time"):
                v = to_ns(v, b.get("time_unit", "ns"))
            out.append(v)
        return out


def to_ns(v, unit):
    return v * {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[unit]


rows = []


def row(section, figure, unit, odte, peer_name, peer, ratio_kind, note=""):
    """ratio_kind: 'higher' (odte/peer, >1 = odte better), 'lower' (peer/odte, >1 = odte better),
    'of_limit' (odte/limit as a fraction), 'x_floor' (odte/floor, how many times the floor),
    'info' (two figures side by side, no ratio)."""
    ratio = None
    if odte and peer and peer["median"] and odte["median"]:
        o, p = odte["median"], peer["median"]
        ratio = {"higher": o / p, "lower": p / o, "of_limit": o / p, "x_floor": o / p}.get(ratio_kind)
    rows.append({"section": section, "figure": figure, "unit": unit, "odte": odte, "peer_name": peer_name,
                 "peer": peer, "ratio": ratio, "ratio_kind": ratio_kind, "note": note})


def fmt(v, unit):
    if v is None:
        return "-"
    if unit in ("ops/s", "events/s"):
        for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
            if abs(v) >= scale:
                return f"{v / scale:.3g}{suffix}"
        return f"{v:.3g}"
    if unit == "ns":
        if v >= 1e6:
            return f"{v / 1e6:.3g}ms"
        if v >= 1e3:
            return f"{v / 1e3:.3g}us"
        return f"{v:.3g}"
    if unit == "rel":
        return f"{v:.1e}"
    return f"{v:.3g}"


def fmt_stats(s, unit):
    if s is None:
        return "n/a"
    if s["n"] == 1:
        return fmt(s["median"], unit)
    return f"{fmt(s['median'], unit)} [{fmt(s['min'], unit)}-{fmt(s['max'], unit)}]"


def fmt_ratio(r):
    if r["ratio"] is None:
        return "-"
    v, k = r["ratio"], r["ratio_kind"]
    if k == "of_limit":
        return f"{100 * v:.3g}% of limit"
    if k == "x_floor":
        return f"{v:.3g}x the floor"
    return f"{v:.3g}x {'better' if v >= 1 else 'worse'}"


def main():
    scratch, out_path = sys.argv[1], sys.argv[2]
    machine = load(os.path.join(scratch, "machine.json")) or {}
    timing = load(os.path.join(scratch, "timing.json")) or {}

    # 1. SPSC ring.
    ring = GBench(os.path.join(scratch, "ring.json"))
    for payload in ("u64", "event64"):
        tp = lambda q: stats(ring.values(f"ring/throughput/{payload}/{q}/real_time", "items_per_second"))
        for q, name in (("boost_lockfree", "boost::lockfree::spsc_queue"), ("moodycamel", "moodycamel::ReaderWriterQueue")):
            row("SPSC ring", f"throughput, {payload} messages, 2 threads on 2 cores", "ops/s", tp("odte"), name, tp(q), "higher")
    tp = lambda q: stats(ring.values(f"ring/throughput/event64/{q}/real_time", "items_per_second"))
    row("SPSC ring", "throughput, event64 messages, staged and published 55 at a time", "ops/s", tp("odte_batched55"),
        "odte::SpscRing, one publish per message (try_push)", tp("odte"), "higher")
    rt = lambda q: stats(ring.values(f"ring/roundtrip/{q}/iterations:20/manual_time", "real_time"))
    best = lambda q: stats(ring.values(f"ring/roundtrip/{q}/iterations:20/manual_time", "best_group_ns"))
    for q, name in (("boost_lockfree", "boost::lockfree::spsc_queue"), ("moodycamel", "moodycamel::ReaderWriterQueue")):
        row("SPSC ring", "round trip (median of 8-round-trip groups)", "ns", rt("odte"), name, rt(q), "lower")
    row("SPSC ring", "round trip (median of 8-round-trip groups)", "ns", rt("odte"), "cross-core cache-line round trip",
        rt("cacheline_floor"), "x_floor", "the floor: one cache line bounced between the two cores")
    for q, name in (("boost_lockfree", "boost::lockfree::spsc_queue"), ("moodycamel", "moodycamel::ReaderWriterQueue")):
        row("SPSC ring", "round trip (fastest group of the run)", "ns", best("odte"), name, best(q), "lower")
    row("SPSC ring", "round trip (fastest group of the run)", "ns", best("odte"), "cross-core cache-line round trip",
        best("cacheline_floor"), "x_floor", "fastest group: the nearest figure to an idle machine when it is busy")

    # 2. Parse.
    parse = GBench(os.path.join(scratch, "parse.json"))
    for n in (1, 10):
        ns = lambda b: stats([1e9 / v for v in parse.values(f"{b}/{n}", "items_per_second")])
        gbs = lambda b: stats([v / 1e9 for v in parse.values(f"{b}/{n}", "bytes_per_second")])
        peers = (("BM_SimdjsonDomParseOnly", "simdjson DOM parse only (the limit)"),
                 ("BM_SimdjsonOnDemandMinimal", "minimal simdjson On-Demand extractor"),
                 ("BM_RapidJson", "RapidJSON DOM + fields"), ("BM_Nlohmann", "nlohmann::json + fields"))
        for b, name in peers:
            row("Parse", f"ns/event, {n} event{'s' if n > 1 else ''}/frame (CPU time)", "ns", ns("BM_OdteFrameParser"), name, ns(b), "lower")
        row("Parse", f"GB/s, {n} event{'s' if n > 1 else ''}/frame", "GB/s", gbs("BM_OdteFrameParser"),
            "simdjson DOM parse only (the limit)", gbs("BM_SimdjsonDomParseOnly"), "of_limit")

    # 3. Ingest.
    ingest = load(os.path.join(scratch, "ingest_odte.json")) or {"passes": []}
    null = load(os.path.join(scratch, "ingest_null.json")) or {"passes": []}
    js = load(os.path.join(scratch, "ingest_js.json")) or {"unavailable": "no output"}
    tcp = load(os.path.join(scratch, "tcp.json")) or {"passes": []}
    eps = lambda d: stats([p["events"] / p["wall_s"] for p in d.get("passes", []) if p["wall_s"] > 0])
    per_m = lambda d, key: stats([p[key] / p["events"] * 1e6 for p in d.get("passes", [])
                                  if p["events"] > 0 and p.get(key, -1) >= 0])
    cpm = lambda d: per_m(d, "cpu_s")
    js_name = f"Massive JS client {js.get('client', '')} on node {js.get('node', '?')}"
    js_note = js.get("unavailable", "")
    repeat = ingest.get("repeat", 1)
    sec = "Ingest (loopback websocket)"
    odte_eps, feed_cpm = eps(ingest), per_m(ingest, "feed_threads_cpu_s")
    row(sec, f"events/s at saturation, replay-server --speed max --repeat {repeat} -> client", "events/s", odte_eps,
        js_name, eps(js), "higher", js_note or "each client alone on the server, one continuous stream per connection")
    row(sec, "CPU-s per million events: odte feed threads vs the JS process", "s", feed_cpm,
        js_name, cpm(js), "lower", js_note or "odte: the three feed threads (websocket client + parser + ring push)")
    row(sec, "CPU-s per million events: whole client process", "s", cpm(ingest),
        js_name, cpm(js), "lower", "odte's figure adds its consumer thread (the live merge counting events)")
    parse_ns = stats([1e9 / v for v in parse.values("BM_OdteFrameParser/10", "items_per_second")])
    parse_cpm = {k: (v / 1e3 if k != "n" else v) for k, v in parse_ns.items()} if parse_ns else None
    row(sec, "CPU-s per million events: odte's parser alone (bench_parse, 10 events/frame)", "s", parse_cpm,
        js_name, cpm(js), "lower", "the most the ingest CPU ratio can reach with this parser and a free transport")
    row(sec, "CPU-s per million events: odte feed threads vs the websocket transport alone", "s", feed_cpm,
        "null client: feeds::WsClient, frames not parsed", per_m(null, "feed_threads_cpu_s"), "x_floor",
        "the transport's share of a feed thread's cost")
    row(sec, "events/s", "events/s", odte_eps, "null client: the server + WsClient, nothing parsed", eps(null),
        "of_limit", "what this server delivers on this machine to a client that costs nothing per event")
    row(sec, "server CPU-s per million events: serving odte / serving the JS client", "s", per_m(ingest, "server_cpu_s"),
        "(same server, serving the JS client)", per_m(js, "server_cpu_s"), "info",
        "the server's own cost per event; its capacity on one core is 1e6 / this figure")
    bpe = ingest.get("wire_bytes_per_event")
    ceiling = stats([p["bytes"] / p["wall_s"] / bpe for p in tcp.get("passes", []) if bpe and p["wall_s"] > 0])
    row(sec, "events/s", "events/s", odte_eps, "loopback TCP bulk ceiling",
        ceiling, "of_limit", f"ceiling = loopback bytes/s / {bpe:.1f} wire bytes per event" if bpe else "")
    drops = sum(p.get("ring_drops", 0) for p in ingest.get("passes", []))
    expected = ingest.get("expected_events")
    short = [n for n, d in (("odte", ingest), ("js", js)) for p in d.get("passes", [])
             if expected and p["events"] != expected]

    # 4. Tick to order.
    buckets, counts, per_run, rss_ws = {}, 0, {"p50": [], "p99": [], "max": []}, []
    orders_per_run = []
    for summary in sorted(glob.glob(os.path.join(scratch, "tick*", "summary.json"))):
        t = (load(summary) or {}).get("tick_to_order_ns")
        r = load(os.path.join(os.path.dirname(summary), "rss.json"))
        if r:
            rss_ws.append(r["max_rss_kb"] / 1024)
        if not t:
            continue
        orders_per_run.append(t["count"])
        counts += t["count"]
        for k in per_run:
            if t["count"]:
                per_run[k].append(t[k])
        for edge, c in t["buckets"]:
            buckets[edge] = buckets.get(edge, 0) + c
    merged = sorted(buckets.items())

    def pct(q):
        if not counts:
            return None
        rank = max(1, min(counts, int(q * counts + 0.5)))
        seen = 0
        for edge, c in merged:
            seen += c
            if seen >= rank:
                return edge
        return merged[-1][0]

    floor = stats(ring.values("ring/roundtrip/cacheline_floor/iterations:20/manual_time", "best_group_ns"))
    tick = {"samples": counts, "runs": len(orders_per_run), "orders_per_run": orders_per_run,
            "p50": pct(0.5), "p99": pct(0.99), "p99_9": pct(0.999), "max": merged[-1][0] if merged else None,
            "per_run": {k: stats(v) for k, v in per_run.items()}, "buckets": merged}
    for label, q in (("p50", 0.5), ("p99", 0.99), ("p99.9", 0.999)):
        v = pct(q)
        row("Tick to order (odted, websocket, full speed)", f"{label} frame received -> order in CommandRing", "ns",
            {"median": v, "min": v, "max": v, "n": 1} if v is not None else None,
            "cross-core cache-line round trip (fastest group)", floor, "x_floor",
            f"{counts} orders over {len(orders_per_run)} runs, all runs merged into one histogram")
    row("Tick to order (odted, websocket, full speed)", "max", "ns",
        {"median": tick["max"], "min": tick["max"], "max": tick["max"], "n": 1} if tick["max"] else None,
        "cross-core cache-line round trip (fastest group)", floor, "x_floor")
    if per_run["p50"]:
        rows.append({"section": "Tick to order (odted, websocket, full speed)", "figure": "p50 of each run", "unit": "ns",
                     "odte": stats(per_run["p50"]), "peer_name": "", "peer": None, "ratio": None, "ratio_kind": "",
                     "note": ""})

    # 4b. Core tick to order: in-process, each event stamped as it reaches the core (bench_replay).
    rep = load(os.path.join(scratch, "replay.json")) or {"passes": [], "events": 0}
    core = rep.get("tick_to_order_core_ns") or {}
    for label, key in (("p50", "p50"), ("p99", "p99"), ("p99.9", "p99_9"), ("max", "max")):
        v = core.get(key)
        row("Tick to order (core only, in-process)", f"{label} event handed to the core -> order in CommandRing", "ns",
            {"median": v, "min": v, "max": v, "n": 1} if core.get("count") else None,
            "cross-core cache-line round trip (fastest group)", floor, "x_floor",
            f"{core.get('count', 0)} orders over the latency passes" if key == "p50" else "")

    # 5. Implied vol.
    opt = GBench(os.path.join(scratch, "options.json"))
    for s, set_name in (("0", "0DTE grid"), ("1", "near the money")):
        ours = stats(opt.values(f"BM_OdteImpliedVol/{s}", "cpu_time"))
        for acc, acc_name in (("0", "QuantLib blackFormulaImpliedStdDev, accuracy 1e-12"), ("1", "QuantLib, default accuracy 1e-6")):
            row("Implied vol", f"ns per solve, {set_name} (CPU time)", "ns", ours, acc_name,
                stats(opt.values(f"BM_QuantLibImpliedVol/{s}/{acc}", "cpu_time")), "lower")
        err = stats(opt.values(f"BM_OdteImpliedVol/{s}", "worst_rel_err"))
        row("Implied vol", f"worst relative repricing error, {set_name}", "rel", err,
            "QuantLib, accuracy 1e-12", stats(opt.values(f"BM_QuantLibImpliedVol/{s}/0", "worst_rel_err")), "none",
            "no ratio: a worst case of 1 means QuantLib missed some points outright (bench_options' summary counts them)"
            if s == "0" else "")

    # Engine (context for replay: the core's per-event cost on a synthetic full chain).
    eng = GBench(os.path.join(scratch, "engine.json"))
    ens = lambda b: stats(eng.values(f"engine/per_event/{b}", "cpu_time"))
    row("Engine", "ns/event, full chain, five strategies (CPU time)", "ns", ens("full_chain_five_strategies"),
        "MarketState alone (the floor)", ens("market_state_only"), "x_floor")

    # Journal durability: an order command's record, write(2) + fdatasync against write(2) alone.
    jnl = GBench(os.path.join(scratch, "journal.json"))
    js = lambda b: stats(jnl.values(f"journal/order_command/{b}/real_time", "real_time"))
    row("Journal", "order command record, write(2) + fdatasync (sync_before_send waits for this)", "ns",
        js("write_fdatasync"), "write(2) alone, same file system", js("write"), "x_floor",
        "what [journal] durability = \"sync_before_send\" adds to every order; send_then_sync waits for neither")

    # 6. Replay throughput.
    ev = rep.get("events", 0)
    pipe = stats([ev / p["pipeline_s"] for p in rep["passes"]])
    dec = stats([ev / p["decode_s"] for p in rep["passes"]])
    row("Replay (in-process, the real day)", "events/s through run_replay (parse, core, strategies, risk, journal, paper broker)",
        "events/s", pipe, "bare decode of the same recording (read + parse)", dec, "of_limit",
        f"{ev} events, {rep.get('orders', 0)} orders per day")
    days = stats([60.0 / p["pipeline_s"] for p in rep["passes"]])
    rows.append({"section": "Replay (in-process, the real day)", "figure": "event-days per minute", "unit": "",
                 "odte": days, "peer_name": "", "peer": None, "ratio": None, "ratio_kind": "", "note": ""})
    rss_in = load(os.path.join(scratch, "rss_inproc.json")) or {"max_rss_kb": []}
    rows.append({"section": "Replay (in-process, the real day)", "figure": "peak RSS of odted, MiB (in-process replay)",
                 "unit": "", "odte": stats([k / 1024 for k in rss_in["max_rss_kb"]]), "peer_name": "odted over websocket",
                 "peer": stats(rss_ws), "ratio": None, "ratio_kind": "", "note": "RUSAGE_CHILDREN ru_maxrss"})

    # Print.
    print()
    print(f"odte bench/run -- {machine.get('date_utc', '?')}  git {machine.get('git', '?')}")
    print(f"machine: {machine.get('cores', '?')} cores, {machine.get('cpu_model', '?')}, kernel {machine.get('kernel', '?')}; "
          f"load {machine.get('load_avg_start', '?')} at start, {timing.get('load_avg_end', '?')} at end")
    print(f"build: {machine.get('build_type', '?')}, {machine.get('compiler', '?')}; "
          f"{machine.get('repetitions')} repetitions / {machine.get('passes')} passes per figure; "
          f"build {timing.get('build_s', '?')} s, total {timing.get('total_s', '?')} s")
    print("figures: median [min-max] over repetitions or passes\n")
    headers = ("figure", "odte", "peer / limit", "peer", "ratio")
    table = []
    section = None
    for r in rows:
        if r["section"] != section:
            section = r["section"]
            table.append((f"== {section}", "", "", "", ""))
        unit = f" ({r['unit']})" if r["unit"] and r["unit"] not in ("rel",) else ""
        table.append((r["figure"] + unit, fmt_stats(r["odte"], r["unit"]), r["peer_name"] or "",
                      fmt_stats(r["peer"], r["unit"]) if r["peer_name"] else "", fmt_ratio(r) if r["peer_name"] else ""))
        if r["note"]:
            table.append(("   " + r["note"], "", "", "", ""))
    widths = [max(len(str(t[i])) for t in table + [headers]) for i in range(5)]
    widths[0] = min(widths[0], 78)
    line = lambda t: "  ".join(str(c)[:widths[i]].ljust(widths[i]) if i == 0 else str(c).ljust(widths[i])
                               for i, c in enumerate(t)).rstrip()
    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for t in table:
        if t[0].startswith("== ") or t[0].startswith("   "):
            print(t[0])
        else:
            print(line(t))
    if drops:
        print(f"\nWARNING: {drops} events dropped on full feed rings during ingest")
    if short:
        print(f"\nWARNING: ingest passes that did not count every event the server sent: {short}")

    def histogram(title, buckets):
        """HdrHistogram-style percentile distribution, then the counts in power-of-two bins."""
        print(f"\n{title}")
        total = sum(c for _, c in buckets)
        if not total:
            print("  (no orders were drained: nothing to show)")
            return
        print(f"  {'value':>9}  {'percentile':>10}  {'count':>6}")
        shown = set()
        for q in (0.0, 0.25, 0.5, 0.75, 0.875, 0.9375, 0.96875, 0.99, 0.999, 1.0):
            rank, seen = max(1, min(total, int(q * total + 0.5))), 0
            for edge, c in buckets:
                seen += c
                if seen >= rank:
                    break
            if (edge, seen) in shown:
                continue
            shown.add((edge, seen))
            print(f"  {fmt(edge, 'ns'):>9}  {100.0 * seen / total:9.3f}%  {seen:6d}")
        bins = {}
        for edge, c in buckets:
            b = 1 << max(0, int(edge).bit_length() - 1)
            bins[b] = bins.get(b, 0) + c
        top = max(bins.values())
        lo, hi = min(bins), max(bins)
        b = lo
        while b <= hi:
            c = bins.get(b, 0)
            print(f"  [{fmt(b, 'ns'):>7}, {fmt(2 * b, 'ns'):>7})  {c:6d}  {'#' * round(40 * c / top)}")
            b *= 2
        print(f"  {total} samples")

    histogram("tick to order, odted over websocket at full speed (all runs merged; values are bucket upper edges):",
              merged)
    histogram("tick to order, core only (in-process, stamped at hand-out to the core):",
              [tuple(b) for b in core.get("buckets", [])])

    result = {"machine": machine, "timing": timing, "rows": rows, "tick_to_order_ns": tick,
              "tick_to_order_core_ns": core,
              "ingest_js": {k: v for k, v in js.items() if k != "passes"},
              "ingest_repeat": repeat,
              "ratio_kinds": {"higher": "odte/peer, >1 = odte better", "lower": "peer/odte, >1 = odte better",
                              "of_limit": "odte/limit", "x_floor": "odte/floor"}}
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(f"\nwritten: {out_path}")


if __name__ == "__main__":
    main()
