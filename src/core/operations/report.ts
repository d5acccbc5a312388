/**
 * The user action "report the findings": the JSON and SARIF of `npu-port scan --format json|sarif`
 * and the Markdown migration report of NPU: Generate Migration Report, from one scan's findings.
 */
import type { Message } from '../l10n';
import { preferredFix } from '../python/fixes/apply';
import type { AnalysisOptions } from '../python/types';
import { scanJson, type ScanJson } from '../report/json';
import { migrationReport, type MigrationReportInput } from '../report/markdown';
import { scanSarif } from '../report/sarif';
import type { ScanReportInput } from '../report/scanResults';

export type ReportRequest =
  | { readonly format: 'json'; readonly scan: ScanReportInput; readonly analysis: AnalysisOptions; readonly t: (m: Message) => string }
  | { readonly format: 'sarif'; readonly scan: ScanReportInput; readonly analysis: AnalysisOptions; readonly t: (m: Message) => string; readonly version: string; readonly docsBase?: string | undefined }
  | { readonly format: 'markdown'; readonly migration: MigrationReportInput; readonly t: (m: Message) => string };

export type ReportResult =
  | { readonly format: 'json'; readonly json: ScanJson }
  | { readonly format: 'sarif'; readonly sarif: ReturnType<typeof scanSarif> }
  | { readonly format: 'markdown'; readonly markdown: string };

type Of<T, F> = Extract<T, { readonly format: F }>;

export function report<F extends ReportRequest['format']>(request: Of<ReportRequest, F>): Of<ReportResult, F>;
export function report(request: ReportRequest): ReportResult {
  if (request.format === 'markdown') return { format: 'markdown', markdown: migrationReport(request.migration, request.t) };
  const fixFor = (l: ScanReportInput['findings'][number]) => preferredFix(l.finding, request.analysis);
  if (request.format === 'json') return { format: 'json', json: scanJson(request.scan, request.t, (l) => !!fixFor(l)) };
  return { format: 'sarif', sarif: scanSarif(request.scan, request.t, { version: request.version, fixFor, ...(request.docsBase ? { docsBase: request.docsBase } : {}) }) };
}
