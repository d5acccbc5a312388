import { AnalysisBudgetError, analyzePython } from './analyze';
import { applyEdits, fixAllEdits } from './fixes/apply';
import type { PythonParser } from './parser';
import { loneCrAsLf } from './text';
import type { AnalysisOptions, FileCreate, Finding } from './types';

export { AnalysisBudgetError, analyzePython, mayHaveFindings } from './analyze';
export { RULES, RULE_IDS, ruleInfo, type RuleId, type RuleInfo } from './catalog';
export { applyEdits, fixAllEdits, ignoreEdit, preferredFix } from './fixes/apply';
export { ParserLimitError, PythonParser, PythonParserError } from './parser';
export * from './types';

/**
 * Parses and analyses one Python source text (any line-break style: a lone CR is a line break, as in Python).
 * `budgetMs`: wall time for parse and analysis; past it, AnalysisBudgetError.
 */
export function analyzeSource(parser: PythonParser, source: string, options: AnalysisOptions, budgetMs?: number): Finding[] {
  const started = performance.now();
  const text = loneCrAsLf(source);
  // the parse counts against the budget (a 20 MB file took a minute to parse)
  const tree = budgetMs === undefined ? parser.parse(text) : parser.parseWithin(text, null, budgetMs);
  if (!tree) throw new AnalysisBudgetError(budgetMs!);
  try {
    return analyzePython({ tree, text, options, ...(budgetMs !== undefined ? { budgetMs: Math.max(0, budgetMs - (performance.now() - started)) } : {}) });
  } catch (error) {
    // the message names the file's whole budget, not what the parse left of it ("within 0 s")
    if (error instanceof AnalysisBudgetError && budgetMs !== undefined) throw new AnalysisBudgetError(budgetMs);
    throw error;
  } finally {
    tree.delete();
  }
}

export interface FixedSource {
  readonly text: string;
  readonly createFiles: readonly FileCreate[];
  readonly fixed: readonly Finding[];
  readonly findings: readonly Finding[];
  /** Findings whose fix would change the program's or model's interface: not applied (Fix.changesInterface). */
  readonly interfaceChanges: readonly Finding[];
}

/**
 * Fix-all over one source text: the new text and the files to create next to it. Fixes that overlap
 * (a finding inside another one's replacement) are applied in a further pass, at most three in all.
 */
export function fixSource(parser: PythonParser, text: string, options: AnalysisOptions): FixedSource {
  let current = text;
  let first: Finding[] | undefined;
  const fixed: Finding[] = [];
  const createFiles: FileCreate[] = [];
  let interfaceChanges: Finding[] = [];
  for (let pass = 0; pass < 3; pass++) {
    // analysed with CR-only line breaks as LF (same offsets); the edits go into the text as it is
    const analysed = loneCrAsLf(current);
    const tree = parser.parse(analysed);
    try {
      const findings = analyzePython({ tree, text: analysed, options });
      first ??= findings;
      const plan = fixAllEdits(tree, analysed, findings, options);
      interfaceChanges = plan.interfaceChanges;
      if (plan.fixed.length === 0) break;
      if (pass === 0) fixed.push(...plan.fixed);
      for (const c of plan.createFiles) if (!createFiles.some((x) => x.path === c.path)) createFiles.push(c);
      current = applyEdits(current, plan.edits);
    } finally {
      tree.delete();
    }
  }
  return { text: current, createFiles, fixed, findings: first ?? [], interfaceChanges };
}
