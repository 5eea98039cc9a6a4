"""A kafka-python 2.0.2 group member for the group scenarios.

Env: BOOTSTRAP, TOPIC, GROUP, SESSION_TIMEOUT_MS, HEARTBEAT_MS, COMMIT_MS. Prints
`R <partition> <offset> <value>` per record. Auto commits run inside poll(), after the
records of the previous poll were printed. SIGTERM closes (commits, leaves) and exits 0.
"""
import os
import signal
import sys

from kafka import KafkaConsumer

env = os.environ
stopping = []
signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
consumer = KafkaConsumer(
    env["TOPIC"],
    bootstrap_servers=env["BOOTSTRAP"],
    group_id=env["GROUP"],
    client_id="compat-kafka-python-group",
    session_timeout_ms=int(env["SESSION_TIMEOUT_MS"]),
    heartbeat_interval_ms=int(env["HEARTBEAT_MS"]),
    auto_commit_interval_ms=int(env["COMMIT_MS"]),
    enable_auto_commit=True,
    auto_offset_reset="earliest",
    fetch_max_wait_ms=200,
    max_poll_interval_ms=15000,
)
while not stopping:
    for tp, records in consumer.poll(timeout_ms=200).items():
        for r in records:
            print("R %d %d %s" % (r.partition, r.offset, r.value.decode()), flush=True)
consumer.close(autocommit=True)
sys.exit(0)
