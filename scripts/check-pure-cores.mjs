#!/usr/bin/env node
// The pure cores (raft, metadata, replication, group) take time, randomness and I/O from their
// callers so a simulation can drive them and replay a seed exactly. This check fails the build
// when their non-test sources reach for I/O, timers, the clock or Math.random.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cores = ['raft', 'metadata', 'replication', 'group'];
const forbidden = [
  [/from ['"](node:)?(fs|net|dgram|http|https|http2|child_process|timers|worker_threads|dns|tls)(\/promises)?['"]/, 'imports an I/O or timer module'],
  [/from ['"](level|pino|@grpc\/grpc-js)['"]/, 'imports an I/O library'],
  [/\bDate\.now\(/, 'reads the wall clock (take nowMs as an argument)'],
  [/\bnew Date\(\)/, 'reads the wall clock (take nowMs as an argument)'],
  [/\bMath\.random\(/, 'uses unseeded randomness (take a Random)'],
  [/\b(setTimeout|setInterval|setImmediate)\(/, 'schedules timers (take ticks instead)'],
  [/\bperformance\.now\(/, 'reads the monotonic clock'],
  [/\bprocess\.(hrtime|env)\b/, 'reads the process environment or clock'],
];

function sources(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !path.includes('/testing/')) out.push(path);
  }
  return out;
}

const problems = [];
for (const core of cores) {
  for (const file of sources(join(root, 'packages', core, 'src'))) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        for (const [pattern, why] of forbidden) {
          if (pattern.test(line)) problems.push(`${relative(root, file)}:${i + 1}: ${why}: ${line.trim()}`);
        }
      });
  }
}
if (problems.length > 0) {
  console.error(`pure cores must not do their own I/O, timing or randomness:\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`pure cores checked: ${cores.filter((c) => existsSync(join(root, 'packages', c, 'src'))).join(', ')}`);
