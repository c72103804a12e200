#!/usr/bin/env bash
# Dual exit disaster recovery (g3proxy's user guide scenario), as one G3Actors cluster on loopback.
#
#   region idc:  gw   127.0.1.1   (clients come here; the IDC has no exit of its own)
#   region pop1: pop1 127.0.2.11  relay (http_proxy + mTLS) with its own internet exit
#   region pop2: pop2 127.0.3.11  relay, the standby exit
#   "internet":  origin 127.0.9.100
#
# g3 writes this as route_failover(primary: proxy_https to pop1, standby: proxy_https to pop2) with a
# fallback_delay timer. Here the gateway chains two route_region escapers: via-pop1 sends the
# internet to region pop1, and its fallback_node is via-pop2, whose fallback_node is dummy_deny.
# Which exit is live is what the cluster's relay directory says (membership), so the switch needs
# no timer and no per-connection probing; a connect failure moves on at once.
# Then: SIGKILL pop1 (traffic moves to pop2), SIGKILL pop2 (refused at once: no exit left),
# restart pop1 (it rejoins and carries the traffic again).
# Usage: deploy/dual-exit/run.sh   (BIN=published-dir BASE=first-port KEEP=1 optional)
source "$(dirname "${BASH_SOURCE[0]}")/../demo-lib.sh"

ORIGIN_PORT=$((BASE + 300))
URL="http://127.0.9.100:$ORIGIN_PORT/"
GW_PROXY="127.0.1.1:$((BASE + 200))"

gateway_yaml() {
  yaml_head direct 127.0.1.1
  cat <<YAML
  - name: no-exit
    type: dummy_deny
  - name: via-pop1
    type: route_region
    local_next: direct
    fallback_node: via-pop2
    tls_client: $TLS_CLIENT
    rules:
      - region: pop1
        subnet_match: [127.0.9.0/24]
  - name: via-pop2
    type: route_region
    local_next: direct
    fallback_node: no-exit
    tls_client: $TLS_CLIENT
    rules:
      - region: pop2
        subnet_match: [127.0.9.0/24]
server:
  - name: http
    type: http_proxy
    escaper: via-pop1
    listen: $GW_PROXY
cluster:
  region: idc
YAML
}

start_pop() { # NAME INDEX
  start_node "$1" $((BASE + $2)) $((BASE + 100 + $2)) "$BASE"
  echo "  $1 (region $1) pid ${NODE_PID[$1]}, pbm ${CONTROL[$1]}"
}

build
say "certificates (openssl): a CA, a server certificate per POP relay, a client certificate for the gateway"
make_ca
make_cert gateway clientAuth gateway.g3a.test
for r in pop1 pop2; do make_cert "$r" serverAuth "$r.g3a.test"; done

say "origin (the internet) and three nodes"
start_origin internet 127.0.9.100 "$ORIGIN_PORT"
mkdir -p "$WORK/gw" "$WORK/pop1" "$WORK/pop2"
gateway_yaml >"$WORK/gw/main.yml"
relay_yaml pop1 pop1 127.0.2.11 $((BASE + 201)) >"$WORK/pop1/main.yml"
relay_yaml pop2 pop2 127.0.3.11 $((BASE + 202)) >"$WORK/pop2/main.yml"
WHO[127.0.2.11]=pop1
WHO[127.0.3.11]=pop2
WHO[127.0.1.1]="gw (direct)"
start_node gw "$BASE" $((BASE + 100)) "$BASE"
echo "  gw (region idc) pid ${NODE_PID[gw]}, pbm ${CONTROL[gw]}, proxy $GW_PROXY"
start_pop pop1 1
start_pop pop2 2

started=$SECONDS
wait_until 90 "three members Up" members_up gw 3
echo "  cluster formed in $((SECONDS - started))s"
wait_until 30 "gw seeing both relays" relays_live gw 2
pbm "${CONTROL[gw]}" cluster relays

say "traffic: the primary exit pop1 carries it"
for _ in 1 2 3; do show_route gw "$GW_PROXY" internet "$URL"; done

say "SIGKILL pop1: the standby exit pop2 takes over"
kill_node pop1
follow 30 pop2 gw "$GW_PROXY" internet "$URL"
wait_dropped gw 1
# Let the split-brain resolver remove pop1 first, so that losing pop2 leaves gw on the surviving side (docs/cluster.md).
wait_until 40 "pop1 removed from the membership" member_gone gw $((BASE + 1))
printf '  t+%5.1fs pop1 removed from the membership\n' "$(elapsed)"

say "SIGKILL pop2: no exit left, requests are refused at once (dummy_deny: 503), nothing hangs"
kill_node pop2
follow 30 FAILED gw "$GW_PROXY" internet "$URL"
wait_dropped gw 0

say "pop1 comes back (a new process, same address): it rejoins and carries the traffic again"
MARK=$(now_ms)
start_pop pop1 1
wait_until 90 "gw seeing pop1's relay again" relays_live gw 1
printf '  t+%5.1fs gw routes to pop1 again\n' "$(elapsed)"
follow 10 pop1 gw "$GW_PROXY" internet "$URL"
pbm "${CONTROL[gw]}" cluster show

say "done; stopping every process"
