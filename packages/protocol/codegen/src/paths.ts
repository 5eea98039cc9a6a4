import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The protocol package's root, from codegen/dist/. */
const packageRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export const paths = {
  packageRoot,
  distilledSchema: resolve(packageRoot, 'schema', 'messages.json'),
  generatedDir: resolve(packageRoot, 'src', 'generated'),
  /** Apache Kafka's schemas, beside the repository (absent on a plain clone). */
  sharedSchemaDir: resolve(packageRoot, '..', '..', '..', 'shared', 'kafka-protocol', 'messages'),
};
