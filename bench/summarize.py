#!/usr/bin/env python3
"""Prints the benchmark summary table from results files.

Usage: bench/summarize.py results-opsdesk.txt [results-rt.txt]

Each file holds runs separated by '# run ...' header lines and RESULT lines
(key=value) from load_generator, run_opsdesk.sh and run_rt.sh. Only the last
run of each file is used. With an RT file, the table gains an RT column and
the ratio opsdesk-SQLite : RT (throughput: how many times more; latency, start
time, memory: how many times less).
"""
import sys


def last_run(path):
    blocks, current = [], []
    with open(path) as f:
        for line in f:
            if line.startswith("# run"):
                current = [line]
                blocks.append(current)
            elif current is not None:
                current.append(line)
    lines = blocks[-1] if blocks else []
    results = {}
    header = lines[0].strip() if lines else ""
    for line in lines:
        if not line.startswith("RESULT "):
            continue
        fields = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
        system = "rt" if fields.get("target") == "rt" else fields.get("engine", "?")
        results[(system, fields.get("label", "-"))] = fields
    return header, results


ROWS = [
    ("create, 1 client", "create-1", [("rps", "tickets/s", True), ("p50_ms", "p50 ms", False), ("p99_ms", "p99 ms", False)]),
    ("create, 64 clients", "create-64", [("rps", "tickets/s", True), ("p50_ms", "p50 ms", False), ("p99_ms", "p99 ms", False)]),
    ("GET ticket, 256 conns", "get-256", [("rps", "req/s", True), ("p50_ms", "p50 ms", False), ("p99_ms", "p99 ms", False)]),
    ("GET ticket, 256 conns (wrk)", "get-256-wrk", [("rps", "req/s", True), ("p50_ms", "p50 ms", False), ("p99_ms", "p99 ms", False)]),
    ("list page, 1 conn", "list-1", [("rps", "req/s", True), ("p50_ms", "p50 ms", False), ("p99_ms", "p99 ms", False)]),
    ("list page, 16 conns", "list-16", [("rps", "req/s", True), ("p50_ms", "p50 ms", False), ("p99_ms", "p99 ms", False)]),
    ("start", "start-1m", [("start_s", "s", False)]),
    ("memory", "rss-1m", [("rss_mb", "VmRSS MB", False), ("anon_mb", "RssAnon MB", False), ("pss_mb", "Pss MB", False)]),
]


def main(paths):
    results = {}
    for path in paths:
        header, found = last_run(path)
        print(header)
        results.update(found)
    systems = [s for s in ("sqlite", "postgresql", "rt") if any(k[0] == s for k in results)]
    names = {"sqlite": "opsdesk SQLite", "postgresql": "opsdesk PostgreSQL", "rt": "RT 5 (SQLite)"}
    cols = [names[s] for s in systems] + (["SQLite : RT"] if "rt" in systems and "sqlite" in systems else [])
    print("| operation | figure | " + " | ".join(cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for title, label, figures in ROWS:
        for key, unit, higher_is_better in figures:
            cells = []
            values = {}
            for s in systems:
                fields = results.get((s, label))
                value = fields.get(key) if fields else None
                if fields and int(fields.get("failed", "0") or 0) > 0:
                    value = (value or "?") + f" ({fields['failed']} failed)"
                values[s] = fields.get(key) if fields else None
                cells.append(value if value is not None else "-")
            if "SQLite : RT" in cols:
                a, b = values.get("sqlite"), values.get("rt")
                try:
                    a, b = float(a), float(b)
                    ratio = a / b if higher_is_better else b / a
                    cells.append(f"{ratio:.0f}x" if ratio >= 10 else f"{ratio:.1f}x")
                except (TypeError, ValueError, ZeroDivisionError):
                    cells.append("-")
            print(f"| {title} | {unit} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1:])
