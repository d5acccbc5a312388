/**
 * Findings that summarize: the verdicts of one target grouped per (op, status, reason codes), so the
 * Problems panel and the viewer's Problems tab show "Erf ×412, unverified on qnn-htp" once with a way to
 * walk its nodes. Browser-safe (the webview and the extension both use it).
 */

export interface ProblemGroup<T> {
  /** `op`, status and reason codes joined: equal for the items of one group. */
  readonly key: string;
  readonly op: string;
  readonly status: 'unsupported' | 'unverified';
  readonly codes: readonly string[];
  /** In the order given (model order). */
  readonly items: T[];
}

export interface ProblemFacts {
  readonly op: string;
  readonly status: 'unsupported' | 'unverified';
  readonly codes: readonly string[];
}

/** Groups in first-seen order within each status, unsupported first; larger groups first within a status. */
export function groupProblems<T>(items: readonly T[], facts: (item: T) => ProblemFacts): ProblemGroup<T>[] {
  const groups = new Map<string, ProblemGroup<T>>();
  for (const item of items) {
    const f = facts(item);
    const codes = [...new Set(f.codes)].sort();
    const key = `${f.op}\u0000${f.status}\u0000${codes.join(',')}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { key, op: f.op, status: f.status, codes, items: [] }));
    group.items.push(item);
  }
  return [...groups.values()].sort((a, b) => (a.status === b.status ? b.items.length - a.items.length : a.status === 'unsupported' ? -1 : 1));
}
