import { apis, type ApiKey } from '../generated/api.js';

const CONTROLLED_SHUTDOWN = 7;
const API_VERSIONS = 18;

export function isApiKey(apiKey: number): apiKey is ApiKey {
  return Object.prototype.hasOwnProperty.call(apis, apiKey);
}

export function isFlexible(apiKey: ApiKey, version: number): boolean {
  const first = apis[apiKey].firstFlexibleVersion;
  return first !== null && version >= first;
}

/** Request header version: v2 for flexible requests, v1 otherwise; ControlledShutdown v0 uses v0. */
export function requestHeaderVersion(apiKey: ApiKey, version: number): number {
  if (isFlexible(apiKey, version)) return 2;
  return apiKey === CONTROLLED_SHUTDOWN && version === 0 ? 0 : 1;
}

/**
 * Response header version: v1 for flexible responses, v0 otherwise. ApiVersions always uses v0
 * (KIP-511), so a client can read the answer whatever version it asked with.
 */
export function responseHeaderVersion(apiKey: ApiKey, version: number): number {
  if (apiKey === API_VERSIONS) return 0;
  return isFlexible(apiKey, version) ? 1 : 0;
}
