/**
 * Layout off the UI thread: holds one GraphLayoutEngine per graph (its level cache makes expanding
 * and collapsing cheap) and answers layout requests with the visible items and routed edges.
 * The graph arrives packed; the worker unpacks it itself and lays out the opening view (modules
 * collapsed) right away, while the UI thread is still unpacking, so the first request finds it done.
 */
import type { CompactGraph } from '../src/shared/graph';
import type { GraphLayoutEngine, GraphLayout } from '../src/shared/layout/graphLayout';
import { defaultExpanded } from '../src/shared/layout/modules';
import { unpackGraph } from '../src/shared/packedGraph';
import { layoutEngine, type LayoutReply, type LayoutRequest } from './layoutClient';

let graph: CompactGraph | undefined;
/** Engines with constants folded [0] (made at once) and drawn [1] (made on the first request). */
let engines: (GraphLayoutEngine | undefined)[] = [];
/** The opening view, laid out ahead of the first request: its expanded set (sorted) and result. */
let ahead: { key: string; layout: GraphLayout; ms: number } | undefined;
/** Unpacking and indexing the graph (engine construction), reported with the first layout. */
let prepareMs: number | undefined;

const keyOf = (expanded: readonly number[]) => [...new Set(expanded)].sort((a, b) => a - b).join(',');

self.onmessage = (event: MessageEvent<LayoutRequest>) => {
  const request = event.data;
  try {
    if (request.type === 'graph') {
      const received = performance.now();
      graph = unpackGraph(request.graph);
      const engine = layoutEngine(graph, false);
      engines = [engine];
      prepareMs = performance.now() - received;
      ahead = undefined;
      const opening = defaultExpanded(engine.tree);
      opening.add(0);
      const started = performance.now();
      const layout = engine.layout([...opening]);
      ahead = { key: keyOf([...opening]), layout, ms: performance.now() - started };
      return;
    }
    if (!graph) throw new Error('no graph');
    const slot = request.showConstants ? 1 : 0;
    const engine = (engines[slot] ??= layoutEngine(graph, request.showConstants));
    let layout: GraphLayout;
    let ms: number;
    if (ahead && slot === 0 && ahead.key === keyOf(request.expanded)) {
      ({ layout, ms } = ahead);
    } else {
      const started = performance.now();
      layout = engine.layout(request.expanded);
      ms = performance.now() - started;
    }
    ahead = undefined; // its buffers go with the reply
    const reply: LayoutReply = { id: request.id, ok: true, layout, ms, ...(prepareMs !== undefined ? { prepareMs } : {}) };
    prepareMs = undefined;
    (self as unknown as Worker).postMessage(reply, [layout.itemOfNode.buffer, layout.itemOfModule.buffer]);
  } catch (error) {
    const reply: LayoutReply = { id: 'id' in request ? request.id : -1, ok: false, error: String(error) };
    (self as unknown as Worker).postMessage(reply);
  }
};
