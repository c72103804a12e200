#!/usr/bin/env bash
# The project's test command (README "Run the tests"). Works on a fresh Debian machine as
# root: installs the tools the integration tests drive (curl, openssl), then runs dotnet test.
set -euo pipefail
cd "$(dirname "$0")"

need=()
for tool in curl openssl; do
  command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
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

# User-group tests: LDAP against Debian's slapd (ldapadd from ldap-utils, libldap for S.DS.P) and
# python user sources run by the system python3.
if ! { [ -x /usr/sbin/slapd ] && command -v ldapadd >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1; }; then
  if [ "$(id -u)" -eq 0 ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slapd ldap-utils python3
  else
    echo "missing slapd/ldap-utils/python3 (run as root to install them)" >&2
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
rm -f "$log"
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$rc"
