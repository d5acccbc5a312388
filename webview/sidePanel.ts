/**
 * Side panel: properties of the selection, the problems list (verdicts of the current target), and
 * search results. All model text is inserted as text nodes (see dom.ts).
 */
import * as l10n from '@vscode/l10n';
import type { GraphDiff, NodeChange } from '../src/shared/diff';
import { formatShape, type CompactTensor, type NodeVerdict } from '../src/shared/graph';
import type { RewriteOffer, RewriteScope } from '../src/shared/protocol';
import { groupProblems, type ProblemGroup } from '../src/shared/problems';
import { activate, clear, h } from './dom';
import { foldedInputNote, foldedIntoNote } from './foldedInputs';
import type { Viewer } from './main';

const MAX_RESULTS = 500;
const PREVIEW_VALUES = 32;

interface SearchResult {
  readonly label: string;
  readonly detail: string;
  readonly open: () => void;
}

export class SidePanel {
  readonly element: HTMLElement;
  private readonly tabs: HTMLElement & { selectedIndex: number };
  private readonly properties = h('div', { class: 'panel', id: 'properties', tabindex: -1 });
  private readonly problems = h('div', { class: 'panel', id: 'problems' });
  private readonly results = h('div', { class: 'panel', id: 'search-results' });
  private readonly changes = h('div', { class: 'panel', id: 'changes' });
  private searchResults: SearchResult[] = [];
  private problemsSerial = 0;

  constructor(private readonly viewer: Viewer) {
    this.tabs = h('vscode-tabs', { panel: true }) as HTMLElement & { selectedIndex: number };
    this.tabs.append(
      h('vscode-tab-header', { slot: 'header' }, l10n.t('Properties')),
      h('vscode-tab-panel', {}, this.properties),
      h('vscode-tab-header', { slot: 'header' }, l10n.t('Problems')),
      h('vscode-tab-panel', {}, this.problems),
      h('vscode-tab-header', { slot: 'header' }, l10n.t('Search')),
      h('vscode-tab-panel', {}, this.results),
    );
    this.element = h('aside', { class: 'side', 'aria-label': l10n.t('Details') }, this.tabs);
    this.showProblems();
  }

  openProperties(): void {
    if (this.viewer.panelCollapsed) this.viewer.setPanelCollapsed(false, false);
    this.tabs.selectedIndex = 0;
    this.properties.focus();
  }

  // ------------------------------------------------------------------ properties

  showSelection(): void {
    const { viewer } = this;
    const s = viewer.selection;
    clear(this.properties);
    if (!s) {
      this.properties.append(h('p', { class: 'empty' }, l10n.t('Select a node to see its properties.')), this.summary());
      return;
    }
    if (s.kind === 'node') this.showNode(s.index);
    else if (s.kind === 'module') this.showModule(s.index);
    else this.showTensor(s.index);
  }

  private summary(): HTMLElement {
    const table = h('table', {});
    for (const fact of this.viewer.graph.summary) table.append(row(fact.label, fact.value));
    return h('div', {}, h('h3', {}, l10n.t('Model')), table);
  }

  private showNode(index: number): void {
    const { graph, tree } = this.viewer;
    const node = graph.nodes[index]!;
    const verdict = this.viewer.verdictOf.get(index);
    const copy = h('vscode-button', { secondary: true }, l10n.t('Copy name'));
    copy.addEventListener('click', () => this.viewer.copyText(node.name));
    const source = h('vscode-button', { secondary: true, title: l10n.t('Open the Python module this node\'s name points to (when the workspace holds it)') }, l10n.t('Go to PyTorch Source'));
    source.addEventListener('click', () => this.viewer.host.post({ type: 'goToSource', node: node.name }));
    const general = h('table', {},
      row(l10n.t('Name'), node.name || l10n.t('(unnamed)')),
      row(l10n.t('Operator'), node.op),
      row(l10n.t('Domain'), node.domain || 'ai.onnx'),
      row(l10n.t('Module'), tree.modules[tree.moduleOf[index]!]!.path || '/'),
    );
    this.properties.append(h('h3', {}, l10n.t('Node')), general, foldedIntoNote(this.viewer, index) ?? '', h('div', { class: 'actions' }, copy, node.name ? source : ''));
    this.properties.append(this.walkBar(index), this.verdictSection(verdict));
    if (verdict && node.name) this.properties.append(this.rewriteSection(node.name));
    const changed = this.viewer.changedOf.get(index);
    if (changed) this.properties.append(h('h3', {}, l10n.t('Changes')), changeList(changed.changes));
    else if (this.viewer.diffStatus?.[index] === 1) this.properties.append(h('h3', {}, l10n.t('Changes')), h('div', {}, l10n.t('Added')));
    if (node.attributes.length) {
      const table = h('table', {});
      for (const a of node.attributes) table.append(row(a.name, a.value, a.type));
      this.properties.append(h('h3', {}, l10n.t('Attributes')), table);
    }
    if (node.subgraphs?.length) {
      // each body opens as a graph of its own, with a breadcrumb back (as Netron does)
      const item = (path: string) => {
        const open = h('vscode-button', { secondary: true, 'data-subgraph': path, title: l10n.t('Show this body as its own graph') }, l10n.t('Open'));
        open.addEventListener('click', () => void this.viewer.openSubgraph(path));
        return h('li', { class: 'mono' }, path, ' ', open);
      };
      this.properties.append(h('h3', {}, l10n.t('Subgraphs')), h('ul', {}, ...node.subgraphs.map(item)));
    }
    this.properties.append(h('h3', {}, l10n.t('Inputs')), this.tensorList(node.inputs, true));
    this.properties.append(h('h3', {}, l10n.t('Outputs')), this.tensorList(node.outputs));
  }

  private verdictSection(verdict: NodeVerdict | undefined): HTMLElement {
    const box = h('div', {}, h('h3', {}, l10n.t('Verdict for {0}', this.viewer.target)));
    if (!verdict) {
      box.append(h('div', { class: 'verdict supported' }, l10n.t('Supported')));
      return box;
    }
    box.append(h('div', { class: `verdict ${verdict.status}` }, verdict.status === 'unsupported' ? l10n.t('Unsupported') : l10n.t('Unverified')));
    const reasons = h('ul', {});
    for (const reason of verdict.reasons) reasons.append(h('li', {}, h('span', { class: 'mono' }, `[${reason.code}] `), reason.message));
    box.append(reasons);
    if (verdict.hint) box.append(h('div', { class: 'hint' }, l10n.t('Hint: {0}', verdict.hint)));
    box.append(h('div', { class: 'empty' }, l10n.t('Source: {0}', verdict.source)));
    return box;
  }

  /**
   * Rewrites that apply to a rejected node (asked from the host): one button each; the host verifies the
   * rewrite, asks where to save it, and answers with the figures shown under the button.
   */
  private rewriteSection(nodeName: string): HTMLElement {
    const box = h('div', { class: 'rewrites' }, h('h3', {}, l10n.t('Rewrites')));
    const status = h('div', { class: 'empty', role: 'status' }, l10n.t('Looking for rewrites…'));
    box.append(status);
    this.viewer.host.request<'rewriteOffers'>({ type: 'rewriteOffers', node: nodeName }).then((offers) => {
      status.textContent = offers.length ? '' : l10n.t('No rewrite rule applies to this node.');
      for (const offer of offers) box.append(this.rewriteOffer(nodeName, offer));
    }, (error: Error) => {
      status.textContent = l10n.t('Cannot list rewrites: {0}', error.message);
    });
    return box;
  }

  private rewriteOffer(nodeName: string, offer: RewriteOffer): HTMLElement {
    // one-node rules run on this node, or on all matching nodes when there are others; the rest run model-wide
    const scopes: RewriteScope[] = offer.perNode ? (offer.matching > 1 ? ['node', 'model'] : ['node']) : ['model'];
    const notes = [
      offer.perNode
        ? (offer.matching > 1 ? l10n.t('Rewrites this node, or all {0} matching nodes of the model.', offer.matching) : l10n.t('Rewrites this node.'))
        : (offer.matching > 1 ? l10n.t('Rewrites all {0} matching nodes of the model.', offer.matching) : l10n.t('Rewrites this node.')),
      offer.needsStaticShapes ? l10n.t('Fixes the input shapes first (you give the sizes).') : '',
      offer.exact ? l10n.t('Exact; verified against the original with onnxruntime.') : l10n.t('Approximate: the measured error is shown before anything is saved.'),
    ].filter(Boolean).join(' ');
    const result = h('div', { class: 'rewrite-result', role: 'status', 'aria-live': 'polite' });
    const buttons = scopes.map((scope) => {
      const label = scope === 'model' && offer.perNode
        ? l10n.t('All {0} Matching Nodes', offer.matching)
        : offer.exact ? l10n.t('Rewrite and Verify') : l10n.t('Measure Error and Rewrite…');
      const attributes: Record<string, string> = { 'data-rule': offer.rule, 'data-scope': scope, title: notes };
      if (scope === 'model' && offer.perNode) attributes['appearance'] = 'secondary';
      return h('vscode-button', attributes, label) as HTMLElement & { disabled: boolean };
    });
    for (const [k, run] of buttons.entries()) {
      run.addEventListener('click', () => {
        if (run.disabled) return;
        for (const b of buttons) b.disabled = true;
        result.className = 'rewrite-result';
        result.textContent = l10n.t('Rewriting and verifying…');
        this.viewer.host.request<'rewrite'>({ type: 'rewrite', node: nodeName, rule: offer.rule, scope: scopes[k]! }).then((outcome) => {
          clear(result);
          result.className = `rewrite-result ${outcome.status}`;
          const head: Record<typeof outcome.status, string> = {
            applied: l10n.t('Saved as {0}', outcome.file ?? ''),
            refused: l10n.t('Refused'),
            unchanged: l10n.t('Nothing to change'),
            cancelled: l10n.t('Cancelled'),
          };
          result.append(h('div', { class: 'outcome' }, head[outcome.status]), ...outcome.lines.map((line) => h('div', { class: 'mono' }, line)));
        }, (error: Error) => {
          result.className = 'rewrite-result refused';
          result.textContent = l10n.t('Cannot rewrite: {0}', error.message);
        }).finally(() => {
          for (const b of buttons) b.disabled = false;
        });
      });
    }
    return h('div', { class: 'rewrite' },
      h('div', {}, h('span', { class: 'mono rule' }, offer.rule), offer.exact ? '' : h('span', { class: 'approximate' }, ` ${l10n.t('(approximate)')}`)),
      h('div', {}, offer.label),
      h('div', { class: 'empty' }, notes),
      h('div', { class: 'rewrite-buttons' }, ...buttons),
      result);
  }

  /** `inputs`: a node's inputs, where weights and constants folded into it are marked. */
  private tensorList(indexes: readonly number[], inputs = false): HTMLElement {
    const list = h('div', {});
    for (const t of indexes) {
      if (t < 0) {
        list.append(h('div', { class: 'empty' }, l10n.t('(omitted)')));
        continue;
      }
      const tensor = this.viewer.graph.tensors[t]!;
      const block = this.tensorBlock(tensor);
      const folded = inputs ? foldedInputNote(this.viewer, t) : undefined;
      if (folded) block.append(folded);
      list.append(block);
    }
    return list;
  }

  private tensorBlock(tensor: CompactTensor): HTMLElement {
    const type = `${tensor.dtype}${tensor.shape ? `[${formatShape(tensor.shape)}]` : ''}`;
    const block = h('div', { class: 'tensor' }, h('div', { class: 'name' }, tensor.name), h('div', { class: 'mono' }, type || '?'));
    if (tensor.kind === 'initializer') {
      block.append(h('div', { class: 'empty' }, l10n.t('initializer, {0} bytes', tensor.bytes ?? 0) + (tensor.external ? ` · ${l10n.t('external data')}` : '')));
      const show = h('vscode-button', { secondary: true }, l10n.t('Show values'));
      const out = h('div', { class: 'values' });
      show.addEventListener('click', () => {
        show.remove();
        out.textContent = l10n.t('Reading…');
        this.viewer.host.request<'tensorValues'>({ type: 'tensorValues', tensor: tensor.name, count: PREVIEW_VALUES }).then((values) => {
          clear(out);
          const stats = [values.min !== undefined ? `min ${values.min}` : '', values.max !== undefined ? `max ${values.max}` : '', values.mean !== undefined ? `mean ${values.mean}` : ''].filter(Boolean).join(' · ');
          out.append(h('div', {}, `[${values.first.join(', ')}${values.count > values.first.length ? ', …' : ''}]`));
          if (stats) out.append(h('div', { class: 'empty' }, stats));
        }, (error: Error) => {
          out.textContent = l10n.t('Cannot read values: {0}', error.message);
        });
      });
      block.append(show, out);
    }
    return block;
  }

  private showModule(module: number): void {
    const { tree, scene } = this.viewer;
    const info = tree.modules[module]!;
    const expanded = this.viewer.expanded.has(module);
    const toggle = h('vscode-button', { secondary: true }, expanded ? l10n.t('Collapse') : l10n.t('Expand'));
    toggle.addEventListener('click', () => this.viewer.toggleModule(module));
    const source = h('vscode-button', { secondary: true, title: l10n.t('Open the Python module this path points to (when the workspace holds it)') }, l10n.t('Go to PyTorch Source'));
    source.addEventListener('click', () => this.viewer.host.post({ type: 'goToSource', module: info.path }));
    this.properties.append(
      h('h3', {}, l10n.t('Module')),
      h('table', {},
        row(l10n.t('Path'), info.path || '/'),
        row(l10n.t('Nodes'), String(info.nodeCount)),
        row(l10n.t('Unsupported'), String(scene?.moduleUnsupported[module] ?? 0)),
        row(l10n.t('Unverified'), String(scene?.moduleUnverified[module] ?? 0))),
      h('div', { class: 'actions' }, toggle, info.path ? source : ''),
    );
  }

  private showTensor(index: number): void {
    const tensor = this.viewer.graph.tensors[index]!;
    this.properties.append(h('h3', {}, tensor.kind === 'output' ? l10n.t('Graph output') : l10n.t('Graph input')), this.tensorBlock(tensor));
  }

  // ------------------------------------------------------------------ problems

  /** The problem groups of the current verdicts, and the one being walked (group index, node position). */
  private groups: ProblemGroup<NodeVerdict>[] = [];
  private walking: { group: number; at: number } | undefined;

  showProblems(): void {
    const { viewer } = this;
    clear(this.problems);
    this.walking = undefined;
    this.groups = groupProblems(viewer.verdicts, (v) => ({ op: viewer.graph.nodes[v.node]?.op ?? '', status: v.status, codes: v.reasons.map((r) => r.code) }));
    if (this.groups.length === 0) {
      this.problems.append(h('p', { class: 'empty' }, l10n.t('Every node is supported by {0}.', viewer.target)));
      return;
    }
    const list = h('ul', { class: 'list problem-groups', role: 'tree', 'aria-label': l10n.t('Problems') });
    // one click handler for the list; node rows are added in slices so thousands of verdicts never block a frame
    list.addEventListener('click', (event) => {
      const li = (event.target as Element).closest('li');
      if (!li) return;
      if (li.dataset.group !== undefined && li.dataset.at === undefined) this.toggleGroup(li);
      else if (li.dataset.at !== undefined) this.pick(Number(li.dataset.group), Number(li.dataset.at));
    });
    list.addEventListener('keydown', (event) => this.problemKey(event, list));
    this.groups.forEach((group, g) => {
      const codes = group.codes.join(', ');
      const li = h('li', { class: 'group', role: 'treeitem', 'aria-expanded': 'false', tabindex: g === 0 ? 0 : -1, title: group.items[0]!.reasons.map((r) => r.message).join('\n') },
        h('span', { class: `status ${group.status}` }, group.status === 'unsupported' ? '✖' : '⚠'),
        h('span', { class: 'text' }, `${group.op || group.items[0]!.name} ×${group.items.length}`),
        h('span', { class: 'op' }, codes),
      );
      li.dataset.group = String(g);
      list.append(li);
    });
    this.problems.append(
      h('div', { class: 'empty' }, l10n.t('{0} problems in {1} groups (op, reason) on {2}', viewer.verdicts.length, this.groups.length, viewer.target)),
      list,
    );
  }

  private toggleGroup(li: HTMLElement, open?: boolean): void {
    const g = Number(li.dataset.group);
    const expanded = li.getAttribute('aria-expanded') === 'true';
    if (open === expanded) return;
    li.setAttribute('aria-expanded', String(!expanded));
    if (expanded) {
      const members = li.nextElementSibling;
      if (members?.matches('li.members')) members.remove();
      return;
    }
    const members = h('li', { class: 'members', role: 'none' });
    const inner = h('ul', { class: 'list', role: 'group' });
    members.append(inner);
    li.after(members);
    const items = this.groups[g]!.items;
    const serial = ++this.problemsSerial;
    const addRows = (from: number) => {
      if (serial !== this.problemsSerial || !members.isConnected) return;
      const end = Math.min(items.length, from + 400);
      const rows = document.createDocumentFragment();
      for (let i = from; i < end; i++) {
        const v = items[i]!;
        const row = h('li', { role: 'treeitem', tabindex: -1, title: v.reasons.map((r) => r.message).join('\n') },
          h('span', { class: 'op' }, `${i + 1}.`),
          h('span', { class: 'text' }, v.name || `#${v.node}`),
        );
        row.dataset.group = String(g);
        row.dataset.at = String(i);
        if (this.walking?.group === g && this.walking.at === i) row.classList.add('active');
        rows.appendChild(row);
      }
      inner.appendChild(rows);
      if (end < items.length) setTimeout(() => addRows(end), 0);
    };
    addRows(0);
  }

  /** Arrow keys move between rows, Right/Left open and close a group, Enter or Space picks. */
  private problemKey(event: KeyboardEvent, list: HTMLElement): void {
    const current = (event.target as Element).closest('li[tabindex]') as HTMLElement | null;
    if (!current) return;
    const rows = [...list.querySelectorAll<HTMLElement>('li[tabindex]')];
    const k = rows.indexOf(current);
    const focus = (row: HTMLElement | undefined) => {
      if (!row) return;
      for (const r of rows) r.tabIndex = -1;
      row.tabIndex = 0;
      row.focus();
    };
    const isGroup = current.dataset.at === undefined;
    switch (event.key) {
      case 'ArrowDown': focus(rows[k + 1]); break;
      case 'ArrowUp': focus(rows[k - 1]); break;
      case 'Home': focus(rows[0]); break;
      case 'End': focus(rows.at(-1)); break;
      case 'ArrowRight': if (isGroup) this.toggleGroup(current, true); break;
      case 'ArrowLeft':
        if (isGroup) this.toggleGroup(current, false);
        else focus(list.querySelector<HTMLElement>(`li.group[data-group="${current.dataset.group}"]`) ?? undefined);
        break;
      case 'Enter':
      case ' ':
        if (isGroup) this.pick(Number(current.dataset.group), 0);
        else this.pick(Number(current.dataset.group), Number(current.dataset.at));
        break;
      default: return;
    }
    event.preventDefault();
  }

  /** Reveals problem `at` of group `g` and opens its Properties (reason and hint), keeping the walk for next/previous. */
  private pick(g: number, at: number): void {
    const group = this.groups[g];
    const v = group?.items[at];
    if (!v) return;
    this.walking = { group: g, at };
    for (const row of this.problems.querySelectorAll('li.active')) row.classList.remove('active');
    this.problems.querySelector(`li[data-group="${g}"][data-at="${at}"]`)?.classList.add('active');
    if (window.__npuViewer) window.__npuViewer.problem = { group: g, at, of: group.items.length };
    if (v.node >= 0) void this.viewer.reveal(v.node).then(() => this.openProperties());
    else this.openProperties();
  }

  /** The next (+1) or previous (-1) node of the problem group being walked (F8 / Shift+F8). */
  stepProblem(delta: 1 | -1): void {
    if (!this.groups.length) return;
    const w = this.walking ?? { group: 0, at: delta > 0 ? -1 : 0 };
    const n = this.groups[w.group]!.items.length;
    this.pick(w.group, (w.at + delta + n) % n);
  }

  /** "Problem 3 of 412 (Erf, unverified)" with previous/next buttons, when the selected node is the one being walked. */
  private walkBar(node: number): HTMLElement | string {
    const w = this.walking;
    const group = w ? this.groups[w.group] : undefined;
    if (!w || !group || group.items[w.at]?.node !== node) return '';
    const previous = h('vscode-button', { secondary: true, class: 'problem-previous', title: l10n.t('Previous problem of this group (Shift+F8)') }, '◀');
    const next = h('vscode-button', { secondary: true, class: 'problem-next', title: l10n.t('Next problem of this group (F8)') }, '▶');
    previous.addEventListener('click', () => this.stepProblem(-1));
    next.addEventListener('click', () => this.stepProblem(1));
    return h('div', { class: 'walk', role: 'group', 'aria-label': l10n.t('Problem group') },
      previous, next, h('span', { class: 'walk-position' }, l10n.t('Problem {0} of {1} ({2}, {3})', w.at + 1, group.items.length, group.op, group.codes.join(', '))));
  }

  // ------------------------------------------------------------------ compare

  /** Lists the diff (as drawn: folded constants on their consumers); `selectTab`: brings the Changes tab to the front. */
  showDiff(baseName: string, diff: GraphDiff, selectTab = true): void {
    const { viewer } = this;
    if (!this.changes.isConnected) {
      this.tabs.append(h('vscode-tab-header', { slot: 'header' }, l10n.t('Changes')), h('vscode-tab-panel', {}, this.changes));
    }
    clear(this.changes);
    this.changes.append(h('p', { class: 'empty' }, l10n.t('Compared with {0}', baseName)));
    const section = (title: string, items: HTMLElement[]) => {
      this.changes.append(h('h3', {}, `${title} (${items.length})`));
      const list = h('ul', { class: 'list', role: 'list' });
      list.append(...items);
      this.changes.append(list);
    };
    section(l10n.t('Added'), diff.added.map((i) => {
      const li = h('li', { tabindex: 0 }, h('span', { class: 'status added' }, '+'), h('span', { class: 'op' }, viewer.graph.nodes[i]!.op), h('span', { class: 'text' }, viewer.graph.nodes[i]!.name || `#${i}`));
      activate(li, () => void viewer.reveal(i));
      return li;
    }));
    section(l10n.t('Changed'), diff.changed.map((c) => {
      // a change to a weight or constant folded into this node is said on the row: nothing else shows it
      const folded = c.changes.filter((x) => x.kind === 'constant' || x.kind === 'constant-added' || x.kind === 'value');
      const li = h('li', { title: c.changes.map(changeText).join('\n'), tabindex: 0 }, h('span', { class: 'status changed' }, '~'), h('span', { class: 'op' }, viewer.graph.nodes[c.node]!.op), h('span', { class: 'text' }, viewer.graph.nodes[c.node]!.name || `#${c.node}`),
        ...(folded.length ? [h('div', { class: 'detail' }, folded.map(changeText).join('; '))] : []));
      activate(li, () => void viewer.reveal(c.node));
      return li;
    }));
    section(l10n.t('Removed'), diff.removed.map((r) => h('li', {}, h('span', { class: 'status removed' }, '−'), h('span', { class: 'op' }, r.op), h('span', { class: 'text' }, r.name))));
    if (selectTab) this.tabs.selectedIndex = 3;
  }

  // ------------------------------------------------------------------ search

  showSearch(query: string): void {
    const { graph } = this.viewer;
    const q = query.trim().toLowerCase();
    clear(this.results);
    this.searchResults = [];
    if (!q) return;
    this.tabs.selectedIndex = 2;
    for (let i = 0; i < graph.nodes.length && this.searchResults.length < MAX_RESULTS; i++) {
      const node = graph.nodes[i]!;
      if (node.name.toLowerCase().includes(q) || node.op.toLowerCase().includes(q)) {
        this.searchResults.push({ label: node.name || `#${i}`, detail: node.op, open: () => void this.viewer.reveal(i) });
      }
    }
    for (let t = 0; t < graph.tensors.length && this.searchResults.length < MAX_RESULTS; t++) {
      const tensor = graph.tensors[t]!;
      if (!tensor.name.toLowerCase().includes(q)) continue;
      // a tensor leads to the node that produces it, or else to its first consumer
      const node = tensor.producer >= 0 ? tensor.producer : graph.nodes.findIndex((n) => n.inputs.includes(t));
      if (node < 0) continue;
      this.searchResults.push({ label: tensor.name, detail: l10n.t('tensor'), open: () => void this.viewer.reveal(node) });
    }
    const list = h('ul', { class: 'list', role: 'list' });
    for (const result of this.searchResults) {
      const li = h('li', { role: 'listitem' }, h('span', { class: 'op' }, result.detail), h('span', { class: 'text' }, result.label));
      li.addEventListener('click', result.open);
      list.append(li);
    }
    this.results.append(
      h('div', { class: 'empty' }, this.searchResults.length >= MAX_RESULTS ? l10n.t('First {0} results', MAX_RESULTS) : l10n.t('{0} results', this.searchResults.length)),
      list,
    );
  }

  revealFirstSearchResult(): void {
    this.searchResults[0]?.open();
  }
}

function changeText(c: NodeChange): string {
  switch (c.kind) {
    case 'op': return l10n.t('operator {0} → {1}', c.before, c.after);
    case 'attribute': return l10n.t('attribute {0}: {1} → {2}', c.what, c.before, c.after);
    case 'attribute-added': return l10n.t('attribute {0} added: {1}', c.what, c.after);
    case 'attribute-removed': return l10n.t('attribute {0} removed (was {1})', c.what, c.before);
    case 'input': return l10n.t('input {0}: {1} → {2}', c.what, c.before, c.after);
    case 'output': return l10n.t('output {0}: {1} → {2}', c.what, c.before, c.after);
    case 'arity': return l10n.t('inputs → outputs: {0} became {1}', c.before, c.after);
    case 'value': return l10n.t('values of {0} changed ({1})', c.what, c.after);
    case 'constant': return c.folded?.length ? l10n.t('constant changed: {0} ({1})', c.what, c.folded.map(changeText).join('; ')) : l10n.t('constant changed: {0}', c.what);
    case 'constant-added': return l10n.t('constant added: {0} ({1})', c.what, c.after);
  }
}

function changeList(changes: readonly NodeChange[]): HTMLElement {
  return h('ul', {}, ...changes.map((c) => h('li', { class: 'mono' }, changeText(c))));
}

function row(key: string, value: string, title?: string): HTMLElement {
  return h('tr', {}, h('td', { class: 'key', ...(title ? { title } : {}) }, key), h('td', { class: 'mono' }, value));
}
