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
import { indexGraph } from './graph';

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
  const graph = model.graph;
  const wanted = [...new Set([...names, ...graph.outputs.map((v) => v.name)])];
  // Only the nodes the wanted values depend on run (session creation grows with the node count).
  const index = indexGraph(graph);
  const keep = new Set<number>();
  const stack = [...wanted];
  const seen = new Set<string>();
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const producer = index.producer.get(name);
    if (producer === undefined || keep.has(producer)) continue;
    keep.add(producer);
    stack.push(...index.reads[producer]!);
  }
  const declared = new Map(graph.outputs.map((v) => [v.name, v]));
  const probe: Model = {
    ...model,
    graph: {
      ...graph,
      nodes: graph.nodes.filter((_, i) => keep.has(i)),
      initializers: graph.initializers.filter((t) => seen.has(t.name) || graph.inputs.some((v) => v.name === t.name)),
      outputs: wanted.map((name) => declared.get(name) ?? { name, type: null }),
    },
  };
  const bytes = await encodeModel(probe, { ...(options.modelBytes ? { modelBytes: options.modelBytes } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  const session = await InferenceSession.create(bytes, { optimization: 'disabled' });
  try {
    return await session.run(feedsFor(model, options));
  } finally {
    await session.release();
  }
}
