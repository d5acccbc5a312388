import { msg } from '../core/l10n';
import type { CliCommand } from './commands';

/** `npu-port onnx info|check|text|targets`: ONNX models against NPU targets. */
export const onnxCommand: CliCommand = {
  name: 'onnx',
  summary: msg('Inspect an ONNX model and check it against an NPU target'),
  async run() {
    throw new Error('not implemented yet');
  },
};
