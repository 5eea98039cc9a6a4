/**
 * What a broker said it serves (ApiVersions), and the version we use for each call: the highest
 * version both sides speak, as Kafka's clients choose it.
 */
import { err, ok, type Result } from '@tributary/common';
import { ApiKey, ErrorCode, apis } from '@tributary/protocol';
import type { BrokerConnection } from './broker-connection.js';
import { ClientError } from './client-error.js';

export interface VersionRange {
  readonly minVersion: number;
  readonly maxVersion: number;
}

export class ApiVersionTable {
  constructor(private readonly ranges: ReadonlyMap<number, VersionRange>) {}

  supports(apiKey: ApiKey): boolean {
    return this.ranges.has(apiKey);
  }

  range(apiKey: ApiKey): VersionRange | undefined {
    return this.ranges.get(apiKey);
  }

  /** The highest version in both [ours.min, ours.max] and the broker's range. */
  pick(apiKey: ApiKey, ours: VersionRange): Result<number, ClientError> {
    const theirs = this.ranges.get(apiKey);
    const name = apis[apiKey].name;
    if (theirs === undefined) return err(new ClientError('unsupported', `the broker does not support ${name}`, ErrorCode.UNSUPPORTED_VERSION));
    const version = Math.min(theirs.maxVersion, ours.maxVersion);
    if (version < ours.minVersion || version < theirs.minVersion) {
      const message = `the broker serves ${name} v${theirs.minVersion}-${theirs.maxVersion}; this client needs v${ours.minVersion}-${ours.maxVersion}`;
      return err(new ClientError('unsupported', message, ErrorCode.UNSUPPORTED_VERSION));
    }
    return ok(version);
  }
}

const CLIENT_SOFTWARE_NAME = 'tributary-cli';
const CLIENT_SOFTWARE_VERSION = '0.1.0';
/** Tried first; v0 is the fallback every broker answers (KIP-511). */
const API_VERSIONS_PREFERRED = 3;

/** Asks the broker what it serves: ApiVersions v3, then v0 if v3 is refused or unreadable. */
export async function negotiateApiVersions(connection: BrokerConnection): Promise<Result<ApiVersionTable, ClientError>> {
  const first = await connection.request(ApiKey.ApiVersions, API_VERSIONS_PREFERRED, {
    clientSoftwareName: CLIENT_SOFTWARE_NAME,
    clientSoftwareVersion: CLIENT_SOFTWARE_VERSION,
  });
  let response = first;
  const refused = first.ok && first.value.errorCode === ErrorCode.UNSUPPORTED_VERSION;
  if ((!first.ok && first.error.kind === 'protocol') || refused) {
    response = await connection.request(ApiKey.ApiVersions, 0, { clientSoftwareName: '', clientSoftwareVersion: '' });
  }
  if (!response.ok) return response;
  if (response.value.errorCode !== ErrorCode.NONE) return err(ClientError.fromCode(response.value.errorCode, 'ApiVersions'));
  const ranges = new Map<number, VersionRange>();
  for (const api of response.value.apiKeys) ranges.set(api.apiKey, { minVersion: api.minVersion, maxVersion: api.maxVersion });
  return ok(new ApiVersionTable(ranges));
}
