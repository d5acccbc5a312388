/**
 * Talks to the layout worker; falls back to laying out on the UI thread when a worker cannot start
 * (the same engine code, only slower to feel).
 */
import type { CompactGraph } from '../src/shared/graph';
import { GraphLayoutEngine, type GraphLayout } from '../src/shared/layout/graphLayout';

export type LayoutRequest = { type: 'graph'; graph: CompactGraph } | { type: 'layout'; id: number; expanded: number[] };
export type LayoutReply = { id: number; ok: true; layout: GraphLayout; ms: number } | { id: number; ok: false; error: string };

export class LayoutClient {
  private worker: Worker | undefined;
  private fallback: GraphLayoutEngine | undefined;
  private graph: CompactGraph | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: { layout: GraphLayout; ms: number }) => void; reject: (e: Error) => void }>();

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
        if (this.graph) worker.postMessage({ type: 'graph', graph: this.graph } satisfies LayoutRequest);
      })
      .catch(() => this.failWorker());
  }

  private readonly ready: Promise<void> = Promise.resolve();

  setGraph(graph: CompactGraph): void {
    this.graph = graph;
    this.fallback = undefined;
    this.worker?.postMessage({ type: 'graph', graph } satisfies LayoutRequest);
  }

  async layout(expanded: readonly number[]): Promise<{ layout: GraphLayout; ms: number; worker: boolean }> {
    await this.ready;
    if (!this.worker) {
      if (!this.graph) throw new Error('no graph');
      this.fallback ??= new GraphLayoutEngine(this.graph);
      const started = performance.now();
      const layout = this.fallback.layout(expanded);
      return { layout, ms: performance.now() - started, worker: false };
    }
    const id = this.nextId++;
    try {
      const result = await new Promise<{ layout: GraphLayout; ms: number }>((resolve, reject) => {
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
    if (reply.ok) waiting.resolve({ layout: reply.layout, ms: reply.ms });
    else waiting.reject(new Error(reply.error));
  }

  private failWorker(): void {
    this.worker?.terminate();
    this.worker = undefined;
    for (const [, waiting] of this.pending) waiting.reject(new Error('layout worker stopped'));
    this.pending.clear();
  }
}
