#!/usr/bin/env node
// Runs every compiled benchmark (`packages/*/dist/**/*.bench.js`), one process each, in order.
// Benchmarks print figures; they assert nothing about speed. BENCH_QUICK=1 shortens them (CI).
// Usage: node scripts/run-benchmarks.mjs [substring filter ...]
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function collect(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.bench.js')) out.push(path);
  }
  return out;
}

const files = readdirSync(join(root, 'packages'))
  .flatMap((pkg) => collect(join(root, 'packages', pkg, 'dist'), []))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n== ${file}`);
  const result = spawnSync(process.execPath, ['--enable-source-maps', file], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
