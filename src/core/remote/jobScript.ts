/**
 * The shell text of a remote job: its own session or process group (so a cancel kills the whole
 * tree), the host's set-up command, then the program; and the markers it prints on stderr that the
 * session reads back (process group, set-up failure). POSIX sh and PowerShell.
 */
import { RemoteError } from './errors';
import { powerShellEncodedCommand, powerShellLiteral, quotePosixWord } from './quote';

/** The host's `setup` command failed (before the tool started). */
export class SetupError extends RemoteError {}

export const PGID_MARKER = '\u001eNPU_PORT_PGID=';
export const SETUP_FAILED_MARKER = '\u001eNPU_PORT_SETUP_FAILED=';

/** What util-linux `setsid -w` prints (untranslated) when the job it waits for was killed. */
export const SETSID_AFTER_KILL = /setsid: child \d+ did not exit normally\b.*$/;

/** `/x`, `C:/x` or `C:\\x`: a path that does not depend on the folder a command starts in. */
export function isAbsoluteRemotePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
}

/** POSIX job: its own session (so its process group can be killed), set-up, then the program. */
export function posixJob(commandText: string, execIt: boolean, setup: string | undefined, cwd?: string): string {
  const inner = [
    // The real process group from /proc (Linux); $$ otherwise (it is the group under setsid).
    `__pg=$$; if [ -r /proc/$$/stat ]; then read -r __1 __2 __3 __4 __pg __r < /proc/$$/stat; fi`,
    `printf '${PGID_MARKER.replace('\u001e', '\\036')}%s\\n' "$__pg" >&2`,
    ...(cwd ? [`cd -- ${quotePosixWord(cwd)} || exit 1`] : []),
    ...(setup ? [`{ ${setup}\n} || { __s=$?; printf '${SETUP_FAILED_MARKER.replace('\u001e', '\\036')}%s\\n' "$__s" >&2; exit "$__s"; }`] : []),
    execIt ? `exec ${commandText}` : commandText,
  ].join('\n');
  const q = quotePosixWord(inner);
  // bash when present (set-up scripts such as CANN's set_env.sh are written for it), sh otherwise.
  // --norc: bash started under sshd would read ~/.bashrc again (it already ran for the login shell).
  // setsid -w (util-linux) gives the job its own session; sshd already starts each exec in a new
  // session, so hosts without it (BusyBox has no -w) still get a killable group.
  return `s='sh'; command -v bash >/dev/null 2>&1 && s='bash --norc --noprofile'; if setsid -w true >/dev/null 2>&1; then exec setsid -w $s -c ${q}; fi; exec $s -c ${q}`;
}

/** PowerShell job, sent as -EncodedCommand (Windows OpenSSH starts cmd.exe by default). */
export function powerShellJob(commandText: string, setup: string | undefined, cwd?: string): string {
  const script = [
    `[Console]::Error.WriteLine("$([char]30)NPU_PORT_PGID=$PID")`,
    `$ErrorActionPreference = 'Stop'`,
    ...(cwd ? [`Set-Location -LiteralPath ${powerShellLiteral(cwd)}`] : []),
    ...(setup ? [`try { ${setup} } catch { [Console]::Error.WriteLine("$([char]30)NPU_PORT_SETUP_FAILED=1"); exit 1 }`] : []),
    `$ErrorActionPreference = 'Continue'`,
    commandText,
    `exit $LASTEXITCODE`,
  ].join('\n');
  return powerShellEncodedCommand(script);
}
