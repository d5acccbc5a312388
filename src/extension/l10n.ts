import * as vscode from 'vscode';
import { errorText, isNpuPortError } from '../core/errors';
import type { Message } from '../core/l10n';
import { boundString } from '../core/output';

/** Renders a core message in the editor's display language (same bundle as vscode.l10n.t). */
export function t(message: Message): string {
  return vscode.l10n.t(message.key, ...message.args.map((a) => (typeof a === 'string' ? boundString(a) : a)));
}

/** What to tell a person about an error: a core error in their language, anything else as its text. */
export function errorMessage(error: unknown): string {
  return isNpuPortError(error) ? t(error.detail) : errorText(error);
}
