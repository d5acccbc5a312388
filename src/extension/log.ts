import * as vscode from 'vscode';
import { escapeControls } from '../core/output';

let channel: vscode.LogOutputChannel | undefined;

const TEXT_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'append', 'appendLine', 'replace']);

/**
 * The extension's one log: a LogOutputChannel named "NPU Porting Assistant". This is the extension's output
 * layer: every text written to it shows control and bidirectional characters escaped (core/output).
 */
export function getLog(): vscode.LogOutputChannel {
  channel ??= guarded(vscode.window.createOutputChannel('NPU Porting Assistant', { log: true }));
  return channel;
}

function guarded(inner: vscode.LogOutputChannel): vscode.LogOutputChannel {
  const clean = (value: unknown): unknown => {
    if (typeof value === 'string') return escapeControls(value);
    if (!(value instanceof Error)) return value;
    const copy = new Error(escapeControls(value.message));
    copy.name = value.name;
    copy.stack = value.stack === undefined ? undefined : escapeControls(value.stack);
    return copy;
  };
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property === 'string' && TEXT_METHODS.has(property) && typeof value === 'function') {
        return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args.map(clean));
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
