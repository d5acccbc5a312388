import type { Message } from '../core/l10n';
import { compareCommand } from './compare';
import type { CliContext } from './context';
import { onnxCommand } from './onnx';
import { remoteCommand } from './remote';
import { scanCommand } from './scan';

/** A top-level CLI command. Each lives in its own file under src/cli/ and is listed here. */
export interface CliCommand {
  readonly name: string;
  readonly summary: Message;
  run(ctx: CliContext, args: string[]): Promise<number>;
}

export const commands: CliCommand[] = [scanCommand, onnxCommand, remoteCommand, compareCommand];
