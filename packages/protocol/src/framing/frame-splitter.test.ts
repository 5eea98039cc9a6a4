import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameSplitter } from './frame-splitter.js';
import { FrameTooLargeError, KafkaDecodeError } from '../codec/errors.js';

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

test('splits frames however the stream is chunked', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
      fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
      (bodies, cuts) => {
        const stream = Buffer.concat(bodies.map((b) => frame(Buffer.from(b))));
        const splitter = new FrameSplitter({ frameBytesMax: 1024 });
        const out: Buffer[] = [];
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          const n = cuts[i % cuts.length];
          const result = splitter.push(stream.subarray(at, at + n));
          assert.ok(result.ok);
          out.push(...result.value);
          at += n;
        }
        assert.deepEqual(out.map((b) => Buffer.from(b).toString('hex')), bodies.map((b) => Buffer.from(b).toString('hex')));
        assert.equal(splitter.bufferedBytes, 0);
      },
    ),
  );
});

test('a frame over the limit is rejected from its size prefix alone', () => {
  const splitter = new FrameSplitter({ frameBytesMax: 1000 });
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(1001);
  const result = splitter.push(prefix);
  assert.ok(!result.ok);
  assert.ok(result.error instanceof FrameTooLargeError);
  assert.equal(result.error.frameBytes, 1001);
  assert.match(result.error.message, /1001 bytes exceeds the limit of 1000/);
  assert.equal(splitter.bufferedBytes, 0, 'nothing is held for a rejected frame');
  // The stream cannot be resynchronised: later input gets the same error.
  assert.ok(!splitter.push(Buffer.alloc(10)).ok);
});

test('the default limit is 100 MiB; a claimed 2 GiB frame allocates nothing', () => {
  const splitter = new FrameSplitter();
  assert.equal(splitter.frameBytesMax, 100 * 1024 * 1024);
  const before = process.memoryUsage().arrayBuffers;
  const result = splitter.push(Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]));
  assert.ok(!result.ok && result.error instanceof FrameTooLargeError);
  assert.ok(process.memoryUsage().arrayBuffers - before < 1024 * 1024);
});

test('a negative size is a decode error', () => {
  const result = new FrameSplitter().push(Buffer.from([0xff, 0xff, 0xff, 0xfe]));
  assert.ok(!result.ok && result.error instanceof KafkaDecodeError);
});

test('a frame announced but not yet sent holds only the bytes received', () => {
  const splitter = new FrameSplitter({ frameBytesMax: 50 * 1024 * 1024 });
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(40 * 1024 * 1024);
  const result = splitter.push(Buffer.concat([prefix, Buffer.alloc(100)]));
  assert.ok(result.ok && result.value.length === 0);
  assert.equal(splitter.bufferedBytes, 100);
});
