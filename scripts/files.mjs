import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Files below `dir` (recursively, sorted, node_modules skipped) whose name passes `accept`. */
export function filesUnder(dir, accept) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && accept(e.name))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .filter((p) => !p.split(/[\\/]/).includes('node_modules'))
    .sort();
}
