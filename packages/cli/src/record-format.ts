/** How `tributary consume` prints a record: its value, key and value, or a JSON line. */
import type { FetchedRecord } from './client/fetcher.js';

export const recordFormats = ['text', 'json', 'kv'] as const;
export type RecordFormat = (typeof recordFormats)[number];

function text(bytes: Buffer | null): string | null {
  return bytes === null ? null : bytes.toString('utf8');
}

export function formatRecord(topic: string, record: FetchedRecord, format: RecordFormat, keySeparator: string): string {
  switch (format) {
    case 'text':
      return `${text(record.value) ?? 'null'}\n`;
    case 'kv':
      return `${text(record.key) ?? 'null'}${keySeparator}${text(record.value) ?? 'null'}\n`;
    case 'json':
      return (
        JSON.stringify({
          topic,
          partition: record.partition,
          offset: Number(record.offset),
          timestamp: Number(record.timestamp),
          key: text(record.key),
          value: text(record.value),
          headers: Object.fromEntries(record.headers.map((h) => [h.key, text(h.value)])),
        }) + '\n'
      );
  }
}
