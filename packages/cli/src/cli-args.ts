/**
 * Flag parsing for every command (node:util parseArgs, strict), and the conversions the
 * commands share: integers with bounds, `k=v` lists, the bootstrap address.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Result } from '@tributary/common';
import { formatHostPort, parseHostPort, type BrokerAddress } from './client/host-port.js';
import { KafkaClient } from './client/kafka-client.js';
import type { ClientError } from './client/client-error.js';
import { fromClientError, usageError } from './cli-error.js';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

export const bootstrapOption = {
  bootstrap: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpecs;

export const DEFAULT_BOOTSTRAP = 'localhost:9092';
export const BOOTSTRAP_ENV = 'TRIBUTARY_BOOTSTRAP';

export type ParsedCommand<O extends OptionSpecs> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>>;

export function parseCommand<O extends OptionSpecs>(argv: readonly string[], options: O): ParsedCommand<O> {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (e) {
    // parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed flags.
    throw usageError(e instanceof Error ? e.message : String(e));
  }
}

export function intOption(value: string | undefined, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw usageError(`${flag} needs an integer, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw usageError(`${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** `k=v` pairs (repeated flags); the value may itself hold '='. */
export function keyValuePairs(list: readonly string[] | undefined, flag: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const item of list ?? []) {
    const at = item.indexOf('=');
    if (at <= 0) throw usageError(`${flag} needs key=value, got "${item}"`);
    pairs[item.slice(0, at)] = item.slice(at + 1);
  }
  return pairs;
}

export function resolveBootstrap(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): BrokerAddress {
  const text = flag ?? env[BOOTSTRAP_ENV] ?? DEFAULT_BOOTSTRAP;
  const parsed = parseHostPort(text);
  if (!parsed.ok) throw usageError(`--bootstrap: ${parsed.error.message}`);
  return parsed.value;
}

export async function connectClient(address: BrokerAddress): Promise<KafkaClient> {
  const client = await KafkaClient.connect(address);
  if (!client.ok) {
    const message = client.error.message.startsWith('cannot reach')
      ? client.error.message
      : `cannot reach broker at ${formatHostPort(address)}: ${client.error.message}`;
    throw fromClientError(Object.assign(client.error, { message }));
  }
  return client.value;
}

/** The value of a client call, or the failure it maps to. */
export function unwrap<T>(result: Result<T, ClientError>): T {
  if (!result.ok) throw fromClientError(result.error);
  return result.value;
}
