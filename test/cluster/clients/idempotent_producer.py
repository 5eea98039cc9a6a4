"""A librdkafka (confluent-kafka) idempotent producer, acks=all, writing the values 0, 1, 2, ...
to one partition of TOPIC as fast as the broker acknowledges them, until DURATION_S have passed.

Prints one JSON line per delivery report on stdout: {"v": value, "offset": o, "ms": epoch ms}
for an acknowledged record, {"v": value, "error": "..."} for a failed one, and a final
{"done": true, "acked": n, "failed": m}. Stops early on a fatal (idempotence) error.
Usage: idempotent_producer.py BOOTSTRAP TOPIC DURATION_S
"""
import json
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, duration_s = sys.argv[1], sys.argv[2], float(sys.argv[3])
acked = 0
failed = 0
fatal = []


def on_error(err):
    if err.fatal():
        fatal.append(str(err))
    sys.stderr.write("client error: %s\n" % err)


def report(err, msg):
    global acked, failed
    value = int(msg.value())
    if err is None:
        acked += 1
        print(json.dumps({"v": value, "offset": msg.offset(), "ms": int(time.time() * 1000)}), flush=True)
    else:
        failed += 1
        print(json.dumps({"v": value, "error": str(err)}), flush=True)


producer = Producer({
    "bootstrap.servers": bootstrap,
    "enable.idempotence": True,
    "acks": "all",
    "linger.ms": 5,
    # Keep retrying through a leader change; the broker's session timeout bounds the outage.
    "message.timeout.ms": 60000,
    "retry.backoff.ms": 50,
    # librdkafka re-reads metadata on leader errors and at this interval only: a dead leader's
    # refused connection is neither, so this bounds how long it keeps trying the dead broker
    # after the controller has moved the partition (default 300000).
    "topic.metadata.refresh.interval.ms": 500,
    "error_cb": on_error,
})

deadline = time.time() + duration_s
value = 0
while time.time() < deadline and not fatal:
    # A bounded number in flight, so the run measures the cluster, not the client's queue.
    if value - acked - failed >= 200:
        producer.poll(0.01)
        continue
    producer.produce(topic, value=str(value).encode(), partition=0, on_delivery=report)
    value += 1
    producer.poll(0)
producer.flush(60)
print(json.dumps({"done": True, "acked": acked, "failed": failed, "fatal": fatal}), flush=True)
