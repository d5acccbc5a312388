/**
 * Seeded random inputs for a model's graph inputs: the same seed gives the same values on every machine
 * (a 32-bit PRNG seeded per input from the seed and the input's name, so adding an input does not change
 * the others). Floats are standard normal (like activations and embeddings), integers uniform in
 * [intLow, intHigh), bools 0/1. Symbolic dimensions take the values given in `dims`, else 1.
 *
 * Declared shapes are not trusted: all generated inputs together must fit in `maxBytes` (default 256 MiB),
 * checked before anything is allocated, so a 69-byte model declaring 2^40 elements is refused by name.
 */
import { msg } from '../../l10n';
import type { Dim, ElementType, Graph, Model, ValueInfo } from '../model';
import { elementSize } from '../schema';
import type { NumericArray } from '../transform/payload';
import { floatToHalf } from '../transform/payload';
import { RunError } from './errors';
import { elementCount, type ArrayValue } from './values';

export interface RandomInputOptions {
  readonly seed?: number;
  /** Sizes for symbolic dimensions by name ("num_points": 5); unknown ones are 1. */
  readonly dims?: Readonly<Record<string, number>>;
  /** Whole shapes by input name, overriding the model's. */
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  /** Integer inputs are drawn from [intLow, intHigh). Default [0, 4). */
  readonly intLow?: number;
  readonly intHigh?: number;
  /** Bytes all generated inputs may take together. Default `DEFAULT_MAX_INPUT_BYTES`. */
  readonly maxBytes?: number;
}

/**
 * 256 MiB: the default budget of generated inputs (`--max-input-mb`, setting `npuPort.run.maxInputMB`). A run
 * holds the inputs, the outputs and onnxruntime's copies: 1 GiB of float input to one Relu peaked at 5.3 GB RSS.
 */
export const DEFAULT_MAX_INPUT_MB = 256;
export const DEFAULT_MAX_INPUT_BYTES = DEFAULT_MAX_INPUT_MB * 2 ** 20;

/** The graph inputs that need values (initializers listed as inputs have defaults and are left out). */
export function feedInputs(graph: Graph): ValueInfo[] {
  const initializers = new Set(graph.initializers.map((t) => t.name));
  return graph.inputs.filter((v) => !initializers.has(v.name));
}

/** The shape an input is given: explicit shape, else the model's with symbolic dims resolved. */
export function concreteShape(input: ValueInfo, options: RandomInputOptions = {}): number[] {
  const explicit = options.shapes?.[input.name];
  if (explicit) return [...explicit];
  const type = input.type;
  if (!type || type.kind !== 'tensor') throw new RunError(msg('Input "{0}" is not a tensor; only tensor inputs can be generated.', input.name));
  if (!type.shape) throw new RunError(msg('Input "{0}" has no known rank; give its shape.', input.name));
  return type.shape.map((d: Dim) => (typeof d === 'number' && d >= 0 ? d : typeof d === 'string' ? options.dims?.[d] ?? 1 : 1));
}

export function randomInputs(inputs: readonly ValueInfo[], options: RandomInputOptions = {}): Record<string, ArrayValue> {
  const shapes = budgetedShapes(inputs, options);
  const out: Record<string, ArrayValue> = {};
  for (const [k, input] of inputs.entries()) {
    const dims = shapes[k]!;
    const type = input.type?.kind === 'tensor' ? input.type.elemType : 'undefined';
    const next = mulberry32(((options.seed ?? 0) * 0x9e3779b1) ^ hashName(input.name));
    out[input.name] = { elemType: type, dims, data: randomData(type, elementCount(dims), next, options, input.name) };
  }
  return out;
}

/** The shapes of `inputs`, refused with the first input that takes the total over `options.maxBytes`. */
function budgetedShapes(inputs: readonly ValueInfo[], options: RandomInputOptions): number[][] {
  const budget = options.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  let total = 0;
  return inputs.map((input) => {
    const dims = concreteShape(input, options);
    const type = input.type?.kind === 'tensor' ? input.type.elemType : 'undefined';
    const bytes = elementCount(dims) * Math.max(1, elementSize(type as ElementType));
    total += bytes;
    if (!(total <= budget)) {
      throw new RunError(msg('Input "{0}" with shape {1} needs {2} MiB of generated values, over the budget of {3} MiB for all generated inputs; give smaller --dim/--input-shape values, or raise the budget with --max-input-mb or the npuPort.run.maxInputMB setting.',
        input.name, declaredShape(input, dims), mib(bytes), mib(budget)));
    }
    return dims;
  });
}

/** `[batch=4096, 3, 224]`: the declared shape, symbolic dimensions with the sizes they were given. */
function declaredShape(input: ValueInfo, dims: readonly number[]): string {
  const declared = declaredDims(input);
  return `[${dims.map((d, i) => (typeof declared[i] === 'string' ? `${declared[i]}=${d}` : String(d))).join(', ')}]`;
}

function declaredDims(input: ValueInfo): readonly Dim[] {
  return input.type?.kind === 'tensor' ? input.type.shape ?? [] : [];
}

function mib(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 3 : 0) : '∞';
}

function randomData(type: string, n: number, next: () => number, options: RandomInputOptions, name: string): NumericArray {
  const low = options.intLow ?? 0;
  const high = options.intHigh ?? 4;
  const int = () => low + Math.floor(next() * (high - low));
  switch (type) {
    case 'float': return Float32Array.from({ length: n }, () => normal(next));
    case 'double': return Float64Array.from({ length: n }, () => normal(next));
    case 'float16': return Uint16Array.from({ length: n }, () => floatToHalf(normal(next)));
    case 'int64': return BigInt64Array.from({ length: n }, () => BigInt(int()));
    case 'uint64': return BigUint64Array.from({ length: n }, () => BigInt(Math.abs(int())));
    case 'int32': return Int32Array.from({ length: n }, int);
    case 'uint32': return Uint32Array.from({ length: n }, () => Math.abs(int()));
    case 'int16': return Int16Array.from({ length: n }, int);
    case 'uint16': return Uint16Array.from({ length: n }, () => Math.abs(int()));
    case 'int8': return Int8Array.from({ length: n }, int);
    case 'uint8': return Uint8Array.from({ length: n }, () => Math.abs(int()));
    case 'bool': return Uint8Array.from({ length: n }, () => (next() < 0.5 ? 0 : 1));
    default: throw new RunError(msg('Input "{0}" has element type {1}; random values cannot be made for it.', name, type));
  }
}

/** Standard normal by Box-Muller. */
function normal(next: () => number): number {
  const u = 1 - next();
  const v = next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Names of the symbolic dimensions of the main graph's inputs, in order of appearance. */
export function symbolicInputDims(model: Model): string[] {
  const names = new Set<string>();
  for (const input of model.graph.inputs) {
    if (input.type?.kind !== 'tensor') continue;
    for (const dim of input.type.shape ?? []) if (typeof dim === 'string') names.add(dim);
  }
  return [...names];
}

/** "num_points=4, batch=2" → sizes, when every one of `required` has a whole number ≥ 1; else undefined. */
export function parseDimSizes(text: string, required: readonly string[]): Record<string, number> | undefined {
  const sizes: Record<string, number> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([^=\s]+)\s*=\s*(\d+)$/.exec(part);
    if (!match || Number(match[2]) < 1) return undefined;
    sizes[match[1]!] = Number(match[2]);
  }
  return required.every((name) => name in sizes) ? sizes : undefined;
}

