import * as vscode from 'vscode';
import type { Model } from '../../core/onnx/model';
import { parseDimSizes, symbolicInputDims } from '../../core/onnx/run/inputs';

/**
 * Sizes for the model's symbolic input dimensions, asked in one input box (NAME=N, comma separated),
 * for any local run on seeded inputs (run on CPU, extract's typing probe, a rewrite's verification).
 * A size of 1 is offered but not assumed: index ops in decoders can need more. Returns `{}` when the
 * model has no symbolic dimension and `undefined` when the person cancels.
 */
export async function askSymbolicDims(model: Model, title: string, prompt: string): Promise<Record<string, number> | undefined> {
  const symbolic = symbolicInputDims(model);
  if (!symbolic.length) return {};
  const answer = await vscode.window.showInputBox({
    title,
    prompt,
    value: symbolic.map((d) => `${d}=1`).join(', '),
    validateInput: (text) => (parseDimSizes(text, symbolic) ? undefined : vscode.l10n.t('Give each of {0} a whole number of at least 1, as NAME=N.', symbolic.join(', '))),
  });
  return answer === undefined ? undefined : parseDimSizes(answer, symbolic)!;
}
