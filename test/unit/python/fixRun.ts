import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import type { FixStyle } from '../../../src/core/python/types';

// Running Python before and after a fix, for the fix-invariant tests (issue 14): Debian's interpreter (CPU torch 1.13,
// no torch_npu).
export const PYTHON = '/usr/bin/python3';
const hasTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
export const needsTorch = { skip: !hasTorch && 'needs /usr/bin/python3 with torch (apt-get install python3-torch)' };
const ENV = { ...process.env, PREFERRED_DEVICE: '', PYTHONDONTWRITEBYTECODE: '1' };

export function python(args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(PYTHON, args, { cwd, env: ENV, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A temporary directory holding `files` (path → text). */
export function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'npu-port-invariant-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** `npu-port scan --fix --style STYLE .` in `dir`, through the CLI's entry point. */
export async function scanFix(dir: string, style: FixStyle = 'deviceManager', extra: string[] = []) {
  let stdout = '';
  let stderr = '';
  const code = await main(['scan', '--fix', '--style', style, ...extra, '.'], { env: {}, cwd: dir, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), signal: new AbortController().signal });
  return { code, stdout, stderr };
}

export function pyFiles(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const name = path.posix.join(rel, e.name);
    return e.isDirectory() ? pyFiles(dir, name) : e.name.endsWith('.py') ? [name] : [];
  });
}

export const moduleName = (file: string) => file.replace(/\.py$/, '').replace(/\/__init__$/, '').split('/').join('.');
