#!/usr/bin/env python3
"""Tables of docs/PERFORMANCE.md "Search" from a bench/run_search.sh work folder.

Usage: bench/search_summary.py [WORKDIR]     (default /tmp/opsdesk-search)

Reads WORKDIR/results-search.txt (RESULT lines; the last of each label wins per
round) and the per-request files per-query-ENGINE-KIND-c1-rN.txt that
load_generator --per-path-out wrote, with the match counts counts-ENGINE-KIND.txt.
"""
import collections
import os
import statistics
import sys

workdir = sys.argv[1] if len(sys.argv) > 1 else "/tmp/opsdesk-search"
KINDS = ["one-word", "three-word", "phrase"]


def parse(line):
    out = {}
    for token in line.split()[1:]:
        if "=" in token:
            k, v = token.split("=", 1)
            out[k] = v
    return out


rows = []
with open(os.path.join(workdir, "results-search.txt")) as f:
    for line in f:
        if line.startswith("RESULT "):
            rows.append(parse(line))


def latest(**match):
    found = [r for r in rows if all(r.get(k) == v for k, v in match.items())]
    return found[-1] if found else None


def fmt(v):
    if v is None:
        return "–"
    v = float(v)
    if v >= 1000:
        return f"{v:,.0f}"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def http(engine, label):
    """'p50 / p99 / max (load)' for each round of an HTTP label."""
    cells = []
    for rnd in (1, 2, 3):
        r = latest(engine=engine, label=f"{label}-r{rnd}")
        if r:
            cells.append(f"{fmt(r['p50_ms'])} / {fmt(r['p99_ms'])} / {fmt(r['max_ms'])} (load {r['loadavg_before']})")
    return "<br>".join(cells) if cells else "–"


def best_p(engine, label, key):
    vals = [float(r[key]) for rnd in (1, 2, 3) if (r := latest(engine=engine, label=f"{label}-r{rnd}"))]
    return min(vals) if vals else None


def inproc(engine, label):
    cells = []
    for rnd in ("1", "2", "3"):
        r = latest(engine=engine, target="in-process", label=label, round=rnd)
        if r:
            cells.append(f"{fmt(r['p50_ms'])} / {fmt(r['p99_ms'])} / {fmt(r['max_ms'])} (load {r['loadavg']})")
    return "<br>".join(cells) if cells else "–"


def counts(engine, kind):
    r = latest(engine=engine, mode="search-count", kind=kind)
    if not r:
        return "–"
    s = f"{int(float(r['tickets_p50'])):,} ({int(float(r['tickets_min'])):,}–{int(float(r['tickets_max'])):,})"
    if "articles_p50" in r:
        s += f"; articles {int(float(r['articles_p50'])):,}"
    return s


engines = [e for e in ("sqlite", "postgresql") if latest(engine=e, mode="search-count")]
has_rt = latest(engine="rt", mode="search-count") is not None

for r in rows:
    if r.get("mode") == "datagen":
        print(f"data: {r['engine']}: tickets={r.get('tickets')} comments={r.get('comments')} "
              f"articles={r.get('articles')} load_s={r.get('load_s')} index_s={r.get('index_s')} bulk_index={r.get('bulk_index')}")
for e in engines:
    r = latest(engine=e, mode="index-size")
    if r:
        search, data = float(r["search_mb"]), float(r["data_mb"])
        extra = " ".join(f"{k}={v}" for k, v in r.items() if k.endswith("_mb"))
        print(f"index size: {e}: search {search:,.0f} MB = {100 * search / data:.0f} % of the other data "
              f"({data:,.0f} MB), {100 * search / (search + data):.0f} % of the total; {extra}")
print()

print("| query kind | figure | " + " | ".join(f"opsdesk {e}" for e in engines) + (" | RT 5 (SQLite) |" if has_rt else " |"))
print("|---|---|" + "---|" * len(engines) + ("---|" if has_rt else ""))
for kind in KINDS:
    lines = [
        ("tickets matched: median (min–max)", lambda e: counts(e, kind)),
        ("HTTP, 1 conn: p50 / p99 / max ms", lambda e: http(e, f"search-{kind}-c1")),
        ("HTTP, 1 conn, as_you_type", lambda e: http(e, f"search-{kind}-ayt-c1")),
        ("HTTP, 8 conns", lambda e: http(e, f"search-{kind}-c8")),
        ("in process (SearchService)", lambda e: inproc(e, kind)),
    ]
    for i, (name, fn) in enumerate(lines):
        cells = [fn(e) for e in engines]
        rt = ""
        if has_rt:
            rt = {0: counts("rt", kind), 1: http("rt", f"search-{kind}-c1")}.get(i, "")
            rt = f" {rt} |"
        print(f"| {kind if i == 0 else ''} | {name} | " + " | ".join(cells) + " |" + rt)
print()
print("| suggestions, typing 50 questions | " + " | ".join(f"opsdesk {e}" for e in engines) + " |")
print("|---|" + "---|" * len(engines))
print("| HTTP, 1 conn, each keystroke: p50 / p99 / max ms | " +
      " | ".join(http(e, "suggest-typing-c1") for e in engines) + " |")
print("| in process (SuggestArticles) | " + " | ".join(inproc(e, "typing") for e in engines) + " |")

if has_rt:
    print()
    print("Ratios RT ÷ opsdesk (best round of each, HTTP, 1 connection):")
    for e in engines:
        for kind in KINDS:
            o50, o99 = best_p(e, f"search-{kind}-c1", "p50_ms"), best_p(e, f"search-{kind}-c1", "p99_ms")
            r50, r99 = best_p("rt", f"search-{kind}-c1", "p50_ms"), best_p("rt", f"search-{kind}-c1", "p99_ms")
            if o50 and r50:
                print(f"  {e} {kind}: p50 {r50:.1f} / {o50:.1f} = {r50 / o50:.1f}x, p99 {r99:.1f} / {o99:.1f} = {r99 / o99:.1f}x")


def per_query(engine, kind, suffix="c1"):
    lat = collections.defaultdict(list)
    for rnd in (1, 2, 3):
        path = os.path.join(workdir, f"per-query-{engine}-{kind}-{suffix}-r{rnd}.txt")
        if not os.path.exists(path):
            continue
        for line in open(path):
            n, status, us, size = line.split()
            lat[int(n)].append(int(us) / 1000)
    return lat


print()
print("Slowest queries (median over passes and rounds, HTTP, 1 connection), with tickets / articles matched:")
for e in engines + (["rt"] if has_rt else []):
    for kind in KINDS:
        lat = per_query(e, kind)
        if not lat:
            continue
        cpath = os.path.join(workdir, "queries", f"counts-{e}-{kind}.txt")
        cl = [l.rstrip("\n").split(" ", 2) for l in open(cpath)] if os.path.exists(cpath) else []
        med = sorted(((statistics.median(v), n) for n, v in lat.items()), reverse=True)
        top = ", ".join(f"{cl[n][2] if n < len(cl) else n} {m:.0f} ms ({cl[n][0] if n < len(cl) else '?'} / "
                        f"{cl[n][1] if n < len(cl) else '?'})" for m, n in med[:4])
        fast = med[-1]
        print(f"  {e} {kind}: {top}; fastest {cl[fast[1]][2] if fast[1] < len(cl) else fast[1]} {fast[0]:.1f} ms")
    lat = per_query(e, "typing")
    if lat:
        keys = [l.rstrip("\n") for l in open(os.path.join(workdir, "queries", "typing-keystrokes.q"))]
        med = sorted(((statistics.median(v), n) for n, v in lat.items()), reverse=True)
        print(f"  {e} typing: slowest keystrokes " +
              ", ".join(f"'{keys[n]}' {m:.0f} ms" for m, n in med[:5]))
        by_len = collections.defaultdict(list)
        for n, v in lat.items():
            last = keys[n].split(" ")[-1]
            by_len[min(len(last), 5)].extend(v)
        print(f"  {e} typing: p50 / p99 by length of the word being typed: " +
              ", ".join(f"{k}{'+' if k == 5 else ''} chars {statistics.median(v):.1f} / "
                        f"{sorted(v)[max(0, int(len(v) * 0.99) - 1)]:.1f} ms" for k, v in sorted(by_len.items())))
