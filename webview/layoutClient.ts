/**
 * Talks to the layout worker; falls back to laying out on the UI thread when a worker cannot start
 * (the same engine code, only slower to feel). The graph goes to the worker in its packed form
 * (src/shared/packedGraph.ts) as transferred buffers, so the worker starts while the UI thread is
 * still unpacking its own copy.
 */
import type { CompactGraph } from '../src/shared/graph';
import { GraphLayoutEngine, type GraphLayout } from '../src/shared/layout/graphLayout';
import { foldConstants, noFolding, viewerModuleTree } from '../src/shared/layout/fold';
import { copyPackedGraph, unpackGraph, type PackedGraph } from '../src/shared/packedGraph';

/** `showConstants`: weights and constants drawn as nodes instead of folded into their consumers. */
export type LayoutRequest = { type: 'graph'; graph: PackedGraph } | { type: 'layout'; id: number; expanded: number[]; showConstants: boolean };
export type LayoutReply = { id: number; ok: true; layout: GraphLayout; ms: number; prepareMs?: number } | { id: number; ok: false; error: string };

export interface LayoutResult {
  readonly layout: GraphLayout;
  readonly ms: number;
  /** First layout of a graph: the worker's time to unpack and index it. */
  readonly prepareMs?: number;
}

export class LayoutClient {
  private worker: Worker | undefined;
  /** Fallback engines: constants folded [0] and drawn [1]. */
  private fallback: (GraphLayoutEngine | undefined)[] = [];
  private graph: PackedGraph | undefined;
  private unpacked: CompactGraph | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: LayoutResult) => void; reject: (e: Error) => void }>();

  constructor(workerUrl: string | undefined) {
    if (!workerUrl) return;
    // webviews cannot start a worker from their resource origin directly: load the script as a blob
    this.ready = fetch(workerUrl)
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(String(r.status)))))
      .then((code) => {
        const worker = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
        worker.onmessage = (event: MessageEvent<LayoutReply>) => this.receive(event.data);
        worker.onerror = () => this.failWorker();
        this.worker = worker;
        if (this.graph) this.sendGraph(this.graph);
      })
      .catch(() => this.failWorker());
  }

  private readonly ready: Promise<void> = Promise.resolve();

  /** Hands the worker a copy of the packed graph at once; `unpacked` (the UI thread's object form) serves the fallback. */
  setGraph(graph: PackedGraph, unpacked?: CompactGraph): void {
    this.graph = graph;
    this.unpacked = unpacked;
    this.fallback = [];
    if (this.worker) this.sendGraph(graph);
  }

  /** The object form, once the UI thread has it (only the fallback needs it). */
  setUnpacked(unpacked: CompactGraph): void {
    this.unpacked = unpacked;
  }

  private sendGraph(graph: PackedGraph): void {
    const { graph: copy, transfer } = copyPackedGraph(graph);
    this.worker!.postMessage({ type: 'graph', graph: copy } satisfies LayoutRequest, transfer);
  }

  async layout(expanded: readonly number[], showConstants = false): Promise<LayoutResult & { worker: boolean }> {
    await this.ready;
    if (!this.worker) {
      if (!this.graph) throw new Error('no graph');
      const slot = showConstants ? 1 : 0;
      const engine = (this.fallback[slot] ??= layoutEngine(this.unpacked ?? unpackGraph(this.graph), showConstants));
      const started = performance.now();
      const layout = engine.layout(expanded);
      return { layout, ms: performance.now() - started, worker: false };
    }
    const id = this.nextId++;
    try {
      const result = await new Promise<LayoutResult>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.worker!.postMessage({ type: 'layout', id, expanded: [...expanded], showConstants } satisfies LayoutRequest);
      });
      return { ...result, worker: true };
    } catch (error) {
      // the worker died: lay out here from now on
      if (this.worker) throw error;
      return this.layout(expanded, showConstants);
    }
  }

  private receive(reply: LayoutReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiting.resolve(reply);
    else waiting.reject(new Error(reply.error));
  }

  private failWorker(): void {
    this.worker?.terminate();
    this.worker = undefined;
    for (const [, waiting] of this.pending) waiting.reject(new Error('layout worker stopped'));
    this.pending.clear();
  }
}

/** The engine of one graph with weights and constants folded or drawn; both share the viewer's module tree. */
export function layoutEngine(graph: CompactGraph, showConstants: boolean): GraphLayoutEngine {
  const fold = foldConstants(graph);
  return new GraphLayoutEngine(graph, viewerModuleTree(graph, fold), { fold: showConstants ? noFolding(graph) : fold });
}
