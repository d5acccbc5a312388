/**
 * `doctor`: checks an NPU host. One probe script per shell prints `key=value` lines (and the
 * `npu-smi info` table); the checks below read them. Each failed check carries a concrete fix.
 */
import { msg, type Message } from '../../l10n';
import { SetupError } from '../jobScript';
import { isLocalTransport } from '../transport';
import { parseNpuSmiInfo, socVersionFor, type NpuSmiInfo } from '../toolchains/npuSmi';
import type { HostKind } from '../hosts';
import type { RemoteTaskResult, TaskContext } from './types';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  readonly id: string;
  readonly status: CheckStatus;
  readonly message: Message;
  readonly fix?: Message;
}

const POSIX_TOOLS = ['atc', 'npu-smi', 'msame', 'ais_bench', 'qnn-onnx-converter', 'qnn-model-lib-generator', 'qnn-context-binary-generator', 'qnn-net-run', 'python3'];

export const POSIX_PROBE = [
  'echo "os=$(uname -s 2>/dev/null)"',
  'echo "arch=$(uname -m 2>/dev/null)"',
  `for t in ${POSIX_TOOLS.join(' ')}; do echo "tool.$t=$(command -v "$t" 2>/dev/null)"; done`,
  'echo "env.ASCEND_TOOLKIT_HOME=${ASCEND_TOOLKIT_HOME:-}"',
  'echo "env.QNN_SDK_ROOT=${QNN_SDK_ROOT:-}"',
  'echo "env.LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"',
  'echo "env.PATH=${PATH:-}"',
  // CANN writes its version into <toolkit>/<arch>-linux/ascend_toolkit_install.info (version=...).
  'if [ -n "${ASCEND_TOOLKIT_HOME:-}" ]; then for f in "$ASCEND_TOOLKIT_HOME"/*/ascend_toolkit_install.info; do if [ -f "$f" ]; then sed -n "s/^version=/cann.version=/p" "$f"; break; fi; done; fi',
  'if command -v python3 >/dev/null 2>&1; then echo "python.machine=$(python3 -c "import platform; print(platform.machine())" 2>/dev/null)"; fi',
  'if command -v npu-smi >/dev/null 2>&1; then echo "@@npu-smi"; npu-smi info 2>&1; echo "@@end"; fi',
  'true',
].join('\n');

export const POWERSHELL_PROBE = [
  `"os=Windows"`,
  `"arch=$env:PROCESSOR_ARCHITECTURE"`,
  `foreach ($t in 'qnn-net-run','qnn-context-binary-generator','qnn-model-lib-generator','python') { $c = Get-Command $t -ErrorAction SilentlyContinue; "tool.$t=$(if ($c) { $c.Source })" }`,
  `"env.QNN_SDK_ROOT=$env:QNN_SDK_ROOT"`,
  `"env.PATH=$env:PATH"`,
  `if (Get-Command python -ErrorAction SilentlyContinue) { "python.machine=$(& python -c 'import platform; print(platform.machine())')" }`,
].join('\n');

export interface Probe {
  readonly values: ReadonlyMap<string, string>;
  readonly npuSmi?: string;
}

export function parseProbe(text: string): Probe {
  const values = new Map<string, string>();
  let npuSmi: string | undefined;
  let inSmi = false;
  for (const raw of text.split(/\r?\n/)) {
    if (raw === '@@npu-smi') {
      inSmi = true;
      npuSmi = '';
      continue;
    }
    if (raw === '@@end') {
      inSmi = false;
      continue;
    }
    if (inSmi) {
      npuSmi += raw + '\n';
      continue;
    }
    const eq = raw.indexOf('=');
    if (eq > 0) values.set(raw.slice(0, eq), raw.slice(eq + 1));
  }
  return npuSmi === undefined ? { values } : { values, npuSmi };
}

/** The QAIRT library folder a process must load on Windows, from the OS and the Python architecture (field report 000). */
export function expectedQnnLibFolder(osArch: string, pythonMachine: string | undefined): string | undefined {
  const os = osArch.toUpperCase();
  const py = (pythonMachine ?? '').toUpperCase();
  if (os === 'ARM64') return py === 'AMD64' || py === 'X86_64' ? 'arm64x-windows-msvc' : 'aarch64-windows-msvc';
  if (os === 'AMD64' || os === 'X86_64') return 'x86_64-windows-msvc';
  return undefined;
}

const QNN_LIB_FOLDERS = ['arm64x-windows-msvc', 'aarch64-windows-msvc', 'x86_64-windows-msvc'];

/** QNN lib folders on PATH, in PATH order. */
export function qnnLibFoldersOnPath(pathValue: string, separator = ';'): string[] {
  const out: string[] = [];
  for (const entry of pathValue.split(separator)) {
    const m = /[\\/]lib[\\/]([a-z0-9_]+-windows-msvc)[\\/]?$/i.exec(entry.trim());
    if (m && QNN_LIB_FOLDERS.includes(m[1]!.toLowerCase())) out.push(m[1]!.toLowerCase());
  }
  return out;
}

/** Versions like 2.38.0.250901 are the name of the QAIRT root folder. */
export function qairtVersionFromRoot(root: string): string | undefined {
  return /(\d+\.\d+\.\d+\.\d+)[\\/]?$/.exec(root)?.[1];
}

export function doctorChecks(kind: HostKind, probe: Probe): DoctorCheck[] {
  const v = (key: string) => probe.values.get(key) ?? '';
  const checks: DoctorCheck[] = [];
  const tool = (name: string, fix: Message) => {
    const where = v(`tool.${name}`);
    checks.push(where ? { id: `tool:${name}`, status: 'ok', message: msg('{0} found: {1}', name, where) } : { id: `tool:${name}`, status: 'fail', message: msg('{0} is not on PATH after the environment set-up.', name), fix });
  };
  if (kind === 'ascend') {
    const home = v('env.ASCEND_TOOLKIT_HOME');
    checks.push(
      home
        ? { id: 'cann-env', status: 'ok', message: msg('CANN environment loaded: ASCEND_TOOLKIT_HOME={0}', home) }
        : { id: 'cann-env', status: 'fail', message: msg('ASCEND_TOOLKIT_HOME is not set: the CANN environment script was not sourced.'), fix: msg('Set the host "setup" to ". /usr/local/Ascend/ascend-toolkit/set_env.sh" (or the set_env.sh of your installation).') },
    );
    const cann = v('cann.version');
    checks.push(cann ? { id: 'cann-version', status: 'ok', message: msg('CANN version {0}', cann) } : { id: 'cann-version', status: 'warn', message: msg('The CANN version could not be read (no ascend_toolkit_install.info).') });
    tool('atc', msg('Install the CANN toolkit, or source its set_env.sh in the host "setup".'));
    const smiText = probe.npuSmi;
    const smi: NpuSmiInfo | undefined = smiText ? parseNpuSmiInfo(smiText) : undefined;
    if (!v('tool.npu-smi')) {
      checks.push({ id: 'npu-smi', status: 'fail', message: msg('npu-smi is not available: the NPU driver is not installed or not on PATH.'), fix: msg('Install the Ascend NPU driver and firmware, then run "npu-smi info" on the host.') });
    } else if (!smi || smi.devices.length === 0) {
      checks.push({ id: 'npu-smi', status: 'fail', message: msg('npu-smi info printed no NPU.'), fix: msg('Check the driver installation ("npu-smi info" on the host) and that the user can access /dev/davinci*.') });
    } else {
      for (const d of smi.devices) {
        checks.push(
          d.health === 'OK'
            ? { id: `npu:${d.id}`, status: 'ok', message: msg('NPU {0}: {1}, health OK; ATC --soc_version={2}', d.id, d.name, socVersionFor(d)) }
            : { id: `npu:${d.id}`, status: 'fail', message: msg('NPU {0}: {1}, health {2}.', d.id, d.name, d.health), fix: msg('Read the alarm with "npu-smi info -t health -i {0}" on the host.', d.id) },
        );
      }
    }
  } else {
    const root = v('env.QNN_SDK_ROOT');
    checks.push(
      root
        ? { id: 'qairt-env', status: 'ok', message: msg('QAIRT environment loaded: QNN_SDK_ROOT={0}', root) }
        : {
            id: 'qairt-env',
            status: 'fail',
            message: msg('QNN_SDK_ROOT is not set: the QAIRT environment script was not run.'),
            fix: kind === 'qnn-windows' ? msg('Set the host "setup" to "& <QNN_SDK_ROOT>\\bin\\envsetup.ps1".') : msg('Set the host "setup" to ". <QNN_SDK_ROOT>/bin/envsetup.sh".'),
          },
    );
    const version = root ? qairtVersionFromRoot(root) : undefined;
    if (version) checks.push({ id: 'qairt-version', status: 'ok', message: msg('QAIRT version {0}', version) });
    tool('qnn-net-run', msg('Install QAIRT (Qualcomm AI Engine Direct SDK) and run its envsetup script in the host "setup".'));
    if (kind === 'qnn-windows') checks.push(...windowsDllChecks(v('arch'), probe.values.get('python.machine'), v('env.PATH')));
  }
  return checks;
}

/** The field report 000 check: the QNN DLL folder on PATH must match the Python/host architecture, or loading fails with error 126. */
export function windowsDllChecks(osArch: string, pythonMachine: string | undefined, pathValue: string): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  if (!pythonMachine) {
    checks.push({ id: 'python', status: 'warn', message: msg('No python on PATH; the QNN Python tools (qnn-onnx-converter) need it.'), fix: msg('Install Python for Windows (ARM64 native or x64) and put it on PATH.') });
  } else {
    checks.push({ id: 'python', status: 'ok', message: msg('Python architecture {0} on a {1} host', pythonMachine, osArch) });
  }
  const expected = expectedQnnLibFolder(osArch, pythonMachine);
  if (!expected) return checks;
  const onPath = qnnLibFoldersOnPath(pathValue);
  if (onPath.length === 0) {
    checks.push({ id: 'qnn-dll-arch', status: 'fail', message: msg('No QAIRT lib folder is on PATH, so QnnHtp.dll and its dependencies cannot be found.'), fix: msg('Put <QNN_SDK_ROOT>\\lib\\{0} first on PATH and call os.add_dll_directory() with it before loading QNN.', expected) });
  } else if (onPath[0] !== expected) {
    checks.push({
      id: 'qnn-dll-arch',
      status: 'fail',
      message: msg('PATH loads QNN DLLs from lib\\{0}, but Python {1} on {2} needs lib\\{3}: loading fails with error 126.', onPath[0]!, pythonMachine ?? '?', osArch, expected),
      fix: msg('Put <QNN_SDK_ROOT>\\lib\\{0} first on PATH and call os.add_dll_directory() with it before loading QNN.', expected),
    });
  } else {
    checks.push({ id: 'qnn-dll-arch', status: 'ok', message: msg('QNN DLLs from lib\\{0} match the Python architecture.', expected) });
  }
  return checks;
}

export async function doctorTask(ctx: TaskContext, connectMs: number): Promise<RemoteTaskResult> {
  const host = ctx.session.host;
  const local = isLocalTransport(ctx.session) ? ctx.session : undefined;
  const checks: DoctorCheck[] = [
    local
      ? { id: 'reachable', status: 'ok', message: msg('Running on this machine ({0}) as {1}', host.host, host.user) }
      : { id: 'reachable', status: 'ok', message: msg('Connected to {0} as {1} in {2} ms', `${host.host}:${host.port}`, host.user, Math.round(connectMs)) },
  ];
  let output = '';
  try {
    ctx.onStep?.(msg('Probing {0}', host.name));
    const result = await ctx.session.runScript(host.shell === 'posix' ? POSIX_PROBE : POWERSHELL_PROBE, {
      onStdout: (t) => (output += t),
      onStderr: (t) => ctx.onOutput(t, 'stderr'),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    if (host.setup) checks.push({ id: 'setup', status: 'ok', message: msg('Environment set-up ran: {0}', host.setup) });
    if (local?.envScript) checks.push({ id: 'setup', status: 'ok', message: msg('Environment taken from {0}', local.envScript) });
    if (result.exitCode !== 0) checks.push({ id: 'probe', status: 'warn', message: msg('The probe script exited with code {0}.', result.exitCode ?? 'signal') });
    checks.push(...doctorChecks(host.kind, parseProbe(output)));
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    checks.push({
      id: 'setup',
      status: 'fail',
      message: error.detail,
      fix: local ? msg('Fix or reinstall the toolkit whose environment script failed; run it in a terminal to see why.') : msg('Fix the host "setup" command (does the script exist at that path on the host?).'),
    });
  }
  const failed = checks.some((c) => c.status === 'fail');
  return { task: 'doctor', host: host.name, exitCode: failed ? 1 : 0, diagnostics: [], artifacts: [], stats: { checks } };
}
