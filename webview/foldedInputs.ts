/**
 * Weights and constants in the properties of the node they are folded into (fold.ts): for an input
 * produced by a folded Constant or Identity, its type and value as the model stores them, and a link
 * to the folded node itself (its own properties and findings).
 */
import * as l10n from '@vscode/l10n';
import { formatShape, type CompactGraph } from '../src/shared/graph';
import { h } from './dom';
import type { Viewer } from './main';

/** Type of a Constant's value from its attribute (`value` is rendered `float[3,4]` by the converter). */
export function constantType(graph: CompactGraph, node: number): string {
  const n = graph.nodes[node]!;
  for (const a of n.attributes) {
    switch (a.name) {
      case 'value':
      case 'sparse_value':
        return a.value.split(' ')[0] ?? '';
      case 'value_float': return 'float[]';
      case 'value_int': return 'int64[]';
      case 'value_string': return 'string[]';
      case 'value_floats':
      case 'value_ints':
      case 'value_strings': {
        const count = /\((\d+)\)\]$/.exec(a.value)?.[1] ?? String(a.value === '[]' ? 0 : a.value.split(',').length);
        return `${a.name === 'value_floats' ? 'float' : a.name === 'value_ints' ? 'int64' : 'string'}[${count}]`;
      }
      default:
    }
  }
  return '';
}

/** The weight or constant behind a folded node: [label, type], following Identity to its source. */
function source(graph: CompactGraph, node: number): [string, string] {
  let at = node;
  for (let steps = 0; steps < graph.nodes.length; steps++) {
    const n = graph.nodes[at]!;
    if (n.op === 'Constant') return [l10n.t('constant'), constantType(graph, at)];
    const input = graph.tensors[n.inputs[0]!];
    if (!input) break;
    if (input.kind === 'initializer') return [l10n.t('weight {0}', input.name), `${input.dtype}${input.shape ? `[${formatShape(input.shape)}]` : ''}`];
    if (input.producer < 0) break;
    at = input.producer;
  }
  return [graph.nodes[node]!.op, ''];
}

/** A line under an input tensor produced by a folded node, or undefined when it is drawn. */
export function foldedInputNote(viewer: Viewer, tensor: number): HTMLElement | undefined {
  if (viewer.showConstants) return undefined;
  const producer = viewer.graph.tensors[tensor]?.producer ?? -1;
  if (producer < 0 || viewer.fold[producer]! < 0) return undefined;
  const [label, type] = source(viewer.graph, producer);
  const node = viewer.graph.nodes[producer]!;
  const verdict = viewer.verdictOf.get(producer);
  const link = h('a', { href: '#', class: 'mono', title: l10n.t('Show the folded node') }, node.name || node.op);
  link.addEventListener('click', (event) => {
    event.preventDefault();
    viewer.select({ kind: 'node', index: producer });
  });
  const note = h('div', { class: 'folded', 'data-node': String(producer) },
    verdict ? h('span', { class: `status ${verdict.status}` }, verdict.status === 'unsupported' ? '✖ ' : '⚠ ') : '',
    l10n.t('Folded {0}: {1}', label, type || '?'), ' · ', link);
  return note;
}

/** For a folded node's own properties: the node it is folded into, as a link. */
export function foldedIntoNote(viewer: Viewer, node: number): HTMLElement | undefined {
  const into = viewer.fold[node]!;
  if (viewer.showConstants || into < 0) return undefined;
  const target = viewer.graph.nodes[into]!;
  const link = h('a', { href: '#', class: 'mono' }, target.name || target.op);
  link.addEventListener('click', (event) => {
    event.preventDefault();
    viewer.select({ kind: 'node', index: into }, { center: true });
  });
  return h('div', { class: 'folded-into' }, l10n.t('Folded into {0} (press W to draw weights and constants)', target.op), ' · ', link);
}
