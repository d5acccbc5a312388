/**
 * Check results (ONNX core) → the viewer's verdicts. No vscode import: the caller passes the
 * renderer for messages (the extension's `t`), so this is unit-testable in Node.
 */
import type { Message } from '../../l10n';
import type { CheckResult } from '../check';
import type { NodeVerdict } from '../../../shared/graph';

export function toViewerVerdicts(result: CheckResult, render: (m: Message) => string, source: string): NodeVerdict[] {
  const verdicts: NodeVerdict[] = [];
  for (const v of result.verdicts) {
    if (v.verdict === 'supported') continue;
    const hint = v.hints.map((h) => render(h.message)).join(' ');
    verdicts.push({
      node: v.graph === 'main' ? v.index : -1,
      name: v.name || `${v.opType}#${v.index}`,
      status: v.verdict,
      reasons: v.reasons.map((r) => ({ code: r.code, message: render(r.message) })),
      ...(hint ? { hint } : {}),
      source,
    });
  }
  return verdicts;
}
