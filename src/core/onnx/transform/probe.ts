/**
 * Values of intermediate tensors, by running the model with onnxruntime with those tensors added as graph
 * outputs (onnxruntime reports their type and shape). torch.onnx.export writes no value_info without
 * constant folding, so this is how extraction learns the types of the tensors it cuts at, and how rewrites
 * learn static shapes. Inputs are the caller's, or seeded random ones.
 */
import type { Model } from '../model';
import { feedInputs, randomInputs, type RandomInputOptions } from '../run/inputs';
import { InferenceSession } from '../run/ort';
import type { ArrayValue } from '../run/values';
import { encodeModel } from './encode';

export interface ProbeOptions {
  readonly modelBytes?: Uint8Array;
  /** Input values; missing ones are generated with `random`. */
  readonly inputs?: Readonly<Record<string, ArrayValue>>;
  readonly random?: RandomInputOptions;
  readonly signal?: AbortSignal;
}

/** The feeds a probe or verification uses: given values, the rest seeded random. */
export function feedsFor(model: Model, options: Pick<ProbeOptions, 'inputs' | 'random'>): Record<string, ArrayValue> {
  const needed = feedInputs(model.graph);
  const missing = needed.filter((v) => !options.inputs?.[v.name]);
  const generated = randomInputs(missing, options.random);
  const feeds: Record<string, ArrayValue> = {};
  for (const v of needed) feeds[v.name] = options.inputs?.[v.name] ?? generated[v.name]!;
  return feeds;
}

/** Runs `model` and returns the values of `names` (any value of the main graph) and of its outputs. */
export async function probeValues(model: Model, names: readonly string[], options: ProbeOptions = {}): Promise<Record<string, ArrayValue>> {
  const existing = new Set(model.graph.outputs.map((v) => v.name));
  const extra = [...new Set(names)].filter((n) => !existing.has(n));
  const probe: Model = { ...model, graph: { ...model.graph, outputs: [...model.graph.outputs, ...extra.map((name) => ({ name, type: null }))] } };
  const bytes = await encodeModel(probe, { ...(options.modelBytes ? { modelBytes: options.modelBytes } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  const session = await InferenceSession.create(bytes, { optimization: 'disabled' });
  try {
    return await session.run(feedsFor(model, options));
  } finally {
    await session.release();
  }
}
