#!/usr/bin/env node
// Runs every compiled benchmark (`packages/*/dist/**/*.bench.js`), one process each, in order.
// Benchmarks print figures; they assert nothing about speed. BENCH_QUICK=1 shortens them (CI).
// Usage: node scripts/run-benchmarks.mjs [substring filter ...]
import { spawnSync } from 'node:child_process';
import { builtFiles, root } from './built-files.mjs';

let failed = 0;
for (const file of builtFiles('.bench.js', process.argv.slice(2))) {
  console.log(`\n== ${file}`);
  const result = spawnSync(process.execPath, ['--enable-source-maps', file], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
