/**
 * The user action "split a model into one model per module" (`npu-port onnx split`): the parts at a
 * module depth, each encoded with a file name that keeps their order, the op types it holds and its
 * boundary tensors. Writing the files stays with the face.
 */
import type { Model } from '../onnx/model';
import type { RandomInputOptions } from '../onnx/run/inputs';
import type { ArrayValue } from '../onnx/run/values';
import { encodeModel } from '../onnx/transform/encode';
import type { ExtractedModel } from '../onnx/transform/extract';
import { opCounts } from '../onnx/transform/graph';
import { feedsFor } from '../onnx/transform/probe';
import { splitByModule } from '../onnx/transform/split';
import { wholeNumber, type OperationRequest } from './types';

export interface SplitRequest extends OperationRequest {
  readonly model: Model;
  /** Module depth (default 1: the top-level modules). */
  readonly depth?: number;
  /** Values of the model's inputs; those not given are seeded random (`random`). */
  readonly inputs?: Readonly<Record<string, ArrayValue>>;
  readonly random?: RandomInputOptions;
}

/** One part: its module, boundary tensors, node count and op types, and its bytes under a file name that keeps the parts' order. */
export interface SplitPartFile extends Pick<ExtractedModel, 'inputs' | 'outputs'> {
  readonly module: string;
  readonly fileName: string;
  readonly bytes: Uint8Array;
  readonly nodes: number;
  readonly ops: readonly string[];
}

export interface SplitResult {
  readonly depth: number;
  readonly parts: readonly SplitPartFile[];
}

export async function split(request: SplitRequest): Promise<SplitResult> {
  const { model, signal } = request;
  const depth = wholeNumber(request.depth, 'depth', 1, 1);
  const feeds = feedsFor(model, { ...(request.inputs ? { inputs: request.inputs } : {}), ...(request.random ? { random: request.random } : {}) });
  const parts = await splitByModule(model, depth, { inputs: feeds, ...(signal ? { signal } : {}) });
  const files: SplitPartFile[] = [];
  for (const [k, part] of parts.entries()) {
    request.onProgress?.({ done: k, total: parts.length });
    files.push({
      module: part.module,
      fileName: `${String(k + 1).padStart(2, '0')}_${part.module.replace(/[^A-Za-z0-9._-]/g, '_')}.onnx`,
      bytes: await encodeModel(part.extracted.model, signal ? { signal } : {}),
      nodes: part.nodeCount,
      ops: [...opCounts(part.extracted.model.graph).keys()].sort(),
      inputs: part.extracted.inputs,
      outputs: part.extracted.outputs,
    });
  }
  return { depth, parts: files };
}
