import { msg } from '../core/l10n';
import type { CliCommand } from './commands';

/** `npu-port remote doctor|precheck|convert|benchmark|run`: tools on an NPU host over SSH. */
export const remoteCommand: CliCommand = {
  name: 'remote',
  summary: msg('Run convert, precheck, benchmark, doctor or any command on a remote NPU host over SSH'),
  async run() {
    throw new Error('not implemented yet');
  },
};
