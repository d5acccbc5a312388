import type { Node, Tree } from 'web-tree-sitter';
import type { Requirement, TextEdit } from '../types';
import type { ImportTable } from '../symbols';
import type { Span } from '../syntax';
import type { LineIndex } from '../text';

/**
 * Where new lines go at the top of a file. `head`: after the shebang/comments, the module docstring
 * and `from __future__` imports. `imports`: after the leading block of import statements.
 */
export interface ImportLayout {
  readonly head: number;
  readonly imports: number;
  /** Line-start offset after each top-level `import X` (module → offset), for torch_npu after torch and statements after os. */
  readonly afterModule: ReadonlyMap<string, number>;
  /** Existing top-level `from M import ...` statements: module → the node of its last name. */
  readonly fromStatements: ReadonlyMap<string, { lastName: Span; names: ReadonlySet<string> }>;
  readonly importedModules: ReadonlySet<string>;
}

function nextLineStart(lines: LineIndex, node: Span): number {
  const end = node.endPosition.row;
  return end + 1 < lines.lineCount ? lines.lineStart(end + 1) : lines.text.length;
}

/** Modules new lines are placed after: torch_npu after torch, environment settings after os. */
const ANCHOR_MODULES = new Set(['torch', 'os']);

export function importLayout(tree: Tree, table: ImportTable, lines: LineIndex): ImportLayout {
  // Only the leading statements matter: walk them one by one instead of listing every top-level node.
  const root = tree.rootNode;
  const statements: Node[] = [];
  for (let i = 0, count = root.namedChildCount; i < count; i++) {
    const child = root.namedChild(i);
    if (!child || child.type === 'comment') continue;
    statements.push(child);
    const t = child.type;
    const header = t === 'import_statement' || t === 'import_from_statement' || t === 'future_import_statement' || (statements.length === 1 && t === 'expression_statement');
    if (!header) break;
  }
  let head: number | undefined;
  let index = 0;
  const first = statements[0];
  if (first?.type === 'expression_statement' && first.namedChildren[0]?.type === 'string') {
    head = nextLineStart(lines, first);
    index = 1;
  }
  while (statements[index]?.type === 'future_import_statement') head = nextLineStart(lines, statements[index++]!);
  if (head === undefined) head = statements[0] ? lines.lineStart(statements[0].startPosition.row) : lines.text.length;
  let imports = head;
  while (statements[index] && (statements[index]!.type === 'import_statement' || statements[index]!.type === 'import_from_statement')) {
    imports = nextLineStart(lines, statements[index++]!);
  }
  const afterModule = new Map<string, number>();
  const fromStatements = new Map<string, { lastName: Span; names: Set<string> }>();
  const importedModules = new Set<string>();
  for (const info of table.imports) {
    if (!info.isFrom) {
      importedModules.add(info.module);
      if (info.topLevel && ANCHOR_MODULES.has(info.module) && !afterModule.has(info.module) && info.names.length === 1) afterModule.set(info.module, nextLineStart(lines, info.node));
    } else if (info.topLevel && info.names.length > 0 && !fromStatements.has(info.module)) {
      fromStatements.set(info.module, { lastName: info.names[info.names.length - 1]!.node, names: new Set(info.names.map((n) => n.local)) });
    }
    if (info.isFrom) for (const n of info.names) importedModules.add(`${info.module}.${n.name}`);
  }
  return { head, imports, afterModule, fromStatements, importedModules };
}

/**
 * The edits that satisfy `requirements` in a file: each import once, names merged into an existing
 * `from M import ...`, torch_npu right after `import torch`, statements after the import they need.
 */
export function requirementEdits(requirements: readonly Requirement[], layout: ImportLayout, lines: LineIndex): TextEdit[] {
  const inserts = new Map<number, string[]>();
  const add = (offset: number, line: string) => {
    const list = inserts.get(offset) ?? [];
    if (!list.includes(line)) list.push(line);
    inserts.set(offset, list);
  };
  const edits: TextEdit[] = [];
  const fromNames = new Map<string, string[]>();
  const plainImports: string[] = [];
  const guarded = new Set<string>();
  const heads: string[] = [];
  const statements: { text: string; after: string }[] = [];
  for (const r of requirements) {
    if (r.kind === 'from') {
      const list = fromNames.get(r.module) ?? [];
      if (!list.includes(r.name)) list.push(r.name);
      fromNames.set(r.module, list);
    } else if (r.kind === 'import') {
      if (!plainImports.includes(r.module)) plainImports.push(r.module);
      if (r.guarded) guarded.add(r.module);
    } else if (r.kind === 'head') {
      for (const l of r.lines) if (!heads.includes(l)) heads.push(l);
    } else {
      if (!statements.some((s) => s.text === r.text)) statements.push({ text: r.text, after: r.after.module });
      if (!plainImports.includes(r.after.module)) plainImports.push(r.after.module);
    }
  }
  const text = lines.text;
  const missingHeads = heads.filter((line) => {
    const m = /^import (\S+)$/.exec(line) ?? /^from (\S+) import (\S+)$/.exec(line);
    return !(m && (m[2] ? layout.importedModules.has(`${m[1]}.${m[2]}`) : layout.importedModules.has(m[1]!)));
  });
  // torch_npu lines (transferToNpu) are guarded as one block: the file still imports where torch_npu is missing
  const npuHeads = missingHeads.filter((line) => /^(?:import|from) torch_npu\b/.test(line));
  for (const line of missingHeads) if (!npuHeads.includes(line)) add(layout.afterModule.get('torch') ?? layout.head, line);
  if (npuHeads.length) add(layout.afterModule.get('torch') ?? layout.head, guardedImportLines(npuHeads));
  for (const module of plainImports) {
    if (layout.importedModules.has(module)) continue;
    const anchor = module.startsWith('torch_npu') ? layout.afterModule.get('torch') ?? layout.imports : layout.imports;
    add(anchor, guarded.has(module) ? guardedImport(module) : `import ${module}`);
  }
  for (const [module, names] of fromNames) {
    const existing = layout.fromStatements.get(module);
    const missing = names.filter((n) => !existing?.names.has(n) && !layout.importedModules.has(`${module}.${n}`)).sort();
    if (missing.length === 0) continue;
    if (existing) {
      const at = lines.positionAt(existing.lastName.endIndex);
      edits.push({ range: { start: at, end: at }, newText: missing.map((n) => `, ${n}`).join('') });
    } else add(layout.imports, `from ${module} import ${missing.join(', ')}`);
  }
  for (const s of statements) {
    if (text.includes(s.text)) continue;
    add(layout.afterModule.get(s.after) ?? layout.imports, s.text);
  }
  for (const [offset, added] of inserts) {
    const at = lines.positionAt(offset);
    const needsBreak = offset === text.length && text.length > 0 && !text.endsWith('\n');
    edits.push({ range: { start: at, end: at }, newText: (needsBreak ? '\n' : '') + added.join('\n') + '\n' });
  }
  return edits;
}

/** `import m` that leaves the file importable where m is not installed (torch_npu on a CUDA or CPU host). */
export function guardedImport(module: string): string {
  return guardedImportLines([`import ${module}`]);
}

/**
 * Import lines in one `try: ... except ImportError:` block, as the human ports guard torch_npu: on a host without
 * torch_npu the file still imports and keeps its CUDA / CPU paths. A plain `import m` among them is bound to None
 * there, so `m` stays a defined name.
 */
export function guardedImportLines(lines: readonly string[]): string {
  const first = /^import (\S+)$/.exec(lines[0] ?? '') ?? /^from (\S+) import/.exec(lines[0] ?? '');
  const root = (first?.[1] ?? 'torch_npu').split('.')[0]!;
  const bound = lines.flatMap((l) => /^import (\w+)$/.exec(l)?.[1] ?? []);
  const body = lines.map((l) => `    ${l}  # noqa: F401`).join('\n');
  const fallback = bound.length ? bound.map((m) => `    ${m} = None`).join('\n') : '    pass';
  return `try:  # ${root} is only installed on Ascend hosts\n${body}\nexcept ImportError:\n${fallback}`;
}
