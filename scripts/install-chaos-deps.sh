#!/usr/bin/env bash
# Installs what the chaos suite (npm run chaos, npm run test:chaos) needs beyond `npm ci`:
#  - iproute2 (`ip netns`, veth pairs, the bridge, `ip link set down`);
#  - iptables (packet drops inside a broker's network namespace: isolation, one-way partitions).
# Idempotent: apt is not touched when nothing is missing.
# Needs root (CI runs as root) or passwordless sudo; the suite itself needs root for namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(iproute2 iptables)
missing=()
for pkg in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-chaos-deps: already installed: ${packages[*]}"
else
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo -n); else
      echo "install-chaos-deps: need root to install ${missing[*]}" >&2
      exit 1
    fi
  fi
  echo "install-chaos-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "install-chaos-deps: $(ip -V 2>&1 | head -n 1), $(iptables --version 2>&1 | head -n 1)"
