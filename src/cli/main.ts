import { writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { errorText } from '../core/errors';
import { msg } from '../core/l10n';
import { createContext, EXIT_CODES, EXIT_ERROR, guardedWriters, UsageError, type CliContext } from './context';
import { commands } from './commands';
import { describeError } from './errors';

declare const NPU_PORT_VERSION: string;

/** How long the first Ctrl+C waits for cancelled work to finish before the CLI exits anyway. */
const SIGINT_GRACE_MS = 1500;

function helpText(ctx: CliContext): string {
  const lines = [
    ctx.t(msg('Usage: npu-port [--lang en|zh-cn] [--verbose] <command> [options]')),
    '',
    ctx.t(msg('Commands:')),
    ...commands.map((c) => `  ${c.name.padEnd(10)} ${ctx.t(c.summary)}`),
    '',
    ctx.t(msg('Run "npu-port <command> --help" for the options of a command.')),
    `  --lang en|zh-cn  ${ctx.t(msg('language of the output (default: from LC_ALL, LC_MESSAGES, LANG)'))}`,
    `  --verbose, -v    ${ctx.t(msg('log progress, and show the technical detail and stack trace of an error'))}`,
    '',
    ctx.t(EXIT_CODES),
  ];
  return lines.join('\n') + '\n';
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(
  argv: string[],
  rawIo: { env: NodeJS.ProcessEnv; cwd: string; stdout: (s: string) => void; stderr: (s: string) => void; signal: AbortSignal },
): Promise<number> {
  const io = guardedWriters(rawIo);
  // Global options come before the command name; everything after belongs to the command.
  let lang: string | undefined;
  let verbose = false;
  let index = 0;
  for (; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--lang' && index + 1 < argv.length) lang = argv[++index];
    else if (arg.startsWith('--lang=')) lang = arg.slice('--lang='.length);
    else if (arg === '--verbose' || arg === '-v') verbose = true;
    else break;
  }
  const ctx = createContext({ lang, env: io.env, cwd: io.cwd, stdout: io.stdout, stderr: io.stderr, verbose, signal: io.signal });
  const name = argv[index];
  const rest = argv.slice(index + 1);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.out(helpText(ctx));
    return name === undefined ? EXIT_ERROR : 0;
  }
  if (name === '--version') {
    ctx.out(`${typeof NPU_PORT_VERSION === 'string' ? NPU_PORT_VERSION : 'dev'}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(ctx.t(msg('Unknown command "{0}".', name)) + '\n' + helpText(ctx));
    return EXIT_ERROR;
  }
  try {
    return await command.run(ctx, rest);
  } catch (error) {
    const { text, code } = describeError(ctx, error, verbose);
    io.stderr(text);
    return code;
  }
}

/** parseArgs with the project's usage errors instead of Node's English TypeErrors. */
export function parseCommandArgs<T extends NonNullable<Parameters<typeof parseArgs>[0]>['options']>(
  args: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(msg('Invalid arguments: {0}', errorText(error)));
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes `text` to file descriptor `fd` before returning. process.stdout.write queues whatever a pipe
 * cannot take at once, so a report written in pieces to a slow reader (`| less`, a parent process) was
 * held whole in memory again (the SARIF of a 300k-node model: 296 MB through a pipe, 204 MB to a file).
 * A full non-blocking pipe (EAGAIN) is waited for; a reader that went away (EPIPE: `| head`) ends the
 * CLI quietly, as a closed pipe ends other command-line tools, instead of an unhandled 'error' event.
 */
export function writeFully(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(fd, bytes, done, bytes.length - done);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') Atomics.wait(sleeper, 0, 0, 2);
      else if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
      else throw error;
    }
  }
}

if (require.main === module) {
  const controller = new AbortController();
  // The first Ctrl+C cancels: work checks the signal and cleans up (temp files); if something is still
  // blocked after a short grace (a read the signal cannot reach), the CLI exits anyway with 130.
  process.once('SIGINT', () => {
    controller.abort();
    setTimeout(() => {
      const ctx = createContext({ env: process.env, cwd: process.cwd(), stdout: () => undefined, stderr: () => undefined, signal: controller.signal });
      process.stderr.write(ctx.t(msg('Cancelled.')) + '\n');
      process.exit(130);
    }, SIGINT_GRACE_MS).unref();
  });
  main(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    stdout: (s) => writeFully(1, s),
    stderr: (s) => writeFully(2, s),
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = EXIT_ERROR;
    },
  );
}
