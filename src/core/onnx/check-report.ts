/**
 * Check results as documents: the JSON of `npu-port onnx check --format json` (version 2, stable) and
 * SARIF 2.1.0 (for code-scanning tools). Messages are rendered by the caller's `render` (the CLI's
 * language), so the core stays free of finished sentences.
 */
import type * as Sarif from 'sarif';
import { msg, type Message } from '../l10n';
import { groupProblems, type ProblemGroup } from '../../shared/problems';
import { boundString, OneLine, StreamedList } from '../output';
import type { CheckResult, NodeVerdict, Reason, ReasonCode } from './check';

/**
 * What makes `onnx check` fail (exit 1, SARIF level error): `unsupported` (the default) a certain
 * finding; `unverified` also a finding the data cannot settle (at or above unverified); `dynamic` any
 * dynamic-shape finding, certain or not. Kinds combine: `unsupported,dynamic`.
 */
export type FailKind = 'unsupported' | 'unverified' | 'dynamic';
export const FAIL_KINDS: readonly FailKind[] = ['unsupported', 'unverified', 'dynamic'];
export const DEFAULT_FAIL_ON: readonly FailKind[] = ['unsupported'];

/** `unsupported,dynamic` -> kinds; undefined for a word that is not a kind. */
export function parseFailOn(text: string): FailKind[] | undefined {
  const words = text.split(',').map((w) => w.trim().toLowerCase()).filter(Boolean);
  if (!words.length || !words.every((w) => (FAIL_KINDS as readonly string[]).includes(w))) return undefined;
  return [...new Set(words as FailKind[])];
}

/** Whether one finding fails the gate. */
export function reasonFails(reason: Pick<Reason, 'code' | 'certain'>, failOn: readonly FailKind[]): boolean {
  if (failOn.includes('dynamic') && reason.code === 'dynamic-shape') return true;
  if (failOn.includes('unverified')) return true;
  return failOn.includes('unsupported') && reason.certain;
}

/** Whether a check result fails the gate: any model or node finding that does. */
export function checkFails(result: CheckResult, failOn: readonly FailKind[] = DEFAULT_FAIL_ON): boolean {
  if (result.modelReasons.some((r) => reasonFails(r, failOn))) return true;
  return result.verdicts.some((v) => v.verdict !== 'supported' && v.reasons.some((r) => reasonFails(r, failOn)));
}

/** SARIF level of one finding: error when it fails the gate, else warning (certain) or note (the data cannot tell). */
export function sarifLevel(reason: Pick<Reason, 'code' | 'certain'>, failOn: readonly FailKind[]): 'error' | 'warning' | 'note' {
  return reasonFails(reason, failOn) ? 'error' : reason.certain ? 'warning' : 'note';
}

export interface CheckJsonReason {
  code: ReasonCode;
  message: string;
  certain: boolean;
  source?: string;
}

/**
 * The facts of a finding: its group's, and a node's own when they differ from its group's (a message that
 * names the node's input, a hint for its producer).
 */
export interface CheckJsonDetails {
  reasons: CheckJsonReason[];
  hint: string;
  /** Where the verdict's facts come from. */
  sources?: string[];
  /** PyTorch code that typically exports to this op. */
  constructs?: string[];
}

/** One node of a finding, on one line of the document. */
export interface CheckJsonNode extends Partial<CheckJsonDetails> {
  node: string;
  /** Graph.path: `main`, or the body the node lives in (`main/loop.body`). */
  graph: string;
  index: number;
  /** PyTorch module path from the node name, when present. */
  module?: string;
}

/**
 * Nodes with the same op, status and reason codes: one finding (shared/problems `groupProblems`, the
 * grouping of the viewer's Problems tab and of the Problems panel), with every node listed.
 */
export interface CheckJsonFinding extends CheckJsonDetails {
  status: 'unsupported' | 'unverified';
  op: string;
  domain: string;
  codes: ReasonCode[];
  /** How many nodes (the length of `nodes`). */
  count: number;
  /** In model order; written one by one (the list is made while the document is written). */
  nodes: StreamedList<OneLine<CheckJsonNode>>;
}

/**
 * The JSON of `npu-port onnx check --format json`, version 2 (README, "onnx check --format json").
 * Version 1 listed one object per node under `unsupported` and `unverified`: 60,000 unverified nodes of one
 * op were 49 M characters. Version 2 lists each finding once, with its nodes.
 */
export interface CheckJson {
  version: 2;
  model: string;
  target: string;
  /** Toolkit release the target's facts are for, when the target says (`{name: "CANN", version: "9.1.0"}`). */
  toolkit?: { name: string; version: string };
  /** The gate: kinds that fail, and whether this model fails it. */
  failOn: FailKind[];
  failed: boolean;
  /** Every node, subgraph bodies included. */
  nodes: number;
  counts: { supported: number; unsupported: number; unverified: number };
  /** Unsupported findings first, then unverified; larger findings first within each. */
  findings: CheckJsonFinding[];
  /** Unsupported nodes per op type. */
  summary: Record<string, number>;
  /** Findings about the whole model (opset range, dynamic graph inputs). */
  modelReasons: CheckJsonReason[];
}

/**
 * The verdicts that are findings, grouped per (op, status, reason codes) by shared/problems
 * `groupProblems`: unsupported first, larger groups first, nodes in model order. The text and JSON reports
 * show these groups, as the viewer's Problems tab and the Problems panel do.
 */
export function groupFindings(result: CheckResult): ProblemGroup<NodeVerdict>[] {
  return groupProblems(result.verdicts.filter((v) => v.verdict !== 'supported'), (v) => ({
    op: opLabel(v), status: v.verdict as 'unsupported' | 'unverified', codes: v.reasons.map((r) => r.code),
  }));
}

export function checkToJson(result: CheckResult, modelPath: string, render: (m: Message) => string, failOn: readonly FailKind[] = DEFAULT_FAIL_ON): CheckJson {
  const reason = (r: Reason): CheckJsonReason => ({ code: r.code, message: render(r.message), certain: r.certain, ...(r.source ? { source: r.source } : {}) });
  const details = (v: NodeVerdict): CheckJsonDetails => ({
    reasons: v.reasons.map(reason),
    hint: v.hints.map((h) => render(h.message)).join(' '),
    ...(v.sources?.length ? { sources: [...v.sources] } : {}),
    ...(v.constructs ? { constructs: [...v.constructs] } : {}),
  });
  const findings = groupFindings(result).map((group): CheckJsonFinding => {
    const first = group.items[0]!;
    const shared = details(first);
    const fields = ['reasons', 'hint', 'sources', 'constructs'] as const;
    const sharedText = fields.map((key) => JSON.stringify(shared[key]));
    return {
      status: group.status, op: first.opType, domain: first.domain, codes: group.codes as ReasonCode[], count: group.items.length,
      ...shared,
      // A node's own facts only where they differ from the group's. Nodes with equal findings share their
      // lists in the check, so most are settled by identity without rendering anything.
      nodes: new StreamedList(function* () {
        for (const v of group.items) {
          const own: Partial<CheckJsonDetails> = {};
          if (v.reasons !== first.reasons || v.hints !== first.hints || v.sources !== first.sources || v.constructs !== first.constructs) {
            const mine = details(v);
            fields.forEach((key, i) => {
              if (JSON.stringify(mine[key]) !== sharedText[i]) Object.assign(own, { [key]: mine[key] ?? [] });
            });
          }
          yield new OneLine<CheckJsonNode>({ node: v.name, graph: v.graph, index: v.index, ...(v.modulePath ? { module: v.modulePath } : {}), ...own });
        }
      }),
    };
  });
  const summary: Record<string, number> = {};
  for (const v of result.verdicts) if (v.verdict === 'unsupported') summary[opLabel(v)] = (summary[opLabel(v)] ?? 0) + 1;
  return {
    version: 2,
    model: modelPath,
    target: result.target,
    ...(result.toolkit ? { toolkit: { ...result.toolkit } } : {}),
    failOn: [...failOn],
    failed: checkFails(result, failOn),
    nodes: result.nodeCount,
    counts: { supported: result.counts.supported, unsupported: result.counts.unsupported, unverified: result.counts.unverified },
    findings,
    summary,
    modelReasons: result.modelReasons.map(reason),
  };
}

/** `domain::Op` outside the default domain, bounded (core/output): a label for reports, also used as a key. */
export function opLabel(v: { opType: string; domain: string }): string {
  return boundString(v.domain && v.domain !== 'ai.onnx' ? `${v.domain}::${v.opType}` : v.opType);
}

const RULES: readonly { id: ReasonCode; text: Message }[] = [
  { id: 'op-unsupported', text: msg('The target does not convert this op.') },
  { id: 'dtype', text: msg('The op uses an element type the target does not take.') },
  { id: 'dynamic-shape', text: msg('Values with dynamic dimensions where the target needs static shapes.') },
  { id: 'opset', text: msg('The model opset is outside what the target registers for this op.') },
  { id: 'attribute', text: msg('An attribute value or input the compiler refuses.') },
  { id: 'custom-domain', text: msg('An op outside the standard ONNX domain.') },
  { id: 'subgraph', text: msg('A control-flow body holds unsupported nodes.') },
  { id: 'kernel', text: msg('The chip has no documented kernel for the op.') },
  { id: 'rank', text: msg('An input has a higher rank than the kernel takes.') },
];

/**
 * SARIF 2.1.0 log: one result per reason of every node that is not supported, and per model finding.
 * Levels follow the gate (`failOn`): error for findings that fail it, warning for other certain ones,
 * note for those the data cannot settle.
 */
/**
 * Results per SARIF run at most: GitHub code scanning rejects a run with more than 25,000 results (hard
 * limit; docs.github.com, code-security "SARIF results exceed limit"). Over it, results go by level
 * (error, warning, note), each in walk order, and the run's properties say how many were left out.
 */
export const SARIF_MAX_RESULTS = 25_000;

/** A SARIF log whose results are made while it is written (JSON.stringify reads them through toJSON). */
export type StreamedSarifLog = Omit<Sarif.Log, 'runs'> & { runs: (Omit<Sarif.Run, 'results'> & { results: StreamedList<Sarif.Result> })[] };

export function checkToSarif(result: CheckResult, modelUri: string, render: (m: Message) => string, toolVersion: string, failOn: readonly FailKind[] = DEFAULT_FAIL_ON): StreamedSarifLog {
  const location = (v?: NodeVerdict): Sarif.Location => ({
    physicalLocation: { artifactLocation: { uri: modelUri } },
    ...(v ? { logicalLocations: [{ name: v.name || `${v.opType}#${v.index}`, fullyQualifiedName: `${v.graph}/${v.name || `${v.opType}#${v.index}`}`, kind: 'member' }] } : {}),
  });
  // One string per distinct text: the same finding on 25,000 nodes is one message in memory.
  const texts = new Map<string, string>();
  const text = (t: string) => {
    const known = texts.get(t);
    if (known !== undefined) return known;
    texts.set(t, t);
    return t;
  };
  let total = result.modelReasons.length;
  for (const v of result.verdicts) if (v.verdict !== 'supported') total += v.reasons.length;
  const levels: readonly (ReturnType<typeof sarifLevel> | undefined)[] = total > SARIF_MAX_RESULTS ? ['error', 'warning', 'note'] : [undefined];
  const written = Math.min(total, SARIF_MAX_RESULTS);
  // Made while the document is written (core/output StreamedList): never 25,000 result objects at once.
  const results = new StreamedList(function* (): Generator<Sarif.Result> {
    let count = 0;
    for (const level of levels) {
      for (const r of result.modelReasons) {
        if (count >= written) return;
        const l = sarifLevel(r, failOn);
        if (level !== undefined && l !== level) continue;
        count++;
        yield { ruleId: r.code, level: l, message: { text: text(render(r.message)) }, locations: [location()], ...(r.source ? { properties: { source: r.source } } : {}) };
      }
      for (const v of result.verdicts) {
        if (v.verdict === 'supported') continue;
        for (const r of v.reasons) {
          if (count >= written) return;
          const l = sarifLevel(r, failOn);
          if (level !== undefined && l !== level) continue;
          count++;
          const hint = v.hints.map((h) => render(h.message)).join(' ');
          yield {
            ruleId: r.code,
            level: l,
            message: { text: text(hint ? `${render(r.message)} ${hint}` : render(r.message)) },
            locations: [location(v)],
            properties: {
              graph: v.graph, index: v.index, op: v.opType, domain: v.domain, verdict: v.verdict, certain: r.certain,
              ...(v.modulePath ? { module: v.modulePath } : {}), ...(r.source ? { source: r.source } : {}), ...(v.sources?.length ? { sources: v.sources } : {}),
            },
          };
        }
      }
    }
  });
  const omitted = total - written;
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
      properties: { target: result.target, ...(result.toolkit ? { toolkit: `${result.toolkit.name} ${result.toolkit.version}` } : {}), failOn: [...failOn], failed: checkFails(result, failOn), nodes: result.nodeCount, counts: result.counts, ...(omitted ? { results: total, omittedResults: omitted } : {}) },
    }],
  };
}
