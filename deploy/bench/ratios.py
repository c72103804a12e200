#!/usr/bin/env python3
"""Same-run ratios of our node against a peer, checked against the issue's targets.

  ratios.py RESULTS.txt [--ours g3actors-workstation] [--peer PEER]

Each scenario is judged against the peer its issue names (PEERS below) unless --peer is given.

Medians over the ok runs of each (scenario, target); every ratio is ours / peer from the
same file (same session, interleaved), which is what the targets are judged on.
"""
import argparse
import statistics
from collections import defaultdict

from resultlines import ok_results


def load(path):
    runs = defaultdict(list)
    for kv in ok_results(path):
        runs[(kv["scenario"], kv["target"])].append(kv)
    return runs


def med(runs, scen, target, key):
    vals = [float(r[key]) for r in runs.get((scen, target), []) if key in r]
    return (statistics.median(vals), len(vals)) if vals else (None, 0)


PEERS = {"socks_bulk": "dante", "tcp_bulk": "haproxy", "tcp_small": "haproxy",
         "reverse_small": "haproxy", "sni_small": "nginx", "tls_term": "haproxy-tls",
         "chain_bulk": "squid-chain", "intercept_small": "squid-bump", "tunnel_small": "squid-tunnel"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--ours", default="g3actors")
    ap.add_argument("--peer", default=None)
    a = ap.parse_args()
    runs = load(a.results)
    o = a.ours
    rows = []

    def peer(scen):
        return a.peer or PEERS.get(scen, "squid")

    def ratio(scen, key):
        x, nx = med(runs, scen, o, key)
        y, ny = med(runs, scen, peer(scen), key)
        return x, y, (x / y if x is not None and y else None), min(nx, ny)

    def fmt(v, f="%.2f"):
        return "-" if v is None else f % v

    def row(what, scen, key, target, ok, f="%.3f"):
        x, y, r, n = ratio(scen, key)
        met = "-" if r is None or target == "-" else ("met" if ok(r) else "NOT met")
        if n or x is not None or y is not None:
            rows.append((what, peer(scen), fmt(x, f), fmt(y, f), fmt(r), target, met, n))

    row("http_small req/s", "http_small", "rps", ">= 2.00x", lambda r: r >= 2.0, "%.0f")
    row("http_small CPU s / 10k req", "http_small", "cpu_s_per_10k", "<= 0.50x", lambda r: r <= 0.5)
    row("connect_bulk MiB/s", "connect_bulk", "MiBps", ">= 1.00x", lambda r: r >= 1.0, "%.0f")
    row("connect_bulk CPU s / GiB", "connect_bulk", "cpu_s_per_GiB", "<= 0.75x", lambda r: r <= 0.75)
    row("conn_churn req/s (no target)", "conn_churn", "rps", "-", lambda r: True, "%.0f")
    row("conn_churn CPU s / 10k req (no target)", "conn_churn", "cpu_s_per_10k", "-", lambda r: True)
    for scen, bulk in (("socks_bulk", (">= 1.00x", 1.0, "<= 0.75x", 0.75)),
                       ("tcp_bulk", (">= 1.00x", 1.0, "<= 1.20x", 1.2)),
                       ("chain_bulk", (">= 1.00x", 1.0, "<= 0.75x", 0.75))):
        t1, v1, t2, v2 = bulk
        row(scen + " MiB/s", scen, "MiBps", t1, lambda r, v=v1: r >= v, "%.0f")
        row(scen + " CPU s / GiB", scen, "cpu_s_per_GiB", t2, lambda r, v=v2: r <= v)
    for scen in ("tcp_small", "reverse_small", "sni_small", "tls_term"):
        row(scen + " req/s", scen, "rps", ">= 0.80x", lambda r: r >= 0.8, "%.0f")
        row(scen + " CPU s / 10k req", scen, "cpu_s_per_10k", "<= 1.20x", lambda r: r <= 1.2)
    # TLS interception (issue 12): at least squid ssl_bump's rate at no more than its CPU per request
    row("intercept_small req/s", "intercept_small", "rps", ">= 1.00x", lambda r: r >= 1.0, "%.0f")
    row("intercept_small CPU s / 10k req", "intercept_small", "cpu_s_per_10k", "<= 1.00x", lambda r: r <= 1.0)
    row("tunnel_small req/s (no target)", "tunnel_small", "rps", "-", lambda r: True, "%.0f")
    row("tunnel_small CPU s / 10k req (no target)", "tunnel_small", "cpu_s_per_10k", "-", lambda r: True)
    for who in (o, peer("intercept_small")):
        # the cost of interception: intercepted over plain-tunnel CPU per request, same target
        base = o if who == o else peer("tunnel_small")
        x, nx = med(runs, "intercept_small", who, "cpu_s_per_10k")
        y, ny = med(runs, "tunnel_small", base, "cpu_s_per_10k")
        if x is not None and y:
            rows.append(("interception / tunnel CPU per req, %s" % who, base, fmt(x, "%.3f"), fmt(y, "%.3f"), fmt(x / y),
                         "-", "-", min(nx, ny)))
    x, nx = med(runs, "idle_conns", o, "rss_per_conn_KiB")
    p = peer("idle_conns")
    y, _ = med(runs, "idle_conns", p, "rss_per_conn_KiB")
    if x is not None or y is not None:
        rows.append(("idle_conns RSS KiB / tunnel (9000)", p, fmt(x), fmt(y), fmt(x / y if x and y else None),
                 "<= 8 KiB absolute", "-" if x is None else ("met" if x <= 8 else "NOT met"), nx))
    x, nx = med(runs, "idle_conns", o, "pss_per_conn_KiB")
    y, _ = med(runs, "idle_conns", p, "pss_per_conn_KiB")
    if x is not None or y is not None:
        rows.append(("idle_conns PSS KiB / tunnel (info)", p, fmt(x), fmt(y), fmt(x / y if x and y else None), "-", "-", nx))

    print("### Targets: %s vs each scenario's peer (medians, same run)\n" % o)
    print("| metric | peer | %s | peer value | ratio | target | verdict | n |" % o)
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| %s | %s | %s | %s | %s | %s | %s | %s |" % r)


if __name__ == "__main__":
    main()
