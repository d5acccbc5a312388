/**
 * Models and independent checks for the transform tests. The EdgeSAM-like decoder is generated once with
 * Debian's torch/onnx (test/fixtures/transform/make_models.py) into test/fixtures/generated/transform/;
 * Python's onnx (onnx_tools.py) judges what our encoder writes, and onnxruntime runs models Python saved,
 * so expected values never come from the code under test.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../repo';

export const PYTHON = '/usr/bin/python3';
export const GENERATED = path.join(REPO_ROOT, 'test/fixtures/generated/transform');
const TOOLS = path.join(REPO_ROOT, 'test/fixtures/transform/onnx_tools.py');

let made = false;
/** The generated EdgeSAM-like decoder (1,247 nodes, opset 13, dynamic num_points). */
export function edgesamDecoder(): string {
  if (!made) {
    mkdirSync(GENERATED, { recursive: true });
    // Test files run in parallel processes: one exports (torch takes seconds), the others wait and reuse.
    execFileSync('flock', [path.join(GENERATED, '.lock'), PYTHON, path.join(REPO_ROOT, 'test/fixtures/transform/make_models.py'), GENERATED], { stdio: 'pipe' });
    made = true;
  }
  const file = path.join(GENERATED, 'edgesam_decoder.onnx');
  if (!existsSync(file)) throw new Error('generator did not write edgesam_decoder.onnx');
  return file;
}

export interface DecoderFacts {
  nodes: number;
  ops: Record<string, number>;
  inputs: string[];
  outputs: string[];
  initializers: number;
  modules: Record<string, number>;
  opset: number;
}

export function decoderFacts(): DecoderFacts {
  edgesamDecoder();
  return JSON.parse(readFileSync(path.join(GENERATED, 'edgesam_decoder.json'), 'utf8')) as DecoderFacts;
}

export function onnxTool<T>(...args: string[]): T {
  return JSON.parse(execFileSync(PYTHON, [TOOLS, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })) as T;
}

export interface PySummary {
  ops: Record<string, number>;
  nodes: number;
  inputs: [string, string, (number | string)[] | null][];
  outputs: [string, string, (number | string)[] | null][];
  initializers: Record<string, string>;
  opsets: [string, number][];
  ir_version: number;
  /** onnx.checker.check_model(full_check=True). */
  check: { ok: boolean; error: string };
}

export function scratch(name: string): string {
  const dir = path.join(GENERATED, 'scratch');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

/**
 * x → two RandomUniformLike nodes → Add "mix" → y. onnxruntime draws from one generator per session,
 * so "noise_b" alone (the first draw of its own session) gives other values than in the original
 * (the second draw): a real part that does not reproduce.
 */
export function nondeterministicModel(file: string): string {
  execFileSync(PYTHON, ['-c', [
    'import sys, onnx',
    'from onnx import helper, TensorProto',
    'x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])',
    'y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 64])',
    'a = helper.make_node("RandomUniformLike", ["x"], ["ra"], name="noise_a")',
    'b = helper.make_node("RandomUniformLike", ["x"], ["rb"], name="noise_b")',
    'mix = helper.make_node("Add", ["ra", "rb"], ["y"], name="mix")',
    'g = helper.make_graph([a, b, mix], "g", [x], [y])',
    'm = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])',
    'm.ir_version = 7',
    'onnx.checker.check_model(m)',
    'onnx.save(m, sys.argv[1])',
  ].join('\n'), file]);
  return file;
}
