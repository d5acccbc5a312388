/**
 * Check results as documents: the JSON of `npu-port onnx check --format json` (version 1, stable) and
 * SARIF 2.1.0 (for code-scanning tools). Messages are rendered by the caller's `render` (the CLI's
 * language), so the core stays free of finished sentences.
 */
import { msg, type Message } from '../l10n';
import type { CheckResult, NodeVerdict, ReasonCode } from './check';

export interface CheckJsonNode {
  node: string;
  graph: string;
  index: number;
  op: string;
  domain: string;
  reasons: { code: ReasonCode; message: string }[];
  hint: string;
  /** PyTorch module path from the node name, when present. */
  module?: string;
  /** PyTorch code that typically exports to this op. */
  constructs?: string[];
}

export interface CheckJson {
  version: 1;
  model: string;
  target: string;
  nodes: number;
  unsupported: CheckJsonNode[];
  unverified: CheckJsonNode[];
  /** Unsupported nodes per op type. */
  summary: Record<string, number>;
  /** Findings about the whole model (opset range, dynamic graph inputs). */
  modelReasons: { code: ReasonCode; message: string; certain: boolean }[];
}

export function checkToJson(result: CheckResult, modelPath: string, render: (m: Message) => string): CheckJson {
  const node = (v: NodeVerdict): CheckJsonNode => ({
    node: v.name, graph: v.graph, index: v.index, op: v.opType, domain: v.domain,
    reasons: v.reasons.map((r) => ({ code: r.code, message: render(r.message) })),
    hint: v.hints.map((h) => render(h.message)).join(' '),
    ...(v.modulePath ? { module: v.modulePath } : {}),
    ...(v.constructs ? { constructs: [...v.constructs] } : {}),
  });
  const summary: Record<string, number> = {};
  for (const v of result.verdicts) if (v.verdict === 'unsupported') summary[opLabel(v)] = (summary[opLabel(v)] ?? 0) + 1;
  return {
    version: 1,
    model: modelPath,
    target: result.target,
    nodes: result.nodeCount,
    unsupported: result.verdicts.filter((v) => v.verdict === 'unsupported').map(node),
    unverified: result.verdicts.filter((v) => v.verdict === 'unverified').map(node),
    summary,
    modelReasons: result.modelReasons.map((r) => ({ code: r.code, message: render(r.message), certain: r.certain })),
  };
}

export function opLabel(v: { opType: string; domain: string }): string {
  return v.domain && v.domain !== 'ai.onnx' ? `${v.domain}::${v.opType}` : v.opType;
}

const RULES: readonly { id: ReasonCode; text: Message }[] = [
  { id: 'op-unsupported', text: msg('The target does not convert this op.') },
  { id: 'dtype', text: msg('The op uses an element type the target does not take.') },
  { id: 'dynamic-shape', text: msg('Values with dynamic dimensions where the target needs static shapes.') },
  { id: 'opset', text: msg('The model opset is outside what the target registers for this op.') },
  { id: 'attribute', text: msg('An attribute value or input the compiler refuses.') },
  { id: 'custom-domain', text: msg('An op outside the standard ONNX domain.') },
  { id: 'subgraph', text: msg('A control-flow body holds unsupported nodes.') },
];

/** SARIF 2.1.0 log: one result per reason of every unsupported (error) and unverified (warning) node. */
export function checkToSarif(result: CheckResult, modelUri: string, render: (m: Message) => string, toolVersion: string): object {
  const results: object[] = [];
  const location = (v?: NodeVerdict) => ({
    physicalLocation: { artifactLocation: { uri: modelUri } },
    ...(v ? { logicalLocations: [{ name: v.name || `${v.opType}#${v.index}`, fullyQualifiedName: `${v.graph}/${v.name || `${v.opType}#${v.index}`}`, kind: 'member' }] } : {}),
  });
  for (const r of result.modelReasons) {
    results.push({ ruleId: r.code, level: r.certain ? 'error' : 'warning', message: { text: render(r.message) }, locations: [location()] });
  }
  for (const v of result.verdicts) {
    if (v.verdict === 'supported') continue;
    for (const r of v.reasons) {
      const hint = v.hints.map((h) => render(h.message)).join(' ');
      results.push({
        ruleId: r.code,
        level: v.verdict === 'unsupported' && r.certain ? 'error' : 'warning',
        message: { text: hint ? `${render(r.message)} ${hint}` : render(r.message) },
        locations: [location(v)],
        properties: { graph: v.graph, index: v.index, op: v.opType, domain: v.domain, verdict: v.verdict, ...(v.modulePath ? { module: v.modulePath } : {}) },
      });
    }
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'npu-port',
          version: toolVersion,
          informationUri: 'https://github.com/npu-port/npu-porting-assistant',
          rules: RULES.map((rule) => ({ id: rule.id, shortDescription: { text: render(rule.text) } })),
        },
      },
      artifacts: [{ location: { uri: modelUri } }],
      results,
      properties: { target: result.target, nodes: result.nodeCount, counts: result.counts },
    }],
  };
}
