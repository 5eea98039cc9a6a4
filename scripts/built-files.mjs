// Finds compiled files under every package's dist/ (and codegen/dist/), for the test and
// benchmark runners: Node 20's `--test` takes no globs, so the files are listed here.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const root = new URL('..', import.meta.url).pathname;

function collect(dir, suffix, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, suffix, out);
    else if (name.endsWith(suffix)) out.push(path);
  }
  return out;
}

/** Repo-relative paths ending in `suffix`, sorted, kept when any filter is a substring (or none is given). */
export function builtFiles(suffix, filters = []) {
  const files = [];
  for (const pkg of readdirSync(join(root, 'packages'))) {
    collect(join(root, 'packages', pkg, 'dist'), suffix, files);
    collect(join(root, 'packages', pkg, 'codegen', 'dist'), suffix, files);
  }
  return files
    .map((f) => relative(root, f))
    .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
    .sort();
}
