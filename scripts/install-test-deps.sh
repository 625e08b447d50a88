#!/usr/bin/env bash
# Installs the Debian packages the test suite drives as real components (see docs/testing.md).
# Idempotent and quick when everything is present: apt-get runs only for what is missing.
# Package scripts are stopped from starting services on this host (policy-rc.d): tests start their own.
set -euo pipefail

PACKAGES=(
  iproute2            # ip netns, ip -j: test namespaces and the reference client for net
  openvswitch-switch  # ovsdb-server + ovs-vswitchd (userspace datapath) for the ovs plugin
  btrfs-progs         # mkfs.btrfs for the loop-device history store; `btrfs` is the reference client
  debootstrap         # root filesystem for the systemd container
  systemd-container   # systemd-nspawn: a real systemd as PID 1 for the D-Bus plugins
  dbus                # dbus-daemon for private test buses
  python3-pyroute2    # benchmark peer for the net query
  valgrind            # memory check of the native addon
  zstd                # compressing the cached container root filesystem
  procps psmisc util-linux
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "install-test-deps: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
  exit 1
fi
echo "install-test-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
had_policy=0; [ -e "$policy" ] && had_policy=1
if [ "$had_policy" = 0 ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; fi
trap '[ "$had_policy" = 0 ] && rm -f "$policy"' EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
