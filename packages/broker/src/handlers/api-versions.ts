/**
 * ApiVersions, v0–3. Advertises every API in the handler table with its served range and
 * MinVersion 0 where the handler serves it (old clients' feature checks need it; see the
 * clients reference §6.2). v3's body is flexible but its response header stays v0 (the protocol
 * package's framing does that). For a version above ours, the listener answers with
 * `unsupportedApiVersionsResponse`: a v0 body with UNSUPPORTED_VERSION and our ApiVersions range
 * (KIP-511), and keeps the connection open.
 *
 * Differs from Kafka: the v3 client software name and version are not validated (Kafka answers
 * INVALID_REQUEST to names outside [a-zA-Z0-9.-]); no features are advertised.
 */
import { ApiKey, ErrorCode, defaultApiVersionsResponse, type ApiVersionsResponse } from '@tributary/protocol';
import type { AnyHandlerSpec, HandlerSpec } from './handler.js';

export interface VersionRange {
  readonly minVersion: number;
  readonly maxVersion: number;
}

export const API_VERSIONS_RANGE: VersionRange = { minVersion: 0, maxVersion: 3 };

/** The ApiKeys array: one entry per handler, ordered by key. */
export function advertisedApiKeys(specs: readonly AnyHandlerSpec[]): ApiVersionsResponse['apiKeys'] {
  return [...specs]
    .sort((a, b) => a.apiKey - b.apiKey)
    .map((spec) => ({ apiKey: spec.apiKey, minVersion: spec.minVersion, maxVersion: spec.maxVersion }));
}

/** The answer to an ApiVersions request at a version we do not serve (to be encoded as v0). */
export function unsupportedApiVersionsResponse(range: VersionRange = API_VERSIONS_RANGE): ApiVersionsResponse {
  return {
    ...defaultApiVersionsResponse(),
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    apiKeys: [{ apiKey: ApiKey.ApiVersions, minVersion: range.minVersion, maxVersion: range.maxVersion }],
  };
}

/**
 * The ApiVersions handler over a table of specs. `specs` is a function because the table
 * includes this handler: it is read when a request arrives, not when the module loads.
 */
export function createApiVersionsHandler(specs: () => readonly AnyHandlerSpec[]): HandlerSpec<typeof ApiKey.ApiVersions> {
  return {
    apiKey: ApiKey.ApiVersions,
    ...API_VERSIONS_RANGE,
    handle: async () => ({ ...defaultApiVersionsResponse(), errorCode: ErrorCode.NONE, apiKeys: advertisedApiKeys(specs()) }),
    errorResponse: (_request, errorCode) => ({ ...defaultApiVersionsResponse(), errorCode }),
  };
}
