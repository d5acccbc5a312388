import * as path from 'node:path';
import type { Message } from '../l10n';
import type { Finding } from '../python/types';

/** A finding with the file it belongs to, as the report formats need it. */
export interface LocatedFinding {
  /** Path as printed: relative to the current directory, `/`-separated. */
  readonly file: string;
  readonly finding: Finding;
}

export interface ReportProblem {
  readonly file: string;
  readonly message: Message;
}

export interface ScanReportInput {
  readonly files: number;
  readonly findings: readonly LocatedFinding[];
  readonly problems: readonly ReportProblem[];
}

/** `file` relative to `cwd` with forward slashes (absolute when outside cwd on another drive). */
export function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return (rel && !path.isAbsolute(rel) ? rel : file).split(path.sep).join('/');
}

/** The three severities problem matchers and SARIF know. */
export function coarseSeverity(severity: Finding['severity']): 'error' | 'warning' | 'info' {
  return severity === 'hint' ? 'info' : severity;
}
