/**
 * Messages a person reads, kept as data until a face (extension, CLI, webview) renders them.
 *
 * The key is the English text with `{0}`, `{1}` ... placeholders: the convention of `vscode.l10n.t`
 * and `@vscode/l10n`, so one bundle (`l10n/bundle.l10n*.json`) serves the extension, the CLI and the
 * webview. Create messages with `msg("literal", ...args)` and a string literal as first argument:
 * `npm run l10n` collects those literals into `l10n/bundle.l10n.json`.
 */
import { boundString } from './output';

export type MessageArg = string | number | boolean;

export interface Message {
  readonly key: string;
  readonly args: readonly MessageArg[];
}

export function msg(key: string, ...args: MessageArg[]): Message {
  return { key, args };
}

export type L10nBundle = Readonly<Record<string, string | { message: string; comment?: string[] }>>;

/**
 * Renders a message with a bundle (no bundle: English). Unknown placeholders are left as they are. Every
 * argument is bounded (core/output `boundString`): a 30 MB name from a model makes a 4 KiB sentence.
 */
export function formatMessage(message: Message, bundle?: L10nBundle): string {
  const entry = bundle?.[message.key];
  const template = typeof entry === 'string' ? entry : entry?.message ?? message.key;
  return formatTemplate(template, message.args);
}

export function formatTemplate(template: string, args: readonly MessageArg[]): string {
  return template.replace(/\{(\d+)\}/g, (whole, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? whole : boundString(String(value));
  });
}

/** Placeholder indexes used by a template, sorted; the l10n test compares them across languages. */
export function placeholdersOf(template: string): number[] {
  const found = new Set<number>();
  for (const match of template.matchAll(/\{(\d+)\}/g)) found.add(Number(match[1]));
  return [...found].sort((a, b) => a - b);
}

export type Locale = 'en' | 'zh-cn';
export const SUPPORTED_LOCALES: readonly Locale[] = ['en', 'zh-cn'];

/**
 * The CLI's language: `--lang` first, then `LC_ALL`, `LC_MESSAGES`, `LANG` (POSIX order), default English.
 * `zh_CN.UTF-8`, `zh-CN`, `zh-Hans` and `zh` all mean Simplified Chinese.
 */
export function resolveLocale(explicit: string | undefined, env: NodeJS.ProcessEnv): Locale {
  const candidates = [explicit, env.LC_ALL, env.LC_MESSAGES, env.LANG];
  for (const raw of candidates) {
    if (!raw) continue;
    const value = raw.toLowerCase().replace(/_/g, '-').split('.')[0] ?? '';
    if (value === 'c' || value === 'posix') return 'en';
    if (/^zh(-cn|-hans|-sg)?$/.test(value) || value.startsWith('zh-hans')) return 'zh-cn';
    if (value.startsWith('en')) return 'en';
    if (explicit && raw === explicit) return 'en';
  }
  return 'en';
}
