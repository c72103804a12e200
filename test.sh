#!/usr/bin/env bash
# The project's test command (README "Run the tests"). Works on a fresh Debian machine as
# root: installs the tools and servers the integration tests drive, then runs dotnet test.
set -euo pipefail
cd "$(dirname "$0")"

# What the tests drive, as "command:debian-package": real clients (curl, openssl), a DNS server
# for DoT/DoH (Debian's unbound is built with nghttp2, so it serves DoH), slapd and ldap-utils for
# LDAP user groups (libldap comes with them), python3 for python user sources, nftables and
# iproute2 for tcp_tproxy's network namespaces.
tools=(curl:curl openssl:openssl unbound:unbound slapd:slapd ldapadd:ldap-utils python3:python3 nft:nftables ip:iproute2 vsftpd:vsftpd)
# redis-server for proxy_float's redis source.
tools+=(redis-server:redis-server)
# c-icap (its echo service) for the ICAP client tests.
tools+=(c-icap:c-icap)
need=()
for pair in "${tools[@]}"; do
  tool=${pair%%:*}
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    # Keep apt from starting services or asking questions.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" ca-certificates
  else
    echo "missing tools: ${need[*]} (run as root to install them)" >&2
    exit 1
  fi
fi

log=$(mktemp)
set +e
dotnet test G3Actors.sln -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# One plain closing line for CI: "N passed, N failed".
passed=$(grep -E '^\s+Passed:\s+[0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
failed=$(grep -E '^\s+Failed:\s+[0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
# CI shows only the tail of the run: repeat each failed test with its message and the top of its
# stack there, so a failure can be read without the whole log.
if [ "${failed:-0}" != "0" ]; then
  echo "--- failed tests ---"
  awk '/^  Failed /{show=40} show>0{print; show--}' "$log" | head -200
  echo "--- end of failed tests ---"
fi
rm -f "$log"
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$rc"
