#!/usr/bin/env node
// Runs every compiled unit test (`packages/*/dist/**/*.test.js`, `packages/*/codegen/dist/**/*.test.js`)
// with node's built-in test runner.
// Usage: node scripts/run-tests.mjs [substring filter ...]
import { spawnSync } from 'node:child_process';
import { builtFiles, root } from './built-files.mjs';

const selected = builtFiles('.test.js', process.argv.slice(2));
if (selected.length === 0) {
  console.error('no test files found; did the build run?');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-reporter=spec', ...selected], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
