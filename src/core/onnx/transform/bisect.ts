/**
 * Bisect a compile failure (field report 003's divide and conquer, automated). NPU compilers report the first
 * op they cannot handle and stop, so one failing compile hides the others. Starting from the model's
 * modules (split by module), every failing part is halved (contiguous halves in node order) and each half
 * compiled on its own, down to single nodes. The result names every node that fails alone, the parts
 * that fail only together (a failure no half reproduces), and the ops of every passing part: the
 * whitelist of field report 003, saved as a profile `onnx check` and the viewer use.
 *
 * The compiler is a callback (a remote `atc`/QNN run, or a stand-in): this module only decides what to
 * compile. Every compile is recorded under a key of its node set, so an interrupted bisection resumes
 * without compiling again.
 */
import { createHash } from 'node:crypto';
import { msg, type Message } from '../../l10n';
import type { Model, Node } from '../model';
import type { ArrayValue } from '../run/values';
import { encodeModel } from './encode';
import { extractSelection, selectNodes } from './extract';
import { modulePathOf } from '../../../shared/layout/modules';
import { indexGraph } from './graph';
import { opKey } from '../targets/profile';
import { probeValues, type ProbeOptions } from './probe';

export interface CompileVerdict {
  readonly ok: boolean;
  /** The compiler's complaint (first error line), for the report. */
  readonly message?: string;
}

/** Compiles one part; `label` names it for logs ("mask_decoder/transformer [120 nodes]"). */
export type PartCompiler = (model: Uint8Array, label: string, signal?: AbortSignal) => Promise<CompileVerdict>;

export interface CompileRecordEntry {
  readonly key: string;
  readonly label: string;
  readonly nodes: number;
  readonly ok: boolean;
  readonly message?: string;
}

export interface BisectOptions extends ProbeOptions {
  /** Module depth of the first parts (default 1: top-level modules). */
  readonly depth?: number;
  /** Compiles done before (a saved record): their results are reused. */
  readonly record?: readonly CompileRecordEntry[];
  /** Called after each compile, to save the record as it grows. */
  readonly onCompiled?: (entry: CompileRecordEntry, done: number) => void | Promise<void>;
  /** At most this many compiles (default 500). */
  readonly maxCompiles?: number;
  /**
   * Compiles run at the same time (default 1). The two halves of a failing part are always both
   * compiled, so running them together wastes nothing; results do not depend on it.
   */
  readonly concurrency?: number;
}

export interface FailingNode {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly module: string;
  readonly message?: string;
}

export interface BisectResult {
  /** Nodes that fail to compile on their own. */
  readonly failingNodes: readonly FailingNode[];
  /** Op types (opKey form) of the failing nodes, sorted. */
  readonly failingOps: readonly string[];
  /** Node sets that fail while each of their halves compiles (the failure needs them together). */
  readonly failingTogether: readonly { readonly label: string; readonly nodes: readonly string[]; readonly message?: string }[];
  /** Parts that compiled, with their op types. */
  readonly passingParts: readonly { readonly label: string; readonly nodes: number; readonly ops: readonly string[] }[];
  /** Op types seen in any passing part (the whitelist), sorted; failing ops excluded. */
  readonly whitelist: readonly string[];
  readonly compiles: number;
  /** Compiles taken from the record instead of run. */
  readonly reused: number;
  /** True when maxCompiles stopped the narrowing early. */
  readonly truncated: boolean;
}

function keyOf(model: Model, nodes: readonly number[]): string {
  const hash = createHash('sha256');
  for (const i of nodes) hash.update(`${model.graph.nodes[i]!.name}|${model.graph.nodes[i]!.outputs.join(',')}\n`);
  return hash.digest('hex').slice(0, 32);
}

export async function bisectCompile(model: Model, compile: PartCompiler, options: BisectOptions = {}): Promise<BisectResult> {
  const graph = model.graph;
  const index = indexGraph(graph);
  const maxCompiles = options.maxCompiles ?? 500;
  const record = new Map((options.record ?? []).map((e) => [e.key, e]));
  // Every value may become a part boundary: one run of the model types them all.
  const allValues = graph.nodes.flatMap((n) => n.outputs.filter((o) => o));
  const knownValues: Record<string, ArrayValue> = await probeValues(model, allValues, options);
  let started = 0;
  let compiles = 0;
  let reused = 0;
  let truncated = false;
  // Parts are kept with their first node index: with concurrent compiles they finish in any order.
  const failingNodes: (FailingNode & { at: number })[] = [];
  const failingTogether: { label: string; nodes: string[]; message?: string; at: number }[] = [];
  const passingParts: { label: string; nodes: number; ops: string[]; at: number }[] = [];

  // One failure (cancel, a compiler that cannot run) stops the compiles still running.
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let firstError: unknown;
  const fail = (error: unknown): never => {
    if (firstError === undefined) firstError = error;
    stop.abort(error);
    throw error;
  };
  /** Waits for every branch, then throws the error that stopped them (not the aborts it caused). */
  const all = async <T>(work: Promise<T>[]): Promise<T[]> => {
    const settled = await Promise.allSettled(work);
    const rejected = settled.find((r) => r.status === 'rejected');
    if (rejected) throw firstError ?? (rejected as PromiseRejectedResult).reason;
    return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
  };
  const limit = Math.max(1, options.concurrency ?? 1);
  let running = 0;
  const waiting: (() => void)[] = [];
  const acquire = () => (running < limit ? (running++, Promise.resolve()) : new Promise<void>((resolve) => waiting.push(resolve)));
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };

  const opsOf = (nodes: readonly number[]) => [...new Set(nodes.map((i) => opKey(graph.nodes[i]!.domain, graph.nodes[i]!.opType)))].sort();

  const tryCompile = async (nodes: readonly number[], label: string): Promise<CompileVerdict | undefined> => {
    const key = keyOf(model, nodes);
    const previous = record.get(key);
    if (previous) {
      reused++;
      return { ok: previous.ok, ...(previous.message ? { message: previous.message } : {}) };
    }
    if (started >= maxCompiles) { truncated = true; return undefined; }
    started++;
    await acquire();
    try {
      stop.signal.throwIfAborted();
      const selection = selectNodes(index, new Set(nodes), { exact: true });
      const outputs = selection.outputs.length ? selection.outputs : graph.nodes[nodes[nodes.length - 1]!]!.outputs.filter((o) => o);
      const part = await extractSelection(model, { ...selection, outputs }, { ...options, knownValues, graphName: label });
      const bytes = await encodeModel(part.model, { ...(options.modelBytes ? { modelBytes: options.modelBytes } : {}), signal: stop.signal });
      const verdict = await compile(bytes, label, stop.signal);
      stop.signal.throwIfAborted();
      compiles++;
      const entry: CompileRecordEntry = { key, label, nodes: nodes.length, ok: verdict.ok, ...(verdict.message ? { message: verdict.message } : {}) };
      record.set(key, entry);
      await options.onCompiled?.(entry, compiles);
      return verdict;
    } catch (error) {
      return fail(error);
    } finally {
      release();
    }
  };

  const narrow = async (nodes: readonly number[], label: string, verdict: CompileVerdict): Promise<void> => {
    if (nodes.length === 1) {
      const node: Node = graph.nodes[nodes[0]!]!;
      failingNodes.push({ name: node.name, opType: node.opType, domain: node.domain, module: modulePathOf(node.name).join('/'), ...(verdict.message ? { message: verdict.message } : {}), at: nodes[0]! });
      return;
    }
    const middle = Math.ceil(nodes.length / 2);
    const halves = [nodes.slice(0, middle), nodes.slice(middle)];
    const labels = [`${label}.a`, `${label}.b`];
    const results = await all(halves.map((half, k) => tryCompile(half, `${labels[k]} [${half.length}]`)));
    if (results.some((r) => !r)) return;
    const deeper: Promise<void>[] = [];
    results.forEach((result, k) => {
      if (result!.ok) passingParts.push({ label: labels[k]!, nodes: halves[k]!.length, ops: opsOf(halves[k]!), at: halves[k]![0]! });
      else deeper.push(narrow(halves[k]!, labels[k]!, result!));
    });
    if (deeper.length === 0) {
      failingTogether.push({ label, nodes: nodes.map((i) => graph.nodes[i]!.name), ...(verdict.message ? { message: verdict.message } : {}), at: nodes[0]! });
    }
    await all(deeper);
  };

  // First parts: the modules at the requested depth (constant-only helpers go with their module).
  const groups = new Map<string, number[]>();
  graph.nodes.forEach((node, i) => {
    const module = modulePathOf(node.name).slice(0, options.depth ?? 1).join('/') || '(root)';
    let list = groups.get(module);
    if (!list) groups.set(module, (list = []));
    list.push(i);
  });
  try {
    await all([...groups].map(async ([module, nodes]) => {
      const verdict = await tryCompile(nodes, `${module} [${nodes.length}]`);
      if (!verdict) return;
      if (verdict.ok) passingParts.push({ label: module, nodes: nodes.length, ops: opsOf(nodes), at: nodes[0]! });
      else await narrow(nodes, module, verdict);
    }));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  const byPosition = <T extends { at: number }>(list: T[]): Omit<T, 'at'>[] =>
    list.sort((a, b) => a.at - b.at).map(({ at: _at, ...rest }) => rest);
  const failingOps = [...new Set(failingNodes.map((n) => opKey(n.domain, n.opType)))].sort();
  const failing = new Set(failingOps);
  const passing = byPosition(passingParts);
  const whitelist = [...new Set(passing.flatMap((p) => p.ops))].filter((op) => !failing.has(op)).sort();
  return { failingNodes: byPosition(failingNodes), failingOps, failingTogether: byPosition(failingTogether), passingParts: passing, whitelist, compiles, reused, truncated };
}

/** The whitelist profile file (.npu-port/profiles/NAME.json) of a bisection, in the format `onnx check` loads. */
export function whitelistProfileJson(name: string, result: BisectResult, modelLabel: string): Record<string, unknown> {
  return {
    name,
    kind: 'whitelist',
    description: `ops that compiled in ${result.passingParts.length} passing parts of ${modelLabel} (npu-port onnx bisect); failing: ${result.failingOps.join(', ') || 'none'}`,
    ops: [...result.whitelist],
  };
}

/** A one-line summary for logs and the report. */
export function bisectSummary(result: BisectResult): Message {
  return msg('{0} compiles ({1} reused): {2} failing node(s), failing ops {3}; {4} ops in the whitelist.',
    result.compiles, result.reused, result.failingNodes.length, result.failingOps.join(', ') || '-', result.whitelist.length);
}
