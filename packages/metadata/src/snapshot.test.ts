import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyRecord } from './apply-record.js';
import { decodeRecord, encodeRecord } from './codec.js';
import { emptyMetadataImage, type MetadataImage } from './metadata-image.js';
import type { MetadataRecord } from './records.js';
import { loadSnapshot, snapshotRecords } from './snapshot.js';
import { pooledSequenceArb } from './testing/arbitraries.js';

/** Applies what the image accepts, one offset per record, skipping refusals as a log never would. */
function applyAccepted(records: readonly MetadataRecord[]): { image: MetadataImage; accepted: number; changes: number } {
  let image = emptyMetadataImage;
  let accepted = 0;
  let changes = 0;
  records.forEach((record, i) => {
    const result = applyRecord(image, record, i);
    if (result.ok) {
      image = result.value;
      accepted++;
      if (record.type === 'partition-change') changes++;
    }
  });
  return { image, accepted, changes };
}

test('snapshot: an empty image snapshots to no records', () => {
  assert.deepEqual(snapshotRecords(emptyMetadataImage), []);
});

test('snapshot: replaying the snapshot of any image rebuilds an equal image', () => {
  let acceptedTotal = 0;
  let changesTotal = 0;
  fc.assert(
    fc.property(pooledSequenceArb, (records) => {
      const { image, accepted, changes } = applyAccepted(records);
      acceptedTotal += accepted;
      changesTotal += changes;
      const snapshot = snapshotRecords(image);
      // The snapshot travels encoded, like the log.
      const decoded = snapshot.map((r) => {
        const result = decodeRecord(encodeRecord(r));
        assert.ok(result.ok);
        return result.value;
      });
      const rebuilt = loadSnapshot(decoded, image.offset);
      assert.ok(rebuilt.ok, rebuilt.ok ? '' : rebuilt.error.message);
      assert.deepEqual(rebuilt.value, image);
      assert.deepEqual(snapshotRecords(rebuilt.value), snapshot);
    }),
    { numRuns: 300 },
  );
  // Guard against a generator whose sequences are all refused, which would test nothing.
  assert.ok(acceptedTotal > 1500, `only ${acceptedTotal} records were accepted`);
  assert.ok(changesTotal > 100, `only ${changesTotal} partition changes were accepted`);
});

test('snapshot: is minimal, with one record per broker, topic, partition and config entry', () => {
  fc.assert(
    fc.property(pooledSequenceArb, (records) => {
      const { image } = applyAccepted(records);
      let expected = image.brokers.size + image.topicsById.size;
      for (const topic of image.topicsById.values()) expected += topic.partitions.size;
      for (const entries of image.configs.values()) expected += entries.size;
      assert.equal(snapshotRecords(image).length, expected);
    }),
    { numRuns: 100 },
  );
});
