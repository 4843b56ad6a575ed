#!/usr/bin/env python3
"""Turns JMH JSON results (-rf json) of the dino4j benchmarks into the Markdown tables of docs/benchmarks.md.

Usage: python3 dino-bench/jmh_to_md.py RESULT.json [RESULT.json ...]
Adds the derived columns: GB/s for the EMA variants and references (bytes moved / time: 12 bytes per parameter
for the EMA and the triad, 8 for the copy), GB/s of the loss against its one-read-one-write floor, images/s for
augmentation.
"""
import json
import sys


def rows(paths):
    for p in paths:
        with open(p) as f:
            for r in json.load(f):
                yield r


def fmt(x):
    if isinstance(x, str):
        try:
            x = float(x)
        except ValueError:
            return x
    if x is None or x != x:
        return "n/a"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def main(paths):
    by_class = {}
    for r in rows(paths):
        cls, method = r["benchmark"].rsplit(".", 2)[-2:]
        by_class.setdefault(cls, []).append((method, r))
    for cls, items in by_class.items():
        print(f"\n#### {cls}\n")
        params = []
        for _, r in items:
            for k in (r.get("params") or {}):
                if k not in params:
                    params.append(k)
        extra = {"EmaBenchmark": "GB/s", "LossBenchmark": "GB/s (floor bytes)", "CenterBenchmark": "GB/s (read)"}.get(cls)
        head = ["method"] + params + ["score", "± error (99.9%)", "unit", "samples"] + ([extra] if extra else [])
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for method, r in items:
            p = r.get("params") or {}
            m = r["primaryMetric"]
            score, err, unit = m["score"], m["scoreError"], m["scoreUnit"]
            n = sum(len(x) for x in m.get("rawData", []))
            cells = [method] + [p.get(k, "") for k in params] + [fmt(score), fmt(err), unit, str(n)]
            if extra:
                gbs = None
                ms = score if unit == "ms/op" else None
                if ms:
                    if cls == "EmaBenchmark":
                        per = 8 if method == "copy" else 12
                        gbs = per * int(p["parameters"]) / (ms / 1e3) / 1e9
                    elif cls == "LossBenchmark":
                        b = int(p.get("batch") or p.get("sdBatch"))
                        k = int(p.get("k") or p.get("sdK"))
                        n_loc = int(p.get("locals") or p.get("sdLocals"))
                        byts = 4 * k * b * (2 * (2 + n_loc) + 2)
                        gbs = byts / (ms / 1e3) / 1e9
                    elif cls == "CenterBenchmark":
                        gbs = 4 * 2 * int(p["batch"]) * int(p["k"]) / (ms / 1e3) / 1e9
                cells.append(fmt(gbs))
            print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
