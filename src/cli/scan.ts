import { existsSync, promises as fsp, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { msg } from '../core/l10n';
import { resolveProfile } from '../core/onnx/targets';
import { fix } from '../core/operations/fix';
import { report } from '../core/operations/report';
import { checkScanRequest, DEFAULT_MAX_FILE_SIZE_KB, scan } from '../core/operations/scan';
import { preferredFix } from '../core/python/fixes/apply';
import { INTERFACE_CHANGES } from '../core/workspace/fixPlan';
import { PythonParser } from '../core/python/parser';
import { DEFAULT_EXPORT_TARGET_ID, exportTargetOf } from '../core/python/rules/onnxExportTarget';
import type { ScanResult } from '../core/workspace/scan';
import type { AnalysisOptions, Finding, FixStyle } from '../core/python/types';
import { coarseSeverity, displayPath, type ScanReportInput } from '../core/report/scanResults';
import type { CliCommand } from './commands';
import { EXIT_CODES, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, UsageError, type CliContext } from './context';
import { scanInputPath } from './errors';
import { parseCommandArgs } from './main';

declare const NPU_PORT_VERSION: string;

/** Where the wasm files are: next to dist/cli.js, or node_modules when running from out/. */
function wasmDir(): string {
  if (existsSync(path.join(__dirname, 'tree-sitter-python.wasm'))) return __dirname;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'node_modules', 'tree-sitter-python'))) return path.join(dir, 'node_modules');
    if (path.dirname(dir) === dir) return __dirname;
  }
}

/** The installed package's root as a file URL (ending in /): the folder above this script that holds docs/rules. */
function ruleDocsBase(): string | undefined {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'docs', 'rules'))) return pathToFileURL(dir + path.sep).href;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function workerScript(): string | undefined {
  const candidates = [path.join(__dirname, 'workers', 'scan.worker.js'), path.join(__dirname, '..', 'core', 'workspace', 'scan.worker.js')];
  return candidates.find((c) => existsSync(c));
}

function help(ctx: CliContext): string {
  return [
    ctx.t(msg('Usage: npu-port scan [paths...] [--format text|json|sarif] [--fix] [--style deviceManager|torchNpu|transferToNpu]')),
    '',
    `  --format text|json|sarif   ${ctx.t(msg('output format (default text: one finding per line, path:line:col: severity [rule] message)'))}`,
    `  --fix                      ${ctx.t(msg('apply every fix, create the device helper and requirements_npu.txt, then report what is left'))}`,
    `  --style STYLE              ${ctx.t(msg('fix style: deviceManager (default), torchNpu or transferToNpu'))}`,
    `  --device-module NAME       ${ctx.t(msg('name of the device helper module (default device_utils)'))}`,
    `  --target ID                ${ctx.t(msg('ONNX target for the onnx-export-* rules: a built-in target or a whitelist profile in .npu-port/profiles (default {0}); given, it also sets the chip for chip-specific findings (bfloat16 on 310/310P/910 is a warning only for a chosen target)', DEFAULT_EXPORT_TARGET_ID))}`,
    `  --max-file-size-kb N       ${ctx.t(msg('skip larger files (default 2048)'))}`,
    `  --exclude GLOB             ${ctx.t(msg('leave out matching paths (repeatable); .gitignore is respected'))}`,
    '',
    ctx.t(EXIT_CODES),
    '',
  ].join('\n');
}

export const scanCommand: CliCommand = {
  name: 'scan',
  summary: msg('Find CUDA-specific code in Python files and requirements; --fix applies the fixes'),
  async run(ctx, args) {
    const { values, positionals } = parseCommandArgs(args, {
      format: { type: 'string', default: 'text' },
      fix: { type: 'boolean', default: false },
      style: { type: 'string', default: 'deviceManager' },
      'device-module': { type: 'string', default: 'device_utils' },
      target: { type: 'string' },
      'max-file-size-kb': { type: 'string', default: String(DEFAULT_MAX_FILE_SIZE_KB) },
      exclude: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    });
    if (values.help) {
      ctx.out(help(ctx));
      return EXIT_OK;
    }
    const format = values.format as string;
    if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(msg('Unknown format "{0}": use text, json or sarif.', format));
    const style = values.style as FixStyle;
    const deviceModule = values['device-module'] as string;
    const maxFileSizeKB = Number(values['max-file-size-kb']);
    checkScanRequest({ analysis: { style, deviceModule }, maxFileSizeKB }); // before the paths and profiles are read
    const roots: string[] = [];
    for (const given of positionals.length ? positionals : ['.']) roots.push(await scanInputPath(ctx, given));
    const given = values.target as string | undefined;
    const profile = await targetProfile(given ?? DEFAULT_EXPORT_TARGET_ID, ctx.cwd, roots);
    // without --target the onnx-export-* rules check the default, but chip-specific severities (bf16) do not apply
    const analysis: AnalysisOptions = { style, deviceModule, onnxTarget: exportTargetOf(profile), ...(given === undefined ? { defaultTarget: true } : {}) };
    const request = {
      roots,
      analysis,
      wasmDir: wasmDir(),
      workerScript: workerScript(),
      maxFileSizeKB,
      exclude: values.exclude as string[],
      signal: ctx.signal,
      log: ctx.log,
    };
    let result = await scan(request);
    if (values.fix) {
      const parser = await PythonParser.load(request.wasmDir);
      const files = await Promise.all(result.reports.map(async (r) => ({ file: r.file, text: await fsp.readFile(r.file, 'utf8') })));
      const { plans, totals } = await fix({
        parser, files, analysis, write: true, signal: ctx.signal,
        ...(result.graph ? { workspace: { graph: result.graph, readText: (file: string) => readFileSync(file, 'utf8') } } : {}),
      });
      const created = plans.flatMap((p) => p.creates.map((c) => displayPath(c.file, ctx.cwd)));
      ctx.note(ctx.t(msg('Fixed {0} findings in {1} files; created: {2}', totals.fixed, totals.files, created.join(', ') || '-')));
      if (totals.interfaceChanges) ctx.log.warn(ctx.t(INTERFACE_CHANGES(totals.interfaceChanges)));
      result = await scan(request);
    }
    const input = toReportInput(result, ctx.cwd);
    const fixFor = (l: ScanReportInput['findings'][number]) => preferredFix(l.finding, analysis);
    if (format === 'json') ctx.json(report({ format: 'json', scan: input, analysis, t: ctx.t }).json);
    else if (format === 'sarif') {
      const docsBase = ruleDocsBase();
      ctx.json(report({ format: 'sarif', scan: input, analysis, t: ctx.t, version: typeof NPU_PORT_VERSION === 'string' ? NPU_PORT_VERSION : 'dev', ...(docsBase ? { docsBase } : {}) }).sarif);
    } else {
      for (const { file, finding } of input.findings) {
        ctx.out(`${file}:${finding.range.start.line + 1}:${finding.range.start.column + 1}: ${coarseSeverity(finding.severity)} [${finding.rule}] ${ctx.t(finding.message)}\n`);
      }
      for (const [k, p] of input.problems.entries()) (result.problems[k]!.kind === 'error' ? ctx.log.error : ctx.log.warn)(`${p.file}: ${ctx.t(p.message)}`);
      const fixable = input.findings.filter((l) => fixFor(l)).length;
      ctx.log.info(ctx.t(msg('{0} files scanned, {1} findings ({2} fixable).', input.files, input.findings.length, fixable)));
    }
    if (input.findings.length > 0) return EXIT_FINDINGS;
    return result.problems.some((p) => p.kind === 'error') ? EXIT_ERROR : EXIT_OK;
  },
};

/** A built-in target, or a whitelist profile in `.npu-port/profiles` of the current folder or of the nearest folder above a scanned path that has one. */
async function targetProfile(target: string, cwd: string, roots: readonly string[]) {
  const folders = [cwd];
  for (const root of roots) {
    for (let dir = root; ; dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, '.npu-port', 'profiles'))) {
        if (!folders.includes(dir)) folders.push(dir);
        break;
      }
      if (path.dirname(dir) === dir) break;
    }
  }
  let first: unknown;
  for (const folder of folders) {
    try {
      return await resolveProfile({ target, workspace: folder });
    } catch (error) {
      first ??= error;
    }
  }
  throw first;
}

/** A finding whose related places in other files name them as the report names files (relative to cwd). */
function relatedShown(finding: Finding, cwd: string): Finding {
  if (!finding.related?.some((r) => r.file !== undefined)) return finding;
  return { ...finding, related: finding.related.map((r) => (r.file === undefined ? r : { ...r, file: displayPath(r.file, cwd) })) };
}

function toReportInput(result: ScanResult, cwd: string): ScanReportInput {
  return {
    files: result.files,
    findings: result.reports.flatMap((r) => r.findings.map((finding) => ({ file: displayPath(r.file, cwd), finding: relatedShown(finding, cwd) }))),
    problems: result.problems.map((p) => ({ file: displayPath(p.file, cwd), message: p.message })),
  };
}
