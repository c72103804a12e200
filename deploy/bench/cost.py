#!/usr/bin/env python3
"""The cost of each variant against a base one, from variants.sh RESULT lines.

  cost.py RESULTS.txt [--base plain] [--last] [--pool]

For every variant and measure (cpu, usr, sys seconds per 10k requests): the median over its reps,
its cost against the base's median, and the median of the per-rep costs (each rep against the base's
run of the same rep, which ran next to it). --last reads only the file's last invocation.
--pool: variants named LABEL1, LABEL2, ... are several nodes of one variant (BENCH_ALTERNATE=1 with the
same CONF listed more than once, so a run samples more than one process of each: a process's heap layout
and JIT decisions move its CPU per request by several per cent). Each rep's nodes of a variant count as
one: their CPU seconds over their requests.
"""
import re
import argparse
import statistics
from collections import defaultdict

from resultlines import ok_results

MEASURES = [("cpu_s_per_10k", "cpu"), ("usr_s_per_10k", "usr"), ("sys_s_per_10k", "sys")]


def load(path, last):
    runs = defaultdict(dict)
    for kv in ok_results(path, since="# variants.sh" if last else None):
        runs[kv["target"]][int(kv["rep"])] = kv
    return runs


def pooled(runs):
    """LABELn variants merged per rep: CPU (and usr, sys) seconds summed over requests summed."""
    stem = {t: re.sub(r"\d+$", "", t) for t in runs}
    # a label merges only with its siblings (u2 alone stays u2)
    family = {t: s if list(stem.values()).count(s) > 1 else t for t, s in stem.items()}
    merged = defaultdict(lambda: defaultdict(list))
    for target, reps in runs.items():
        for rep, kv in reps.items():
            merged[family[target]][rep].append(kv)
    out = defaultdict(dict)
    for family, reps in merged.items():
        for rep, kvs in reps.items():
            req = sum(int(kv["requests"]) for kv in kvs)
            row = {"requests": str(req)}
            for key, _ in MEASURES:
                if all(key in kv for kv in kvs):
                    row[key] = str(sum(float(kv[key]) * int(kv["requests"]) for kv in kvs) / req)
            out[family][rep] = row
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--base", default="plain")
    ap.add_argument("--last", action="store_true")
    ap.add_argument("--pool", action="store_true")
    a = ap.parse_args()
    runs = load(a.results, a.last)
    if a.pool:
        runs = pooled(runs)
    base = runs.get(a.base)
    if not base:
        raise SystemExit(f"no ok runs of {a.base}")
    for target, reps in runs.items():
        cells = []
        for key, name in MEASURES:
            vals = [float(r[key]) for r in reps.values() if key in r]
            if not vals:
                continue
            m = statistics.median(vals)
            bm = statistics.median(float(r[key]) for r in base.values() if key in r)
            pair = [float(r[key]) / float(base[rep][key]) - 1 for rep, r in reps.items() if rep in base and key in base[rep]]
            cell = f"{name} {m:.4f}"
            if target != a.base:
                cell += f" ({m / bm - 1:+.1%}, pairwise {statistics.median(pair):+.1%})"
            cells.append(cell)
        print(f"{target:10s} reps={len(reps)}  " + "  ".join(cells))


if __name__ == "__main__":
    main()
