/** The user action "what is in this model" (`npu-port onnx info`): IR, opsets, inputs and outputs, ops, parameters, external data. */
import type { Model } from '../onnx/model';
import { summarizeModel, type ModelSummary } from '../onnx/summary';
import type { OperationRequest } from './types';

export interface ModelInfoRequest extends OperationRequest {
  readonly model: Model;
}

export function modelInfo(request: ModelInfoRequest): ModelSummary {
  request.signal?.throwIfAborted();
  return summarizeModel(request.model);
}
