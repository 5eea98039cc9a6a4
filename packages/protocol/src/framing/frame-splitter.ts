import { limits, type Result, ok, err } from '@tributary/common';
import { FrameTooLargeError, KafkaDecodeError } from '../codec/errors.js';

const SIZE_PREFIX_BYTES = 4;

export interface FrameSplitterOptions {
  /** Largest frame body accepted (default 100 MiB). */
  frameBytesMax?: number;
}

/**
 * Splits a byte stream into Kafka frames (a 4-byte big-endian size, then that many bytes).
 * A size above the limit is rejected as soon as its 4 bytes arrive, before anything is
 * allocated for the frame; a frame's bytes are gathered only as they arrive, so a peer that
 * announces a large frame and stalls costs what it sent, not what it announced.
 */
export class FrameSplitter {
  readonly frameBytesMax: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Size of the frame being gathered, or -1 while its size prefix is incomplete. */
  private expected = -1;
  private failed: FrameTooLargeError | KafkaDecodeError | null = null;

  constructor(options: FrameSplitterOptions = {}) {
    this.frameBytesMax = options.frameBytesMax ?? limits.frameBytesMax;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Feeds bytes; returns every frame they complete (bodies without the size prefix). After an
   * error the stream cannot be resynchronised, so every later call returns the same error.
   */
  push(chunk: Buffer): Result<Buffer[], FrameTooLargeError | KafkaDecodeError> {
    if (this.failed !== null) return err(this.failed);
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Buffer[] = [];
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < SIZE_PREFIX_BYTES) break;
        const size = this.take(SIZE_PREFIX_BYTES).readInt32BE(0);
        if (size < 0) return this.fail(new KafkaDecodeError(`negative frame size ${size}`, 0));
        if (size > this.frameBytesMax) return this.fail(new FrameTooLargeError(size, this.frameBytesMax));
        this.expected = size;
      }
      if (this.buffered < this.expected) break;
      frames.push(this.take(this.expected));
      this.expected = -1;
    }
    return ok(frames);
  }

  private fail(error: FrameTooLargeError | KafkaDecodeError): Result<Buffer[], FrameTooLargeError | KafkaDecodeError> {
    this.failed = error;
    this.chunks = [];
    this.buffered = 0;
    return err(error);
  }

  /** Removes and returns the first n buffered bytes (n <= buffered), copying only across chunks. */
  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0];
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0];
      const used = Math.min(head.length, n - filled);
      head.copy(out, filled, 0, used);
      filled += used;
      if (used === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(used);
    }
    this.buffered -= n;
    return out;
  }
}
