import { analyzePython } from './analyze';
import { applyEdits, fixAllEdits } from './fixes/apply';
import type { PythonParser } from './parser';
import type { AnalysisOptions, FileCreate, Finding } from './types';

export { analyzePython, mayHaveFindings } from './analyze';
export { RULES, RULE_IDS, ruleInfo, type RuleId, type RuleInfo } from './catalog';
export { applyEdits, fixAllEdits, ignoreEdit, preferredFix } from './fixes/apply';
export { PythonParser, PythonParserError } from './parser';
export * from './types';

/** Parses and analyses one Python source text. */
export function analyzeSource(parser: PythonParser, text: string, options: AnalysisOptions): Finding[] {
  const tree = parser.parse(text);
  try {
    return analyzePython({ tree, text, options });
  } finally {
    tree.delete();
  }
}

export interface FixedSource {
  readonly text: string;
  readonly createFiles: readonly FileCreate[];
  readonly fixed: readonly Finding[];
  readonly findings: readonly Finding[];
}

/** Fix-all over one source text: the new text and the files to create next to it. */
export function fixSource(parser: PythonParser, text: string, options: AnalysisOptions): FixedSource {
  const tree = parser.parse(text);
  try {
    const findings = analyzePython({ tree, text, options });
    const { edits, createFiles, fixed } = fixAllEdits(tree, text, findings, options);
    return { text: applyEdits(text, edits), createFiles, fixed, findings };
  } finally {
    tree.delete();
  }
}
