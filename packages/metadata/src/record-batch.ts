// A metadata Raft entry (or snapshot) carries a list of records applied together:
//   [count: u32 BE] then per record [length: u32 BE][encodeRecord bytes]
// The fixed-width header lets a reader bound the whole list before decoding any record.
import { err, ok, type Result } from '@tributary/common';
import { MetadataDecodeError, decodeRecord, defaultMetadataCodecLimits, encodeRecord, type MetadataCodecLimits } from './codec.js';
import type { MetadataRecord } from './records.js';

export interface RecordBatchLimits extends MetadataCodecLimits {
  /** Records in one batch at most (a snapshot of a large cluster is the biggest batch). */
  readonly maxRecordsPerBatch: number;
}

export const defaultRecordBatchLimits: RecordBatchLimits = { ...defaultMetadataCodecLimits, maxRecordsPerBatch: 1_000_000 };

export function encodeRecordBatch(records: readonly MetadataRecord[]): Uint8Array {
  const encoded = records.map(encodeRecord);
  const total = 4 + encoded.reduce((n, e) => n + 4 + e.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, encoded.length);
  let at = 4;
  for (const e of encoded) {
    view.setUint32(at, e.length);
    out.set(e, at + 4);
    at += 4 + e.length;
  }
  return out;
}

export function decodeRecordBatch(bytes: Uint8Array, limits: RecordBatchLimits = defaultRecordBatchLimits): Result<MetadataRecord[], MetadataDecodeError> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) return err(new MetadataDecodeError('truncated', 'record batch shorter than its header'));
  const count = view.getUint32(0);
  if (count > limits.maxRecordsPerBatch) return err(new MetadataDecodeError('too-large', `batch of ${count} records exceeds ${limits.maxRecordsPerBatch}`));
  const records: MetadataRecord[] = [];
  let at = 4;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length) return err(new MetadataDecodeError('truncated', `record ${i} of ${count}: length missing`));
    const length = view.getUint32(at);
    if (at + 4 + length > bytes.length) return err(new MetadataDecodeError('truncated', `record ${i} of ${count}: ${length} bytes announced, ${bytes.length - at - 4} left`));
    const decoded = decodeRecord(bytes.subarray(at + 4, at + 4 + length), limits);
    if (!decoded.ok) return decoded;
    records.push(decoded.value);
    at += 4 + length;
  }
  if (at !== bytes.length) return err(new MetadataDecodeError('trailing-bytes', `${bytes.length - at} bytes after ${count} records`));
  return ok(records);
}
