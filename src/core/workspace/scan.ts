import { createHash } from 'node:crypto';
import { existsSync, promises as fsp } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { msg, type Message } from '../l10n';
import type { Logger } from '../log';
import { mayHaveFindings } from '../python/analyze';
import { ruleInfo } from '../python/catalog';
import { entryPointModules, ModuleGraph } from '../python/entry';
import { helperPackageDepth, packageCache } from '../python/fixes/helperPlace';
import { AnalysisBudgetError, analyzeSource, ParserLimitError } from '../python/index';
import { PythonParser } from '../python/parser';
import { analyzeRequirements } from '../dependencies/requirements';
import type { ScanJob } from './scan.worker';
import type { AnalysisOptions, Finding } from '../python/types';
import { withoutBom } from '../python/text';
import { crossFileFolds, foldDeviceSetters, foldModulesNamedByString, foldOptionalModules, type CrossFileFold } from '../python/optionalModules';
import { errorCode, walkTargets } from './walk';
import { errorText } from '../errors';

/** Wall time for one file in a scan: a file that takes longer is reported as too complex, not waited for. */
export const DEFAULT_ANALYSIS_BUDGET_MS = 30_000;

export interface ScanOptions {
  readonly analysis: AnalysisOptions;
  /** Folder with tree-sitter.wasm and tree-sitter-python.wasm (or node_modules). */
  readonly wasmDir: string;
  /** dist/workers/scan.worker.js; without it (or when missing) files are parsed on this thread. */
  readonly workerScript?: string;
  readonly workers?: number;
  readonly maxFileSizeKB: number;
  /** Wall time to parse and analyse one file (default 30 s); a file past it is reported as too complex and skipped. */
  readonly analysisBudgetMs?: number;
  readonly exclude?: readonly string[];
  readonly gitignore?: boolean;
  readonly cache?: ScanCache;
  readonly signal?: AbortSignal;
  readonly log?: Logger;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface FileReport {
  readonly file: string;
  readonly findings: readonly Finding[];
}

/** A file the scan could not read (`error`) or left out on purpose (`skipped`: too large, binary). */
export interface ScanProblem {
  readonly file: string;
  readonly kind: 'error' | 'skipped';
  readonly message: Message;
}

export interface ScanResult {
  /** Files looked at (read), with or without findings. */
  readonly files: number;
  readonly reports: readonly FileReport[];
  readonly problems: readonly ScanProblem[];
  readonly stats: { readonly parsed: number; readonly skippedByPrefilter: number; readonly fromCache: number };
  /**
   * The workspace's modules and entry scripts, when the transferToNpu style is chosen or some file
   * imports transfer_to_npu (fix-all adds that import to entry scripts; the modules they run are covered).
   */
  readonly graph?: ModuleGraph;
  /**
   * What the view across files changed, by absolute path (python/optionalModules.ts: CUDA-only optional modules, files
   * whose device another module selects): the editor folds their live findings the same way until the next scan.
   */
  readonly crossFileFolds: ReadonlyMap<string, readonly CrossFileFold[]>;
}

/** Findings by content hash, so a re-scan skips unchanged files. Keep one per session. */
export class ScanCache {
  private readonly entries = new Map<string, readonly Finding[]>();
  get(key: string): readonly Finding[] | undefined {
    return this.entries.get(key);
  }
  set(key: string, findings: readonly Finding[]): void {
    this.entries.set(key, findings);
  }
  get size(): number {
    return this.entries.size;
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const hash = (text: string) => createHash('sha1').update(text).digest('base64');

/** Scans files and folders for CUDA-specific code. Never throws for one bad file: it becomes a problem. */
export async function scanWorkspace(roots: readonly string[], options: ScanOptions): Promise<ScanResult> {
  const { files, problems: walkProblems } = await walkTargets(roots, { exclude: options.exclude ?? [], gitignore: options.gitignore ?? true, signal: options.signal });
  const problems: ScanProblem[] = walkProblems.map((p) => ({ ...p, kind: 'error' }));
  const results = new Map<string, readonly Finding[]>();
  const optionsKey = JSON.stringify(options.analysis);
  const stats = { parsed: 0, skippedByPrefilter: 0, fromCache: 0 };
  const pool = new ParsePool(options, files.length);
  const pending: Promise<void>[] = [];
  let done = 0;
  let read = 0;
  const progress = () => options.onProgress?.(done, files.length);
  /** Every Python file read, for the module graph. */
  const python: { file: string; text: string }[] = [];
  const entryModules: string[] = [];
  let graph: ModuleGraph | undefined;
  let folds: ReadonlyMap<string, readonly CrossFileFold[]> = new Map();
  const deferPython = options.analysis.style === 'transferToNpu';
  let mentionsTransfer = false;
  /** The latest analysis of each file wins (a covered module is analysed again). */
  const latest = new Map<string, number>();
  let job = 0;
  /** `counts`: this is the file's first analysis (progress counts it). */
  const isPackage = packageCache();
  const analyzePythonFile = (file: string, text: string, fileOptions: AnalysisOptions, counts: boolean) => {
    // deviceManager fixes import the helper relatively inside a package (fixes/helperPlace.ts)
    const depth = helperPackageDepth(fileOptions.style, file, isPackage);
    if (depth > 0) fileOptions = { ...fileOptions, packageDepth: depth };
    const token = ++job;
    latest.set(file, token);
    const key = `${hash(text)}|${fileOptions === options.analysis ? optionsKey : JSON.stringify(fileOptions)}`;
    const finish = (findings: readonly Finding[]) => {
      options.cache?.set(key, findings);
      if (latest.get(file) === token) results.set(file, findings);
      if (counts) {
        done++;
        progress();
      }
    };
    const cached = options.cache?.get(key);
    if (cached) {
      stats.fromCache++;
      return finish(cached);
    }
    if (!mayHaveFindings(text, fileOptions)) {
      stats.skippedByPrefilter++;
      return finish([]);
    }
    stats.parsed++;
    pending.push(
      pool.analyze(text, fileOptions === options.analysis ? undefined : fileOptions).then(finish, (error: unknown) => {
        if (error instanceof AnalysisBudgetError || error instanceof ParserLimitError) problems.push({ file, kind: 'skipped', message: error.detail });
        else problems.push({ file, kind: 'error', message: msg('Cannot analyse this file: {0}', errorText(error)) });
        if (counts) {
          done++;
          progress();
        }
      }),
    );
  };
  try {
    for (const file of files) {
      options.signal?.throwIfAborted();
      const text = await readText(file, options.maxFileSizeKB, problems);
      if (text === undefined) {
        done++;
        progress();
        continue;
      }
      read++;
      const base = path.basename(file);
      if (/\.pyi?$/i.test(base)) {
        python.push({ file, text });
        mentionsTransfer ||= text.includes('transfer_to_npu');
        // parsed while the rest is read, unless the options of each file need the module graph first
        if (!deferPython) analyzePythonFile(file, text, options.analysis, true);
        continue;
      }
      if (base === 'pyproject.toml') entryModules.push(...entryPointModules(text));
      const hasNpuSibling = /^requirements.*\.txt$/i.test(base) && existsSync(path.join(path.dirname(file), 'requirements_npu.txt'));
      const key = `${hash(text)}|${base}|${hasNpuSibling}|${optionsKey}`;
      const cached = options.cache?.get(key);
      if (cached) {
        stats.fromCache++;
        results.set(file, cached);
      } else {
        const findings = /\.(cu|cuh)$/i.test(base) ? cudaSourceFindings(text, options.analysis) : analyzeRequirements(text, file, options.analysis, hasNpuSibling);
        options.cache?.set(key, findings);
        results.set(file, findings);
      }
      done++;
      progress();
    }
    // transfer_to_npu in an entry script covers the modules it runs (they are analysed again with that
    // known); the transferToNpu style fixes modules through their entry scripts (all analysed with the graph)
    if (deferPython || mentionsTransfer) {
      graph = new ModuleGraph(python, rootDirs(roots), entryModules);
      const covered = graph.runUnderTransferToNpu();
      for (const { file, text } of python) {
        const isCovered = covered.has(path.resolve(file));
        if (deferPython) analyzePythonFile(file, text, { ...options.analysis, entryScript: graph.isEntry(file), ...(isCovered ? { runsUnderTransferToNpu: true } : {}) }, true);
        else if (isCovered) analyzePythonFile(file, text, { ...options.analysis, runsUnderTransferToNpu: true }, false);
      }
    }
    // the workspace's imports, for the modules that only optional imports load (python/optionalModules.ts)
    const imports = graph ?? (python.length > 1 ? new ModuleGraph(python, rootDirs(roots), entryModules) : undefined);
    python.length = 0; // the texts are not needed any more (peak memory while the workers finish)
    // Cancellation does not wait for files still being parsed: the workers are terminated below.
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(options.signal!.reason ?? new Error('aborted'));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      Promise.all(pending).then(() => {
        options.signal?.removeEventListener('abort', onAbort);
        resolve();
      }, reject);
    });
    options.signal?.throwIfAborted();
    if (imports) {
      const fold = {
        results,
        graph: imports,
        options: options.analysis,
        read: (file: string) => readText(file, options.maxFileSizeKB, []),
        parser: () => PythonParser.load(options.wasmDir),
      };
      const optionalModules = await foldOptionalModules(fold);
      const namedModules = await foldModulesNamedByString(fold);
      const deviceSetterCallers = await foldDeviceSetters(fold);
      folds = crossFileFolds(optionalModules, deviceSetterCallers, namedModules);
    }
  } finally {
    await pool.close();
  }
  const reports = [...results].filter(([, f]) => f.length > 0).map(([file, findings]) => ({ file, findings })).sort((a, b) => (a.file < b.file ? -1 : 1));
  return { files: read, reports, problems: problems.sort((a, b) => (a.file < b.file ? -1 : 1)), stats, graph, crossFileFolds: folds };
}

/** The folders of the scan's roots (a file root stands for its folder). */
function rootDirs(roots: readonly string[]): string[] {
  return roots.map((r) => (/\.pyi?$/i.test(r) ? path.dirname(r) : r));
}

/**
 * A source file's text for analysis, or undefined with the reason pushed to `problems`: over the size limit,
 * unreadable, binary, or not UTF-8 (a BOM is dropped). The workspace scan and the on-disk watcher read files this way.
 */
export async function readText(file: string, maxKB: number, problems: ScanProblem[]): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    const st = await fsp.stat(file);
    if (st.size > maxKB * 1024) {
      problems.push({ file, kind: 'skipped', message: msg('Skipped: {0} KB is over the size limit of {1} KB (npuPort.scan.maxFileSizeKB)', Math.ceil(st.size / 1024), maxKB) });
      return undefined;
    }
    bytes = await fsp.readFile(file);
  } catch (error) {
    problems.push({ file, kind: 'error', message: msg('Cannot read this file: {0}', errorCode(error)) });
    return undefined;
  }
  if (bytes.subarray(0, 8192).includes(0)) {
    problems.push({ file, kind: 'skipped', message: msg('Skipped: binary file') });
    return undefined;
  }
  try {
    return withoutBom(decoder.decode(bytes));
  } catch {
    problems.push({ file, kind: 'error', message: msg('Not valid UTF-8 text; save the file as UTF-8 to scan it') });
    return undefined;
  }
}

/** A .cu / .cuh file: one finding on its first line. */
function cudaSourceFindings(text: string, options: AnalysisOptions): Finding[] {
  const setting = options.rules?.['cuda-extension'];
  if (setting === 'off') return [];
  const first = text.split('\n', 1)[0]!.replace(/\r$/, '');
  return [{
    rule: 'cuda-extension',
    severity: setting ?? ruleInfo('cuda-extension')!.severity,
    range: { start: { line: 0, column: 0 }, end: { line: 0, column: first.length } },
    startIndex: 0,
    endIndex: first.length,
    message: msg('CUDA kernel source: rewrite it for Ascend (Ascend C) or replace it with a torch_npu operator'),
    original: first,
    fixes: [],
  }];
}

/** Parses on worker threads (one per core) when there is enough work, else on this thread. */
class ParsePool {
  private workers: { worker: Worker; busy: boolean }[] = [];
  private readonly queue: { job: ScanJob; resolve: (f: Finding[]) => void; reject: (e: Error) => void }[] = [];
  private readonly waiting = new Map<number, { resolve: (f: Finding[]) => void; reject: (e: Error) => void; slot: { busy: boolean } }>();
  private nextId = 0;
  private local: Promise<PythonParser> | undefined;
  private readonly useWorkers: boolean;
  private readonly budgetMs: number;

  constructor(private readonly options: ScanOptions, expected: number) {
    this.budgetMs = options.analysisBudgetMs ?? DEFAULT_ANALYSIS_BUDGET_MS;
    this.useWorkers = !!options.workerScript && existsSync(options.workerScript) && expected >= 8 && (options.workers ?? 2) > 0;
  }

  /** `options`: this file's options when they differ from the scan's (entry script, transfer_to_npu). */
  analyze(text: string, options?: AnalysisOptions): Promise<Finding[]> {
    if (!this.useWorkers) {
      this.local ??= PythonParser.load(this.options.wasmDir);
      return this.local.then((p) => analyzeSource(p, text, options ?? this.options.analysis, this.budgetMs));
    }
    if (this.workers.length === 0) this.start();
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { id: this.nextId++, text, budgetMs: this.budgetMs, ...(options ? { options } : {}) }, resolve, reject });
      this.pump();
    });
  }

  private start(): void {
    const count = Math.max(1, Math.min(this.options.workers ?? availableParallelism(), availableParallelism()));
    for (let i = 0; i < count; i++) {
      const worker = new Worker(this.options.workerScript!, { workerData: { wasmDir: this.options.wasmDir, options: this.options.analysis } });
      const slot = { worker, busy: false };
      worker.on('message', (m: { id: number; findings?: Finding[]; error?: string; overBudget?: number; tooLarge?: Message }) => {
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        slot.busy = false;
        if (m.overBudget !== undefined) w?.reject(new AnalysisBudgetError(m.overBudget));
        else if (m.tooLarge !== undefined) w?.reject(new ParserLimitError(m.tooLarge));
        else if (m.error !== undefined) w?.reject(new Error(m.error));
        else w?.resolve(m.findings ?? []);
        this.pump();
      });
      worker.on('error', (error) => {
        this.options.log?.error(error);
        for (const [id, w] of this.waiting) {
          if (w.slot === slot) {
            w.reject(error);
            this.waiting.delete(id);
          }
        }
        this.workers = this.workers.filter((s) => s !== slot);
        if (this.workers.length === 0) for (const q of this.queue.splice(0)) q.reject(error);
        else this.pump();
      });
      this.workers.push(slot);
    }
  }

  private pump(): void {
    for (const slot of this.workers) {
      if (slot.busy) continue;
      const next = this.queue.shift();
      if (!next) return;
      slot.busy = true;
      this.waiting.set(next.job.id, { resolve: next.resolve, reject: next.reject, slot });
      slot.worker.postMessage(next.job);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((s) => s.worker.terminate()));
    this.workers = [];
  }
}
