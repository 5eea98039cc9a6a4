"""A confluent-kafka (librdkafka 2.0.2) group member for the group scenarios.

Env: BOOTSTRAP, TOPIC, GROUP, SESSION_TIMEOUT_MS, HEARTBEAT_MS, COMMIT_MS, ASSIGNMENT_STRATEGY. Prints
`R <partition> <offset> <value>` per record. Offsets are stored only after the record is
printed, so a commit never covers a record this process did not report. SIGTERM closes
(commits, leaves) and exits 0.
"""
import os
import signal
import sys

from confluent_kafka import Consumer

env = os.environ
stopping = []
signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
consumer = Consumer({
    "bootstrap.servers": env["BOOTSTRAP"],
    "group.id": env["GROUP"],
    "client.id": "compat-confluent-group",
    "session.timeout.ms": int(env["SESSION_TIMEOUT_MS"]),
    "heartbeat.interval.ms": int(env["HEARTBEAT_MS"]),
    "auto.commit.interval.ms": int(env["COMMIT_MS"]),
    "enable.auto.commit": True,
    "enable.auto.offset.store": False,
    "auto.offset.reset": "earliest",
    # librdkafka's default (range,roundrobin) unless a scenario asks for another, e.g. cooperative-sticky.
    "partition.assignment.strategy": env.get("ASSIGNMENT_STRATEGY", "range,roundrobin"),
    "fetch.wait.max.ms": 200,
    "max.poll.interval.ms": 15000,
    "error_cb": lambda e: print("client error: %s" % e, file=sys.stderr, flush=True),
})
consumer.subscribe([env["TOPIC"]])
while not stopping:
    msg = consumer.poll(0.2)
    if msg is None:
        continue
    if msg.error():
        print("consume error: %s" % msg.error(), file=sys.stderr, flush=True)
        continue
    print("R %d %d %s" % (msg.partition(), msg.offset(), msg.value().decode()), flush=True)
    consumer.store_offsets(message=msg)
consumer.close()
sys.exit(0)
