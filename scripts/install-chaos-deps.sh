#!/usr/bin/env bash
# Installs what the chaos suite (npm run chaos, npm run test:chaos) needs beyond `npm ci`:
#  - iproute2 (`ip netns`, veth pairs, the bridge, `ip link set down`);
#  - iptables (packet drops inside a broker's network namespace: isolation, one-way partitions).
# Idempotent: apt is not touched when nothing is missing.
# Needs root (CI runs as root) or passwordless sudo; the suite itself needs root for namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/lib/debian-packages.sh
source scripts/lib/debian-packages.sh
install_debian_packages install-chaos-deps iproute2 iptables
echo "install-chaos-deps: $(ip -V 2>&1 | head -n 1), $(iptables --version 2>&1 | head -n 1)"
