#!/usr/bin/env bash
# deploy/bench/xregion.sh [REPS] [OUT] -- the cost of crossing regions, same run.
#
# connect_bulk and http_small (../shared/bench/run.sh, the harness's loads and CPU accounting)
# through two targets, interleaved REPS times (default 2), order alternating per rep:
#   g3actors          one node, deploy/bench/http.yml (http_proxy -> direct)
#   g3actors-xregion  gateway (region a, route_region) -> mTLS -> relay (region b, direct), two node
#                     processes in one cluster, started by xregion-node.sh in the harness's session,
#                     so the CPU figure is summed over both hops
# Appends RESULT lines to OUT (default deploy/bench/results/xregion-<UTC time>.txt) and writes
# OUT.md: the harness's summary and the two-hop / one-node ratios (medians).
# Environment: BENCH_SHARED, BENCH_PUBLISH (default /tmp/g3bench/xregion-publish), BENCH_NO_PUBLISH=1,
#   BENCH_WARMUP, BENCH_DURATION (http_small seconds; a smoke run), BENCH_SCENARIOS (default
#   "connect_bulk http_small") as deploy/bench.sh.
# Runtime settings are bench.sh's defaults (workstation GC, non-concurrent, inline socket completions).
set -u -o pipefail
REPS=${1:-2}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH=$(cd "${BENCH_SHARED:-$ROOT/../shared}" 2>/dev/null && pwd) || { echo "xregion.sh: no shared dir (set BENCH_SHARED)" >&2; exit 2; }
[ -x "$BENCH/run.sh" ] || BENCH=$BENCH/bench
mkdir -p "$ROOT/deploy/bench/results"
OUT=${2:-$ROOT/deploy/bench/results/xregion-$(date -u +%Y%m%dT%H%M%SZ).txt}
case "$OUT" in /*) ;; *) OUT=$PWD/$OUT;; esac
PUB=${BENCH_PUBLISH:-/tmp/g3bench/xregion-publish}
WARMUP=${BENCH_WARMUP:-5}
log() { echo "xregion.sh: $*" >&2; }

if [ "${BENCH_NO_PUBLISH:-0}" != 1 ]; then
  log "dotnet publish Proxy.Node and Proxy.Pbm -c Release -o $PUB"
  for p in Proxy.Node Proxy.Pbm; do
    (cd "$ROOT" && dotnet publish "$p" -c Release -o "$PUB" -nologo -v q) >&2 || { log "publish $p failed"; exit 2; }
  done
fi
[ -f "$PUB/Proxy.Node.dll" ] && [ -x "$PUB/pbm" ] || { log "no Proxy.Node.dll / pbm in $PUB"; exit 2; }

ENV="DOTNET_gcServer=0 DOTNET_gcConcurrent=0 DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1"
NODE="env $ENV dotnet $PUB/Proxy.Node.dll"
{
  echo "# xregion.sh $(date -u +%FT%TZ) host=$(hostname) cpus=$(nproc) commit=$(git -C "$ROOT" rev-parse --short HEAD) env: $ENV"
  echo "# g3actors: http.yml one node; g3actors-xregion: xregion-gw.yml -> mTLS -> xregion-relay.yml (warmup ${WARMUP}s)"
} >> "$OUT"

run_one() { # SCENARIO TARGET REP
  local args=() tmp rc
  case "$2" in
    g3actors) args=(--cmd "$NODE -c {CONF} --cluster-port 0 --control 127.0.0.1:0" --conf "$ROOT/deploy/bench/http.yml");;
    g3actors-xregion) args=(--cmd "env XREGION_NODE_CMD='$NODE' XREGION_PBM='$PUB/pbm' bash $ROOT/deploy/bench/xregion-node.sh"
                            --start-timeout 90);;
  esac
  tmp=$(mktemp /tmp/g3bench-xregion.XXXX)
  (cd "$BENCH" && ./run.sh "$1" "$2" "${args[@]}" --warmup "$WARMUP" ${BENCH_DURATION:+--duration "$BENCH_DURATION"} --rep "$3" --out "$OUT") >"$tmp" 2>&1
  rc=$?
  grep '^RESULT' "$tmp" || true
  if [ "$rc" != 0 ]; then
    echo "# FAILED scenario=$1 target=$2 rep=$3 rc=$rc" >> "$OUT"
    log "FAILED $1 $2 rep $3 (rc $rc):"; sed 's/^/    /' "$tmp" >&2
  fi
  rm -f "$tmp"
}

for ((rep = 1; rep <= REPS; rep++)); do
  for s in ${BENCH_SCENARIOS:-connect_bulk http_small}; do
    order="g3actors g3actors-xregion"; [ $((rep % 2)) = 0 ] && order="g3actors-xregion g3actors"
    for t in $order; do run_one "$s" "$t" "$rep"; done
  done
done

{
  "$BENCH/summarize.py" "$OUT"
  echo
  python3 - "$OUT" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    if line.startswith("RESULT "):
        kv = dict(x.split("=", 1) for x in line.split()[1:] if "=" in x)
        if kv.get("status") == "ok":
            runs.setdefault((kv["scenario"], kv["target"]), []).append(kv)
def med(s, t, k):
    v = [float(r[k]) for r in runs.get((s, t), []) if k in r]
    return (statistics.median(v), len(v)) if v else (None, 0)
print("### Two hops (gateway -> mTLS -> relay) against one node, medians, same run\n")
print("| metric | one node | two hops | two hops / one node | n |")
print("|---|---|---|---|---|")
for s, k, what, f in (("connect_bulk", "MiBps", "connect_bulk MiB/s", "%.0f"),
                      ("connect_bulk", "cpu_s_per_GiB", "connect_bulk CPU s / GiB (both hops)", "%.2f"),
                      ("http_small", "rps", "http_small req/s", "%.0f"),
                      ("http_small", "cpu_s_per_10k", "http_small CPU s / 10k req (both hops)", "%.3f")):
    a, na = med(s, "g3actors", k); b, nb = med(s, "g3actors-xregion", k)
    r = "%.2f" % (b / a) if a and b is not None else "-"
    print("| %s | %s | %s | %s | %d |" % (what, "-" if a is None else f % a, "-" if b is None else f % b, r, min(na, nb)))
PY
} > "${OUT%.txt}.md"
cat "${OUT%.txt}.md"
log "summary -> ${OUT%.txt}.md"
