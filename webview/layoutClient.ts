/**
 * Talks to the layout worker; falls back to laying out on the UI thread when a worker cannot start
 * (the same engine code, only slower to feel). The graph goes to the worker in its packed form
 * (src/shared/packedGraph.ts) as transferred buffers, so the worker starts while the UI thread is
 * still unpacking its own copy.
 */
import type { CompactGraph } from '../src/shared/graph';
import { GraphLayoutEngine, type GraphLayout } from '../src/shared/layout/graphLayout';
import { copyPackedGraph, unpackGraph, type PackedGraph } from '../src/shared/packedGraph';

export type LayoutRequest = { type: 'graph'; graph: PackedGraph } | { type: 'layout'; id: number; expanded: number[] };
export type LayoutReply = { id: number; ok: true; layout: GraphLayout; ms: number; prepareMs?: number } | { id: number; ok: false; error: string };

export interface LayoutResult {
  readonly layout: GraphLayout;
  readonly ms: number;
  /** First layout of a graph: the worker's time to unpack and index it. */
  readonly prepareMs?: number;
}

export class LayoutClient {
  private worker: Worker | undefined;
  private fallback: GraphLayoutEngine | undefined;
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
    this.fallback = undefined;
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

  async layout(expanded: readonly number[]): Promise<LayoutResult & { worker: boolean }> {
    await this.ready;
    if (!this.worker) {
      if (!this.graph) throw new Error('no graph');
      this.fallback ??= new GraphLayoutEngine(this.unpacked ?? unpackGraph(this.graph));
      const started = performance.now();
      const layout = this.fallback.layout(expanded);
      return { layout, ms: performance.now() - started, worker: false };
    }
    const id = this.nextId++;
    try {
      const result = await new Promise<LayoutResult>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.worker!.postMessage({ type: 'layout', id, expanded: [...expanded] } satisfies LayoutRequest);
      });
      return { ...result, worker: true };
    } catch (error) {
      // the worker died: lay out here from now on
      if (this.worker) throw error;
      return this.layout(expanded);
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
