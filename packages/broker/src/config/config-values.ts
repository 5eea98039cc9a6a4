/**
 * Parsers for the values of broker settings. Each takes what a flag, an environment variable or
 * the JSON config file gave (a string, or a JSON number/boolean/object) and returns the typed
 * value or a message saying what was expected; load-config.ts adds which setting and where.
 */
import { type Result, ok, err } from '@tributary/common';
import type { HostPort, Voter } from './broker-config.js';
import { isLogLevel, logLevels } from '../logging.js';

export type ValueParser<T> = (raw: unknown) => Result<T, Error>;

const INT32_MAX = 0x7fff_ffff;

function problem(message: string): { ok: false; error: Error } {
  return err(new Error(message));
}

function describe(raw: unknown): string {
  return typeof raw === 'string' ? `'${raw}'` : JSON.stringify(raw) ?? String(raw);
}

/** An integer in [min, max], given as a JSON number or a decimal string. */
export function intIn(min: number, max: number): ValueParser<number> {
  return (raw) => {
    let value: number;
    if (typeof raw === 'number') value = raw;
    else if (typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw)) value = Number(raw.trim());
    else return problem(`expected an integer, got ${describe(raw)}`);
    if (!Number.isSafeInteger(value)) return problem(`expected an integer, got ${describe(raw)}`);
    if (value < min || value > max) return problem(`${value} is out of range: must be between ${min} and ${max}`);
    return ok(value);
  };
}

export const int32Min = (min: number): ValueParser<number> => intIn(min, INT32_MAX);
export const safeIntMin = (min: number): ValueParser<number> => intIn(min, Number.MAX_SAFE_INTEGER);

export const bool: ValueParser<boolean> = (raw) => {
  if (typeof raw === 'boolean') return ok(raw);
  if (typeof raw === 'string') {
    const text = raw.trim().toLowerCase();
    if (text === 'true') return ok(true);
    if (text === 'false') return ok(false);
  }
  return problem(`expected true or false, got ${describe(raw)}`);
};

export const nonEmptyString: ValueParser<string> = (raw) =>
  typeof raw === 'string' && raw.trim() !== '' ? ok(raw.trim()) : problem(`expected a non-empty string, got ${describe(raw)}`);

export const logLevel: ValueParser<string> = (raw) =>
  typeof raw === 'string' && isLogLevel(raw.trim()) ? ok(raw.trim()) : problem(`expected one of ${logLevels.join(', ')}, got ${describe(raw)}`);

const port = intIn(0, 65535);

/** `HOST:PORT` or `[IPV6]:PORT`; port 0 asks the OS for a free port. */
export function parseHostPort(text: string): Result<HostPort, Error> {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]\s]+):(\d+)$/.exec(text);
  if (match === null) return problem(`expected HOST:PORT (or [IPV6]:PORT), got '${text}'`);
  const parsed = port(match[2]);
  if (!parsed.ok) return problem(`port in '${text}': ${parsed.error.message}`);
  return ok({ host: match[1], port: parsed.value });
}

export const hostPort: ValueParser<HostPort> = (raw) => {
  if (typeof raw === 'string') return parseHostPort(raw.trim());
  if (typeof raw === 'object' && raw !== null && 'host' in raw && 'port' in raw) return parseHostPort(`${String(raw.host)}:${String(raw.port)}`);
  return problem(`expected HOST:PORT, got ${describe(raw)}`);
};

const nodeId = intIn(0, INT32_MAX);

/** The items of a comma-separated list, or of a JSON array; null when it is neither or empty. */
function listItems(raw: unknown): string[] | null {
  const items = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter((s) => s !== '') : Array.isArray(raw) ? raw.map((item) => String(item).trim()) : null;
  return items === null || items.length === 0 ? null : items;
}

/** `ID@HOST:PORT,...` (or a JSON array of such strings): the controller quorum's voters. */
export const voters: ValueParser<Voter[]> = (raw) => {
  const items = listItems(raw);
  if (items === null) return problem(`expected ID@HOST:PORT,... got ${describe(raw)}`);
  const result: Voter[] = [];
  for (const text of items) {
    const at = text.indexOf('@');
    if (at < 0) return problem(`expected ID@HOST:PORT, got '${text}'`);
    const id = nodeId(text.slice(0, at));
    if (!id.ok) return problem(`node id in '${text}': ${id.error.message}`);
    const address = parseHostPort(text.slice(at + 1));
    if (!address.ok) return problem(address.error.message);
    if (result.some((v) => v.nodeId === id.value)) return problem(`node id ${id.value} appears twice`);
    result.push({ nodeId: id.value, host: address.value.host, port: address.value.port });
  }
  return ok(result);
};

/** One entry of a listener list: Kafka's `NAME://HOST:PORT`. */
export interface NamedAddress {
  readonly name: string;
  /** The host is '' for `NAME://:PORT` (Kafka's "every interface" when listening). */
  readonly address: HostPort;
}

const LISTENER_NAME = /^[A-Z0-9_]+$/;

/** `HOST:PORT`, or `:PORT` with an empty host. */
function listenerAddress(text: string): Result<HostPort, Error> {
  if (!/^:\d+$/.test(text)) return parseHostPort(text);
  const parsed = port(text.slice(1));
  return parsed.ok ? ok({ host: '', port: parsed.value }) : problem(`port in '${text}': ${parsed.error.message}`);
}

/** `NAME://HOST:PORT,...` (or a JSON array of such strings), as Kafka's listeners and advertised.listeners. */
export const namedAddresses: ValueParser<NamedAddress[]> = (raw) => {
  const items = listItems(raw);
  if (items === null) return problem(`expected NAME://HOST:PORT,... got ${describe(raw)}`);
  const result: NamedAddress[] = [];
  for (const text of items) {
    const match = /^([^:/]*):\/\/(.*)$/.exec(text);
    if (match === null) return problem(`expected NAME://HOST:PORT, got '${text}'`);
    const [, name, rest] = match;
    if (!LISTENER_NAME.test(name)) return problem(`listener name '${name}' in '${text}': use upper-case letters, digits and _`);
    if (result.some((entry) => entry.name === name)) return problem(`listener name ${name} appears twice`);
    const address = listenerAddress(rest);
    if (!address.ok) return problem(`in '${text}': ${address.error.message}`);
    result.push({ name, address: address.value });
  }
  return ok(result);
};

/** Hosts that mean "every interface": not an address a client can connect to. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}
