/** Test support for the deployment files (deploy/, docker-compose.cluster.yml): where they are and how to read them. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { loadConfig, type BrokerConfig } from '@tributary/broker';

/** The repository root, from this module's place in packages/cli/dist/deploy/testing/ (or src/). */
export const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));

export const k8sDir = join(repoRoot, 'deploy', 'k8s');

export interface YamlDocument {
  readonly file: string;
  readonly doc: Record<string, unknown>;
}

/**
 * Every YAML document of a file, as plain data. Merge keys (`<<: *anchor`) are resolved, as
 * docker-compose does; a syntax error throws, naming the file.
 */
export function readYamlDocuments(path: string): Record<string, unknown>[] {
  const documents = parseAllDocuments(readFileSync(path, 'utf8'), { merge: true });
  const list = Array.isArray(documents) ? documents : [documents];
  return list.map((document, index) => {
    if (document.errors.length > 0) throw new Error(`${path}, document ${index + 1}: ${document.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = document.toJS();
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${path}, document ${index + 1}: not a mapping`);
    return value as Record<string, unknown>;
  });
}

/** The .yaml and .yml files in deploy/k8s/, by name. */
export function k8sFiles(): string[] {
  return readdirSync(k8sDir)
    .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
    .sort();
}

/** Every document of every file in deploy/k8s/. */
export function k8sDocuments(): YamlDocument[] {
  return k8sFiles().flatMap((file) => readYamlDocuments(join(k8sDir, file)).map((doc) => ({ file, doc })));
}

/** `tributary broker`'s configuration from its arguments (after `broker`), environment and files; throws on a config error. */
export function brokerConfigFrom(argv: readonly string[], env: Record<string, string>, files: Record<string, string> = {}): BrokerConfig {
  const loaded = loadConfig({
    argv,
    env,
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw new Error(`no such file: ${path}`);
      return text;
    },
  });
  if (!loaded.ok) throw loaded.error;
  return loaded.value.config;
}
