import * as vscode from 'vscode';
import type { Message } from '../core/l10n';

/** Renders a core message in the editor's display language (same bundle as vscode.l10n.t). */
export function t(message: Message): string {
  return vscode.l10n.t(message.key, ...message.args);
}
