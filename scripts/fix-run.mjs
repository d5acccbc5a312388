// Helpers shared by the fix checks of `npm run accuracy` (scripts/accuracy.mjs: the real-port corpus) and the
// runnable-script checks (scripts/runnable.mjs): the CLI run without blocking, a bounded pool, file walks, and the
// Python of the checks. Node built-ins only; importing this module runs nothing.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ROOT } from './bootstrap.mjs';

export const CLI = join(ROOT, 'dist', 'cli.js');
export const PYTHON = '/usr/bin/python3';
export const STYLES = ['deviceManager', 'torchNpu', 'transferToNpu'];
export const HELPER_MODULE = 'device_utils'; // npuPort.fix.deviceModule's default

export const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === '__pycache__' ? [] : walk(join(dir, e.name))) : [join(dir, e.name)]));
export const rel = (root, f) => relative(root, f).split(sep).join('/');

/** Runs the CLI without blocking, so two can run at once (the machine has two cores). */
export function cli(args, cwd) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [], err = [];
    p.stdout.on('data', (d) => out.push(d));
    p.stderr.on('data', (d) => err.push(d));
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** Maps ITEMS through FN with at most N running at once, keeping the order. */
export async function pool(items, n, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  }));
  return results;
}

/** `scan --fix --style STYLE` in DIR; the last line of stderr when the CLI failed, else undefined. */
export async function fixTree(dir, style) {
  const r = await cli(['scan', '.', '--fix', '--style', style, '--format', 'json'], dir);
  return r.status !== 0 && r.status !== 1 ? r.stderr.trim().split('\n').pop() || `exit ${r.status}` : undefined;
}

/** The modules the checks never stub in a fixed tree: the helper module and every .py file the fix created. */
export const noStubAfterFix = (created) => [...new Set([HELPER_MODULE, ...created.filter((f) => f.endsWith('.py')).map((f) => f.split('/').pop().slice(0, -3))])];

/** Runs a Python check SCRIPT (under scripts/) with JOB as JSON on stdin; resolves with its JSON on stdout. */
export function pythonJson(script, job) {
  return new Promise((resolve, reject) => {
    const p = spawn(PYTHON, [join(ROOT, 'scripts', script)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`${script} exited with ${code}: ${err.slice(-2000)}`));
      else resolve(JSON.parse(out));
    });
    p.stdin.end(JSON.stringify(job));
  });
}

/** The first line where two outputs differ, both versions, for the failure tables. */
export function firstDifference(a, b) {
  const x = a.split('\n'), y = b.split('\n');
  const i = x.findIndex((line, n) => line !== y[n]);
  const at = i === -1 ? x.length : i;
  return `line ${at + 1}: "${(x[at] ?? '').trim().slice(0, 80)}" became "${(y[at] ?? '').trim().slice(0, 80)}"`;
}
