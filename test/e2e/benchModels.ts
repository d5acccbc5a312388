/**
 * The large generated models some scenarios open (bench/models/, git-ignored). A missing one is made
 * here with Debian's Python (torch export + onnx, about 15 s for the 22k model), so the scenarios run
 * in a fresh clone instead of being skipped; a failure to make it fails the scenario.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { PYTHON } from '../unit/onnx/fixtures';

/** bench/onnx_models.py's option that makes each model. */
const MADE_BY = { 'transformer-22k.onnx': 'deep' } as const;

export function benchModel(repoRoot: string, name: keyof typeof MADE_BY): string {
  const folder = path.join(repoRoot, 'bench', 'models');
  const file = path.join(folder, name);
  if (!existsSync(file)) {
    // flock: scenarios of parallel runs (and the screenshot script) make it once
    execFileSync('flock', [path.join(repoRoot, 'bench', '.models.lock'), PYTHON, path.join(repoRoot, 'bench', 'onnx_models.py'), folder, MADE_BY[name]], { stdio: 'pipe', timeout: 600_000 });
  }
  if (!existsSync(file)) throw new Error(`bench/onnx_models.py did not make ${name}`);
  return file;
}
