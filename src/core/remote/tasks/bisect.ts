/**
 * `bisect`: field report 003's divide and conquer against the real compiler of a remote host. Every part the
 * bisection (core/onnx/transform/bisect.ts) asks about is uploaded to `<workdir>/bisect/<model>/`, compiled
 * there (atc on Ascend hosts, the QNN chain on QNN hosts), and judged from the tool's exit code and log.
 * The record of compiles is saved after each one, so a cancelled or interrupted bisection resumes; the ops
 * of the passing parts become a whitelist profile (`.npu-port/profiles/NAME.json`) that `onnx check` and
 * the viewer load like the built-in targets.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../fs';
import { formatMessage, msg } from '../../l10n';
import { openModel } from '../../onnx/decode';
import { bisectCompile, whitelistProfileJson, type BisectResult, type CompileRecordEntry, type CompileVerdict, type PartCompiler } from '../../onnx/transform/bisect';
import { RemoteError } from '../errors';
import { isLocalTransport } from '../transport';
import { atcConvertArgs, parseAtcLog } from '../toolchains/atc';
import type { ToolDiagnostic } from '../toolchains/diagnostics';
import { parseQnnLog } from '../toolchains/qnn';
import { qnnCompileSteps } from './convert';
import { remotePath, runTool, stem, withKnowledge } from './common';
import type { RemoteTaskResult, TaskContext, TaskDiagnostic } from './types';

export interface BisectTaskOptions {
  /** Local ONNX model. */
  readonly model: string;
  /** Ascend: ATC --soc_version. */
  readonly soc?: string;
  /** QNN: qnn-model-lib-generator target. */
  readonly qnnTarget?: string;
  /** Folder whose `.npu-port/` receives the profile and (by default) the record. */
  readonly projectDir: string;
  /** Profile name (default `<model>-<host>-whitelist`). */
  readonly profile?: string;
  /** Record file (default `<projectDir>/.npu-port/bisect/<model>.<host>.json`). */
  readonly record?: string;
  /** Module depth of the first parts (default 1). */
  readonly depth?: number;
  readonly maxCompiles?: number;
  /** Parts compiled on the host at the same time (default 2). */
  readonly jobs?: number;
  /** Sizes of symbolic dimensions for the probe run that types the cut tensors. */
  readonly dims?: Readonly<Record<string, number>>;
  readonly seed?: number;
}

/** The compiler could not run at all (broken toolkit, bad flags): no part can be judged, so bisection stops. */
export class CompilerUnusableError extends RemoteError {}

/** Codes that say the tool or its environment is broken, whatever the model: atc parameter errors, missing libraries or Python modules. */
const ENVIRONMENT_CODES = new Set(['E10001', 'E10007', 'E10054', 'E40000', 'shared-library-missing', 'python-module-missing']);

export const PROFILE_NAME = /^[A-Za-z0-9._-]+$/;

/** The first error of a log, as one line for the report (`EZ3003: No supported Ops kernel ... [node], optype [Op].`). */
function complaint(diagnostics: readonly ToolDiagnostic[], tool: string, exitCode: number | null): string {
  const first = diagnostics.find((d) => d.severity === 'error');
  if (first) return `${first.code}: ${first.message.split('\n')[0]}`;
  return formatMessage(exitCode === null ? msg('{0} was ended by a signal.', tool) : msg('{0} exited with code {1} and printed no error that is recognized; see its output.', tool, exitCode));
}

function checkUsable(ctx: TaskContext, tool: string, exitCode: number | null, diagnostics: readonly ToolDiagnostic[], label: string): void {
  const broken = diagnostics.find((d) => d.severity === 'error' && ENVIRONMENT_CODES.has(d.code));
  if (broken || exitCode === 126 || exitCode === 127) {
    throw new CompilerUnusableError(
      msg('{0} on {1} cannot compile anything ({2}), so the parts cannot be judged; fix the toolkit (see "npu-port remote doctor") and run the bisection again. Part: {3}',
        tool, ctx.session.host.name, broken ? `${broken.code}: ${broken.message.split('\n')[0]}` : `exit code ${exitCode}`, label),
      { host: ctx.session.host.name, ...(exitCode !== null ? { exitCode } : {}) },
    );
  }
}

/** A PartCompiler that compiles each part on the task's host. Parts are written to `localDir` first. */
export function remotePartCompiler(ctx: TaskContext, o: { modelName: string; soc?: string; qnnTarget?: string; localDir: string }): PartCompiler {
  const host = ctx.session.host;
  let dir = '';
  let folderMade = false;
  return async (bytes, label, signal): Promise<CompileVerdict> => {
    const id = `part_${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;
    dir ||= remotePath(await ctx.session.workdir(), 'bisect', o.modelName);
    const remoteModel = remotePath(dir, `${id}.onnx`);
    if (isLocalTransport(ctx.session)) {
      // This machine: the part is written where the compiler reads it.
      if (!folderMade) await ctx.session.ensureRemoteDir(dir);
      folderMade = true;
      await writeFileAtomic(remoteModel, bytes);
    } else {
      const local = path.join(o.localDir, `${id}.onnx`);
      await fsp.writeFile(local, bytes);
      try {
        if (!folderMade) {
          await ctx.session.ensureRemoteDir(dir);
          folderMade = true;
        }
        // Content-addressed names: a part already on the host is the same part; no hash round trip.
        await ctx.session.upload(local, remoteModel, { force: true, foldersExist: true, ...(signal ? { signal } : {}) });
      } finally {
        await fsp.rm(local, { force: true });
      }
    }
    const partCtx: TaskContext = { ...ctx, ...(signal ? { signal } : {}) };
    if (host.kind === 'ascend') {
      const run = await runTool(partCtx, atcConvertArgs({ model: remoteModel, output: remotePath(dir, id), socVersion: o.soc! }));
      const parsed = parseAtcLog(run.log);
      const ok = run.exitCode === 0 && parsed.outcome !== 'failed';
      if (ok) return { ok: true };
      checkUsable(ctx, 'atc', run.exitCode, parsed.diagnostics, label);
      return { ok: false, message: complaint(parsed.diagnostics, 'atc', run.exitCode) };
    }
    for (const step of qnnCompileSteps(host.kind, remoteModel, id, remotePath(dir, `${id}_qnn`), o.qnnTarget ? { qnnTarget: o.qnnTarget } : {})) {
      const run = await runTool(partCtx, step.argv);
      if (run.exitCode === 0) continue;
      const diagnostics = parseQnnLog(run.log);
      checkUsable(ctx, step.tool, run.exitCode, diagnostics, label);
      return { ok: false, message: complaint(diagnostics, step.tool, run.exitCode) };
    }
    return { ok: true };
  };
}

interface RecordFile {
  readonly version: 1;
  readonly model: string;
  /** What the verdicts are valid for: the host's compiler and its target. */
  readonly compiler: string;
  readonly compiles: CompileRecordEntry[];
}

async function readRecord(file: string, compiler: string): Promise<CompileRecordEntry[] | 'other-compiler' | undefined> {
  let parsed: RecordFile;
  try {
    parsed = JSON.parse(await fsp.readFile(file, 'utf8')) as RecordFile;
  } catch {
    return undefined;
  }
  if (parsed.compiler !== compiler) return 'other-compiler';
  return Array.isArray(parsed.compiles) ? parsed.compiles : undefined;
}

const CODE = /^([EW][A-Z0-9]\d{4}|[a-z][a-z-]+):/;

/** One diagnostic per failing node (on that node), and one per failure that needs several nodes together. */
export function bisectDiagnostics(result: BisectResult, tool: string): TaskDiagnostic[] {
  const diagnostics: ToolDiagnostic[] = result.failingNodes.map((n) => ({
    severity: 'error' as const,
    code: CODE.exec(n.message ?? '')?.[1] ?? 'compile-failed',
    message: n.message ?? `${n.opType} ${n.name}`,
    node: n.name,
    op: n.opType,
    line: 0,
  }));
  const together: TaskDiagnostic[] = result.failingTogether.map((t) => {
    const localized = msg('These {0} nodes fail to compile together though each half compiles ({1}): {2}', t.nodes.length, t.label, t.message ?? '');
    return { severity: 'warning', code: 'compile-fails-together', message: formatMessage(localized), localized, line: 0, node: t.nodes[0]!, tool };
  });
  return [...withKnowledge(tool, diagnostics), ...together];
}

export async function bisectTask(ctx: TaskContext, o: BisectTaskOptions): Promise<RemoteTaskResult> {
  const host = ctx.session.host;
  const name = stem(o.model);
  const tool = host.kind === 'ascend' ? 'atc' : 'qnn';
  const compilerId = host.kind === 'ascend' ? `atc --soc_version=${o.soc} @ ${host.name}` : `qnn ${o.qnnTarget ?? host.kind} @ ${host.name}`;
  const profileName = o.profile ?? `${name}-${host.name}-whitelist`.replace(/[^A-Za-z0-9._-]/g, '_');
  if (!PROFILE_NAME.test(profileName)) throw new RemoteError(msg('A profile name takes letters, digits, ".", "_" and "-" only.'), { host: host.name });
  const recordFile = o.record ?? path.join(o.projectDir, '.npu-port', 'bisect', `${name}.${host.name.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  const profileFile = path.join(o.projectDir, '.npu-port', 'profiles', `${profileName}.json`);

  const previous = await readRecord(recordFile, compilerId);
  if (previous === 'other-compiler') ctx.onStep?.(msg('The record {0} is for another compiler or target; starting over.', recordFile));
  else if (previous?.length) ctx.onStep?.(msg('Resuming: {0} compiles recorded in {1}.', previous.length, recordFile));
  const record = Array.isArray(previous) ? previous : [];
  const all = [...record];
  await fsp.mkdir(path.dirname(recordFile), { recursive: true });

  ctx.onStep?.(msg('Reading {0} and typing its tensors (one local onnxruntime run)', path.basename(o.model)));
  const model = await openModel(o.model, ctx.signal ? { signal: ctx.signal } : {});
  const localDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'npu-port-bisect-'));
  let result: BisectResult;
  let saving: Promise<void> = Promise.resolve();
  try {
    const compile = remotePartCompiler(ctx, { modelName: name.replace(/[^A-Za-z0-9._-]/g, '_'), localDir, ...(o.soc ? { soc: o.soc } : {}), ...(o.qnnTarget ? { qnnTarget: o.qnnTarget } : {}) });
    result = await bisectCompile(model, compile, {
      random: { seed: o.seed ?? 0, ...(o.dims ? { dims: o.dims } : {}) },
      record,
      ...(o.depth ? { depth: o.depth } : {}),
      ...(o.maxCompiles ? { maxCompiles: o.maxCompiles } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      concurrency: o.jobs ?? 2,
      onCompiled: async (entry, done) => {
        all.push(entry);
        (ctx.onProgress ?? ctx.onStep)?.(entry.ok ? msg('Compile {0}: {1} compiled.', done, entry.label) : msg('Compile {0}: {1} failed: {2}', done, entry.label, entry.message ?? ''));
        // One write at a time, each with everything so far (concurrent compiles finish in any order).
        const text = JSON.stringify({ version: 1, model: path.basename(o.model), compiler: compilerId, compiles: [...all] } satisfies RecordFile, null, 1) + '\n';
        saving = saving.then(() => writeFileAtomic(recordFile, text));
        await saving;
      },
    });
  } finally {
    await fsp.rm(localDir, { recursive: true, force: true });
  }
  await fsp.mkdir(path.dirname(profileFile), { recursive: true });
  await writeFileAtomic(profileFile, JSON.stringify(whitelistProfileJson(profileName, result, path.basename(o.model)), null, 2) + '\n');
  const failed = result.failingNodes.length > 0 || result.failingTogether.length > 0;
  return {
    task: 'bisect',
    host: host.name,
    // 0 only when every part compiled; a run stopped at maxCompiles has not shown that.
    exitCode: failed || result.truncated ? 1 : 0,
    diagnostics: bisectDiagnostics(result, tool),
    artifacts: [profileFile, recordFile],
    stats: {
      profile: profileName,
      profileFile,
      recordFile,
      compiles: result.compiles,
      reused: result.reused,
      truncated: result.truncated,
      failingOps: result.failingOps,
      failingNodes: result.failingNodes,
      failingTogether: result.failingTogether,
      passingParts: result.passingParts.map((p) => ({ label: p.label, nodes: p.nodes, ops: p.ops })),
      whitelist: result.whitelist,
    },
  };
}
