/**
 * Parsing and checking config values the way Kafka's ConfigDef does: numbers are trimmed and
 * must fit their Kafka type (INT is int32, LONG is int64), booleans are true/false in any case,
 * lists are comma-separated. A checker returns why a value is bad, or null; the caller wraps it
 * in Kafka's "Invalid value X for configuration Y: reason".
 */

/** Kafka's ConfigType codes as DescribeConfigs v3+ reports them. */
export const ConfigType = { BOOLEAN: 1, STRING: 2, INT: 3, SHORT: 4, LONG: 5, DOUBLE: 6, LIST: 7, CLASS: 8, PASSWORD: 9 } as const;

/** Kafka's ConfigSource codes (DescribeConfigs v1+ and CreateTopics v5+). */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

export const INT32_MAX = 0x7fff_ffff;
export const INT64_MAX = 9223372036854775807n;
const INT32_MIN = -0x8000_0000;
const INT64_MIN = -9223372036854775808n;

/** Kafka's Long.MAX_VALUE as a config default (flush.messages, flush.ms, ...). */
export const LONG_MAX_TEXT = INT64_MAX.toString();

const INTEGER = /^[+-]?[0-9]+$/;

export type ValueCheck = (value: string) => string | null;

/** A LONG at least `min`: any int64 is accepted, as Kafka does. */
export function longAtLeast(min: bigint | null): ValueCheck {
  return (value) => {
    const text = value.trim();
    if (!INTEGER.test(text)) return 'Expected value to be a 64-bit integer (long)';
    const n = BigInt(text);
    if (n < INT64_MIN || n > INT64_MAX) return 'Expected value to be a 64-bit integer (long)';
    if (min !== null && n < min) return `Value must be at least ${min}`;
    return null;
  };
}

export function intAtLeast(min: number | null, max: number = INT32_MAX): ValueCheck {
  return (value) => {
    const text = value.trim();
    if (!INTEGER.test(text)) return 'Expected value to be a 32-bit integer';
    const n = Number(text);
    if (n < INT32_MIN || n > INT32_MAX) return 'Expected value to be a 32-bit integer';
    if (min !== null && n < min) return `Value must be at least ${min}`;
    if (n > max) return `Value must be no more than ${max}`;
    return null;
  };
}

export function doubleBetween(min: number, max: number): ValueCheck {
  return (value) => {
    const text = value.trim();
    const n = Number(text);
    if (text.length === 0 || !Number.isFinite(n)) return 'Expected value to be a number (double)';
    if (n < min) return `Value must be at least ${min}`;
    if (n > max) return `Value must be no more than ${max}`;
    return null;
  };
}

export const booleanValue: ValueCheck = (value) => (/^(true|false)$/i.test(value.trim()) ? null : 'Expected value to be either true or false');

export function oneOf(allowed: readonly string[]): ValueCheck {
  return (value) => (allowed.includes(value.trim()) ? null : `String must be one of: ${allowed.join(', ')}`);
}

/** A non-empty list whose every item is in `allowed` (Kafka's ValidList). */
export function listOf(allowed: readonly string[]): ValueCheck {
  return (value) => {
    const items = splitList(value);
    if (items.length === 0) return `Value must be a non-empty list of: ${allowed.join(', ')}`;
    const bad = items.find((item) => !allowed.includes(item));
    return bad === undefined ? null : `Invalid value ${bad} in list; allowed: ${allowed.join(', ')}`;
  };
}

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** A validated LONG as a JS number for the log: clamped to safe integers (Long.MAX means "forever" anyway). */
export function longValue(value: string): number {
  const n = BigInt(value.trim());
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  return Number(n > max ? max : n < -max ? -max : n);
}

export function intValue(value: string): number {
  return Number(value.trim());
}

export function booleanOf(value: string): boolean {
  return value.trim().toLowerCase() === 'true';
}

/** Kafka's ConfigResource types (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs). */
export const ConfigResourceType = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16, GROUP: 32 } as const;
