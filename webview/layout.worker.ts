/**
 * Layout off the UI thread: holds one GraphLayoutEngine per graph (its level cache makes expanding
 * and collapsing cheap) and answers layout requests with the visible items and routed edges.
 */
import type { CompactGraph } from '../src/shared/graph';
import { GraphLayoutEngine } from '../src/shared/layout/graphLayout';
import type { LayoutReply, LayoutRequest } from './layoutClient';

let engine: GraphLayoutEngine | undefined;

self.onmessage = (event: MessageEvent<LayoutRequest>) => {
  const request = event.data;
  try {
    if (request.type === 'graph') {
      engine = new GraphLayoutEngine(request.graph as CompactGraph);
      return;
    }
    if (!engine) throw new Error('no graph');
    const started = performance.now();
    const layout = engine.layout(request.expanded);
    const reply: LayoutReply = { id: request.id, ok: true, layout, ms: performance.now() - started };
    (self as unknown as Worker).postMessage(reply, [layout.itemOfNode.buffer, layout.itemOfModule.buffer]);
  } catch (error) {
    const reply: LayoutReply = { id: 'id' in request ? request.id : -1, ok: false, error: String(error) };
    (self as unknown as Worker).postMessage(reply);
  }
};
