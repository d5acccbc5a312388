/**
 * The ONNX viewer's front end: toolbar (target picker, counts, search, export), the graph canvas
 * with its minimap, and a side panel (properties, problems, search results). The host sends the
 * compact graph and verdicts; layout runs in a worker; drawing only touches what is visible.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import * as l10n from '@vscode/l10n';
import type { CompactGraph, NodeVerdict, TargetOption } from '../src/shared/graph';
import type { GraphMessage, HostToWebview, ViewerState } from '../src/shared/protocol';
import { foldDiff, type ChangedNode, type GraphDiff } from '../src/shared/diff';
import { applyInferredShapes, parseShapesMessage, parseViewerState } from '../src/shared/protocol';
import { unpackGraph, type PackedGraph } from '../src/shared/packedGraph';
import { defaultExpanded, type ModuleTree } from '../src/shared/layout/modules';
import { foldConstants, foldedInto, viewerModuleTree, type FoldMap } from '../src/shared/layout/fold';
import type { GraphLayout } from '../src/shared/layout/graphLayout';
import { previewLayout, previewOutlineHeight } from '../src/shared/layout/preview';
import css from './viewer.css';
import { h } from './dom';
import { Host } from './host';
import { LayoutClient } from './layoutClient';
import { buildScene, DIFF_ADDED, DIFF_CHANGED, nodeStatusOf, type Scene } from './scene';
import { readTheme, type Theme } from './theme';
import { GraphCanvas } from './graphCanvas';
import { SidePanel } from './sidePanel';
import { exportPng, exportSvg } from './exportView';
import { button, Toolbar } from './toolbar';

declare global {
  interface Window {
    /** Read by the end-to-end tests and the frame-time benchmark. */
    __npuViewer?: ViewerStats;
  }
}

export interface ViewerStats {
  state: 'loading' | 'ready' | 'error' | 'empty';
  /** Path of the graph shown: 'main', or a nested body's path; and its node count. */
  graphPath?: string;
  nodes?: number;
  firstInteractiveMs?: number;
  /** First frame with graph content: the preview of a large graph's top (then `preview` was true), else the first interactive frame. */
  firstPixelsMs?: number;
  /** The drawn layout is still the preview; its layout time and item count. */
  preview?: boolean;
  previewMs?: number;
  previewItems?: number;
  /** Milestones after the webview started, for the timing benchmarks. */
  graphReceivedMs?: number;
  /** `ready` posted; host side (from the graph message): ready → graph posted, of which decode wait and conversion; posted → received. */
  readyPostedMs?: number;
  hostMs?: number;
  hostDecodeWaitMs?: number;
  hostPackMs?: number;
  messageMs?: number;
  /**
   * Types: tensors with a shape in the graph message (the model's declared types), and tensors the later
   * `shapes` message (the host's inference) gave a type; `shapesMs`: when that arrived, after the webview started.
   */
  shapedAtGraph?: number;
  shapesInferred?: number;
  shapesMs?: number;
  /** Unpacking the graph message on the UI thread; unpacking and indexing it in the layout worker. */
  unpackMs?: number;
  workerPrepareMs?: number;
  layoutDoneMs?: number;
  layoutMs?: number;
  layoutInWorker?: boolean;
  items?: number;
  unsupported: number;
  unverified: number;
  selected?: string;
  panelCollapsed?: boolean;
  /** The problem being walked in the Problems tab: group index, position and group size. */
  problem?: { group: number; at: number; of: number };
  /** Weights and constants drawn as nodes. */
  showConstants?: boolean;
  frameTimes: number[];
  /** The open's steps in the order they happened: 'preview drawn' (a large graph's top), 'layout done', 'interactive', and 'shapes' (inferred types) when they came. */
  openSteps: string[];
  /** Only with test hooks on: the preview as drawn (the layout report of its first frame). */
  previewReport?: LayoutReport;
  /** Only with test hooks on (the e2e harness): what is drawn where, and the view. */
  layoutReport?: () => LayoutReport | undefined;
}

/** The drawn layout as the e2e tests read it (test hooks only). */
export interface LayoutReport {
  /** `diff`: compare mode's mark on a drawn node. */
  readonly items: readonly { kind: string; index: number; label: string; op: string; x: number; y: number; w: number; h: number; expanded: boolean; diff?: 'added' | 'changed' }[];
  readonly edges: readonly { from: number; to: number }[];
  readonly view: { x: number; y: number; zoom: number };
  readonly viewport: { width: number; height: number };
  readonly width: number;
  readonly height: number;
  /** The height of the outline the minimap shows: the layout's, or while the preview is drawn, the whole layout's estimated. */
  readonly minimapHeight: number;
}

/** Which thing is selected, independent of the current layout. */
export type Selection = { kind: 'node'; index: number } | { kind: 'module'; index: number } | { kind: 'tensor'; index: number };

const sheet = new CSSStyleSheet();
sheet.replaceSync(css);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

const stats: ViewerStats = { state: 'loading', unsupported: 0, unverified: 0, frameTimes: [], openSteps: [] };
window.__npuViewer = stats;
if (document.body.dataset.testHooks === '1') stats.layoutReport = () => viewer?.layoutReport();
const startedAt = performance.now();

const root = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
const workerUrl = document.body.dataset.workerUrl;
const layoutClient = new LayoutClient(workerUrl);

class Viewer {
  graph!: CompactGraph;
  tree!: ModuleTree;
  layout: GraphLayout | undefined;
  scene: Scene | undefined;
  theme: Theme = readTheme();
  verdicts: readonly NodeVerdict[] = [];
  verdictOf = new Map<number, NodeVerdict>();
  targets: readonly TargetOption[] = [];
  target = '';
  expanded = new Set<number>();
  selection: Selection | undefined;
  /** Per node: the drawn node it is folded into (-1: drawn); the folded nodes of each consumer. */
  readonly fold: FoldMap;
  readonly foldedOf: ReadonlyMap<number, readonly number[]>;
  /** Weights and constants drawn as nodes (the toggle; kept per editor). */
  showConstants = false;
  /** The drawn layout is the preview of a large graph's top (showPreview); the whole one is on its way. */
  previewing = false;
  /** While the preview is drawn: the whole layout's estimated height, which the minimap's outline spans (previewOutlineHeight). */
  previewOutline: number | undefined;
  /** Resolves when the preview's first frame is drawn. */
  private previewFrame: Promise<void> | undefined;
  /** Until the first whole layout is drawn: the progress shown over the canvas and the view state to restore. */
  private opening: { progress: HTMLElement; saved: ViewerState | undefined } | undefined;
  /** Compare mode: the diff against the base model; per drawn node its DIFF_* status and changes (folding applied). */
  private compare: { baseName: string; diff: GraphDiff } | undefined;
  diffStatus: Uint8Array | undefined;
  changedOf = new Map<number, ChangedNode>();
  private readonly diffCount = h('span', { class: 'count diff' });
  private layoutSerial = 0;
  readonly toolbar: Toolbar;
  private readonly mainArea: HTMLElement;
  panelCollapsed = false;
  /** The user's own choice (remembered in the view state); undefined: follow the editor width. */
  private panelChoice: boolean | undefined;
  private readonly onResize = () => {
    if (!this.mainArea.isConnected) {
      window.removeEventListener('resize', this.onResize);
      return;
    }
    if (this.panelChoice === undefined) this.setPanelCollapsed(window.innerWidth < NARROW, false);
  };
  private saveTimer: number | undefined;
  readonly canvas: GraphCanvas;
  readonly side: SidePanel;
  private readonly targetSelect = h('vscode-single-select', { 'aria-label': l10n.t('Target') });
  private readonly unsupportedCount = h('span', { class: 'count unsupported', title: l10n.t('Unsupported nodes') });
  private readonly unverifiedCount = h('span', { class: 'count unverified', title: l10n.t('Unverified nodes') });
  private readonly search = h('vscode-textfield', { placeholder: l10n.t('Search nodes, ops, tensors (Ctrl+F)'), 'aria-label': l10n.t('Search') }) as HTMLElement & { value: string };

  /**
   * @param nested Paths of the nested graphs (If/Loop/Scan bodies) leading to the one shown, outermost
   * first; empty for the model's main graph. A nested view shows a breadcrumb back and keeps no state.
   */
  constructor(readonly host: Host, message: GraphMessage, graph: CompactGraph, saved: ViewerState | undefined, readonly nested: readonly string[] = []) {
    this.graph = graph;
    stats.graphPath = nested.at(-1) ?? 'main';
    stats.nodes = graph.nodes.length;
    this.fold = foldConstants(graph);
    this.foldedOf = foldedInto(this.fold);
    this.tree = viewerModuleTree(graph, this.fold);
    this.showConstants = saved?.showConstants === true;
    stats.showConstants = this.showConstants;
    this.targets = message.targets;
    this.target = message.target;
    this.setVerdicts(message.verdicts);
    this.canvas = new GraphCanvas(this);
    this.side = new SidePanel(this);
    this.toolbar = new Toolbar([
      h('label', {}, l10n.t('Target')), this.targetSelect,
      this.unsupportedCount, this.unverifiedCount, this.diffCount,
      h('span', { class: 'spacer' }),
      this.search,
      button(l10n.t('Fit'), () => this.canvas.fit(), l10n.t('Fit the graph to the window')),
      button('+', () => this.canvas.zoomBy(1.25), l10n.t('Zoom in')),
      button('−', () => this.canvas.zoomBy(0.8), l10n.t('Zoom out')),
    ], [
      { label: l10n.t('Expand all'), run: () => void this.setExpanded(new Set(this.tree.modules.map((_, i) => i))), title: l10n.t('Expand every module') },
      { label: l10n.t('Collapse all'), run: () => void this.setExpanded(defaultExpanded(this.tree)), title: l10n.t('Back to the overview') },
      {
        label: l10n.t('Constants'), id: 'constants', pressed: () => this.showConstants, run: () => this.toggleConstants(),
        title: l10n.t('Draw weights and constants as nodes, or fold them into the nodes that use them (W)'),
      },
      { label: l10n.t('Export SVG'), run: () => void this.export('svg') },
      { label: l10n.t('Export PNG'), run: () => void this.export('png') },
      { label: l10n.t('Open as Text'), run: () => host.post({ type: 'openAsText' }) },
      { label: l10n.t('Extract as Model'), run: () => this.extractSelection(), title: l10n.t('Save the selected module box or node as a standalone ONNX model') },
      { label: l10n.t('Compile for This Target'), run: () => host.post({ type: 'compile' }), title: l10n.t('Convert the model on the active remote host (npu-port convert task)') },
      { label: l10n.t('Load Tool Report…'), run: () => host.post({ type: 'loadReport' }), title: l10n.t('Show the verdicts of an ATC check_result.json or msit result.csv on the nodes') },
    ], SHORTCUTS(), () => this.setPanelCollapsed(!this.panelCollapsed, true));
    const toolbar = this.toolbar.element;
    for (const target of this.targets) {
      const option = h('vscode-option', { value: target.id }, this.targetLabel(target));
      if (target.id === this.target) option.setAttribute('selected', '');
      this.targetSelect.appendChild(option);
    }
    this.targetSelect.addEventListener('change', () => {
      const value = (this.targetSelect as unknown as { value: string }).value;
      if (value && value !== this.target) {
        this.target = value;
        this.relabelTargets();
        host.post({ type: 'setTarget', target: value });
        this.saveState();
      }
    });
    let searchTimer: number | undefined;
    this.search.addEventListener('input', () => {
      window.clearTimeout(searchTimer);
      searchTimer = window.setTimeout(() => this.side.showSearch(this.search.value), 120);
    });
    this.search.addEventListener('keydown', (event: KeyboardEvent) => {
      if (event.key === 'Enter') this.side.revealFirstSearchResult();
      if (event.key === 'Escape') this.canvas.focus();
    });
    const warnings = message.warnings.length ? h('div', { class: 'warnings', role: 'status' }, ...message.warnings.map((w) => h('div', {}, w))) : null;
    this.mainArea = h('div', { class: 'main' }, this.canvas.element, this.side.element);
    root.replaceChildren(toolbar, nested.length ? this.breadcrumb() : '', warnings ?? '', this.mainArea);
    // the side panel: as the user left it, else collapsed in a narrow editor (split editors, the compare view)
    this.panelChoice = saved?.panelCollapsed;
    this.setPanelCollapsed(this.panelChoice ?? window.innerWidth < NARROW, false);
    window.addEventListener('resize', this.onResize);
    this.updateCounts();

    // restore or default
    if (saved) {
      for (const path of saved.expanded) {
        const m = this.tree.byPath.get(path);
        if (m !== undefined) this.expanded.add(m);
      }
      if (saved.selected) this.selection = this.selectionFromKey(saved.selected);
    } else {
      this.expanded = defaultExpanded(this.tree);
    }
    this.expanded.add(0);
    // decode is done (step 1); the layout and the first frame follow, shown over the empty canvas
    const progress = h('div', { class: 'open-progress', role: 'status', 'aria-live': 'polite' },
      h('vscode-progress-ring', {}), h('div', { class: 'step' }, stepText(2, l10n.t('Laying out {0} nodes…', graph.nodes.length.toLocaleString()))));
    this.canvas.element.append(progress);
    this.opening = { progress, saved };
    void this.relayout();
    // a large graph: its top drawn at once (laid out here while the worker lays out the whole), panned and
    // picked like the rest; the whole layout replaces it in place
    if (!saved) this.showPreview(progress);
  }

  /** The first whole layout landed (the opening's, or a later request that superseded it): the first interactive frame. */
  private finishOpening(): void {
    const opening = this.opening;
    if (!opening) return;
    this.opening = undefined;
    const { progress, saved } = opening;
    stats.openSteps.push('layout done');
    progress.querySelector('.step')!.textContent = stepText(3, l10n.t('Drawing…'));
    if (saved) this.canvas.setView({ x: saved.panX, y: saved.panY, zoom: saved.zoom });
    // the view follows the whole layout unless the user moved it over the preview
    else if (!this.previewing || !this.canvas.movedSinceFirstView()) this.canvas.firstView();
    this.previewing = false;
    stats.preview = false;
    this.canvas.afterFirstFrame(() => {
      stats.firstInteractiveMs = performance.now() - startedAt;
      stats.firstPixelsMs ??= stats.firstInteractiveMs;
      stats.state = 'ready';
      stats.openSteps.push('interactive');
      progress.remove();
      this.host.post({ type: 'interactive' });
    });
    this.side.showSelection();
  }

  /** Lays out and draws the first PREVIEW_NODES nodes while the worker lays out the whole graph. */
  private showPreview(progress: HTMLElement): void {
    if (this.nested.length || this.graph.nodes.length <= PREVIEW_NODES) return;
    const started = performance.now();
    const layout = previewLayout(this.graph, this.tree, this.fold, this.expanded, PREVIEW_NODES, this.showConstants);
    if (!layout || this.layout) return;
    stats.previewMs = performance.now() - started;
    stats.previewItems = layout.items.length;
    stats.preview = true;
    this.previewing = true;
    this.layout = layout;
    // the minimap shows the whole outline's extent, the top drawn and the rest being laid out
    this.previewOutline = previewOutlineHeight(layout, this.tree, this.expanded, PREVIEW_NODES, this.showConstants ? undefined : this.fold);
    this.rebuildScene();
    this.canvas.invalidateMinimap();
    this.canvas.measure();
    this.canvas.firstView();
    progress.classList.add('over-preview');
    progress.querySelector('.step')!.textContent = stepText(2, l10n.t('Laying out {0} nodes… (the top of the graph is shown)', this.graph.nodes.length.toLocaleString()));
    // the whole layout waits for this frame (one frame at most): the top is on the screen before it changes
    this.previewFrame = new Promise((resolve) => this.canvas.afterFirstFrame(() => {
      stats.firstPixelsMs ??= performance.now() - startedAt;
      stats.openSteps.push('preview drawn');
      if (stats.layoutReport) stats.previewReport = this.layoutReport();
      resolve();
    }));
  }

  /** Shows or hides the side panel; `byUser`: remembered for this editor. */
  setPanelCollapsed(collapsed: boolean, byUser: boolean): void {
    this.panelCollapsed = collapsed;
    if (byUser) this.panelChoice = collapsed;
    this.mainArea.classList.toggle('panel-collapsed', collapsed);
    this.side.element.hidden = collapsed;
    this.toolbar.panelToggle.setAttribute('aria-pressed', String(!collapsed));
    stats.panelCollapsed = collapsed;
    if (byUser) this.saveState();
  }

  setVerdicts(verdicts: readonly NodeVerdict[]): void {
    this.verdicts = verdicts;
    this.verdictOf = new Map();
    for (const v of verdicts) {
      if (v.node < 0) continue;
      const existing = this.verdictOf.get(v.node);
      if (!existing || (existing.status === 'unverified' && v.status === 'unsupported')) this.verdictOf.set(v.node, v);
    }
  }

  /** A target's picker label; a target picked in this editor that the workspace setting does not name says so. */
  private targetLabel(target: TargetOption): string {
    return target.id === this.target && !target.setting ? `${target.label} (${l10n.t('this editor')})` : target.label;
  }

  private relabelTargets(): void {
    const options = this.targetSelect.querySelectorAll('vscode-option');
    this.targets.forEach((target, i) => { if (options[i]) options[i]!.textContent = this.targetLabel(target); });
  }

  onVerdicts(target: string, verdicts: readonly NodeVerdict[]): void {
    this.target = target;
    this.relabelTargets();
    (this.targetSelect as unknown as { value: string }).value = target;
    this.setVerdicts(verdicts);
    this.updateCounts();
    this.rebuildScene();
    this.side.showProblems();
    this.side.showSelection();
  }

  /** The graph's tensors got their inferred types: edge labels and the properties show them. */
  onShapes(): void {
    this.canvas.requestDraw();
    this.side.showSelection();
  }

  onDiff(baseName: string, diff: GraphDiff): void {
    this.compare = { baseName, diff };
    this.showDiff(true);
  }

  /**
   * Marks the diff on the drawn nodes: with weights and constants folded, a changed or added one marks
   * the node it is folded into ("constant changed: /Constant_3"); drawn, it is marked itself.
   */
  private showDiff(selectTab: boolean): void {
    if (!this.compare) return;
    const { baseName } = this.compare;
    const diff = this.showConstants ? this.compare.diff : foldDiff(this.compare.diff, this.graph, this.fold);
    this.diffStatus = new Uint8Array(this.graph.nodes.length);
    for (const i of diff.added) if (i < this.diffStatus.length) this.diffStatus[i] = DIFF_ADDED;
    this.changedOf = new Map();
    for (const c of diff.changed) {
      if (c.node >= this.diffStatus.length) continue;
      this.diffStatus[c.node] = DIFF_CHANGED;
      this.changedOf.set(c.node, c);
    }
    this.diffCount.textContent = l10n.t('against {0}: +{1} −{2} ~{3}', baseName, diff.added.length, diff.removed.length, diff.changed.length);
    this.diffCount.dataset.added = String(diff.added.length);
    this.diffCount.dataset.removed = String(diff.removed.length);
    this.diffCount.dataset.changed = String(diff.changed.length);
    this.rebuildScene();
    this.side.showDiff(baseName, diff, selectTab);
  }

  private updateCounts(): void {
    const unsupported = this.verdicts.filter((v) => v.status === 'unsupported').length;
    const unverified = this.verdicts.filter((v) => v.status === 'unverified').length;
    stats.unsupported = unsupported;
    stats.unverified = unverified;
    this.unsupportedCount.textContent = `✖ ${l10n.t('{0} unsupported', unsupported)}`;
    this.unverifiedCount.textContent = `⚠ ${l10n.t('{0} unverified', unverified)}`;
    this.unsupportedCount.dataset.count = String(unsupported);
    this.unverifiedCount.dataset.count = String(unverified);
  }

  async relayout(): Promise<void> {
    const serial = ++this.layoutSerial;
    const { layout, ms, worker, prepareMs } = await layoutClient.layout([...this.expanded], this.showConstants);
    if (this.previewFrame) await this.previewFrame;
    if (serial !== this.layoutSerial) return; // a newer request superseded this one
    stats.layoutMs = ms;
    stats.workerPrepareMs ??= prepareMs;
    stats.layoutDoneMs ??= performance.now() - startedAt;
    stats.layoutInWorker = worker;
    stats.items = layout.items.length;
    this.layout = layout;
    this.previewOutline = undefined;
    this.rebuildScene();
    this.canvas.invalidateMinimap();
    this.finishOpening();
  }

  rebuildScene(): void {
    if (!this.layout) return;
    const status = nodeStatusOf(this.graph, this.verdicts);
    // a finding on a folded constant shows on the node it is folded into
    if (!this.showConstants) this.fold.forEach((into, v) => { if (into >= 0 && status[v]! > status[into]!) status[into] = status[v]!; });
    this.scene = buildScene(this.graph, this.tree, this.layout, status, this.selectedItem(), this.diffStatus);
    this.canvas.requestDraw();
  }

  /** Visible item showing the selection (a collapsed module box when the node is inside one). */
  selectedItem(): number {
    const s = this.selection;
    const layout = this.layout;
    if (!s || !layout) return -1;
    if (s.kind === 'node') return layout.itemOfNode[s.index] ?? -1;
    if (s.kind === 'module') return layout.itemOfModule[s.index] ?? -1;
    return layout.items.findIndex((i) => (i.kind === 'input' || i.kind === 'output') && i.index === s.index);
  }

  select(selection: Selection | undefined, options: { center?: boolean } = {}): void {
    this.selection = selection;
    if (this.scene) this.scene.selected = this.selectedItem();
    stats.selected = selection ? this.selectionKey(selection) : undefined;
    this.host.post(selection?.kind === 'node' ? { type: 'selection', node: this.graph.nodes[selection.index]!.name } : { type: 'selection' });
    if (options.center && this.scene && this.scene.selected >= 0) this.canvas.centerOn(this.scene.selected);
    this.canvas.requestDraw();
    this.side.showSelection();
    this.saveState();
  }

  /** Asks the host to save the selected module box or node as its own model. */
  extractSelection(): void {
    const s = this.selection;
    if (s?.kind === 'module' && this.tree.modules[s.index]!.path) this.host.post({ type: 'extract', module: this.tree.modules[s.index]!.path });
    else if (s?.kind === 'node') this.host.post({ type: 'extract', node: this.graph.nodes[s.index]!.name });
    else this.host.post({ type: 'extract' });
  }

  /** Expands the modules around a node, selects it and brings it into view. */
  async reveal(node: number): Promise<void> {
    let changed = false;
    for (let m = this.tree.moduleOf[node]!; m >= 0; m = this.tree.modules[m]!.parent) {
      if (!this.expanded.has(m)) {
        this.expanded.add(m);
        changed = true;
      }
    }
    if (changed) await this.relayout();
    this.select({ kind: 'node', index: node }, { center: true });
  }

  revealByName(name: string): boolean {
    const node = this.graph.nodes.findIndex((n) => n.name === name);
    if (node < 0) return false;
    void this.reveal(node);
    return true;
  }

  toggleModule(module: number): void {
    const next = new Set(this.expanded);
    if (next.has(module)) {
      // collapsing also collapses everything inside, so re-opening shows the overview of that module
      for (let m = 0; m < this.tree.modules.length; m++) {
        for (let a = m; a >= 0; a = this.tree.modules[a]!.parent) if (a === module) { next.delete(m); break; }
      }
    } else next.add(module);
    void this.setExpanded(next);
  }

  async setExpanded(expanded: Set<number>): Promise<void> {
    this.expanded = expanded;
    this.expanded.add(0);
    const anchor = this.scene && this.scene.selected >= 0 ? this.scene.selected : -1;
    await this.relayout();
    if (anchor >= 0 && this.scene && this.scene.selected >= 0) this.canvas.centerOn(this.scene.selected);
    this.side.showSelection();
    this.saveState();
  }

  /** Draws weights and constants as nodes, or folds them back into their consumers; the view stays on the selection. */
  async toggleConstants(): Promise<void> {
    this.showConstants = !this.showConstants;
    stats.showConstants = this.showConstants;
    this.toolbar.refresh();
    this.showDiff(false);
    const anchor = this.selection;
    await this.relayout();
    if (anchor && this.scene && this.scene.selected >= 0) this.canvas.centerOn(this.scene.selected);
    this.side.showSelection();
    this.saveState();
  }

  /** The drawn layout for the e2e tests. */
  layoutReport(): LayoutReport | undefined {
    const layout = this.layout;
    if (!layout) return undefined;
    const label = (kind: string, index: number) => (kind === 'node' ? this.graph.nodes[index]!.name : kind === 'module' ? this.tree.modules[index]!.path : this.graph.tensors[index]!.name);
    return {
      items: layout.items.map((i) => ({
        kind: i.kind, index: i.index, label: label(i.kind, i.index), op: i.kind === 'node' ? this.graph.nodes[i.index]!.op : '', x: i.x, y: i.y, w: i.w, h: i.h, expanded: i.expanded,
        ...(i.kind === 'node' && this.diffStatus?.[i.index] ? { diff: this.diffStatus[i.index] === DIFF_ADDED ? 'added' as const : 'changed' as const } : {}),
      })),
      edges: layout.edges.map((e) => ({ from: e.from, to: e.to })),
      view: { ...this.canvas.view },
      viewport: this.canvas.size(),
      width: layout.width,
      height: layout.height,
      minimapHeight: this.previewOutline ?? layout.height,
    };
  }

  moduleLabel = (module: number): string => this.tree.modules[module]!.name || this.graph.name;

  selectionKey(s: Selection): string {
    if (s.kind === 'node') return `node:${this.graph.nodes[s.index]!.name}#${s.index}`;
    if (s.kind === 'module') return `module:${this.tree.modules[s.index]!.path}`;
    return `tensor:${this.graph.tensors[s.index]!.name}`;
  }

  selectionFromKey(key: string): Selection | undefined {
    if (key.startsWith('node:')) {
      const hash = key.lastIndexOf('#');
      const index = Number(key.slice(hash + 1));
      if (Number.isInteger(index) && this.graph.nodes[index]?.name === key.slice(5, hash)) return { kind: 'node', index };
      return undefined;
    }
    if (key.startsWith('module:')) {
      const m = this.tree.byPath.get(key.slice(7));
      return m === undefined ? undefined : { kind: 'module', index: m };
    }
    if (key.startsWith('tensor:')) {
      const t = this.graph.tensors.findIndex((x) => x.name === key.slice(7));
      return t < 0 ? undefined : { kind: 'tensor', index: t };
    }
    return undefined;
  }

  focusSearch(): void {
    this.search.focus();
  }

  themeChanged(): void {
    this.theme = readTheme();
    this.canvas.invalidateMinimap();
    this.canvas.requestDraw();
  }

  /** Shows a nested graph (by path) in place of this one; the breadcrumb leads back. */
  async openSubgraph(path: string): Promise<void> {
    await showSubgraph([...this.nested, path]);
  }

  /** Main graph › each enclosing body › the shown one; every step but the last is a link. */
  private breadcrumb(): HTMLElement {
    const step = (label: string, go: (() => void) | undefined) => {
      if (!go) return h('span', { class: 'crumb current', 'aria-current': 'page' }, label);
      const link = h('a', { class: 'crumb', href: '#', role: 'link' }, label);
      link.addEventListener('click', (event) => {
        event.preventDefault();
        go();
      });
      return link;
    };
    const parts: HTMLElement[] = [step(mainView?.graph.name || l10n.t('Main graph'), showMain)];
    this.nested.forEach((path, i) => {
      const label = path.slice(path.lastIndexOf('/') + 1);
      parts.push(h('span', { class: 'separator' }, '›'), step(label, i < this.nested.length - 1 ? () => void showSubgraph(this.nested.slice(0, i + 1)) : undefined));
    });
    return h('nav', { class: 'breadcrumb', 'aria-label': l10n.t('Nested graphs') }, ...parts);
  }

  saveState(): void {
    if (this.nested.length) return; // the persisted view is the main graph's
    window.clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => {
      const view = this.canvas.view;
      this.host.saveState({
        panX: view.x, panY: view.y, zoom: view.zoom,
        ...(this.selection ? { selected: this.selectionKey(this.selection) } : {}),
        ...(this.target ? { target: this.target } : {}),
        expanded: [...this.expanded].map((m) => this.tree.modules[m]!.path),
        ...(this.panelChoice !== undefined ? { panelCollapsed: this.panelChoice } : {}),
        ...(this.showConstants ? { showConstants: true } : {}),
      });
    }, 150);
  }

  async export(format: 'svg' | 'png'): Promise<void> {
    if (!this.scene) return;
    try {
      const data = format === 'svg' ? exportSvg(this.scene, this.theme, this.moduleLabel) : await exportPng(this.scene, this.theme, this.moduleLabel);
      await this.host.request<'export'>({ type: 'export', format, data });
    } catch {
      // the host reports write errors itself; a cancelled dialog is no error
    }
  }

  copyText(text: string): void {
    this.host.post({ type: 'copyText', text });
  }
}

/** Graphs with more nodes open with their first this many nodes laid out and drawn while the whole layout runs. */
const PREVIEW_NODES = 1500;

/** Below this window width the side panel starts collapsed (until the user opens it). */
const NARROW = 760;

/** The keyboard shortcuts the help popover lists. */
const SHORTCUTS = (): [string, string][] => [
  ['Ctrl+F', l10n.t('Search nodes, ops and tensors')],
  ['↑ ↓', l10n.t('Select the producer / a consumer of the selected node')],
  ['← →', l10n.t('Select the neighbour in the same row')],
  ['Shift+↑↓←→', l10n.t('Pan')],
  ['+ / −', l10n.t('Zoom in / out')],
  ['0', l10n.t('Fit the graph to the window')],
  ['Enter', l10n.t('Open the Properties of the selection')],
  ['Space', l10n.t('Expand or collapse the selected module box')],
  ['Esc', l10n.t('Clear the selection')],
  ['W', l10n.t('Draw weights and constants as nodes, or fold them into their consumers')],
  ['F8 / Shift+F8', l10n.t('Next / previous node of the problem group')],
  ['P', l10n.t('Show or hide the side panel')],
  ['?', l10n.t('Show these shortcuts')],
];

/** "Step 2 of 3: Laying out 22,074 nodes…": the open's steps are decode, layout, first frame. */
function stepText(step: number, text: string): string {
  return l10n.t('Step {0} of {1}: {2}', step, 3, text);
}

function showState(kind: 'loading' | 'error' | 'empty', text: string, detail?: string, action?: HTMLElement): void {
  stats.state = kind;
  root.replaceChildren(h('div', { class: `state ${kind === 'error' ? 'error' : ''}`, role: kind === 'error' ? 'alert' : 'status' },
    kind === 'loading' ? h('vscode-progress-ring', {}) : null,
    h('div', {}, text),
    detail ? h('div', { class: 'detail' }, detail) : null,
    action ?? null));
}

let viewer: Viewer | undefined;
/** The main graph as it arrived (with the latest verdicts), to come back to from a nested body. */
let mainView: { message: GraphMessage; graph: CompactGraph } | undefined;

/** Verdicts of nodes in nested graphs (node -1, named) placed on the shown nested graph's nodes. */
function nestedVerdicts(verdicts: readonly NodeVerdict[], graph: CompactGraph): NodeVerdict[] {
  const byName = new Map<string, number>();
  graph.nodes.forEach((n, i) => { if (n.name && !byName.has(n.name)) byName.set(n.name, i); });
  return verdicts.flatMap((v) => (v.node < 0 && byName.has(v.name) ? [{ ...v, node: byName.get(v.name)! }] : []));
}

async function showSubgraph(crumbs: readonly string[]): Promise<void> {
  const main = mainView;
  if (!main || !crumbs.length) return;
  stats.state = 'loading';
  let graph: CompactGraph;
  let packed: PackedGraph;
  try {
    packed = await host.request<'subgraph'>({ type: 'subgraph', path: crumbs.at(-1)! });
    graph = unpackGraph(packed);
  } catch (error) {
    stats.state = 'ready';
    showNotice(error instanceof Error ? error.message : String(error));
    return;
  }
  layoutClient.setGraph(packed, graph);
  viewer = new Viewer(host, { ...main.message, verdicts: nestedVerdicts(main.message.verdicts, graph), warnings: [] }, graph, undefined, crumbs);
}

function showMain(): void {
  const main = mainView;
  if (!main) return;
  layoutClient.setGraph(main.message.graph, main.graph);
  viewer = new Viewer(host, main.message, main.graph, parseViewerState(host.state));
}

/** A short note over the current view (a nested graph that cannot be shown). */
function showNotice(text: string): void {
  const note = h('div', { class: 'warnings', role: 'alert' }, text);
  root.insertBefore(note, root.children[1] ?? null);
  window.setTimeout(() => note.remove(), 8000);
}

// one listener each for the whole page (views come and go when nested graphs are opened)
window.addEventListener('keydown', (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'f') {
    event.preventDefault();
    viewer?.focusSearch();
  }
  if (event.key === 'F8') {
    event.preventDefault();
    viewer?.side.stepProblem(event.shiftKey ? -1 : 1);
  }
  // single-key shortcuts, never while typing
  const typing = (event.target as Element | null)?.closest?.('input, textarea, vscode-textfield, vscode-single-select');
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === '?') {
    event.preventDefault();
    viewer?.toolbar.toggleHelp();
  } else if (event.key === 'p' || event.key === 'P') {
    event.preventDefault();
    viewer?.setPanelCollapsed(!viewer.panelCollapsed, true);
  }
});
// theme changes: VS Code swaps the body class
new MutationObserver(() => viewer?.themeChanged()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

const host = new Host((message: Exclude<HostToWebview, { type: 'response' }>) => {
  switch (message.type) {
    case 'init':
      if (message.l10n) l10n.config({ contents: message.l10n });
      showState('loading', stepText(1, l10n.t('Decoding {0}…', message.fileName)));
      break;
    case 'loading':
      showState('loading', stepText(1, l10n.t('Decoding {0}…', message.fileName)));
      break;
    case 'decodeError':
      viewer = undefined;
      showState('error', l10n.t('This model cannot be opened.'), message.offset !== undefined ? l10n.t('{0} (at byte offset {1})', message.message, message.offset) : message.message,
        // not an ONNX model at all: its bytes in VS Code's text editor
        message.notAModel ? button(l10n.t('Open as Text'), () => host.post({ type: 'openAsText' }), l10n.t('Open the file in the text editor')) : undefined);
      break;
    case 'graph': {
      stats.graphReceivedMs = performance.now() - startedAt;
      if (message.timing) {
        stats.hostMs = message.timing.postedAt - message.timing.readyAt;
        stats.hostDecodeWaitMs = message.timing.decodeWaitMs;
        stats.hostPackMs = message.timing.packMs;
        stats.messageMs = Date.now() - message.timing.postedAt;
      }
      // the layout worker gets its copy first and lays out the opening view while this thread unpacks
      layoutClient.setGraph(message.graph);
      let graph: CompactGraph;
      try {
        graph = unpackGraph(message.graph);
      } catch (error) {
        viewer = undefined;
        showState('error', l10n.t('This model cannot be opened.'), error instanceof Error ? error.message : String(error));
        break;
      }
      stats.unpackMs = performance.now() - startedAt - stats.graphReceivedMs;
      stats.shapedAtGraph = graph.tensors.filter((t) => t.shape).length;
      stats.shapesInferred = undefined;
      stats.shapesMs = undefined;
      layoutClient.setUnpacked(graph);
      if (graph.nodes.length === 0) {
        viewer = undefined;
        showState('empty', l10n.t('The model\'s graph has no nodes.'));
        break;
      }
      const saved = parseViewerState(host.state);
      mainView = { message, graph };
      viewer = new Viewer(host, message, graph, saved);
      if (saved?.target && saved.target !== message.target && message.targets.some((t) => t.id === saved.target)) {
        host.post({ type: 'setTarget', target: saved.target });
      }
      break;
    }
    case 'shapes': {
      // for the main graph as posted with the same load (a newer graph makes an older message stale)
      const shapes = mainView && parseShapesMessage(message, { load: mainView.message.load, tensors: mainView.graph.tensors.length });
      if (!mainView || !shapes) break;
      stats.shapesInferred = applyInferredShapes(mainView.graph, shapes);
      stats.shapesMs = performance.now() - startedAt;
      stats.openSteps.push('shapes');
      if (viewer && !viewer.nested.length) viewer.onShapes();
      break;
    }
    case 'verdicts':
      if (mainView) mainView = { ...mainView, message: { ...mainView.message, target: message.target, verdicts: message.verdicts } };
      if (viewer?.nested.length) viewer.onVerdicts(message.target, nestedVerdicts(message.verdicts, viewer.graph));
      else viewer?.onVerdicts(message.target, message.verdicts);
      break;
    case 'reveal':
      // node names are those of the main graph
      if (viewer?.nested.length) showMain();
      viewer?.revealByName(message.node);
      break;
    case 'diff':
      if (!viewer?.nested.length) viewer?.onDiff(message.baseName, message.diff);
      break;
  }
});
export type { Viewer };
showState('loading', '');
stats.readyPostedMs = performance.now() - startedAt;
host.post({ type: 'ready' });
