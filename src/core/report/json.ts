import type { Message } from '../l10n';
import type { ScanReportInput } from './scanResults';

/** The JSON output of `npu-port scan --format json` (version 1; 1-based lines and UTF-16 columns). */
export interface ScanJson {
  readonly version: 1;
  readonly files: number;
  readonly findings: {
    readonly file: string;
    readonly line: number;
    readonly column: number;
    readonly endLine: number;
    readonly endColumn: number;
    readonly rule: string;
    readonly severity: string;
    readonly message: string;
    readonly fixable: boolean;
    /**
     * Places that explain the finding (a folded CUDA-only branch and its guard; the optional import of a module that only
     * such imports load, with its `file`, as `file` above, when it is another file); absent when none.
     */
    readonly related?: readonly { readonly file?: string; readonly line: number; readonly column: number; readonly message: string }[];
  }[];
  readonly errors: { readonly file: string; readonly message: string }[];
}

export function scanJson(input: ScanReportInput, t: (m: Message) => string, isFixable: (f: ScanReportInput['findings'][number]) => boolean): ScanJson {
  return {
    version: 1,
    files: input.files,
    findings: input.findings.map((located) => {
      const { finding } = located;
      return {
        file: located.file,
        line: finding.range.start.line + 1,
        column: finding.range.start.column + 1,
        endLine: finding.range.end.line + 1,
        endColumn: finding.range.end.column + 1,
        rule: finding.rule,
        severity: finding.severity,
        message: t(finding.message),
        fixable: isFixable(located),
        ...(finding.related?.length ? { related: finding.related.map((r) => ({ ...(r.file !== undefined ? { file: r.file } : {}), line: r.range.start.line + 1, column: r.range.start.column + 1, message: t(r.message) })) } : {}),
      };
    }),
    errors: input.problems.map((p) => ({ file: p.file, message: t(p.message) })),
  };
}
