import { formatMessage, msg, resolveLocale, type L10nBundle, type Locale, type Message } from '../core/l10n';
import type { Logger } from '../core/log';
import { escapeControls, writeBounded } from '../core/output';
import zhCn from '../../l10n/bundle.l10n.zh-cn.json';

/** What every CLI command gets: where to print results, where to log, and how to render messages. */
export interface CliContext {
  readonly cwd: string;
  /** The environment the CLI was started with (the local transport detects the toolchain in it). */
  readonly env: NodeJS.ProcessEnv;
  readonly locale: Locale;
  /** stdout: results only. */
  out(text: string): void;
  /** stdout: a JSON or SARIF document, every string in it bounded (core/output `writeBounded`). */
  json(value: unknown, replacer?: (key: string, value: unknown) => unknown, options?: { compact?: boolean }): void;
  /** stderr: diagnostics and progress. */
  readonly log: Logger;
  /** stderr: a line for the person running the command that is neither a warning nor an error (a summary, the default chosen). */
  note(text: string): void;
  /** Renders a core message in the CLI's language. */
  t(message: Message): string;
  readonly signal: AbortSignal;
}

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;
/** How every command's help states them. */
export const EXIT_CODES = msg('Exit codes: 0 nothing found, 1 findings, 2 usage or input error (a missing, unreadable or invalid file).');

/** A usage or input error (exit 2): `detail` is the user's message; `cause` the technical detail shown with --verbose. */
export class UsageError extends Error {
  constructor(readonly detail: Message, options?: { cause?: unknown }) {
    super(formatMessage(detail), options);
  }
}

const bundles: Record<Locale, L10nBundle | undefined> = { en: undefined, 'zh-cn': zhCn as L10nBundle };

/**
 * The CLI's output layer: every text written to stdout and stderr goes through these writers, which show
 * control and bidirectional characters escaped (core/output `escapeControls`; JSON stays valid and exact).
 */
export function guardedWriters<T extends { stdout: (text: string) => void; stderr: (text: string) => void }>(io: T): T {
  return { ...io, stdout: (text: string) => io.stdout(escapeControls(text)), stderr: (text: string) => io.stderr(escapeControls(text)) };
}

export function createContext(options: {
  lang?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  verbose?: boolean;
  signal: AbortSignal;
}): CliContext {
  const locale = resolveLocale(options.lang, options.env);
  const bundle = bundles[locale];
  const line = (level: string) => (message: string | Error, ...args: unknown[]) =>
    options.stderr(`${level}: ${message instanceof Error ? message.message : message}${args.length ? ' ' + args.map(String).join(' ') : ''}\n`);
  const quiet = () => undefined;
  return {
    cwd: options.cwd,
    env: options.env,
    locale,
    out: options.stdout,
    json: (value, replacer, format) => {
      // In pieces: a large report is never one string in memory (core/output `writeBounded`).
      writeBounded(value, options.stdout, replacer, undefined, format?.compact === true);
      options.stdout('\n');
    },
    log: {
      trace: options.verbose ? line('trace') : quiet,
      debug: options.verbose ? line('debug') : quiet,
      info: options.verbose ? line('info') : quiet,
      warn: line('warning'),
      error: line('error'),
    },
    note: (text) => options.stderr(`${text}\n`),
    t: (message) => formatMessage(message, bundle),
    signal: options.signal,
  };
}
