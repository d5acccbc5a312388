import * as os from 'node:os';
import * as path from 'node:path';
import { msg, type Message } from '../core/l10n';
import type { LatencyStats } from '../core/benchmark/stats';
import { speedUpOf } from '../shared/results';
import { DEFAULT_HOSTS_FILE, findHost, readHostsFile } from '../core/remote/hosts';
import { ASCEND_DEFAULT_SCRIPTS, detectLocalToolchains, isFileSync, LocalTransport, localHostConfig } from '../core/remote/local';
import { SshSession, type HostKeyPolicy } from '../core/remote/ssh';
import type { DoctorCheck } from '../core/remote/tasks/doctor';
import { TASK_OPTIONS, taskOptions, type TaskOptionFields } from '../core/remote/tasks/definition';
import { RemoteTaskRequestError } from '../core/remote/tasks/execute';
import { remoteTask } from '../core/operations/remoteTask';
import { REMOTE_TASK_KINDS, type RemoteTaskKind, type RemoteTaskResult } from '../core/remote/tasks/types';
import type { CliCommand } from './commands';
import { EXIT_OK, UsageError, type CliContext } from './context';
import { parseCommandArgs } from './main';

const COMMON = {
  host: { type: 'string' },
  hosts: { type: 'string' },
  'known-hosts': { type: 'string' },
  'accept-new-host-key': { type: 'boolean' },
  format: { type: 'string' },
  'out-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The flags of the task options (src/core/remote/tasks/definition.ts); repeatable ones collect a list. */
const OPTIONS = {
  ...COMMON,
  ...Object.fromEntries(TASK_OPTIONS.map((o) => [o.flag, o.value === 'strings' || o.value === 'dims' ? { type: 'string', multiple: true } : { type: 'string' }])),
} as typeof COMMON; // the task flags are read through taskOptions, untyped here

function usage(ctx: CliContext): string {
  return [
    ctx.t(msg('Usage: npu-port remote <doctor|precheck|convert|benchmark|run|bisect> [--host NAME] [--hosts FILE] [--known-hosts FILE] [--accept-new-host-key] [--format text|json]')),
    '  ' + ctx.t(msg('Without --host the task runs on this machine, with the toolchain found here (atc or qnn-onnx-converter on PATH, ASCEND_TOOLKIT_HOME / QNN_SDK_ROOT, or the vendor environment script); --host NAME runs it over SSH.')),
    '  doctor',
    '  precheck MODEL.onnx [--soc SOC] [--input-shape SPEC] [--out-dir DIR]',
    '  convert MODEL.onnx [--soc SOC] [--input-shape SPEC] [--dynamic-batch 1,2,4,8] [--precision MODE] [--out-dir DIR] [--quant-input-list REMOTE_FILE] [--qnn-target TARGET]',
    '  benchmark MODEL.om|CONTEXT.bin [--loop N] [--batch N] [--tool msame|ais_bench] [--input-list REMOTE_FILE] [--cpu-onnx MODEL.onnx] [--out-dir DIR]',
    '  run [--fetch REMOTE_FILE]... [--out-dir DIR] -- PROGRAM ARGS...',
    '  bisect MODEL.onnx [--soc SOC] [--qnn-target TARGET] [--depth N] [--profile NAME] [--record FILE] [--max-compiles N] [--jobs N] [--dim NAME=N]... [--seed N]',
    '    ' + ctx.t(msg('compiles the parts of a failing model on the host, finds the nodes that fail and saves the ops of the passing parts as .npu-port/profiles/NAME.json')),
    ctx.t(msg('Exit codes: 0 success, 1 the remote tool failed, 2 usage, connection or host key error. Secrets: NPU_PORT_SSH_PASSPHRASE, NPU_PORT_SSH_PASSWORD (never stored).')),
    '',
  ].join('\n');
}

/** `npu-port remote doctor|precheck|convert|benchmark|run|bisect`: tools on an NPU host over SSH, or on this machine without --host. */
export const remoteCommand: CliCommand = {
  name: 'remote',
  summary: msg('Run convert, precheck, benchmark, doctor or any command on this machine or on a remote NPU host over SSH'),
  async run(ctx, args) {
    const [kind, ...rest] = args;
    if (kind === undefined || kind === '--help' || kind === '-h') {
      ctx.out(usage(ctx));
      return kind === undefined ? 2 : EXIT_OK;
    }
    if (!REMOTE_TASK_KINDS.includes(kind as RemoteTaskKind)) throw new UsageError(msg('Unknown remote task "{0}": use doctor, precheck, convert, benchmark, run or bisect.', kind));
    const { values, positionals } = parseCommandArgs(rest, OPTIONS);
    if (values.help) {
      ctx.out(usage(ctx));
      return EXIT_OK;
    }
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(msg('--format must be text or json.'));
    const sshOnly = (['hosts', 'known-hosts', 'accept-new-host-key'] as const).find((k) => values[k] !== undefined);
    if (!values.host && sshOnly) throw new UsageError(msg('--{0} is only for SSH hosts: give --host NAME too.', sshOnly));
    const task = kind as RemoteTaskKind;
    const resolve = (p: string) => path.resolve(ctx.cwd, p);

    // Validate everything local before connecting.
    const model = positionals[0];
    if ((task === 'convert' || task === 'precheck' || task === 'benchmark' || task === 'bisect') && (!model || positionals.length !== 1)) {
      throw new UsageError(msg('{0} needs exactly one model file.', task));
    }
    if (task === 'run' && positionals.length === 0) throw new UsageError(msg('run needs a program: npu-port remote run [--host NAME] -- PROGRAM ARGS...'));
    let options: TaskOptionFields;
    try {
      options = taskOptions(task, values, 'flag', resolve);
    } catch (error) {
      if (error instanceof RemoteTaskRequestError) throw new UsageError(error.detail);
      throw error;
    }

    // No --host: this machine, with the toolchain found here.
    const local = values.host ? undefined : thisMachine(ctx);
    const host = local ? local.host : findHost(await readHostsFile(resolve(values.hosts ?? DEFAULT_HOSTS_FILE)), values.host!);
    const knownHostsFile = values['known-hosts'] ? resolve(values['known-hosts']) : undefined;
    const policy: HostKeyPolicy = {
      knownHostsFiles: knownHostsFile ? [knownHostsFile] : [path.join(os.homedir(), '.ssh', 'known_hosts')],
      ownStore: knownHostsFile ?? path.join(os.homedir(), '.npu-port', 'known_hosts'),
      ...(values['accept-new-host-key']
        ? {
            onUnknownKey: async (key) => {
              ctx.log.warn(ctx.t(msg('Accepting the new host key {0} {1} of {2}:{3}.', key.keyType, key.fingerprint, key.host, key.port)));
              return 'accept-save' as const;
            },
          }
        : {}),
    };

    const { bisect: _bisect, ...withoutBisect } = options;
    const request = {
      task,
      host,
      ...(model ? { model: resolve(model) } : {}),
      ...withoutBisect,
      ...(task === 'run' ? { argv: positionals, fetch: options.fetch ?? [], outDir: options.outDir ?? ctx.cwd } : {}),
      ...(task === 'bisect' ? { bisect: { projectDir: ctx.cwd, ...options.bisect } } : {}),
    };
    let opened: SshSession | undefined;
    try {
      const result = await remoteTask({
        task: request,
        workspaceTrusted: true,
        session: async (h, signal) => {
          const started = performance.now();
          if (local) {
            await local.environment(signal);
            return { session: local, connectMs: performance.now() - started };
          }
          opened = await SshSession.connect(h, {
            hostKeys: policy,
            credentials: {
              ...(process.env.NPU_PORT_SSH_PASSPHRASE ? { passphrase: process.env.NPU_PORT_SSH_PASSPHRASE } : {}),
              ...(process.env.NPU_PORT_SSH_PASSWORD ? { password: process.env.NPU_PORT_SSH_PASSWORD } : {}),
            },
            logger: ctx.log,
            ...(signal ? { signal } : {}),
          });
          return { session: opened, connectMs: performance.now() - started };
        },
        onOutput: (text) => (format === 'text' ? ctx.out(text) : ctx.log.info(text.replace(/\n$/, ''))),
        // a bisection's compiles are progress worth seeing without --verbose (as in "onnx bisect")
        onProgress: (p) => p.message && (p.notable ? ctx.log.warn : ctx.log.info)(ctx.t(p.message)),
        signal: ctx.signal,
        logger: ctx.log,
      });
      if (format === 'json') ctx.json(toJson(ctx, result));
      else ctx.out(toText(ctx, result));
      return result.exitCode;
    } finally {
      opened?.close();
    }
  },
};

/** The local transport for this machine's toolchain (the first found, Ascend before QNN), or a usage error saying what was looked for. */
function thisMachine(ctx: CliContext): LocalTransport {
  const found = detectLocalToolchains({ env: ctx.env, platform: process.platform, home: os.homedir(), isFile: isFileSync })[0];
  if (!found) {
    throw new UsageError(
      msg('No --host given and no NPU toolchain on this machine: atc or qnn-onnx-converter is not on PATH, ASCEND_TOOLKIT_HOME and QNN_SDK_ROOT are not set, and no {0} exists. Give --host NAME to run on an SSH host.', ASCEND_DEFAULT_SCRIPTS.join(', ')),
    );
  }
  ctx.log.info(`this machine: ${found.evidence}`);
  return new LocalTransport(localHostConfig(found, path.join(os.tmpdir(), `npu-port-local-${os.userInfo().username}`)), {
    ...(found.envScript ? { envScript: found.envScript } : {}),
    baseEnv: ctx.env,
    logger: ctx.log,
  });
}

function renderDiagnosticMessage(ctx: CliContext, d: RemoteTaskResult['diagnostics'][number]): string {
  return d.localized ? ctx.t(d.localized) : d.message;
}

export function toJson(ctx: CliContext, r: RemoteTaskResult): Record<string, unknown> {
  const stats = r.task === 'doctor' ? { checks: ((r.stats?.checks ?? []) as DoctorCheck[]).map((c) => ({ id: c.id, status: c.status, message: ctx.t(c.message), ...(c.fix ? { fix: ctx.t(c.fix) } : {}) })) } : (r.stats ?? {});
  return {
    version: 1,
    task: r.task,
    host: r.host,
    exitCode: r.exitCode,
    diagnostics: r.diagnostics.map((d) => ({ severity: d.severity, code: d.code, message: renderDiagnosticMessage(ctx, d), node: d.node ?? null, op: d.op ?? null })),
    artifacts: r.artifacts,
    stats,
  };
}

const SEVERITY: Record<string, Message> = { error: msg('error'), warning: msg('warning'), info: msg('info') };

const STATUS_MARK: Record<string, string> = { ok: '✓', warn: '!', fail: '✗' };

function fmt(n: number | undefined, digits = 3): string {
  return n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}

export function toText(ctx: CliContext, r: RemoteTaskResult): string {
  const lines: string[] = [''];
  const t = (m: Message) => ctx.t(m);
  for (const d of r.diagnostics) {
    const where = d.node ? ` [${d.node}${d.op ? ` (${d.op})` : ''}]` : '';
    lines.push(`${d.tool}: ${t(SEVERITY[d.severity])} ${d.code}${where}: ${renderDiagnosticMessage(ctx, d).split('\n')[0]}`);
    if (d.known) {
      lines.push(`  ${t(msg('Why: {0}', t(d.known.explanation)))}`);
      lines.push(`  ${t(msg('Fix: {0}', t(d.known.fix)))}`);
    }
  }
  if (r.task === 'doctor') {
    for (const c of (r.stats?.checks ?? []) as DoctorCheck[]) {
      lines.push(`${STATUS_MARK[c.status]} ${t(c.message)}`);
      if (c.fix) lines.push(`  ${t(msg('Fix: {0}', t(c.fix)))}`);
    }
  }
  if (r.task === 'benchmark' && r.stats) {
    const s = r.stats as { tool: string; npu: Partial<LatencyStats>; cpu?: LatencyStats };
    const rows: [Message, keyof LatencyStats][] = [
      [msg('mean (ms)'), 'mean'],
      [msg('std (ms)'), 'std'],
      [msg('min (ms)'), 'min'],
      [msg('max (ms)'), 'max'],
      [msg('p50 (ms)'), 'p50'],
      [msg('p95 (ms)'), 'p95'],
      [msg('p99 (ms)'), 'p99'],
      [msg('throughput (/s)'), 'throughput'],
    ];
    lines.push(`${''.padEnd(16)} ${t(msg('NPU ({0})', s.tool)).padStart(18)}${s.cpu ? ' ' + t(msg('CPU (onnxruntime)')).padStart(18) : ''}`);
    for (const [label, key] of rows) lines.push(`${t(label).padEnd(16)} ${fmt(s.npu[key]).padStart(18)}${s.cpu ? ' ' + fmt(s.cpu[key]).padStart(18) : ''}`);
    const ratio = s.cpu ? speedUpOf(s.npu, s.cpu, 'mean') : undefined;
    if (ratio !== undefined) lines.push(t(msg('NPU speed-up over CPU: {0}×', ratio.toFixed(2))));
    if ((r.stats as { npuFrom?: string }).npuFrom === 'tool-summary') lines.push(t(msg('{0} printed only summary figures, not the time of each run: the NPU figures marked "-" are not computed.', s.tool)));
  }
  if (r.task === 'bisect' && r.stats) {
    const s = r.stats as { compiles: number; reused: number; truncated: boolean; failingOps: string[]; passingParts: unknown[]; whitelist: string[]; profile: string };
    lines.push(t(msg('{0} compiles ({1} reused): failing ops {2}; {3} passing parts; {4} ops in the whitelist.', s.compiles, s.reused, s.failingOps.join(', ') || '-', s.passingParts.length, s.whitelist.length)));
    lines.push(t(msg('Check a model against the whitelist: npu-port onnx check MODEL --target {0}', s.profile)));
    if (s.truncated) lines.push(t(msg('Stopped at --max-compiles; run again to continue from the record.')));
  }
  for (const a of r.artifacts) lines.push(t(msg('Saved {0}', a)));
  lines.push(r.exitCode === 0 ? t(msg('{0} on {1}: done.', r.task, r.host)) : t(msg('{0} on {1}: failed (tool exit code {2}).', r.task, r.host, r.toolExitCode ?? '-')));
  return lines.join('\n') + '\n';
}
