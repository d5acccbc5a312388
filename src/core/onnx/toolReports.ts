/**
 * Verdicts from real tool output, shown on the nodes with their source named:
 * - ATC's operator pre-check report (`atc --mode=3 --check_report FILE`, default `check_result.json`):
 *   `{ name, result, total, pass, fail, op: [{ name, type, result: "success"|"failed", cause: [{ code, message }] }] }`
 *   (written by the ATC parser's PreChecker; cause codes 1–99 are errors, 100–199 warnings, 0 notes);
 * - msit / ait `analyze` `result.csv`: columns ori_op_name, ori_op_type, op_name, op_type, soc_type,
 *   engine, is_supported (TRUE/FALSE), details.
 * No vscode import: unit-tested in Node.
 */

import { NpuPortError } from '../errors';
import { msg } from '../l10n';

export interface ToolVerdict {
  /** ONNX node name as the tool reports it. */
  readonly name: string;
  readonly op: string;
  readonly status: 'unsupported' | 'unverified';
  readonly reasons: readonly { readonly code: string; readonly message: string }[];
}

/** A file that is not a tool report this project reads; the message says what is wrong with it. */
export class ToolReportError extends NpuPortError {}

export function parseAtcCheckResult(text: string): ToolVerdict[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ToolReportError(msg('not JSON: {0}', (error as Error).message));
  }
  const ops = (json as { op?: unknown })?.op;
  if (typeof json !== 'object' || json === null || (ops !== undefined && !Array.isArray(ops))) throw new ToolReportError(msg('no "op" list'));
  const verdicts: ToolVerdict[] = [];
  for (const raw of (ops ?? []) as unknown[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    const op = raw as { name?: unknown; type?: unknown; result?: unknown; cause?: unknown };
    if (typeof op.name !== 'string') continue;
    const causes = Array.isArray(op.cause) ? (op.cause as { code?: unknown; message?: unknown }[]) : [];
    const reasons = causes
      .filter((c) => typeof c === 'object' && c !== null && Number(c.code) !== 0)
      .map((c) => ({ code: `atc-precheck-${Number(c.code)}`, message: typeof c.message === 'string' ? c.message : '' }));
    const failed = op.result === 'failed' || causes.some((c) => Number(c.code) >= 1 && Number(c.code) <= 99);
    if (!failed && reasons.length === 0) continue;
    verdicts.push({ name: op.name, op: typeof op.type === 'string' ? op.type : '', status: failed ? 'unsupported' : 'unverified', reasons });
  }
  return verdicts;
}

export function parseMsitResultCsv(text: string): ToolVerdict[] {
  const rows = parseCsv(text.replace(/^\uFEFF/, ''));
  const header = rows.shift()?.map((h) => h.trim().toLowerCase());
  if (!header) return [];
  const col = (name: string) => header.indexOf(name);
  const [nameCol, typeCol, supportedCol, detailsCol, engineCol] = [col('ori_op_name'), col('ori_op_type'), col('is_supported'), col('details'), col('engine')];
  if (nameCol < 0 || supportedCol < 0) throw new ToolReportError(msg('no ori_op_name / is_supported columns'));
  const verdicts: ToolVerdict[] = [];
  for (const row of rows) {
    const name = row[nameCol]?.trim();
    if (!name) continue;
    if ((row[supportedCol] ?? '').trim().toUpperCase() !== 'FALSE') continue;
    const details = (detailsCol >= 0 ? row[detailsCol] ?? '' : '').trim();
    const engine = engineCol >= 0 ? (row[engineCol] ?? '').trim() : '';
    const messages = details ? details.split(';').map((d) => d.trim()).filter(Boolean) : [];
    verdicts.push({
      name, op: typeCol >= 0 ? (row[typeCol] ?? '').trim() : '', status: 'unsupported',
      reasons: (messages.length ? messages : ['is_supported = FALSE']).map((message) => ({ code: engine ? `msit-${engine.toLowerCase()}` : 'msit', message })),
    });
  }
  return verdicts;
}

/** RFC 4180 CSV: quoted fields with "" escapes and line breaks inside quotes; CRLF or LF rows. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.length > 1 || r[0] !== '');
}
