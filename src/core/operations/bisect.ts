/**
 * The user action "find the nodes a compiler rejects" with a compile command on this machine
 * (`npu-port onnx bisect`; on an NPU host it is the remote task `bisect`): compiles parts, narrows the
 * failures down to single nodes, keeps a record of the compiles (saved after each, so a run resumes)
 * and saves the ops of the passing parts as a whitelist profile in `.npu-port/profiles`.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs';
import { msg } from '../l10n';
import type { Model } from '../onnx/model';
import type { RandomInputOptions } from '../onnx/run/inputs';
import type { ArrayValue } from '../onnx/run/values';
import { bisectCompile, whitelistProfileJson, type BisectResult, type CompileRecordEntry, type PartCompiler } from '../onnx/transform/bisect';
import { feedsFor } from '../onnx/transform/probe';
import { InvalidRequestError, wholeNumber, type OperationRequest } from './types';

/** What a whitelist profile's name may hold (it becomes a file name and a target id). */
const PROFILE_NAME = /^[A-Za-z0-9._-]+$/;

export interface BisectRequest extends OperationRequest {
  readonly model: Model;
  /** The model's file (absolute): names the default profile and record. */
  readonly file: string;
  readonly compiler: PartCompiler;
  /** Folder that receives `.npu-port/` (profile and default record). */
  readonly projectDir: string;
  /** Profile name (default `<model>-whitelist`). */
  readonly profile?: string;
  /** Record file (default `.npu-port/bisect/<model>.json` in projectDir). */
  readonly record?: string;
  /** Module depth of the first parts (default 1). */
  readonly depth?: number;
  /** At most this many compiles (default 500). */
  readonly maxCompiles?: number;
  readonly inputs?: Readonly<Record<string, ArrayValue>>;
  readonly random?: RandomInputOptions;
  /** Each compile as it finishes (the record is saved before this is called). */
  readonly onCompiled?: (entry: CompileRecordEntry, done: number) => void;
}

export interface BisectOperationResult extends BisectResult {
  readonly profileFile: string;
  readonly recordFile: string;
  /** Compiles read from an earlier record and reused. */
  readonly resumed: number;
}

export async function bisect(request: BisectRequest): Promise<BisectOperationResult> {
  const { model, file, signal } = request;
  const base = path.basename(file, '.onnx');
  const shown = (f: string) => { const rel = path.relative(request.projectDir, f); return rel.startsWith('..') ? f : rel; };
  const profileName = request.profile ?? `${base}-whitelist`;
  if (!PROFILE_NAME.test(profileName)) throw new InvalidRequestError(msg('A profile name takes letters, digits, ".", "_" and "-" only.'));
  const depth = wholeNumber(request.depth, 'depth', 1, 1);
  const maxCompiles = wholeNumber(request.maxCompiles, 'max-compiles', 500, 1);
  const recordFile = path.resolve(request.projectDir, request.record ?? path.join('.npu-port', 'bisect', `${base}.json`));
  let record: CompileRecordEntry[] = [];
  try {
    record = (JSON.parse(await fsp.readFile(recordFile, 'utf8')) as { compiles: CompileRecordEntry[] }).compiles ?? [];
  } catch { /* no record yet */ }
  if (record.length) request.onProgress?.({ message: msg('Resuming: {0} compiles recorded in {1}.', record.length, shown(recordFile)) });
  await fsp.mkdir(path.dirname(recordFile), { recursive: true });
  const feeds = feedsFor(model, { ...(request.inputs ? { inputs: request.inputs } : {}), ...(request.random ? { random: request.random } : {}) });
  const all = [...record];
  const result = await bisectCompile(model, request.compiler, {
    inputs: feeds,
    ...(signal ? { signal } : {}),
    depth,
    maxCompiles,
    record,
    onCompiled: async (entry, done) => {
      all.push(entry);
      await writeFileAtomic(recordFile, JSON.stringify({ version: 1, model: shown(file), compiles: all }, null, 1) + '\n');
      request.onCompiled?.(entry, done);
    },
  });
  const profileFile = path.resolve(request.projectDir, '.npu-port', 'profiles', `${profileName}.json`);
  await fsp.mkdir(path.dirname(profileFile), { recursive: true });
  await writeFileAtomic(profileFile, JSON.stringify(whitelistProfileJson(profileName, result, path.basename(file)), null, 2) + '\n', signal ? { signal } : {});
  return { ...result, profileFile, recordFile, resumed: record.length };
}
