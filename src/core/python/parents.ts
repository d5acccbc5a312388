import type { Node, Tree, TreeCursor } from 'web-tree-sitter';

/**
 * Parents of syntax nodes without tree-sitter's cost. `node.parent` in tree-sitter searches down from the
 * root, so it costs the node's depth: a rule that walks up from deep in a long `a + b + …` chain paid
 * depth² per finding (the scan was cubic in the chain's length). Parents met while locating nodes
 * (NodeLocator) are remembered per tree; parentOf answers from there, else asks tree-sitter once.
 */
const known = new WeakMap<Tree, Map<number, Node | null>>();

function parentsOf(tree: Tree): Map<number, Node | null> {
  let map = known.get(tree);
  if (!map) known.set(tree, (map = new Map()));
  return map;
}

/** `node.parent`, remembered (null at the root, and for a missing node). */
export function parentOf(node: Node | null | undefined): Node | null {
  if (!node) return null;
  const map = parentsOf(node.tree);
  const hit = map.get(node.id);
  if (hit !== undefined) return hit;
  const parent = node.parent;
  map.set(node.id, parent);
  return parent;
}

/**
 * Finds the smallest node at an offset, as `rootNode.descendantForIndex(offset)` does, by moving a cursor from
 * where the last search ended (right along siblings, up, then down) instead of from the root: offsets in
 * increasing order visit each node about once. Every parent met on the way is remembered for parentOf.
 */
export class NodeLocator {
  private readonly cursor: TreeCursor;
  private readonly parents: Map<number, Node | null>;
  /** The ancestors of the cursor's node, root first. */
  private readonly stack: Node[] = [];

  constructor(tree: Tree) {
    this.cursor = tree.walk();
    this.parents = parentsOf(tree);
  }

  at(offset: number): Node {
    const c = this.cursor;
    const holds = () => c.startIndex <= offset && offset < c.endIndex;
    // right along the siblings that end before the offset, else up, to a node that holds it (or the root)
    let moved = false;
    while (!holds()) {
      if (c.endIndex <= offset && c.gotoNextSibling()) {
        moved = true;
        continue;
      }
      if (!c.gotoParent()) break;
      this.stack.pop();
      moved = false;
    }
    let node = c.currentNode;
    if (moved) this.parents.set(node.id, this.stack[this.stack.length - 1] ?? null);
    if (!holds()) return node;
    // down to the smallest node holding the offset
    for (;;) {
      if (!c.gotoFirstChild()) break;
      while (c.endIndex <= offset && c.gotoNextSibling()) {
        // skip the children before the offset
      }
      if (!holds()) {
        c.gotoParent();
        break;
      }
      this.stack.push(node);
      const child = c.currentNode;
      this.parents.set(child.id, node);
      node = child;
    }
    return node;
  }

  delete(): void {
    this.cursor.delete();
  }
}
