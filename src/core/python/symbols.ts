import type { Node, Tree } from 'web-tree-sitter';
import { snapshot, type Span } from './syntax';

/** One import statement, as the analysis and the fixes need it. */
export interface ImportInfo {
  /** A copy of the statement's position and text (valid after the tree is replaced). */
  readonly node: Span;
  /** `import a.b` / `from a.b import ...`: a.b (relative imports keep their dots). */
  readonly module: string;
  readonly isFrom: boolean;
  /** Imported names (from-imports) or module paths (plain imports), with their local names. */
  readonly names: readonly { readonly name: string; readonly local: string; readonly node: Span }[];
  readonly topLevel: boolean;
}

const IMPORT_TYPES = new Set(['import_statement', 'import_from_statement', 'future_import_statement']);

/**
 * What the names of a file refer to: `import torch as th` binds th → torch, `from torch import cuda`
 * binds cuda → torch.cuda, `from flash_attn import flash_attn_func as f` binds f → flash_attn.flash_attn_func.
 * One table per file (scopes are not tracked: a later local rebinding of an imported name is rare in scripts).
 */
export class ImportTable {
  readonly imports: ImportInfo[] = [];
  private readonly bindings = new Map<string, string>();
  private readonly origins = new Map<string, ImportInfo>();

  /**
   * Finds the import statements from the word `import` in the text (work proportional to the number
   * of imports, not to the size of the tree: this runs on every keystroke).
   */
  constructor(tree?: Tree, text = '') {
    if (!tree) return;
    const root = tree.rootNode;
    const seen = new Set<number>();
    for (let at = text.indexOf('import'); at !== -1; at = text.indexOf('import', at + 6)) {
      let node = root.descendantForIndex(at);
      for (let depth = 0; node && depth < 3 && !IMPORT_TYPES.has(node.type); depth++) node = node.parent;
      if (!node || !IMPORT_TYPES.has(node.type) || seen.has(node.startIndex)) continue;
      seen.add(node.startIndex);
      this.add(node);
    }
    this.imports.sort((a, b) => a.node.startIndex - b.node.startIndex);
  }

  private add(statement: Node): void {
    const topLevel = statement.parent?.type === 'module';
    const node = snapshot(statement);
    if (statement.type === 'import_statement') {
      for (const child of statement.namedChildren) {
        if (!child) continue;
        if (child.type === 'dotted_name') {
          const module = child.text;
          const first = module.split('.')[0]!;
          this.bindings.set(first, first);
          this.push({ node, module, isFrom: false, names: [{ name: module, local: first, node: snapshot(child) }], topLevel });
        } else if (child.type === 'aliased_import') {
          const module = child.childForFieldName('name')?.text ?? '';
          const local = child.childForFieldName('alias')?.text ?? module;
          this.bindings.set(local, module);
          this.push({ node, module, isFrom: false, names: [{ name: module, local, node: snapshot(child) }], topLevel });
        }
      }
      return;
    }
    const moduleNode = statement.childForFieldName('module_name');
    const module = statement.type === 'future_import_statement' ? '__future__' : moduleNode?.text ?? '';
    const names: { name: string; local: string; node: Span }[] = [];
    for (const child of statement.namedChildren) {
      if (!child || child.id === moduleNode?.id) continue;
      if (child.type === 'dotted_name') names.push({ name: child.text, local: child.text, node: snapshot(child) });
      else if (child.type === 'aliased_import') {
        const name = child.childForFieldName('name')?.text ?? '';
        names.push({ name, local: child.childForFieldName('alias')?.text ?? name, node: snapshot(child) });
      }
    }
    if (!module.startsWith('.')) for (const n of names) this.bindings.set(n.local, `${module}.${n.name}`);
    this.push({ node, module, isFrom: true, names, topLevel });
  }

  private push(info: ImportInfo): void {
    this.imports.push(info);
    for (const n of info.names) this.origins.set(n.local, info);
  }

  /**
   * The same table after a text edit: spans move with `move`; undefined when the edit touches an
   * import (then the table must be rebuilt from the new tree).
   */
  moved(move: (span: Span) => Span | undefined): ImportTable | undefined {
    const next = new ImportTable();
    for (const [local, qualified] of this.bindings) next.bindings.set(local, qualified);
    for (const info of this.imports) {
      const node = move(info.node);
      if (!node) return undefined;
      if (node === info.node) {
        // before the edit: the statement and its names stay as they are
        next.push(info);
        continue;
      }
      const names = [];
      for (const n of info.names) {
        const span = move(n.node);
        if (!span) return undefined;
        names.push({ ...n, node: span });
      }
      next.push({ ...info, node, names });
    }
    return next;
  }

  /** The import statement that binds a local name. */
  origin(local: string): ImportInfo | undefined {
    return this.origins.get(local);
  }

  /** The qualified name a local name is bound to by an import. `torch` counts as imported even without an import. */
  binding(local: string): string | undefined {
    return this.bindings.get(local) ?? (local === 'torch' ? 'torch' : undefined);
  }

  /** Local names bound to something under one of `prefixes` (for the text pre-selection of candidates). */
  localsUnder(prefixes: readonly string[]): string[] {
    const out: string[] = [];
    for (const [local, qualified] of this.bindings) {
      if (prefixes.some((p) => qualified === p || qualified.startsWith(p + '.'))) out.push(local);
    }
    return out;
  }

  /** The dotted name an expression refers to: `th.cuda.synchronize` → torch.cuda.synchronize. */
  qualify(node: Node | null): string | undefined {
    if (!node) return undefined;
    if (node.type === 'identifier') return this.binding(node.text);
    if (node.type === 'attribute') {
      const object = this.qualify(node.childForFieldName('object'));
      const attribute = node.childForFieldName('attribute')?.text;
      return object && attribute ? `${object}.${attribute}` : undefined;
    }
    return undefined;
  }

  hasModuleImport(module: string): boolean {
    return this.imports.some((i) => (!i.isFrom && i.module === module) || (i.isFrom && i.names.some((n) => `${i.module}.${n.name}` === module)));
  }

  importsFrom(prefix: string): boolean {
    return this.imports.some((i) => i.module === prefix || i.module.startsWith(prefix + '.'));
  }
}
