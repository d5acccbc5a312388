/**
 * The graph canvas: pan (drag, wheel), zoom (Ctrl/⌘ + wheel, pinch, + and -), fit, a minimap,
 * picking by click, and keyboard navigation: arrows move the selection along edges (Up to a
 * producer, Down to a consumer, Left/Right to the neighbour in the same row), Enter opens the
 * properties, Space or double-click expands or collapses a module box.
 */
import * as l10n from '@vscode/l10n';
import { formatShape } from '../src/shared/graph';
import { MODULE_HEADER } from '../src/shared/layout/graphLayout';
import { drawScene, type View } from './draw';
import { h } from './dom';
import { STATUS_UNSUPPORTED, STATUS_UNVERIFIED } from './scene';
import type { Viewer } from './main';

/** Small enough for Fit to show a fully expanded 22,000-node export whole. */
const MIN_ZOOM = 0.0001;
/** The first frame of a model too big to fit readably shows its top at this zoom or more. */
const FIRST_VIEW_ZOOM = 0.8;
const MAX_ZOOM = 4;
const FRAME_HISTORY = 600;

export class GraphCanvas {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly minimap: HTMLCanvasElement;
  /** The tensor under the pointer: name, element type and shape of the edge. */
  private readonly tip = h('div', { class: 'edge-tip', role: 'tooltip', hidden: true });
  hoveredEdge = -1;
  private minimapImage: HTMLCanvasElement | undefined;
  view: View = { x: 0, y: 0, zoom: 1 };
  private frameRequested = false;
  /** setView calls so far, and their count when firstView last set the view (-1: never). */
  private viewChanges = 0;
  private firstViewAt = -1;
  /** A fit or opening view waiting for a layout and a size. */
  private pendingView: 'fit' | 'first' | undefined;
  private firstFrameCallbacks: (() => void)[] = [];
  private width = 0;
  private height = 0;

  constructor(private readonly viewer: Viewer) {
    this.canvas = h('canvas', { class: 'graph', tabindex: 0, role: 'img', 'aria-label': 'graph' });
    this.minimap = h('canvas', { class: 'minimap', width: 200, height: 150, 'aria-hidden': 'true' });
    this.element = h('div', { class: 'canvas-host' }, this.canvas, this.minimap, this.tip);
    new ResizeObserver(() => this.resize()).observe(this.element);
    this.installPointer();
    this.installKeyboard();
    this.installMinimap();
  }

  focus(): void {
    this.canvas.focus();
  }

  /**
   * Measures the canvas now rather than when the resize observer first reports (after the next frame):
   * a view set right after the canvas was added then applies to the very first frame.
   */
  measure(): void {
    if (this.width === 0) this.resize();
  }

  private resize(): void {
    const rect = this.element.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.width = rect.width;
    this.height = rect.height;
    this.canvas.width = Math.max(1, Math.round(rect.width * dpr));
    this.canvas.height = Math.max(1, Math.round(rect.height * dpr));
    this.applyPendingView();
    this.requestDraw();
  }

  requestDraw(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.draw();
    });
  }

  afterFirstFrame(callback: () => void): void {
    this.firstFrameCallbacks.push(callback);
    this.requestDraw();
  }

  private draw(): void {
    const scene = this.viewer.scene;
    const ctx = this.canvas.getContext('2d');
    if (!scene || !ctx || this.width === 0) return;
    const started = performance.now();
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    scene.hoveredEdge = this.hoveredEdge;
    drawScene(ctx, scene, this.viewer.theme, this.view, this.width, this.height, this.viewer.moduleLabel);
    this.drawMinimap();
    const frames = window.__npuViewer?.frameTimes;
    if (frames) {
      frames.push(performance.now() - started);
      if (frames.length > FRAME_HISTORY) frames.splice(0, frames.length - FRAME_HISTORY);
    }
    const callbacks = this.firstFrameCallbacks;
    this.firstFrameCallbacks = [];
    for (const callback of callbacks) callback();
  }

  setView(view: View): void {
    this.pendingView = undefined;
    this.viewChanges++;
    this.view = { x: view.x, y: view.y, zoom: clampZoom(view.zoom) };
    this.requestDraw();
    this.viewer.saveState();
  }

  size(): { width: number; height: number } {
    return { width: this.width, height: this.height };
  }

  /** The whole graph in the window, centred, however small that makes it. */
  fit(): void {
    const layout = this.viewer.layout;
    if (!layout || this.width === 0) {
      this.later('fit');
      return;
    }
    const margin = 24;
    const zoom = clampZoom(Math.min(1.5, (this.width - 2 * margin) / Math.max(1, layout.width), (this.height - 2 * margin) / Math.max(1, layout.height)));
    this.setView({ x: (this.width - layout.width * zoom) / 2, y: (this.height - layout.height * zoom) / 2, zoom });
  }

  /**
   * The opening view: the whole graph when it fits readably; else the top of the network at a readable
   * zoom, on its main column, with the whole outline in the minimap.
   */
  firstView(): void {
    const layout = this.viewer.layout;
    if (!layout || this.width === 0) {
      this.later('first');
      return;
    }
    const margin = 24;
    const fitWidth = (this.width - 2 * margin) / Math.max(1, layout.width);
    const fitZoom = Math.min(1.5, fitWidth, (this.height - 2 * margin) / Math.max(1, layout.height));
    if (fitZoom >= FIRST_VIEW_ZOOM) {
      this.fit();
    } else {
      const zoom = Math.min(1, Math.max(FIRST_VIEW_ZOOM, fitWidth));
      const x = layout.width * zoom <= this.width - 2 * margin ? (this.width - layout.width * zoom) / 2 : this.width / 2 - layout.spineX * zoom;
      this.setView({ x, y: margin, zoom });
    }
    this.firstViewAt = this.viewChanges;
  }

  /** The view was panned, zoomed or moved to a selection since the last opening view. */
  movedSinceFirstView(): boolean {
    return this.pendingView === undefined && this.viewChanges !== this.firstViewAt;
  }

  /**
   * A fit or opening view asked for before there is a layout or a size (the canvas is measured after the
   * frame it was added in): done on the next frame or the first resize that has both.
   */
  private later(kind: 'fit' | 'first'): void {
    this.pendingView = kind;
    requestAnimationFrame(() => this.applyPendingView());
  }

  private applyPendingView(): void {
    const kind = this.pendingView;
    if (!kind || !this.viewer.layout || this.width === 0) return;
    this.pendingView = undefined;
    if (kind === 'fit') this.fit();
    else this.firstView();
  }

  zoomBy(factor: number, cx = this.width / 2, cy = this.height / 2): void {
    const zoom = clampZoom(this.view.zoom * factor);
    const k = zoom / this.view.zoom;
    this.setView({ x: cx - (cx - this.view.x) * k, y: cy - (cy - this.view.y) * k, zoom });
  }

  centerOn(item: number): void {
    const it = this.viewer.layout?.items[item];
    if (!it) return;
    const zoom = Math.max(this.view.zoom, 0.8);
    this.setView({ x: this.width / 2 - (it.x + it.w / 2) * zoom, y: this.height / 2 - (it.y + it.h / 2) * zoom, zoom });
  }

  /** Topmost visible item under a screen point (nodes over module frames), or -1. */
  hit(sx: number, sy: number): number {
    const layout = this.viewer.layout;
    if (!layout) return -1;
    const wx = (sx - this.view.x) / this.view.zoom;
    const wy = (sy - this.view.y) / this.view.zoom;
    let frame = -1;
    for (let i = layout.items.length - 1; i >= 0; i--) {
      const it = layout.items[i]!;
      if (wx < it.x || wx > it.x + it.w || wy < it.y || wy > it.y + it.h) continue;
      if (it.kind === 'module' && it.expanded) {
        // an open module is picked by its header only, deepest first
        if (wy <= it.y + MODULE_HEADER && (frame < 0 || it.depth > layout.items[frame]!.depth)) frame = i;
        continue;
      }
      return i;
    }
    return frame;
  }

  private selectItem(item: number): void {
    const layout = this.viewer.layout;
    const it = item >= 0 ? layout?.items[item] : undefined;
    if (!it) {
      this.viewer.select(undefined);
      return;
    }
    if (it.kind === 'node') this.viewer.select({ kind: 'node', index: it.index });
    else if (it.kind === 'module') this.viewer.select({ kind: 'module', index: it.index });
    else this.viewer.select({ kind: 'tensor', index: it.index });
  }

  private installPointer(): void {
    let drag: { x: number; y: number; vx: number; vy: number; moved: boolean } | undefined;
    this.canvas.addEventListener('pointerdown', (event) => {
      this.canvas.focus();
      this.canvas.setPointerCapture(event.pointerId);
      drag = { x: event.clientX, y: event.clientY, vx: this.view.x, vy: this.view.y, moved: false };
    });
    this.canvas.addEventListener('pointermove', (event) => {
      if (!drag) {
        this.hover(event);
        return;
      }
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 3) return;
      drag.moved = true;
      this.canvas.classList.add('panning');
      this.view = { ...this.view, x: drag.vx + dx, y: drag.vy + dy };
      this.requestDraw();
    });
    this.canvas.addEventListener('pointerleave', () => {
      this.tip.hidden = true;
      if (this.hoveredEdge >= 0) {
        this.hoveredEdge = -1;
        this.requestDraw();
      }
    });
    this.canvas.addEventListener('pointerup', (event) => {
      this.canvas.classList.remove('panning');
      const wasDrag = drag?.moved;
      drag = undefined;
      if (wasDrag) {
        this.viewer.saveState();
        return;
      }
      const rect = this.canvas.getBoundingClientRect();
      this.selectItem(this.hit(event.clientX - rect.left, event.clientY - rect.top));
    });
    this.canvas.addEventListener('dblclick', (event) => {
      const rect = this.canvas.getBoundingClientRect();
      const item = this.hit(event.clientX - rect.left, event.clientY - rect.top);
      const it = this.viewer.layout?.items[item];
      if (it?.kind === 'module') this.viewer.toggleModule(it.index);
      else if (it?.kind === 'node') this.viewer.side.openProperties();
    });
    this.canvas.addEventListener('wheel', (event) => {
      event.preventDefault();
      const rect = this.canvas.getBoundingClientRect();
      if (event.ctrlKey || event.metaKey) {
        this.zoomBy(Math.exp(-event.deltaY * 0.0025), event.clientX - rect.left, event.clientY - rect.top);
      } else {
        const scale = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? this.height : 1;
        this.view = { ...this.view, x: this.view.x - event.deltaX * scale, y: this.view.y - event.deltaY * scale };
        this.requestDraw();
        this.viewer.saveState();
      }
    }, { passive: false });
  }

  /** Edge under a screen point (within 5 px of its route), or -1. */
  edgeAt(sx: number, sy: number): number {
    const layout = this.viewer.layout;
    const scene = this.viewer.scene;
    if (!layout || !scene) return -1;
    const z = this.view.zoom;
    const wx = (sx - this.view.x) / z;
    const wy = (sy - this.view.y) / z;
    const tolerance = 5 / z;
    const b = scene.edgeBoxes;
    let best = -1;
    let bestDistance = tolerance;
    for (let e = 0; e < layout.edges.length; e++) {
      if (wx < b[e * 4]! - tolerance || wx > b[e * 4 + 2]! + tolerance || wy < b[e * 4 + 1]! - tolerance || wy > b[e * 4 + 3]! + tolerance) continue;
      const p = layout.edges[e]!.points;
      for (let i = 0; i + 3 < p.length; i += 2) {
        const d = segmentDistance(wx, wy, p[i]!, p[i + 1]!, p[i + 2]!, p[i + 3]!);
        if (d < bestDistance) { bestDistance = d; best = e; }
      }
    }
    return best;
  }

  private hover(event: PointerEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    const sx = event.clientX - rect.left;
    const sy = event.clientY - rect.top;
    const edge = this.hit(sx, sy) >= 0 ? -1 : this.edgeAt(sx, sy);
    if (edge !== this.hoveredEdge) {
      this.hoveredEdge = edge;
      this.requestDraw();
    }
    const tensor = edge >= 0 ? this.viewer.graph.tensors[this.viewer.layout!.edges[edge]!.tensor] : undefined;
    if (!tensor) {
      this.tip.hidden = true;
      return;
    }
    const shape = tensor.shape ? `[${formatShape(tensor.shape)}]` : '';
    this.tip.textContent = `${tensor.name}: ${tensor.dtype || '?'}${shape || (tensor.dtype ? '' : ` ${l10n.t('(shape unknown)')}`)}`;
    this.tip.style.left = `${Math.min(sx + 12, Math.max(0, this.width - 240))}px`;
    this.tip.style.top = `${sy + 14}px`;
    this.tip.hidden = false;
  }

  private installKeyboard(): void {
    this.canvas.addEventListener('keydown', (event) => {
      const layout = this.viewer.layout;
      const scene = this.viewer.scene;
      if (!layout || !scene) return;
      const current = scene.selected;
      const step = 60;
      switch (event.key) {
        case 'ArrowDown':
        case 'ArrowUp':
        case 'ArrowLeft':
        case 'ArrowRight': {
          event.preventDefault();
          if (event.shiftKey) {
            // Shift+arrows pan the view
            const dx = event.key === 'ArrowLeft' ? step : event.key === 'ArrowRight' ? -step : 0;
            const dy = event.key === 'ArrowUp' ? step : event.key === 'ArrowDown' ? -step : 0;
            this.setView({ ...this.view, x: this.view.x + dx, y: this.view.y + dy });
            return;
          }
          const next = current < 0 ? this.firstItem() : this.neighbour(current, event.key);
          if (next >= 0) {
            this.selectItem(next);
            this.ensureVisible(next);
          }
          return;
        }
        case 'Enter':
          event.preventDefault();
          this.viewer.side.openProperties();
          return;
        case ' ': {
          const it = layout.items[current];
          if (it?.kind === 'module') {
            event.preventDefault();
            this.viewer.toggleModule(it.index);
          }
          return;
        }
        case 'Escape':
          this.viewer.select(undefined);
          return;
        case '+':
        case '=':
          this.zoomBy(1.25);
          return;
        case '-':
          this.zoomBy(0.8);
          return;
        case '0':
          this.fit();
          return;
        case 'w':
        case 'W':
          if (event.ctrlKey || event.metaKey || event.altKey) return;
          event.preventDefault();
          void this.viewer.toggleConstants();
          return;
        default:
      }
    });
  }

  private firstItem(): number {
    const layout = this.viewer.layout!;
    let best = -1;
    layout.items.forEach((it, i) => {
      if (it.kind === 'module' && it.expanded) return;
      if (best < 0 || it.y < layout.items[best]!.y) best = i;
    });
    return best;
  }

  /** Up/Down follow edges (to the producer or consumer closest in x); Left/Right move within the row. */
  private neighbour(current: number, key: string): number {
    const layout = this.viewer.layout!;
    const from = layout.items[current]!;
    const cx = from.x + from.w / 2;
    let best = -1;
    let bestScore = Infinity;
    if (key === 'ArrowDown' || key === 'ArrowUp') {
      for (const edge of layout.edges) {
        const other = key === 'ArrowDown' ? (edge.from === current ? edge.to : -1) : (edge.to === current ? edge.from : -1);
        if (other < 0) continue;
        const it = layout.items[other]!;
        const score = Math.abs(it.x + it.w / 2 - cx);
        if (score < bestScore) { bestScore = score; best = other; }
      }
      return best;
    }
    const direction = key === 'ArrowRight' ? 1 : -1;
    const cy = from.y + from.h / 2;
    layout.items.forEach((it, i) => {
      if (i === current || (it.kind === 'module' && it.expanded)) return;
      const dx = (it.x + it.w / 2 - cx) * direction;
      if (dx <= 0) return;
      const dy = Math.abs(it.y + it.h / 2 - cy);
      if (dy > Math.max(from.h, it.h)) return;
      const score = dx + dy * 4;
      if (score < bestScore) { bestScore = score; best = i; }
    });
    return best;
  }

  private ensureVisible(item: number): void {
    const it = this.viewer.layout?.items[item];
    if (!it) return;
    const z = this.view.zoom;
    const sx0 = it.x * z + this.view.x;
    const sy0 = it.y * z + this.view.y;
    const sx1 = sx0 + it.w * z;
    const sy1 = sy0 + it.h * z;
    const margin = 40;
    if (sx0 < margin || sy0 < margin || sx1 > this.width - margin || sy1 > this.height - margin) this.centerOn(item);
  }

  // ------------------------------------------------------------------ minimap

  invalidateMinimap(): void {
    this.minimapImage = undefined;
    this.requestDraw();
  }

  /** The layout's height in the minimap: during the preview, the whole layout's estimated one. */
  private outlineHeight(): number {
    const layout = this.viewer.layout!;
    return Math.max(layout.height, this.viewer.previewOutline ?? 0);
  }

  private minimapScale(): { scale: number; ox: number; oy: number } {
    const layout = this.viewer.layout!;
    const height = this.outlineHeight();
    const scale = Math.min(this.minimap.width / Math.max(1, layout.width), this.minimap.height / Math.max(1, height));
    return { scale, ox: (this.minimap.width - layout.width * scale) / 2, oy: (this.minimap.height - height * scale) / 2 };
  }

  private drawMinimap(): void {
    const layout = this.viewer.layout;
    const scene = this.viewer.scene;
    const ctx = this.minimap.getContext('2d');
    if (!layout || !scene || !ctx) return;
    const theme = this.viewer.theme;
    const { scale, ox, oy } = this.minimapScale();
    if (!this.minimapImage) {
      // the graph part changes only with the layout, verdicts or theme: render it once
      const image = document.createElement('canvas');
      image.width = this.minimap.width;
      image.height = this.minimap.height;
      const g = image.getContext('2d')!;
      g.fillStyle = theme.nodeFill;
      g.fillRect(0, 0, image.width, image.height);
      for (const it of layout.items) {
        if (it.kind === 'module' && it.expanded) continue;
        let color = theme.muted;
        if (it.kind === 'node') {
          const s = scene.nodeStatus[it.index];
          if (s === STATUS_UNSUPPORTED) color = theme.error;
          else if (s === STATUS_UNVERIFIED) color = theme.warning;
        } else if (it.kind === 'module') {
          color = scene.moduleUnsupported[it.index]! > 0 ? theme.error : scene.moduleUnverified[it.index]! > 0 ? theme.warning : theme.muted;
        }
        g.fillStyle = color;
        g.fillRect(ox + it.x * scale, oy + it.y * scale, Math.max(1, it.w * scale), Math.max(1, it.h * scale));
      }
      // during the preview: the rest of the outline, faint, below the top as wide as the preview's last row
      const rest = this.outlineHeight() - layout.height;
      if (rest > 0) {
        const drawn = layout.items.filter((it) => !(it.kind === 'module' && it.expanded));
        const bottom = Math.max(...drawn.map((it) => it.y));
        const last = drawn.filter((it) => it.y === bottom);
        const left = Math.min(...last.map((it) => it.x));
        const right = Math.max(...last.map((it) => it.x + it.w));
        g.globalAlpha = 0.35;
        g.fillStyle = theme.muted;
        g.fillRect(ox + left * scale, oy + layout.height * scale, Math.max(1, (right - left) * scale), rest * scale);
        g.globalAlpha = 1;
      }
      this.minimapImage = image;
    }
    ctx.clearRect(0, 0, this.minimap.width, this.minimap.height);
    ctx.drawImage(this.minimapImage, 0, 0);
    ctx.strokeStyle = theme.selection;
    ctx.lineWidth = 1.5;
    const z = this.view.zoom;
    ctx.strokeRect(ox + (-this.view.x / z) * scale, oy + (-this.view.y / z) * scale, (this.width / z) * scale, (this.height / z) * scale);
  }

  private installMinimap(): void {
    let dragging = false;
    const jump = (event: PointerEvent) => {
      if (!this.viewer.layout) return;
      const rect = this.minimap.getBoundingClientRect();
      const { scale, ox, oy } = this.minimapScale();
      const wx = ((event.clientX - rect.left) * (this.minimap.width / rect.width) - ox) / scale;
      const wy = ((event.clientY - rect.top) * (this.minimap.height / rect.height) - oy) / scale;
      this.setView({ ...this.view, x: this.width / 2 - wx * this.view.zoom, y: this.height / 2 - wy * this.view.zoom });
    };
    this.minimap.addEventListener('pointerdown', (event) => {
      dragging = true;
      this.minimap.setPointerCapture(event.pointerId);
      jump(event);
    });
    this.minimap.addEventListener('pointermove', (event) => dragging && jump(event));
    this.minimap.addEventListener('pointerup', () => { dragging = false; });
  }
}

function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const length = dx * dx + dy * dy;
  const t = length ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length)) : 0;
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function clampZoom(zoom: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
}
