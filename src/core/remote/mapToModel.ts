/**
 * Ties tool diagnostics to the nodes of the ONNX model they came from: node names as the tools
 * print them are looked up in the model (exactly, then with the punctuation tools replace by `_`),
 * operator types get the model's spelling (qnn-onnx-converter lower-cases them), and an
 * unsupported operator reported without a node name is placed on its node when the model has
 * exactly one node of that type.
 */
import { walkNodes, type Model, type Node } from '../onnx/model';
import type { ToolDiagnostic } from './toolchains/diagnostics';

const normalize = (name: string) => name.replace(/[^A-Za-z0-9]/g, '_').toLowerCase();

export function mapDiagnosticsToModel<T extends ToolDiagnostic>(model: Model, diagnostics: readonly T[]): T[] {
  const byName = new Map<string, Node>();
  const byNormalized = new Map<string, Node>();
  const byType = new Map<string, Node[]>();
  for (const { node } of walkNodes(model.graph)) {
    if (node.name && !byName.has(node.name)) byName.set(node.name, node);
    if (node.name && !byNormalized.has(normalize(node.name))) byNormalized.set(normalize(node.name), node);
    const key = node.opType.toLowerCase();
    byType.set(key, [...(byType.get(key) ?? []), node]);
  }
  return diagnostics.map((d) => {
    if (d.node) {
      const found = byName.get(d.node) ?? byNormalized.get(normalize(d.node));
      if (!found) return d;
      const opMatches = !d.op || d.op.toLowerCase() === found.opType.toLowerCase();
      // ATC names fused/internal ops (AddDsl) that are not the ONNX type; keep the tool's op then.
      return { ...d, node: found.name, ...(opMatches ? { op: found.opType } : {}) };
    }
    if (d.op) {
      const candidates = byType.get(d.op.toLowerCase());
      if (candidates?.length === 1 && candidates[0]!.name) return { ...d, node: candidates[0]!.name, op: candidates[0]!.opType };
      if (candidates?.length) return { ...d, op: candidates[0]!.opType };
    }
    return d;
  });
}
