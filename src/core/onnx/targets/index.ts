/** Target profiles: built-in ones, whitelist files, and finding a profile by id. */
import * as path from 'node:path';
import { msg } from '../../l10n';
import { ProfileError } from '../errors';
import { ascendProfile, builtinProfiles, QNN_EP_RELEASES, qnnProfile } from './builtin';
import type { TargetProfile } from './profile';
import { loadWhitelistProfile, loadWorkspaceProfiles } from './whitelist';

export { ascendProfile, builtinProfiles, BUILTIN_TARGET_IDS, CANN_RELEASES, HTP_ARCHS, QNN_EP_OFFERED, QNN_EP_RELEASES, qnnProfile } from './builtin';
export { loadWhitelistProfile, loadWorkspaceProfiles, whitelistFromModels, whitelistProfile } from './whitelist';
export { opCounts, opKey, type NodeRule, type OpProfile, type ProfileSource, type Support, type TargetProfile, type ToolkitVersion } from './profile';

/**
 * The profile to check against: `profileFile` (a whitelist file) wins; else `target` is a built-in id
 * or the name of a whitelist profile in `workspace/.npu-port/profiles/`.
 */
export async function resolveProfile(options: { target?: string; profileFile?: string; workspace?: string }): Promise<TargetProfile> {
  if (options.profileFile) return loadWhitelistProfile(path.resolve(options.workspace ?? '.', options.profileFile));
  const target = options.target;
  if (!target) throw new ProfileError(msg('No target given: use --target ID (see "npu-port onnx targets") or --profile FILE.'));
  const builtin = builtinTarget(target);
  if (builtin) return builtin;
  const at = target.lastIndexOf('@');
  const id = at > 0 ? target.slice(0, at) : target;
  if (options.workspace) {
    const { profiles } = await loadWorkspaceProfiles(options.workspace);
    const found = profiles.find((p) => p.id === id);
    if (found) return found;
  }
  throw new ProfileError(msg('Unknown target "{0}". Built-in targets: {1}.', id, builtinProfiles().map((p) => p.id).join(', ')));
}

/**
 * A built-in target by id, with an optional `@version` (`ascend310p@8.5`); undefined when the id is not
 * built in. Throws a ProfileError for a version the data does not cover.
 */
export function builtinTarget(target: string): TargetProfile | undefined {
  const at = target.lastIndexOf('@');
  const id = at > 0 ? target.slice(0, at) : target;
  const builtin = builtinProfiles().find((p) => p.id === id.toLowerCase());
  return builtin && at > 0 ? versionedProfile(builtin, target.slice(at + 1)) : builtin;
}

/**
 * `ascend310p@8.5`: the profile with the facts of that toolkit release. A version names a release or a
 * prefix of one (`8.5` = `8.5.0`, `9` = the newest 9.x); the newest matching release wins.
 * `qnn-htp@v68`: the profile with the facts of that Hexagon architecture (`v68` or `68`); `qnn-htp@ep2.6`: the
 * facts of that onnxruntime-qnn release (2.6.0).
 */
function versionedProfile(builtin: TargetProfile, version: string): TargetProfile {
  if (!builtin.toolkit) throw new ProfileError(msg('{0} has no per-version data: give the target without "@{1}".', builtin.id, version));
  if (builtin.toolchain === 'qnn' && /^ep/i.test(version)) {
    // `qnn-htp@ep2.6`: the facts of that onnxruntime-qnn release (default architecture).
    const wanted = version.replace(/^ep/i, '');
    const release = QNN_EP_RELEASES.find((r) => r === wanted || r.startsWith(`${wanted}.`));
    if (!release) throw new ProfileError(msg('{0} has no data for {1} {2}. Releases covered: {3}.', builtin.id, 'onnxruntime-qnn', wanted, QNN_EP_RELEASES.join(', ')));
    return qnnProfile(undefined, release);
  }
  const wanted = builtin.toolchain === 'qnn' ? `v${version.toLowerCase().replace(/^v/, '')}` : version;
  const release = builtin.toolkit.available.find((r) => r === wanted || r.startsWith(`${wanted}.`));
  if (!release) throw new ProfileError(msg('{0} has no data for {1} {2}. Releases covered: {3}.', builtin.id, builtin.toolkit.name, version, builtin.toolkit.available.join(', ')));
  if (builtin.toolchain === 'qnn') return qnnProfile(release);
  return builtin.toolchain === 'atc' && builtin.socVersion ? ascendProfile(builtin.socVersion, release) : builtin;
}
