import * as path from 'node:path';
import { PythonParser } from '../../../src/core/python/parser';
import { DEFAULT_OPTIONS, type AnalysisOptions, type Finding } from '../../../src/core/python/types';
import { analyzeSource } from '../../../src/core/python/index';
import { REPO_ROOT } from '../repo';

export const WASM_DIR = path.join(REPO_ROOT, 'node_modules');
export const SEED_FIXTURES = path.join(REPO_ROOT, 'test/fixtures/python/seed');

export function loadParser(): Promise<PythonParser> {
  return PythonParser.load(WASM_DIR);
}

/** Findings as `line:col rule` strings (1-based, as people read them). */
export async function findingsOf(source: string, options: Partial<AnalysisOptions> = {}): Promise<Finding[]> {
  return analyzeSource(await loadParser(), source, { ...DEFAULT_OPTIONS, ...options });
}

export function brief(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.range.start.line + 1}:${f.range.start.column + 1} ${f.rule}`);
}
