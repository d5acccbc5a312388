/**
 * The user action "extract part of a model as a model of its own", as both faces offer it (`npu-port
 * onnx extract` and the viewer's Extract as Model): cut the part, encode it, and check that it
 * reproduces the original: the part runs on the original's values of its inputs and its outputs are
 * compared with the original's values of the same tensors. Writing the file stays with the face (the
 * CLI writes and exits 1 on a mismatch; the viewer saves only a part that reproduces).
 */
import type { Model } from '../onnx/model';
import { compareOutputs, type OutputComparison } from '../onnx/run/compare';
import type { RandomInputOptions } from '../onnx/run/inputs';
import { InferenceSession } from '../onnx/run/ort';
import type { ArrayValue } from '../onnx/run/values';
import { encodeModel } from '../onnx/transform/encode';
import { extractByTensors, extractModule, extractNodes, type ExtractedModel } from '../onnx/transform/extract';
import { feedsFor, probeValues } from '../onnx/transform/probe';

/** Which part: a module box (path prefix), nodes by name, or the nodes between tensors. */
export type PartChoice =
  | { readonly module: string }
  | { readonly nodes: readonly string[] }
  | { readonly from: readonly string[]; readonly to: readonly string[] };

export interface ExtractPartRequest {
  readonly model: Model;
  readonly part: PartChoice;
  /** Values of the model's inputs; those not given are seeded random (`random`). */
  readonly inputs?: Readonly<Record<string, ArrayValue>>;
  readonly random?: RandomInputOptions;
  /** Compare the part with the original (default true). */
  readonly verify?: boolean;
  readonly signal?: AbortSignal;
}

export interface ExtractPartResult {
  readonly extracted: ExtractedModel;
  /** The encoded part, ready to write. */
  readonly bytes: Uint8Array;
  /** One comparison per output of the part; empty when not verified. */
  readonly reproduction: readonly OutputComparison[];
  /** Every compared output matches the original (true when not verified). */
  readonly reproduces: boolean;
}

export async function extractPart(request: ExtractPartRequest): Promise<ExtractPartResult> {
  const { model, part, signal } = request;
  const feeds = feedsFor(model, { ...(request.inputs ? { inputs: request.inputs } : {}), ...(request.random ? { random: request.random } : {}) });
  const options = { inputs: feeds, ...(signal ? { signal } : {}) };
  const extracted = 'module' in part
    ? await extractModule(model, part.module, options)
    : 'nodes' in part ? await extractNodes(model, part.nodes, options) : await extractByTensors(model, part.from, part.to, options);
  const bytes = await encodeModel(extracted.model, signal ? { signal } : {});
  const reproduction = request.verify === false ? [] : await compareWithOriginal(model, extracted, bytes, feeds, signal);
  return { extracted, bytes, reproduction, reproduces: reproduction.every((c) => c.pass) };
}

/** Runs the part on the original's values of its inputs and compares with the original's values of its outputs. */
async function compareWithOriginal(original: Model, part: ExtractedModel, bytes: Uint8Array, feeds: Record<string, ArrayValue>, signal: AbortSignal | undefined): Promise<OutputComparison[]> {
  const expected = await probeValues(original, [...part.inputs, ...part.outputs], { inputs: feeds, ...(signal ? { signal } : {}) });
  signal?.throwIfAborted();
  const session = await InferenceSession.create(bytes);
  try {
    const actual = await session.run(Object.fromEntries(part.inputs.map((n) => [n, expected[n]!])));
    return compareOutputs(Object.fromEntries(part.outputs.map((n) => [n, expected[n]!])), actual);
  } finally {
    await session.release();
  }
}
