/** Target profiles: built-in ones, whitelist files, and finding a profile by id. */
import * as path from 'node:path';
import { msg } from '../../l10n';
import { ProfileError } from '../errors';
import { builtinProfiles } from './builtin';
import type { TargetProfile } from './profile';
import { loadWhitelistProfile, loadWorkspaceProfiles } from './whitelist';

export { builtinProfiles, BUILTIN_TARGET_IDS } from './builtin';
export { loadWhitelistProfile, loadWorkspaceProfiles, whitelistFromModels, whitelistProfile } from './whitelist';
export { opKey, type NodeRule, type OpProfile, type ProfileSource, type Support, type TargetProfile } from './profile';

/**
 * The profile to check against: `profileFile` (a whitelist file) wins; else `target` is a built-in id
 * or the name of a whitelist profile in `workspace/.npu-port/profiles/`.
 */
export async function resolveProfile(options: { target?: string; profileFile?: string; workspace?: string }): Promise<TargetProfile> {
  if (options.profileFile) return loadWhitelistProfile(path.resolve(options.workspace ?? '.', options.profileFile));
  const id = options.target;
  if (!id) throw new ProfileError(msg('No target given: use --target ID (see "npu-port onnx targets") or --profile FILE.'));
  const builtin = builtinProfiles().find((p) => p.id === id.toLowerCase());
  if (builtin) return builtin;
  if (options.workspace) {
    const { profiles } = await loadWorkspaceProfiles(options.workspace);
    const found = profiles.find((p) => p.id === id);
    if (found) return found;
  }
  throw new ProfileError(msg('Unknown target "{0}". Built-in targets: {1}.', id, builtinProfiles().map((p) => p.id).join(', ')));
}
