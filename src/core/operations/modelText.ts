/**
 * The user action "the model as ONNX text" (`npu-port onnx text`, NPU: Open ONNX Model as Text): the
 * onnx.printer syntax, large tensors cut to their first values.
 */
import type { Model } from '../onnx/model';
import { printModelText } from '../onnx/text';
import { InvalidRequestError, type OperationRequest } from './types';
import { msg } from '../l10n';

/** Tensors with more elements than this print their first values and `...`. */
export const DEFAULT_MAX_VALUES = 16;

export interface ModelTextRequest extends OperationRequest {
  readonly model: Model;
  /** Elements printed per tensor (default DEFAULT_MAX_VALUES; Infinity: all). */
  readonly maxValues?: number;
  /** Print node names (default true). */
  readonly nodeNames?: boolean;
  /** Receives the text piece by piece as it is made (then the result is empty): a large graph is never one string. */
  readonly write?: (text: string) => void;
}

export async function modelText(request: ModelTextRequest): Promise<string> {
  const maxValues = request.maxValues ?? DEFAULT_MAX_VALUES;
  if (!(maxValues >= 0)) throw new InvalidRequestError(msg('--max-values takes a number of elements or "all".'));
  return printModelText(request.model, { maxValues, nodeNames: request.nodeNames ?? true, ...(request.signal ? { signal: request.signal } : {}), ...(request.write ? { write: request.write } : {}) });
}
