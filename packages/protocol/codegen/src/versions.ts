/** Kafka schema version ranges: "0+", "3-5", "7", "none". */
export interface VersionRange {
  min: number;
  /** Inclusive; Infinity for an open range. */
  max: number;
}

export function parseVersions(text: string | undefined): VersionRange | null {
  if (text === undefined || text === 'none') return null;
  const trimmed = text.trim();
  if (trimmed.endsWith('+')) return { min: Number(trimmed.slice(0, -1)), max: Infinity };
  const dash = trimmed.indexOf('-');
  if (dash >= 0) return { min: Number(trimmed.slice(0, dash)), max: Number(trimmed.slice(dash + 1)) };
  const single = Number(trimmed);
  if (!Number.isInteger(single)) throw new Error(`bad version range: ${text}`);
  return { min: single, max: single };
}

export function contains(range: VersionRange | null, version: number): boolean {
  return range !== null && version >= range.min && version <= range.max;
}

export function intersect(a: VersionRange | null, b: VersionRange | null): VersionRange | null {
  if (a === null || b === null) return null;
  const min = Math.max(a.min, b.min);
  const max = Math.min(a.max, b.max);
  return min <= max ? { min, max } : null;
}

/** True when `inner` holds every version of `outer` (so no runtime check is needed inside it). */
export function covers(inner: VersionRange | null, outer: VersionRange | null): boolean {
  if (outer === null) return true;
  return inner !== null && inner.min <= outer.min && inner.max >= outer.max;
}

/**
 * A TypeScript condition on `version` that is true exactly inside `range`, given that the
 * code only ever runs for versions inside `within`. Returns 'true' or 'false' when constant.
 */
export function versionCondition(range: VersionRange | null, within: VersionRange | null, name = 'version'): string {
  const effective = intersect(range, within);
  if (effective === null) return 'false';
  if (covers(range, within)) return 'true';
  const parts: string[] = [];
  if (within === null || effective.min > within.min) parts.push(`${name} >= ${effective.min}`);
  if (effective.max !== Infinity && (within === null || effective.max < within.max)) parts.push(`${name} <= ${effective.max}`);
  return parts.length === 0 ? 'true' : parts.join(' && ');
}
