/**
 * Export of the current graph view (its expansion state, all of it, not only the visible window):
 * SVG built as text with every name escaped, and PNG rendered by the same drawing code as the canvas.
 */
import { formatShape } from '../src/shared/graph';
import { xmlEscape } from '../src/shared/xml';
import { MODULE_HEADER } from '../src/shared/layout/graphLayout';
import { drawScene } from './draw';
import { STATUS_UNSUPPORTED, STATUS_UNVERIFIED, type Scene } from './scene';
import type { Theme } from './theme';

const MARGIN = 20;

export function exportSvg(scene: Scene, theme: Theme, moduleLabel: (m: number) => string): string {
  const { layout, graph } = scene;
  const width = Math.ceil(layout.width + 2 * MARGIN);
  const height = Math.ceil(layout.height + 2 * MARGIN);
  const out: string[] = [];
  const attr = (v: string) => xmlEscape(v);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="${-MARGIN} ${-MARGIN} ${width} ${height}" font-family="${attr(theme.font)}">`);
  out.push(`<rect x="${-MARGIN}" y="${-MARGIN}" width="${width}" height="${height}" fill="${attr(theme.background)}"/>`);
  for (const item of layout.items) {
    if (item.kind !== 'module' || !item.expanded) continue;
    out.push(`<g class="module"><rect x="${f(item.x)}" y="${f(item.y)}" width="${f(item.w)}" height="${f(item.h)}" fill="${attr(theme.moduleFill)}" fill-opacity="0.35" stroke="${attr(theme.moduleBorder)}"/>` +
      `<text x="${f(item.x + 6)}" y="${f(item.y + MODULE_HEADER / 2 + 5)}" font-size="11" fill="${attr(theme.muted)}">${xmlEscape(moduleLabel(item.index))}</text></g>`);
  }
  out.push(`<g class="edges" fill="none" stroke="${attr(theme.edge)}">`);
  for (const edge of layout.edges) {
    const p = edge.points;
    if (p.length < 4) continue;
    let d = `M${f(p[0]!)} ${f(p[1]!)}`;
    for (let i = 2; i < p.length; i += 2) d += ` L${f(p[i]!)} ${f(p[i + 1]!)}`;
    const shape = formatShape(graph.tensors[edge.tensor]?.shape);
    out.push(`<path d="${d}">${shape ? `<title>${xmlEscape(`${graph.tensors[edge.tensor]!.name} ${shape}`)}</title>` : ''}</path>`);
  }
  out.push('</g>');
  for (const item of layout.items) {
    if (item.kind === 'module' && item.expanded) continue;
    let fill = theme.nodeFill;
    let stroke = theme.nodeBorder;
    let label: string;
    let cls: string = item.kind;
    if (item.kind === 'node') {
      const node = graph.nodes[item.index]!;
      const status = scene.nodeStatus[item.index];
      if (status === STATUS_UNSUPPORTED) { fill = theme.errorFill; stroke = theme.error; cls += ' unsupported'; }
      else if (status === STATUS_UNVERIFIED) { fill = theme.warningFill; stroke = theme.warning; cls += ' unverified'; }
      label = node.op;
      out.push(`<g class="${cls}"><title>${xmlEscape(node.name)}</title>`);
    } else if (item.kind === 'module') {
      fill = theme.moduleFill;
      stroke = theme.moduleBorder;
      label = `${moduleLabel(item.index)} (${scene.tree.modules[item.index]!.nodeCount})`;
      out.push(`<g class="${cls}"><title>${xmlEscape(scene.tree.modules[item.index]!.path)}</title>`);
    } else {
      fill = theme.portFill;
      label = graph.tensors[item.index]?.name ?? '';
      out.push(`<g class="${cls}">`);
    }
    out.push(`<rect x="${f(item.x)}" y="${f(item.y)}" width="${f(item.w)}" height="${f(item.h)}" rx="4" fill="${attr(fill)}" stroke="${attr(stroke)}"/>` +
      `<text x="${f(item.x + item.w / 2)}" y="${f(item.y + item.h / 2 + 4)}" text-anchor="middle" font-size="12" fill="${attr(theme.foreground)}">${xmlEscape(label)}</text></g>`);
  }
  out.push('</svg>');
  return out.join('\n');
}

/** PNG as base64 (no data: prefix); scaled down so the image stays within what a canvas can hold. */
export async function exportPng(scene: Scene, theme: Theme, moduleLabel: (m: number) => string): Promise<string> {
  const maxSide = 16384;
  const maxArea = 100_000_000;
  const w = scene.layout.width + 2 * MARGIN;
  const h = scene.layout.height + 2 * MARGIN;
  const scale = Math.min(2, maxSide / w, maxSide / h, Math.sqrt(maxArea / (w * h)));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.floor(w * scale));
  canvas.height = Math.max(1, Math.floor(h * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2d context');
  drawScene(ctx, scene, theme, { x: MARGIN * scale, y: MARGIN * scale, zoom: scale }, canvas.width, canvas.height, moduleLabel);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('PNG encoding failed');
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const f = (v: number) => (Math.round(v * 10) / 10).toString();
