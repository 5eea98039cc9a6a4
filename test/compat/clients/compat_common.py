"""Shared by the Python compat clients: the same records and checks as lib/records.mjs."""
import os
import json
import re
import subprocess
import sys
import threading
import time
import traceback

RECORD_COUNT = int(os.environ.get("COMPAT_RECORDS", "10000"))
PARTITIONS = 3
KEY_COUNT = 37
FILLER = "abcdefghij" * 8
RUN_ID = os.environ.get("COMPAT_RUN_ID") or format(int(time.time() * 1000), "x")
BOOTSTRAP = os.environ.get("BOOTSTRAP", "127.0.0.1:9092")
SCENARIO_TIMEOUT_S = 60


def topic_name(client, scenario):
    return "compat-%s-%s-%s" % (client, scenario, RUN_ID)


def make_records(prefix, count=RECORD_COUNT):
    return [("key-%d" % (i % KEY_COUNT), "%s-%06d-%s" % (prefix, i, FILLER)) for i in range(count)]


def _sequence(value):
    match = re.search(r"-(\d{6})-", value)
    return int(match.group(1)) if match else -1


def stored_batches(topic):
    """The codecs and producer ids of the batches the broker stored (lib/stored-batches.mjs)."""
    node = os.environ.get("TRIBUTARY_NODE", "node")
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib", "stored-batches.mjs")
    done = subprocess.run([node, script, BOOTSTRAP, topic], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError("stored-batches.mjs failed: %s" % done.stderr.strip()[-400:])
    return json.loads(done.stdout)


def expect_codec(topic, codec):
    summary = stored_batches(topic)
    if list(summary["codecs"].keys()) != [codec]:
        raise AssertionError("stored batches use %s, expected only %s" % (summary["codecs"], codec))
    return summary


def verify_consumed(sent, consumed):
    """consumed: list of (partition, offset, key, value). Raises AssertionError on the first problem."""
    expected = dict((value, key) for key, value in sent)
    seen = set()
    by_partition = {}
    for partition, offset, key, value in consumed:
        if value not in expected:
            raise AssertionError("unexpected record %r" % ((partition, offset, key, value[:60] if value else value),))
        if expected[value] != key:
            raise AssertionError("record %s has key %s, sent with %s" % (value[:30], key, expected[value]))
        if value in seen:
            raise AssertionError("record %s read twice" % value[:30])
        seen.add(value)
        by_partition.setdefault(partition, []).append((offset, key, value))
    if len(seen) != len(sent):
        raise AssertionError("read %d of %d records" % (len(seen), len(sent)))
    key_partition = {}
    for partition, records in by_partition.items():
        last_by_key = {}
        for i, (offset, key, value) in enumerate(records):
            if offset != i:
                raise AssertionError("partition %d: record %d has offset %d" % (partition, i, offset))
            seq = _sequence(value)
            if last_by_key.get(key, -1) >= seq:
                raise AssertionError("partition %d: %s out of order at offset %d" % (partition, key, offset))
            last_by_key[key] = seq
            if key_partition.setdefault(key, partition) != partition:
                raise AssertionError("%s found in partitions %d and %d" % (key, key_partition[key], partition))
    return by_partition


def verify_offsets(by_partition, earliest, latest):
    for partition, offset in earliest.items():
        if offset != 0:
            raise AssertionError("partition %d: earliest offset %d, expected 0" % (partition, offset))
    total = 0
    for partition, offset in latest.items():
        count = len(by_partition.get(partition, []))
        if offset != count:
            raise AssertionError("partition %d: latest offset %d, but %d records read" % (partition, offset, count))
        total += offset
    if total != RECORD_COUNT:
        raise AssertionError("latest offsets add up to %d, expected %d" % (total, RECORD_COUNT))


class Scenarios:
    """Runs named scenarios, printing one PASS/FAIL/SKIP line each for the runner."""

    def __init__(self):
        self.failed = 0

    def run(self, name, fn, timeout_s=SCENARIO_TIMEOUT_S):
        """Runs fn in a daemon thread so a client call that never returns (kafka-python retries
        some requests forever) fails this scenario after timeout_s instead of hanging the run."""
        started = time.time()
        outcome = {}

        def target():
            try:
                fn()
                outcome["ok"] = True
            except Exception as e:  # every failure becomes a FAIL line; the run goes on
                outcome["error"] = e
                if os.environ.get("COMPAT_VERBOSE"):
                    traceback.print_exc(file=sys.stderr)

        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        thread.join(timeout_s)
        if outcome.get("ok"):
            print("PASS %s (%d ms)" % (name, (time.time() - started) * 1000), flush=True)
            return True
        self.failed += 1
        if "error" in outcome:
            e = outcome["error"]
            message = ("%s: %s" % (type(e).__name__, e)).replace("\n", " ")[:600]
        else:
            message = "timed out after %d s (the client call never returned)" % timeout_s
        print("FAIL %s: %s" % (name, message), flush=True)
        return False

    def skip(self, name, reason):
        print("SKIP %s: %s" % (name, reason), flush=True)

    def exit(self):
        sys.stdout.flush()
        os._exit(0 if self.failed == 0 else 1)
