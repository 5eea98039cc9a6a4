/**
 * `<dataDir>/meta.properties`, as Kafka keeps it: the cluster id (made at first start) and the
 * node id the directory belongs to. Starting a node on another node's data directory is refused,
 * since its logs would be served under the wrong identity.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { TributaryError, err, ok, type FileSystem, type Result } from '@tributary/common';

export const META_PROPERTIES_FILE = 'meta.properties';
const META_VERSION = '1';
/** The file is a few lines; anything larger is not ours. */
const META_BYTES_MAX = 64 * 1024;

export class MetaPropertiesError extends TributaryError {
  override readonly name = 'MetaPropertiesError';
}

export interface MetaProperties {
  readonly clusterId: string;
  readonly nodeId: number;
}

function parse(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq > 0) entries.set(trimmed.slice(0, eq).trim(), trimmed.slice(eq + 1).trim());
  }
  return entries;
}

async function writeDurably(fs: FileSystem, dir: string, meta: MetaProperties): Promise<void> {
  const path = posix.join(dir, META_PROPERTIES_FILE);
  const tmp = `${path}.tmp`;
  const text = `# Written by Tributary at this directory's first start.\nversion=${META_VERSION}\ncluster.id=${meta.clusterId}\nnode.id=${meta.nodeId}\n`;
  const handle = await fs.open(tmp, 'rw');
  try {
    await handle.truncate(0);
    await handle.write(Buffer.from(text), 0);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, path);
  await fs.syncDirectory(dir);
}

/**
 * Reads the directory's identity, creating it on first start with `clusterId` (a cluster's nodes
 * must agree on it) or, for a single broker, a new random one. A directory written for another
 * cluster or node is refused.
 */
export async function loadOrCreateMetaProperties(fs: FileSystem, dir: string, nodeId: number, clusterId?: string): Promise<Result<MetaProperties, MetaPropertiesError>> {
  const path = posix.join(dir, META_PROPERTIES_FILE);
  try {
    if (!(await fs.exists(path))) {
      const meta = { clusterId: clusterId ?? randomBytes(16).toString('base64url'), nodeId };
      await writeDurably(fs, dir, meta);
      return ok(meta);
    }
    const bytes = await fs.readFile(path);
    if (bytes.length > META_BYTES_MAX) return err(new MetaPropertiesError(`${path} is ${bytes.length} bytes: not a Tributary meta.properties`));
    const entries = parse(bytes.toString('utf8'));
    const storedClusterId = entries.get('cluster.id');
    const storedNodeId = Number(entries.get('node.id'));
    if (storedClusterId === undefined || storedClusterId === '' || !Number.isSafeInteger(storedNodeId)) {
      return err(new MetaPropertiesError(`${path} lacks cluster.id or node.id; remove it only if this directory holds no data`));
    }
    if (storedNodeId !== nodeId) {
      return err(new MetaPropertiesError(`${dir} belongs to node ${storedNodeId}, not node ${nodeId} (see ${path})`));
    }
    if (clusterId !== undefined && storedClusterId !== clusterId) {
      return err(new MetaPropertiesError(`${dir} belongs to cluster ${storedClusterId}, not ${clusterId} (see ${path})`));
    }
    return ok({ clusterId: storedClusterId, nodeId });
  } catch (e) {
    return err(new MetaPropertiesError(`cannot read or write ${path}: ${(e as Error).message}`));
  }
}
