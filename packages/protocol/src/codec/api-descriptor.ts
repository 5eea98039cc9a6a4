import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

/** What the generated API table knows of one Kafka API. */
export interface ApiDescriptor<K extends number, Req, Res> {
  readonly apiKey: K;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** The first version using flexible encodings (KIP-482), or null if none does. */
  readonly firstFlexibleVersion: number | null;
  /** Kafka's deprecated version range, e.g. "0-6", or null. */
  readonly deprecatedVersions: string | null;
  /** The newest version is still unstable and must not be advertised. */
  readonly latestVersionUnstable: boolean;
  /** Which Kafka listeners serve it: "broker", "controller", "zkBroker". */
  readonly listeners: readonly string[];
  encodeRequest(w: Writer, value: Req, version: number): void;
  decodeRequest(r: Reader, version: number): Req;
  defaultRequest(): Req;
  encodeResponse(w: Writer, value: Res, version: number): void;
  decodeResponse(r: Reader, version: number): Res;
  defaultResponse(): Res;
}
