#!/usr/bin/env bash
# Multi-region acceleration (g3proxy's user guide scenario), as one G3Actors cluster on loopback.
#
#   region a: gw-a 127.0.1.1, relay-a 127.0.1.11,                      origin-a 127.0.1.100
#   region b: gw-b 127.0.2.1, relay-b1 127.0.2.11, relay-b2 127.0.2.12, origin-b 127.0.2.100
#   region c: gw-c 127.0.3.1, relay-c 127.0.3.11,                      origin-c 127.0.3.100
#
# Seven node processes from a published build, one cluster (seed: gw-a). A gateway is an
# http_proxy on a route_region escaper: a destination in its own region goes direct, one in another
# region through a live relay of that region (mTLS, certificates made here by openssl), none left:
# fallback_node (direct). A relay is an http_proxy with tls_server (client auth), advertised through
# `cluster.relay`, whose direct escaper binds the relay's own address: the origins answer with the
# address they saw, which names the node that carried the request.
# Then: a region rule set with pbm on gw-c changes gw-b's route (and is removed from gw-a),
# SIGKILL relay-b1 (its traffic moves to relay-b2), SIGKILL relay-c (the fallback takes over).
# Usage: deploy/multi-region/run.sh   (BIN=published-dir BASE=first-port KEEP=1 optional)
source "$(dirname "${BASH_SOURCE[0]}")/../demo-lib.sh"

ORIGIN_PORT=$((BASE + 300))
declare -A REGION_NET=([a]=127.0.1 [b]=127.0.2 [c]=127.0.3)

gateway_yaml() { # NAME REGION PROXY_PORT
  local ip=${REGION_NET[$2]}.1
  yaml_head direct "$ip"
  cat <<YAML
  - name: regions
    type: route_region
    local_next: direct
    fallback_node: direct
    tls_client: $TLS_CLIENT
    rules:
      - region: a
        subnet_match: [127.0.1.0/24]
      - region: b
        subnet_match: [127.0.2.0/24]
      - region: c
        subnet_match: [127.0.3.0/24]
server:
  - name: http
    type: http_proxy
    escaper: regions
    listen: $ip:$3
cluster:
  region: $2
YAML
}

build
say "certificates (openssl): a CA, one server certificate per relay, one client certificate for the gateways"
make_ca
make_cert gateway clientAuth gateway.g3a.test
for r in relay-a relay-b1 relay-b2 relay-c; do make_cert "$r" serverAuth "$r.g3a.test"; done

say "origins"
for r in a b c; do
  start_origin "origin-$r" "${REGION_NET[$r]}.100" "$ORIGIN_PORT"
  echo "  origin-$r http://${REGION_NET[$r]}.100:$ORIGIN_PORT/"
done

say "seven nodes (cluster ports $BASE.., control $((BASE + 100)).., proxies $((BASE + 200))..)"
i=0
declare -A PROXY=()
for spec in gw-a:a gw-b:b gw-c:c relay-a:a:11 relay-b1:b:11 relay-b2:b:12 relay-c:c:11; do
  IFS=: read -r name region host <<<"$spec"
  mkdir -p "$WORK/$name"
  port=$((BASE + 200 + i))
  if [ -z "$host" ]; then
    gateway_yaml "$name" "$region" "$port" >"$WORK/$name/main.yml"
    PROXY[$name]="${REGION_NET[$region]}.1:$port"
    WHO[${REGION_NET[$region]}.1]="$name (direct)"
  else
    relay_yaml "$name" "$region" "${REGION_NET[$region]}.$host" "$port" >"$WORK/$name/main.yml"
    WHO[${REGION_NET[$region]}.$host]=$name
  fi
  start_node "$name" $((BASE + i)) $((BASE + 100 + i)) "$BASE"
  echo "  $name (region $region) pid ${NODE_PID[$name]}, pbm ${CONTROL[$name]}"
  i=$((i + 1))
done

started=$SECONDS
wait_until 120 "seven members Up" members_up gw-a 7
echo "  cluster formed in $((SECONDS - started))s"
for g in gw-a gw-b gw-c; do wait_until 30 "$g seeing the four relays" relays_live "$g" 4; done
pbm "${CONTROL[gw-a]}" cluster show
pbm "${CONTROL[gw-a]}" cluster relays

say "fleet control: one command, every member answers (pbm --cluster version)"
pbm "${CONTROL[gw-b]}" --cluster version

say "traffic through each gateway to the origins of the other regions"
B_URL="http://127.0.2.100:$ORIGIN_PORT/"
for g in a b c; do
  for o in a b c; do
    [ "$g" = "$o" ] && continue
    for _ in 1 2; do show_route "gw-$g" "${PROXY[gw-$g]}" "origin-$o" "http://${REGION_NET[$o]}.100:$ORIGIN_PORT/"; done
  done
done
show_route gw-a "${PROXY[gw-a]}" origin-a "http://127.0.1.100:$ORIGIN_PORT/"

say "a rule set with pbm on gw-c moves gw-b's traffic: origin-a's network now belongs to region c"
pbm "${CONTROL[gw-c]}" route set c subnet 127.0.1.0/24
MARK=$(now_ms) # the rule is written on gw-c and gossiped from here on
follow 10 relay-c gw-b "${PROXY[gw-b]}" origin-a "http://127.0.1.100:$ORIGIN_PORT/"
pbm "${CONTROL[gw-a]}" route remove subnet 127.0.1.0/24
MARK=$(now_ms)
follow 10 relay-a gw-b "${PROXY[gw-b]}" origin-a "http://127.0.1.100:$ORIGIN_PORT/"

say "SIGKILL relay-b1: region b's traffic moves to relay-b2"
kill_node relay-b1
follow 30 relay-b2 gw-a "${PROXY[gw-a]}" origin-b "$B_URL"
wait_dropped gw-a 3
follow 10 relay-b2 gw-c "${PROXY[gw-c]}" origin-b "$B_URL"

say "SIGKILL relay-c, region c's only relay: gw-a's fallback_node (direct) takes over"
kill_node relay-c
follow 30 "gw-a (direct)" gw-a "${PROXY[gw-a]}" origin-c "http://127.0.3.100:$ORIGIN_PORT/"
wait_dropped gw-a 2
follow 10 "gw-b (direct)" gw-b "${PROXY[gw-b]}" origin-c "http://127.0.3.100:$ORIGIN_PORT/"
pbm "${CONTROL[gw-a]}" cluster show

say "done; stopping every process"
