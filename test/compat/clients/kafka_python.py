"""kafka-python 2.0.2 against a running broker (BOOTSTRAP).

It guesses the broker version (ApiVersions v0 with Metadata v0 pipelined behind it) and then
uses the API versions of that release. Codecs: none and gzip only (the Debian package has no
snappy, lz4 or zstd modules). Reads back with assign() and group_id=None (no group).
"""
import logging
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from compat_common import (BOOTSTRAP, PARTITIONS, RECORD_COUNT, Scenarios, expect_codec, make_records, topic_name,
                           verify_consumed, verify_offsets)

CODECS = [("none", None), ("gzip", "gzip")]
TIMEOUT_S = 60
logging.basicConfig(level=logging.CRITICAL, stream=sys.stderr)
sc = Scenarios()
state = {}


def connect():
    state["admin"] = KafkaAdminClient(bootstrap_servers=BOOTSTRAP, client_id="compat-kafka-python", request_timeout_ms=30000)
    # The version kafka-python inferred from ApiVersions decides every API version it uses.
    print("  inferred broker version: %s" % (state["admin"].config.get("api_version"),), flush=True)


def create(topic):
    state["admin"].create_topics([NewTopic(name=topic, num_partitions=PARTITIONS, replication_factor=1)], timeout_ms=30000)
    consumer = new_consumer()
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            partitions = consumer.partitions_for_topic(topic)
            if partitions:
                break
            time.sleep(0.1)
        if partitions is None or len(partitions) != PARTITIONS:
            raise AssertionError("metadata shows partitions %s, expected %d" % (partitions, PARTITIONS))
    finally:
        consumer.close()


def produce(topic, records, compression):
    producer = KafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all", linger_ms=5, compression_type=compression,
                             client_id="compat-kafka-python")
    try:
        futures = [producer.send(topic, key=key.encode(), value=value.encode()) for key, value in records]
        producer.flush(timeout=TIMEOUT_S)
        failures = [f.exception for f in futures if f.failed()]
        pending = sum(1 for f in futures if not f.is_done)
        if pending:
            raise AssertionError("%d records still undelivered after %d s" % (pending, TIMEOUT_S))
        if failures:
            raise AssertionError("%d delivery failures, first: %r" % (len(failures), failures[0]))
    finally:
        producer.close(timeout=10)


def new_consumer():
    return KafkaConsumer(bootstrap_servers=BOOTSTRAP, group_id=None, enable_auto_commit=False,
                         client_id="compat-kafka-python", request_timeout_ms=30000)


def partitions_of(consumer, topic):
    found = consumer.partitions_for_topic(topic)
    if not found:
        raise AssertionError("no partitions known for %s" % topic)
    return [TopicPartition(topic, p) for p in sorted(found)]


def read_all(topic, count):
    consumer = new_consumer()
    try:
        tps = partitions_of(consumer, topic)
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        out = []
        deadline = time.time() + TIMEOUT_S
        while len(out) < count:
            if time.time() > deadline:
                raise AssertionError("read %d of %d records in %d s" % (len(out), count, TIMEOUT_S))
            for tp, messages in consumer.poll(timeout_ms=500).items():
                for m in messages:
                    out.append((tp.partition, m.offset, m.key.decode() if m.key is not None else None,
                                m.value.decode() if m.value is not None else None))
        return out
    finally:
        consumer.close()


def offsets(topic):
    consumer = new_consumer()
    try:
        tps = partitions_of(consumer, topic)
        earliest = consumer.beginning_offsets(tps)
        latest = consumer.end_offsets(tps)
        return dict((tp.partition, o) for tp, o in earliest.items()), dict((tp.partition, o) for tp, o in latest.items())
    finally:
        consumer.close()


def delete(topic):
    state["admin"].delete_topics([topic], timeout_ms=30000)
    if topic in state["admin"].list_topics():
        raise AssertionError("topic still listed after delete_topics")


def codec_round(label, compression):
    topic = topic_name("kafka-python", label)
    sent = make_records("kafka-python-" + label)
    result = {}
    sc.run("create topic [%s]" % label, lambda: create(topic))
    if sc.run("produce %d keyed records [%s]" % (RECORD_COUNT, label), lambda: produce(topic, sent, compression)):
        sc.run("stored batches are %s" % label, lambda: expect_codec(topic, label))

        def consume_and_verify():
            result["by_partition"] = verify_consumed(sent, read_all(topic, len(sent)))

        def list_offsets():
            if "by_partition" not in result:
                raise AssertionError("nothing consumed to compare with")
            earliest, latest = offsets(topic)
            verify_offsets(result["by_partition"], earliest, latest)

        sc.run("consume and verify %d records [%s]" % (RECORD_COUNT, label), consume_and_verify)
        sc.run("list offsets earliest/latest [%s]" % label, list_offsets)
    sc.run("delete topic [%s]" % label, lambda: delete(topic))


if sc.run("connect (version probe: ApiVersions v0 + Metadata v0)", connect):
    for label, compression in CODECS:
        codec_round(label, compression)
sc.exit()
