/** The zero UUID as Kafka's base64url text (Uuid.ZERO_UUID). */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** Shared empty buffer; treat as read-only. */
export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

/** Structural equality over decoded message values (numbers, bigints, strings, buffers, arrays, objects). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
