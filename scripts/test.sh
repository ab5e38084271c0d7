#!/usr/bin/env bash
# Runs every test of sip-adapter on a fresh Debian machine.
#
# Installs what the real-server tests need when it is missing (Kamailio with evapi, and SIPp),
# then runs the Maven build with all tests. Extra arguments go to Maven, e.g.
#   ./scripts/test.sh -Pstress          # also the 100+ call stress tests
#   ./scripts/test.sh -pl sip-adapter-core
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v kamailio >/dev/null 2>&1 || [ -x /usr/sbin/kamailio ] || need+=(kamailio)
[ -e /usr/lib/x86_64-linux-gnu/kamailio/modules/evapi.so ] \
  || ls /usr/lib/*/kamailio/modules/evapi.so >/dev/null 2>&1 \
  || need+=(kamailio-extra-modules)
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)

if [ ${#need[@]} -gt 0 ]; then
  echo "Installing missing packages: ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
  else
    echo "Cannot install ${need[*]}: run as root or install them yourself." >&2
    exit 1
  fi
fi

# Kamailio's Debian service is not needed: the tests start their own instances on free ports.
exec mvn -B -ntp verify "$@"
