#!/usr/bin/env bash
# chain.sh g3actors|squid -- two proxy hops in the harness's session (its CPU figure sums both):
# A on $BENCH_PORT forwards every request and CONNECT to B on $BENCH_PORT+1, which goes direct.
# g3actors: A = chain-a.yml (proxy_http), B = http.yml. squid: A has B as its only
# `cache_peer ... parent` (never_direct), B is the harness's squid.conf. Started by bench.sh.
set -eu
KIND=$1
HERE=$(cd "$(dirname "$0")" && pwd)
A=$BENCH_PORT B=$((BENCH_PORT + 1)) RUN=$BENCH_RUN
render() { # TEMPLATE PORT NAME
  mkdir -p "$RUN/$3"
  sed -e "s#@PORT@#$2#g" -e "s#@NEXT_PORT@#$B#g" -e "s#@ORIGIN_PORT@#$BENCH_ORIGIN_PORT#g" \
      -e "s#@ORIGIN_TLS_PORT@#$BENCH_ORIGIN_TLS_PORT#g" -e "s#@DATA@#$BENCH_DATA#g" -e "s#@RUN@#$RUN/$3#g" \
      "$1" > "$RUN/$3/$(basename "$1")"
}
case "$KIND" in
  g3actors)
    render "$HERE/http.yml" "$B" b; render "$HERE/chain-a.yml" "$A" a
    # shellcheck disable=SC2086  # NODE_CMD is words
    # each node gets a control port of its own (the default 9110 is one per machine)
    ${CHAIN_NODE_CMD//@CONF@/$RUN/b/http.yml} --control 127.0.0.1:0 &
    exec ${CHAIN_NODE_CMD//@CONF@/$RUN/a/chain-a.yml} --control 127.0.0.1:0;;
  squid)
    render "$BENCH_DIR/conf/squid.conf" "$B" b; render "$BENCH_DIR/conf/squid.conf" "$A" a
    printf 'cache_peer 127.0.0.1 parent %s 0 no-query no-digest default\nnever_direct allow all\n' "$B" >> "$RUN/a/squid.conf"
    squid -N -f "$RUN/b/squid.conf" &
    exec squid -N -f "$RUN/a/squid.conf";;
  *) echo "chain.sh: g3actors or squid" >&2; exit 2;;
esac
