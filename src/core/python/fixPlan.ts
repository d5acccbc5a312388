import { existsSync, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs';
import { analyzePython } from './analyze';
import { fixAllEdits, preferredFix } from './fixes/apply';
import { fixSource } from './index';
import type { PythonParser } from './parser';
import { analyzeRequirements } from './requirements';
import type { AnalysisOptions, Finding, TextEdit } from './types';

/** Fix-all for one file: its edits, its new text, and the files to create next to it (absolute paths). */
export interface FilePlan {
  readonly file: string;
  /** The edits of the first pass (empty for requirements files, which only create a file). */
  readonly edits: readonly TextEdit[];
  /** The text after every pass of fix-all. */
  readonly newText: string;
  readonly fixed: readonly Finding[];
  readonly creates: readonly { readonly file: string; readonly content: string }[];
}

/**
 * Plans fix-all over files (Python sources and requirements files) from their current text; files
 * with nothing fixable are left out. Created files that already exist are not overwritten.
 */
export function planFixes(parser: PythonParser, files: readonly { file: string; text: string }[], options: AnalysisOptions): FilePlan[] {
  const plans: FilePlan[] = [];
  const creating = new Set<string>();
  for (const { file, text } of files) {
    let edits: TextEdit[] = [];
    let fixed: Finding[] = [];
    let relCreates: { path: string; content: string }[] = [];
    let newText = text;
    if (/\.pyi?$/i.test(file)) {
      const tree = parser.parse(text);
      try {
        const plan = fixAllEdits(tree, text, analyzePython({ tree, text, options }), options);
        edits = plan.edits;
      } finally {
        tree.delete();
      }
      const result = fixSource(parser, text, options);
      newText = result.text;
      fixed = [...result.fixed];
      relCreates = result.createFiles.map((c) => ({ path: c.path, content: c.content }));
    } else if (/requirements.*\.txt$/i.test(path.basename(file))) {
      const findings = analyzeRequirements(text, file, options, existsSync(path.join(path.dirname(file), 'requirements_npu.txt')));
      fixed = findings.filter((f) => preferredFix(f, options));
      relCreates = fixed.length ? [...preferredFix(fixed[0]!, options)!.createFiles] : [];
    }
    if (fixed.length === 0) continue;
    const creates = relCreates
      .map((c) => ({ file: path.join(path.dirname(file), ...c.path.split('/')), content: c.content }))
      .filter((c) => !existsSync(c.file) && !creating.has(c.file));
    for (const c of creates) creating.add(c.file);
    plans.push({ file, edits, newText, fixed, creates });
  }
  return plans;
}

/** Writes planned fixes to disk (each file through a temporary file and a rename). */
export async function writePlans(plans: readonly FilePlan[], signal?: AbortSignal): Promise<void> {
  for (const plan of plans) {
    if (plan.edits.length) await writeFileAtomic(plan.file, plan.newText, { signal });
    for (const c of plan.creates) {
      await fsp.mkdir(path.dirname(c.file), { recursive: true });
      if (!existsSync(c.file)) await writeFileAtomic(c.file, c.content, { signal });
    }
  }
}
