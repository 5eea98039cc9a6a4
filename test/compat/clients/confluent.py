"""confluent-kafka-python 1.7.0 (librdkafka 2.0.2) against a running broker (BOOTSTRAP).

Codecs: none, gzip, snappy, lz4, zstd. Reads back by assign() (no group join), offsets by
get_watermark_offsets, topic admin through AdminClient. Also the idempotent producer
(enable.idempotence=true, acks=all): every record read back exactly once.
"""
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition, OFFSET_BEGINNING
from confluent_kafka.admin import AdminClient, NewTopic

from compat_common import (BOOTSTRAP, PARTITIONS, RECORD_COUNT, Scenarios, expect_codec, make_records, stored_batches,
                           topic_name, verify_consumed, verify_offsets)

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
TIMEOUT_S = 60
sc = Scenarios()
errors = []


def on_error(err):
    errors.append(str(err))


admin = AdminClient({"bootstrap.servers": BOOTSTRAP, "error_cb": on_error})


def create(topic):
    futures = admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1)], operation_timeout=30)
    futures[topic].result(timeout=TIMEOUT_S)
    meta = admin.list_topics(topic=topic, timeout=10)
    count = len(meta.topics[topic].partitions)
    if count != PARTITIONS:
        raise AssertionError("metadata shows %d partitions, expected %d" % (count, PARTITIONS))


def produce(topic, records, extra):
    failures = []

    def delivered(err, msg):
        if err is not None:
            failures.append(str(err))

    producer = Producer(dict({"bootstrap.servers": BOOTSTRAP, "acks": "all", "linger.ms": 5, "error_cb": on_error}, **extra))
    for key, value in records:
        while True:
            try:
                producer.produce(topic, key=key.encode(), value=value.encode(), on_delivery=delivered)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    left = producer.flush(TIMEOUT_S)
    if left:
        raise AssertionError("%d records still undelivered after %d s (client errors: %s)" % (left, TIMEOUT_S, errors[-3:]))
    if failures:
        raise AssertionError("%d delivery failures, first: %s" % (len(failures), failures[0]))


def consumer():
    return Consumer({
        "bootstrap.servers": BOOTSTRAP,
        "group.id": "compat-confluent-unused",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "error_cb": on_error,
    })


def read_all(topic, count, partitions):
    c = consumer()
    try:
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
        out = []
        deadline = time.time() + TIMEOUT_S
        while len(out) < count:
            if time.time() > deadline:
                raise AssertionError("read %d of %d records in %d s (client errors: %s)" % (len(out), count, TIMEOUT_S, errors[-3:]))
            msg = c.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    continue
                raise AssertionError("consume error: %s" % msg.error())
            out.append((msg.partition(), msg.offset(), msg.key().decode() if msg.key() is not None else None,
                        msg.value().decode() if msg.value() is not None else None))
        return out
    finally:
        c.close()


def watermarks(topic, partitions):
    c = consumer()
    try:
        earliest, latest = {}, {}
        for p in range(partitions):
            low, high = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            earliest[p], latest[p] = low, high
        return earliest, latest
    finally:
        c.close()


def delete(topic):
    admin.delete_topics([topic], operation_timeout=30)[topic].result(timeout=TIMEOUT_S)
    if topic in admin.list_topics(timeout=10).topics:
        raise AssertionError("topic still listed after delete_topics")


def partition_count(topic):
    meta = admin.list_topics(topic=topic, timeout=10)
    return len(meta.topics[topic].partitions)


def expect_idempotent(topic):
    summary = expect_codec(topic, "lz4")
    if "-1" in summary["producerIds"] or not summary["producerIds"]:
        raise AssertionError("batches without a producer id: %s" % summary["producerIds"])


def round_trip(label, scenario, extra, stored_check):
    topic = topic_name("confluent", scenario)
    sent = make_records("confluent-" + scenario)
    state = {}
    sc.run("create topic [%s]" % label, lambda: create(topic))
    if not sc.run("produce %d keyed records [%s]" % (RECORD_COUNT, label), lambda: produce(topic, sent, extra)):
        sc.run("delete topic [%s]" % label, lambda: delete(topic))
        return

    sc.run("stored batches are %s" % ("lz4 with a producer id" if scenario == "idempotent" else label), lambda: stored_check(topic))

    def consume_and_verify():
        state["by_partition"] = verify_consumed(sent, read_all(topic, len(sent), partition_count(topic)))

    def list_offsets():
        if "by_partition" not in state:
            raise AssertionError("nothing consumed to compare with")
        earliest, latest = watermarks(topic, partition_count(topic))
        verify_offsets(state["by_partition"], earliest, latest)

    sc.run("consume and verify %d records [%s]" % (RECORD_COUNT, label), consume_and_verify)
    sc.run("list offsets earliest/latest [%s]" % label, list_offsets)
    sc.run("delete topic [%s]" % label, lambda: delete(topic))


for codec in CODECS:
    round_trip(codec, codec, {"compression.codec": codec}, lambda topic, codec=codec: expect_codec(topic, codec))
round_trip("idempotent acks=all", "idempotent", {"enable.idempotence": True, "compression.codec": "lz4"}, expect_idempotent)
sc.exit()
