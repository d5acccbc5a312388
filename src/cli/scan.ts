import { msg } from '../core/l10n';
import type { CliCommand } from './commands';

/** `npu-port scan`: CUDA-specific code in Python sources and requirements (Python migration). */
export const scanCommand: CliCommand = {
  name: 'scan',
  summary: msg('Find CUDA-specific code in Python files and requirements; --fix applies the fixes'),
  async run() {
    throw new Error('not implemented yet');
  },
};
