/**
 * Whitelist profiles: the op types known to compile for a target (the field method: compile modules
 * separately, take the union of the ops of those that pass). File format, JSON:
 *   {"name": "edgesam-npu", "kind": "whitelist", "ops": ["Add", "Conv", "com.microsoft::Gelu"],
 *    "description"?: "...", "staticShapes"?: true, "refusedTypes"?: ["int64"], "opsets"?: {"min": 11, "max": 17}}
 * Op types are in the default domain unless written `domain::Op`. Every op not listed is unsupported.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { msg, type Message } from '../../l10n';
import { ProfileError } from '../errors';
import { walkNodes, type ElementType, type Model } from '../model';
import type { OpProfile, TargetProfile } from './profile';

export async function loadWhitelistProfile(file: string): Promise<TargetProfile> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (error) {
    throw new ProfileError(msg('Cannot read profile {0}: {1}', file, (error as NodeJS.ErrnoException).code ?? String(error)), { file, cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ProfileError(msg('Profile {0} is not valid JSON: {1}', file, (error as Error).message), { file, cause: error });
  }
  return whitelistProfile(json, file);
}

export function whitelistProfile(json: unknown, file?: string): TargetProfile {
  const where = file ?? '(profile)';
  const bad = (detail: Message) => new ProfileError(detail, file ? { file } : {});
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad(msg('Profile {0}: expected a JSON object.', where));
  const o = json as Record<string, unknown>;
  if (o.kind !== 'whitelist') throw bad(msg('Profile {0}: "kind" must be "whitelist".', where));
  if (typeof o.name !== 'string' || !o.name.trim()) throw bad(msg('Profile {0}: "name" must be a non-empty string.', where));
  if (!Array.isArray(o.ops) || !o.ops.every((op) => typeof op === 'string' && op.trim() !== '')) throw bad(msg('Profile {0}: "ops" must be a list of op type names.', where));
  if (o.refusedTypes !== undefined && !(Array.isArray(o.refusedTypes) && o.refusedTypes.every((t) => typeof t === 'string'))) throw bad(msg('Profile {0}: "refusedTypes" must be a list of element type names.', where));
  const opsets = o.opsets as { min?: unknown; max?: unknown } | undefined;
  if (opsets !== undefined && (typeof opsets !== 'object' || opsets === null || (opsets.min !== undefined && typeof opsets.min !== 'number') || (opsets.max !== undefined && typeof opsets.max !== 'number'))) {
    throw bad(msg('Profile {0}: "opsets" must be an object with numbers "min" and "max".', where));
  }
  const source = file ? path.basename(file) : 'whitelist';
  const ops = new Map<string, OpProfile>();
  for (const raw of o.ops as string[]) {
    const op = raw.trim();
    const key = op.startsWith('ai.onnx::') ? op.slice('ai.onnx::'.length) : op.startsWith('::') ? op.slice(2) : op;
    ops.set(key, { support: 'supported', sources: [source] });
  }
  return {
    id: o.name.trim(),
    name: o.name.trim(),
    kind: 'whitelist',
    toolchain: 'whitelist',
    description: typeof o.description === 'string' ? msg('Whitelist profile: {0}', o.description) : msg('Whitelist profile: {0} op types known to compile.', ops.size),
    sources: [{ label: msg('Whitelist file'), ref: file ?? '(inline)' }],
    caveats: [],
    ...(opsets ? { modelOpsets: { ...(opsets.min !== undefined ? { min: opsets.min as number } : {}), ...(opsets.max !== undefined ? { max: opsets.max as number } : {}), certain: true } } : {}),
    staticShapes: o.staticShapes === true ? 'required' : 'not-required',
    ...(Array.isArray(o.refusedTypes) ? { dtypes: { refused: o.refusedTypes as ElementType[], certain: true } } : {}),
    unlisted: 'unsupported',
    ops,
    ...(file ? { file } : {}),
  };
}

/** Whitelist profiles of a workspace: `.npu-port/profiles/*.json`, sorted by file name. Broken files are reported, not fatal. */
export async function loadWorkspaceProfiles(workspace: string): Promise<{ profiles: TargetProfile[]; errors: ProfileError[] }> {
  const dir = path.join(workspace, '.npu-port', 'profiles');
  let names: string[];
  try {
    names = (await fsp.readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return { profiles: [], errors: [] };
  }
  const profiles: TargetProfile[] = [];
  const errors: ProfileError[] = [];
  for (const name of names) {
    try {
      profiles.push(await loadWhitelistProfile(path.join(dir, name)));
    } catch (error) {
      if (error instanceof ProfileError) errors.push(error);
      else throw error;
    }
  }
  return { profiles, errors };
}

/**
 * The whitelist file for models that compiled (the field method: ops seen in modules that passed are
 * safe). Op types of every node, subgraphs included, sorted; `domain::Op` outside the default domain.
 */
export function whitelistFromModels(name: string, models: readonly Model[], description?: string): { name: string; kind: 'whitelist'; description?: string; ops: string[] } {
  const ops = new Set<string>();
  for (const model of models) {
    for (const { node } of walkNodes(model.graph)) ops.add(node.domain && node.domain !== 'ai.onnx' ? `${node.domain}::${node.opType}` : node.opType);
  }
  return { name, kind: 'whitelist', ...(description ? { description } : {}), ops: [...ops].sort() };
}
