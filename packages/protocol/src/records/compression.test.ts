import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { compress as snappyRaw } from 'snappy';
import { CompressionCodec, compress, compressionCodecName, decompress } from './compression.js';
import { CompressionError } from './errors.js';
import { lz4FrameBound } from './lz4-frame.js';
import { XERIAL_BLOCK_BYTES } from './snappy-xerial.js';
import { zstdFramesBound } from './zstd-frame.js';
import { allCodecs } from './testing/arbitraries.js';

const require = createRequire(import.meta.url);
const LZ4Codec = require('kafkajs-lz4');
const kafkajsSnappy = require('kafkajs-snappy')();
const lz4npm = new LZ4Codec().codec(); // lz4 npm: 4 MiB blocks, content checksum
const MiB = 1 << 20;

/** Compressible but not trivial: repeated words with a counter. */
function text(bytes: number): Buffer {
  let s = '';
  for (let i = 0; s.length < bytes; i++) s += `record ${i} payload ${i % 7} `;
  return Buffer.from(s.slice(0, bytes));
}

async function rejection(promise: Promise<unknown>): Promise<CompressionError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof CompressionError, `expected CompressionError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

const codecs = allCodecs.filter((c) => c !== CompressionCodec.None);

test('compress → decompress round-trips arbitrary data for every codec', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...codecs), fc.uint8Array({ maxLength: 3000 }), async (codec, bytes) => {
      const data = Buffer.from(bytes);
      const packed = await compress(codec, data);
      assert.deepEqual(await decompress(codec, packed, data.length), data);
    }),
    { numRuns: 300 },
  );
});

test('maxBytes is exact: the true size passes, one byte less is too-large', async () => {
  for (const size of [0, 1, 1000, 100_000, 3 * MiB + 17]) {
    const data = text(size);
    for (const codec of codecs) {
      const packed = await compress(codec, data);
      assert.equal((await decompress(codec, packed, size)).length, size);
      if (size > 0) {
        const error = await rejection(decompress(codec, packed, size - 1));
        assert.equal(error.kind, 'too-large', `${compressionCodecName(codec)} ${size}`);
        assert.equal(error.code, 10); // MESSAGE_TOO_LARGE
      }
    }
  }
});

test('snappy writes xerial framing with 32 KiB blocks, like the Java producer', async () => {
  const data = text(100_000);
  const packed = await compress(CompressionCodec.Snappy, data);
  assert.equal(packed.subarray(0, 16).toString('hex'), '82534e41505059000000000100000001');
  let blocks = 0;
  for (let pos = 16; pos < packed.length; blocks++) pos += 4 + packed.readInt32BE(pos);
  assert.equal(blocks, Math.ceil(data.length / XERIAL_BLOCK_BYTES));
  // kafkajs-snappy (snappyjs) reads it back too.
  assert.deepEqual(await kafkajsSnappy.decompress(packed), data);
});

test('snappy reads raw blocks (what kafkajs-snappy writes) and concatenated xerial streams', async () => {
  const data = text(5000);
  const raw: Buffer = await kafkajsSnappy.compress({ buffer: data });
  assert.notEqual(raw.subarray(0, 8).toString('hex'), '82534e4150505900');
  assert.deepEqual(await decompress(CompressionCodec.Snappy, raw, data.length), data);
  const framed = await compress(CompressionCodec.Snappy, data);
  const twice = Buffer.concat([framed, framed]);
  assert.deepEqual(await decompress(CompressionCodec.Snappy, twice, 2 * data.length), Buffer.concat([data, data]));
});

test('snappy refuses a declared length over maxBytes before inflating', async () => {
  // uvarint 0xffffffff (4 GiB) then one literal byte: would allocate 4 GiB if trusted.
  const lie = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x41]);
  assert.equal((await rejection(decompress(CompressionCodec.Snappy, lie, MiB))).kind, 'too-large');
  const block = await snappyRaw(text(50_000));
  const xerial = Buffer.concat([Buffer.from('82534e41505059000000000100000001', 'hex'), Buffer.alloc(4), block]);
  xerial.writeInt32BE(block.length, 16);
  assert.equal((await rejection(decompress(CompressionCodec.Snappy, xerial, 49_999))).kind, 'too-large');
});

test('lz4 writes one standard frame: independent blocks, no checksums, readable by lz4 npm', async () => {
  const data = text(200_000);
  const packed = await compress(CompressionCodec.Lz4, data);
  assert.equal(packed.readUInt32LE(0), 0x184d2204);
  const flg = packed[4];
  assert.equal(flg >> 6, 1, 'version 01');
  assert.ok(flg & 0x20, 'block independence (required by Kafka Java KafkaLZ4BlockInputStream)');
  assert.equal(flg & 0x1f, 0, 'no block checksum, content size, content checksum or dictionary');
  assert.ok([4, 5, 7].includes((packed[5] >> 4) & 7), 'lz4_flex picks 64 KiB, 256 KiB or 4 MiB blocks');
  assert.deepEqual(await lz4npm.decompress(packed), data);
  assert.ok(lz4FrameBound(packed).bound >= data.length);
});

test('lz4 reads lz4 npm frames (4 MiB blocks, content checksum) even with a tight maxBytes', async () => {
  for (const size of [0, 10, 1000, 70_000]) {
    const data = text(size);
    const packed: Buffer = await lz4npm.compress({ buffer: data });
    assert.equal(packed[4] & 0x04, 0x04, 'content checksum flag');
    assert.equal((packed[5] >> 4) & 7, 7, '4 MiB blocks');
    assert.deepEqual(await decompress(CompressionCodec.Lz4, packed, size), data);
  }
});

test('lz4 refuses trailing data and second frames (lz4_flex would silently drop them)', async () => {
  const packed = await compress(CompressionCodec.Lz4, text(100));
  for (const bad of [Buffer.concat([packed, packed]), Buffer.concat([packed, Buffer.from([1])]), Buffer.alloc(0)]) {
    assert.equal((await rejection(decompress(CompressionCodec.Lz4, bad, MiB))).kind, 'corrupt');
  }
});

test('zstd accepts concatenated and skippable frames, rejects trailing garbage', async () => {
  const a = text(3000);
  const packed = await compress(CompressionCodec.Zstd, a);
  const skippable = Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
  const both = Buffer.concat([packed, skippable, packed]);
  // No content size is declared, so each frame's compressed block counts as 128 KiB in the bound;
  // the one-block allowance is for the whole stream (per frame, many tiny frames would be a bomb).
  assert.equal(zstdFramesBound(both), 2 * 128 * 1024);
  assert.deepEqual(await decompress(CompressionCodec.Zstd, both, 128 * 1024), Buffer.concat([a, a]));
  assert.equal((await rejection(decompress(CompressionCodec.Zstd, both, 6000))).kind, 'too-large');
  for (const bad of [Buffer.concat([packed, Buffer.from([1, 2])]), Buffer.alloc(0), skippable]) {
    assert.equal((await rejection(decompress(CompressionCodec.Zstd, bad, MiB))).kind, 'corrupt');
  }
});

test('gzip reads concatenated members (what some producers write)', async () => {
  const a = text(1000);
  const twice = Buffer.concat([gzipSync(a), gzipSync(a)]);
  assert.deepEqual(await decompress(CompressionCodec.Gzip, twice, 2000), Buffer.concat([a, a]));
});

test('random bytes and mutated streams reject with CompressionError only', async () => {
  const samples = await Promise.all(codecs.map(async (codec) => [codec, await compress(codec, text(2000))] as const));
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...samples),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
      fc.uint8Array({ maxLength: 64 }),
      async ([codec, packed], flips, noise) => {
        const mutated = Buffer.from(packed);
        for (const [at, mask] of flips) mutated[at % mutated.length] ^= mask;
        for (const input of [mutated, Buffer.from(noise)]) {
          try {
            const out = await decompress(codec, input, 4096);
            assert.ok(out.length <= 4096);
          } catch (e) {
            assert.ok(e instanceof CompressionError, `${compressionCodecName(codec)}: ${String(e)}`);
          }
        }
      },
    ),
    { numRuns: 1500 },
  );
});

test('compression bombs are refused with a typed error, every codec', async () => {
  const zeros = Buffer.alloc(64 * MiB);
  for (const codec of codecs) {
    const bomb = await compress(codec, zeros);
    assert.ok(bomb.length < 4 * MiB);
    const error = await rejection(decompress(codec, bomb, MiB));
    assert.equal(error.kind, 'too-large', compressionCodecName(codec));
  }
});

test('a 300 MiB gzip bomb stops at the default limit', async () => {
  const bomb = gzipSync(Buffer.alloc(300 * MiB), { level: 1 });
  const error = await rejection(decompress(CompressionCodec.Gzip, bomb, 256 * MiB));
  assert.equal(error.kind, 'too-large');
});

test('an unknown codec id is a typed unsupported-codec error', async () => {
  const error = await rejection(decompress(7 as CompressionCodec, Buffer.alloc(1), 10));
  assert.equal(error.kind, 'unsupported-codec');
  assert.equal(error.code, 76);
  assert.equal((await rejection(compress(5 as CompressionCodec, Buffer.alloc(1)))).kind, 'unsupported-codec');
});
