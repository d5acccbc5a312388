/**
 * Commands are argument arrays everywhere in the remote core; they become a command line only here,
 * at the last moment, for the shell that the remote host runs. One function per shell.
 *
 * Guarantee for both: each element arrives at the program as exactly one argument, byte for byte,
 * and nothing in an element is interpreted by the shell (no expansion, substitution, globbing,
 * command separation). NUL cannot be carried by any command line and is refused.
 */
import { NpuPortError } from '../errors';
import { msg } from '../l10n';

export type RemoteShell = 'posix' | 'powershell';

export class QuoteError extends NpuPortError {}

function refuseNul(arg: string): void {
  if (arg.includes('\0')) throw new QuoteError(msg('An argument contains a NUL character, which no command line can carry.'));
}

/** Characters that a POSIX shell never treats specially; such words are left bare for readability. */
const POSIX_BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One word for POSIX `sh` (dash, bash, busybox ash, zsh in sh mode): single quotes keep every byte
 * literal, including newlines; a single quote itself is written as `'\''` (close, escaped quote, reopen).
 */
export function quotePosixWord(arg: string): string {
  refuseNul(arg);
  if (arg !== '' && POSIX_BARE.test(arg) && !arg.startsWith('=')) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** An argument array as one POSIX `sh` command line. */
export function quotePosix(argv: readonly string[]): string {
  if (argv.length === 0) throw new QuoteError(msg('A command needs at least a program name.'));
  return argv.map(quotePosixWord).join(' ');
}

/**
 * PowerShell treats these as single quotes inside a single-quoted string (the language spec's
 * single-quote-character: U+0027, U+2018, U+2019, U+201A, U+201B); each is escaped by doubling.
 */
const POWERSHELL_SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;

/** A verbatim (single-quoted) PowerShell string literal: nothing inside is expanded. */
export function powerShellLiteral(value: string): string {
  refuseNul(value);
  return `'${value.replace(POWERSHELL_SINGLE_QUOTES, (q) => q + q)}'`;
}

/** .NET `char.IsWhiteSpace` (what PowerShell 5.1 checks before wrapping an argument in double quotes). */
const DOTNET_WHITESPACE = /[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/;

/**
 * Windows PowerShell 5.1 hands arguments to native programs in "legacy" mode: it wraps an argument
 * containing whitespace in double quotes but does not escape double quotes or backslashes inside,
 * and the program splits its command line with the MSVC rules (CommandLineToArgvW). This prepares
 * an argument so that the program sees the original text: every `"` becomes `\"` with the
 * backslashes before it doubled, and when PowerShell will add surrounding quotes, trailing
 * backslashes are doubled so that they do not escape the closing quote. An empty argument would be
 * dropped by PowerShell 5.1, so it is sent as `""`.
 */
export function prepareLegacyNativeArgument(arg: string): string {
  if (arg === '') return '""';
  let out = arg.replace(/(\\*)"/g, (_whole, slashes: string) => `${slashes}${slashes}\\"`);
  if (DOTNET_WHITESPACE.test(arg)) out = out.replace(/(\\+)$/, '$1$1');
  return out;
}

/**
 * An argument array as one PowerShell command: `& 'program' 'arg' ...` with every element a
 * verbatim literal (so `$()`, backticks, `;`, `|`, `@` and quotes are inert). Arguments (not the
 * program) go through {@link prepareLegacyNativeArgument} so that a native program started by
 * Windows PowerShell 5.1 receives them intact.
 */
export function quotePowerShell(argv: readonly string[]): string {
  if (argv.length === 0) throw new QuoteError(msg('A command needs at least a program name.'));
  const [program, ...args] = argv as [string, ...string[]];
  return ['&', powerShellLiteral(program), ...args.map((a) => powerShellLiteral(prepareLegacyNativeArgument(a)))].join(' ');
}

/** The quoting function for a host's shell: the one place that turns an argv into a command line. */
export function quoteCommand(shell: RemoteShell, argv: readonly string[]): string {
  return shell === 'posix' ? quotePosix(argv) : quotePowerShell(argv);
}

/**
 * Windows OpenSSH passes the exec request to cmd.exe by default; a PowerShell script therefore
 * travels base64-encoded (UTF-16LE, the encoding `-EncodedCommand` expects), which cmd.exe
 * cannot misread.
 */
export function powerShellEncodedCommand(script: string): string {
  return powerShellEncodedArgv(script).join(' ');
}

/** The same as an argument array, for starting PowerShell without any shell in between (the local transport). */
export function powerShellEncodedArgv(script: string): string[] {
  refuseNul(script);
  return ['powershell', '-NoProfile', '-NonInteractive', '-EncodedCommand', Buffer.from(script, 'utf16le').toString('base64')];
}
