#!/usr/bin/env bash
# Runs every test of sip-adapter on a fresh Debian machine.
#
# Installs what the real-server tests need when it is missing (Kamailio with evapi, SIPp, and a
# Debian unstable root with Kamailio 6.1 and Asterisk 22), then runs the Maven build with all
# tests. Extra arguments go to Maven, e.g.
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
if [ "$(id -u)" -eq 0 ] && ! command -v debootstrap >/dev/null 2>&1; then
  need+=(debootstrap)
fi

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

# Kamailio 6.1 and Asterisk 22 from Debian unstable, in one root of their own made with
# debootstrap and reused by later runs (the host keeps its own packages). The Kamailio tests run
# once more against that Kamailio; the tests start Asterisk inside it (AsteriskServer), and skip,
# saying why, where there is none.
unstable_root="${SIPADAPTER_UNSTABLE_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/sipadapter/debian-unstable}"
asterisk_version=22.10.1
debian_mirror() {
  # The Debian archive the host's apt already uses.
  {
    grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
    grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'
  } | grep -i debian | grep -v -e security -e updates | head -n1
}
unstable_install() {
  # The served index is a frozen copy: its Valid-Until date may have passed.
  local apt_opts=(-o Acquire::Check-Valid-Until=false) log="${unstable_root}.install.log"
  if ! { chroot "$unstable_root" apt-get "${apt_opts[@]}" update -qq \
      && chroot "$unstable_root" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" \
        install -y -qq --no-install-recommends "$@"; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    return 1
  fi
}
root_asterisk_version() {
  chroot "$unstable_root" asterisk -V 2>/dev/null | sed -n 's/^Asterisk \([0-9.]*\).*/\1/p'
}
if [ "$(id -u)" -eq 0 ] && command -v debootstrap >/dev/null 2>&1 && [ -n "$(debian_mirror)" ]; then
  if [ ! -x "$unstable_root/usr/bin/apt-get" ]; then
    echo "Making a Debian unstable root in $unstable_root"
    rm -rf "$unstable_root"
    mkdir -p "$(dirname "$unstable_root")"
    debootstrap --variant=minbase unstable "$unstable_root" "$(debian_mirror)" >/dev/null
    cp /etc/hosts "$unstable_root/etc/hosts"
  fi
  unstable_need=()
  [ -x "$unstable_root/usr/sbin/kamailio" ] || unstable_need+=(kamailio kamailio-extra-modules)
  [ "$(root_asterisk_version)" = "$asterisk_version" ] || unstable_need+=(asterisk)
  if [ ${#unstable_need[@]} -gt 0 ]; then
    echo "Installing in the unstable root: ${unstable_need[*]}"
    unstable_install "${unstable_need[@]}" || echo "Installing ${unstable_need[*]} failed." >&2
  fi
fi
if [ -x "$unstable_root/usr/sbin/asterisk" ] && [ "$(id -u)" -eq 0 ]; then
  echo "Asterisk $(root_asterisk_version) for the real-server tests, in $unstable_root"
  export SIPADAPTER_ASTERISK_ROOT="$unstable_root"
else
  echo "No Asterisk root (it needs root, debootstrap and the Debian archive):" \
    "the real-Asterisk tests will be skipped." >&2
fi

# Kamailio's Debian service is not needed: the tests start their own instances on free ports.
# A whole-project run also builds the API's Javadoc as one site (target/reports/apidocs); any
# Javadoc warning fails it.
goals=(verify)
case " $* " in
  *" -pl "* | *" --projects "*) ;;
  *) goals+=(javadoc:aggregate) ;;
esac
mvn -B -ntp "${goals[@]}" "$@"

# Only when the run above covered the Kamailio module or the cross-adapter tests.
run_unstable=yes
case " $* " in
  *" -pl "*) case "$*" in *kamailio* | *interop*) ;; *) run_unstable=no ;; esac ;;
esac
if [ "$run_unstable" = yes ] && [ -x "$unstable_root/usr/sbin/kamailio" ]; then
  echo "Kamailio tests again, against $("$unstable_root"/lib64/ld-linux-x86-64.so.2 \
    --library-path "$unstable_root/usr/lib/x86_64-linux-gnu:$unstable_root/lib/x86_64-linux-gnu" \
    "$unstable_root/usr/sbin/kamailio" -v | head -n1)"
  unstable_tests='KamailioConformanceTest,KamailioAdapterTest,KamailioReconnectTest'
  unstable_tests+=',KamailioWithSippAdapterTest,AsteriskThroughKamailioTest'
  stress=()
  case " $* " in
    *" -Pstress "*) stress=(-Pstress) unstable_tests+=',KamailioBusyCallStressTest' ;;
  esac
  mvn -B -ntp -q verify -pl sip-adapter-kamailio,sip-adapter-interop -am "${stress[@]}" \
    -Dsipadapter.kamailio.root="$unstable_root" \
    -Dtest="$unstable_tests" \
    -Dsurefire.failIfNoSpecifiedTests=false
fi
