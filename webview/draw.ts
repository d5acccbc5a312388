/**
 * Draws a scene on a 2D canvas context: only what intersects the visible world rectangle, with the
 * level of detail falling off as the zoom shrinks (no labels when they would be unreadable, no
 * sub-pixel boxes). Shared by the live canvas and the PNG export.
 */
import * as l10n from '@vscode/l10n';
import { formatShape } from '../src/shared/graph';
import { MODULE_HEADER } from '../src/shared/layout/graphLayout';
import { DIFF_ADDED, DIFF_CHANGED, STATUS_UNSUPPORTED, STATUS_UNVERIFIED, type Scene } from './scene';
import type { Theme } from './theme';

export interface View {
  /** Screen = world × zoom + (x, y). */
  x: number;
  y: number;
  zoom: number;
}

export interface DrawStats {
  items: number;
  edges: number;
}

export function drawScene(ctx: CanvasRenderingContext2D, scene: Scene, theme: Theme, view: View, width: number, height: number, moduleLabel: (module: number) => string): DrawStats {
  const { layout, graph } = scene;
  const z = view.zoom;
  ctx.save();
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, width, height);
  ctx.translate(view.x, view.y);
  ctx.scale(z, z);
  const minX = -view.x / z;
  const minY = -view.y / z;
  const maxX = minX + width / z;
  const maxY = minY + height / z;
  const visible = (x: number, y: number, w: number, h: number) => x + w >= minX && x <= maxX && y + h >= minY && y <= maxY;
  const px = 1 / z; // one screen pixel in world units
  const showText = z >= 0.35;
  const stats: DrawStats = { items: 0, edges: 0 };
  ctx.textBaseline = 'middle';

  // expanded module frames first (parents before children, as the layout lists them)
  for (const item of layout.items) {
    if (item.kind !== 'module' || !item.expanded || !visible(item.x, item.y, item.w, item.h)) continue;
    stats.items++;
    ctx.fillStyle = theme.moduleFill;
    ctx.globalAlpha = 0.35;
    ctx.fillRect(item.x, item.y, item.w, item.h);
    ctx.globalAlpha = 1;
    ctx.strokeStyle = theme.moduleBorder;
    ctx.lineWidth = px;
    ctx.strokeRect(item.x, item.y, item.w, item.h);
    if (showText || item.w * z > 80) {
      ctx.fillStyle = theme.muted;
      ctx.font = `${11}px ${theme.font}`;
      const counts = badgeText(scene, item.index);
      ctx.fillText(`− ${moduleLabel(item.index)}${counts}`, item.x + 6, item.y + MODULE_HEADER / 2 + 2, item.w - 12);
    }
  }

  // edges: one path per style
  const selected = scene.selected >= 0 ? scene.selected : -1;
  ctx.lineWidth = Math.max(px, 1);
  ctx.strokeStyle = theme.edge;
  ctx.beginPath();
  const highlighted: number[] = [];
  for (let e = 0; e < layout.edges.length; e++) {
    const b = scene.edgeBoxes;
    if (b[e * 4 + 2]! < minX || b[e * 4]! > maxX || b[e * 4 + 3]! < minY || b[e * 4 + 1]! > maxY) continue;
    const edge = layout.edges[e]!;
    if (edge.from === selected || edge.to === selected || e === scene.hoveredEdge) {
      highlighted.push(e);
      continue;
    }
    tracePath(ctx, edge.points);
    stats.edges++;
  }
  ctx.stroke();
  if (highlighted.length) {
    ctx.strokeStyle = theme.selection;
    ctx.lineWidth = Math.max(px * 2, 2);
    ctx.beginPath();
    for (const e of highlighted) tracePath(ctx, layout.edges[e]!.points);
    ctx.stroke();
  }
  // arrow heads and shape labels when close enough to read
  if (z >= 0.5) {
    ctx.fillStyle = theme.edge;
    for (let e = 0; e < layout.edges.length; e++) {
      const b = scene.edgeBoxes;
      if (b[e * 4 + 2]! < minX || b[e * 4]! > maxX || b[e * 4 + 3]! < minY || b[e * 4 + 1]! > maxY) continue;
      const p = layout.edges[e]!.points;
      const n = p.length;
      if (n < 4) continue;
      const tx = p[n - 2]!, ty = p[n - 1]!;
      const angle = Math.atan2(ty - p[n - 3]!, tx - p[n - 4]!);
      ctx.beginPath();
      ctx.moveTo(tx, ty);
      ctx.lineTo(tx - 7 * Math.cos(angle - 0.4), ty - 7 * Math.sin(angle - 0.4));
      ctx.lineTo(tx - 7 * Math.cos(angle + 0.4), ty - 7 * Math.sin(angle + 0.4));
      ctx.fill();
    }
  }
  if (z >= 0.9) {
    ctx.font = `${9}px ${theme.font}`;
    ctx.fillStyle = theme.muted;
    for (let e = 0; e < layout.edges.length; e++) {
      const b = scene.edgeBoxes;
      if (b[e * 4 + 2]! < minX || b[e * 4]! > maxX || b[e * 4 + 3]! < minY || b[e * 4 + 1]! > maxY) continue;
      const edge = layout.edges[e]!;
      const label = formatShape(graph.tensors[edge.tensor]?.shape);
      if (!label) continue;
      const p = edge.points;
      const i = Math.floor(p.length / 4) * 2;
      const x = (p[i]! + p[Math.min(i + 2, p.length - 2)]!) / 2;
      const y = (p[i + 1]! + p[Math.min(i + 3, p.length - 1)]!) / 2;
      ctx.fillText(label, x + 4, y);
    }
  }

  // nodes, collapsed modules, graph inputs and outputs
  for (let i = 0; i < layout.items.length; i++) {
    const item = layout.items[i]!;
    if (item.kind === 'module' && item.expanded) continue;
    if (!visible(item.x, item.y, item.w, item.h)) continue;
    if (item.w * z < 1.5) continue;
    stats.items++;
    let fill = theme.nodeFill;
    let border = theme.nodeBorder;
    let borderWidth = px;
    if (item.kind === 'node') {
      const status = scene.nodeStatus[item.index]!;
      if (status === STATUS_UNSUPPORTED) { fill = theme.errorFill; border = theme.error; borderWidth = Math.max(2 * px, 1.5); }
      else if (status === STATUS_UNVERIFIED) { fill = theme.warningFill; border = theme.warning; borderWidth = Math.max(2 * px, 1.5); }
      const diff = scene.diffStatus?.[item.index];
      if (diff === DIFF_ADDED) { border = theme.added; borderWidth = Math.max(2.5 * px, 2); }
      else if (diff === DIFF_CHANGED) { border = theme.modified; borderWidth = Math.max(2.5 * px, 2); }
    } else if (item.kind === 'module') {
      fill = theme.moduleFill;
      border = scene.moduleUnsupported[item.index]! > 0 ? theme.error : scene.moduleUnverified[item.index]! > 0 ? theme.warning : theme.moduleBorder;
      borderWidth = Math.max(px, 1) * (border === theme.moduleBorder ? 1 : 2);
    } else {
      fill = theme.portFill;
    }
    ctx.fillStyle = fill;
    roundRect(ctx, item.x, item.y, item.w, item.h, item.kind === 'node' ? 4 : item.kind === 'module' ? 6 : item.h / 2);
    ctx.fill();
    if (item.kind === 'node' && z >= 0.15) {
      ctx.fillStyle = theme.categories[scene.category[item.index]!];
      ctx.fillRect(item.x + 2, item.y + 1, item.w - 4, 3);
    }
    ctx.lineWidth = borderWidth;
    ctx.strokeStyle = i === scene.selected ? theme.selection : border;
    if (i === scene.selected) ctx.lineWidth = Math.max(3 * px, 2.5);
    ctx.stroke();
    if (!showText) continue;
    ctx.fillStyle = theme.foreground;
    if (item.kind === 'node') {
      ctx.font = `${12}px ${theme.font}`;
      ctx.textAlign = 'center';
      ctx.fillText(graph.nodes[item.index]!.op, item.x + item.w / 2, item.y + item.h / 2 + 1, item.w - 8);
    } else if (item.kind === 'module') {
      ctx.textAlign = 'left';
      ctx.font = `${12}px ${theme.font}`;
      ctx.fillText(`+ ${moduleLabel(item.index)}`, item.x + 8, item.y + 14, item.w - 16);
      ctx.font = `${10}px ${theme.font}`;
      ctx.fillStyle = theme.muted;
      ctx.fillText(`${l10n.t('{0} nodes', scene.tree.modules[item.index]!.nodeCount)}${badgeText(scene, item.index)}`, item.x + 8, item.y + 31, item.w - 16);
    } else {
      ctx.font = `${11}px ${theme.font}`;
      ctx.textAlign = 'center';
      ctx.fillText(graph.tensors[item.index]?.name ?? '', item.x + item.w / 2, item.y + item.h / 2 + 1, item.w - 10);
    }
    ctx.textAlign = 'left';
  }
  ctx.restore();
  return stats;
}

function badgeText(scene: Scene, module: number): string {
  const bad = scene.moduleUnsupported[module]!;
  const unsure = scene.moduleUnverified[module]!;
  return (bad ? `  ✖ ${bad}` : '') + (unsure ? `  ⚠ ${unsure}` : '');
}

function tracePath(ctx: CanvasRenderingContext2D, p: readonly number[]): void {
  if (p.length < 4) return;
  ctx.moveTo(p[0]!, p[1]!);
  if (p.length === 4) {
    ctx.lineTo(p[2]!, p[3]!);
    return;
  }
  // smooth through the route points: quadratic curves between midpoints
  for (let i = 2; i < p.length - 2; i += 2) {
    const mx = (p[i]! + p[i + 2]!) / 2;
    const my = (p[i + 1]! + p[i + 3]!) / 2;
    ctx.quadraticCurveTo(p[i]!, p[i + 1]!, mx, my);
  }
  ctx.lineTo(p[p.length - 2]!, p[p.length - 1]!);
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  const radius = Math.min(r, w / 2, h / 2);
  ctx.beginPath();
  ctx.moveTo(x + radius, y);
  ctx.arcTo(x + w, y, x + w, y + h, radius);
  ctx.arcTo(x + w, y + h, x, y + h, radius);
  ctx.arcTo(x, y + h, x, y, radius);
  ctx.arcTo(x, y, x + w, y, radius);
  ctx.closePath();
}
