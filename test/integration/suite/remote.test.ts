/**
 * Remote tasks inside the real VS Code, run twice: against a loopback OpenSSH host and against "This
 * machine" (the local transport), both with the same TEST STAND-IN toolkits (test/fixtures/remote) —
 * over SSH through the host's `setup`, locally through the stand-in set_env.sh found from
 * ASCEND_TOOLKIT_HOME. A convert task of type `npu-port` runs through the task provider's pseudoterminal;
 * the .om lands beside the model; a failing convert puts the ATC error on the model file, naming the
 * node; a cancelled bisection leaves no process and no partial artifact; a benchmark task from tasks.json
 * opens the Benchmark Results view; doctor checks the toolkit.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { makeStandinToolkits, processGone, setStandinScenario, standinRecorder, startLoopbackSshd, sshdAvailable, type LoopbackSshd } from '../../unit/remote/loopbackSshd';
import { tinyOnnxModel } from '../../unit/remote/tinyModel';
import { activateExtension, clearRemoteSettings, nextTaskEnd, waitFor, workspaceFolder } from '../extension';

/** Where the tasks run, and the stand-ins' records and scenarios there. */
interface Target {
  readonly hostName: string;
  readonly standinDir: string;
  setScenario(tool: string, scenario: string): void;
  takeRecords(): { tool: string; args: string[]; cwd: string }[];
  stop(): Promise<void>;
}

async function sshTarget(): Promise<Target> {
  const server: LoopbackSshd = await startLoopbackSshd();
  const config = vscode.workspace.getConfiguration('npuPort');
  await config.update('hosts', [server.ascendHost], vscode.ConfigurationTarget.Global);
  await config.update('activeHost', server.ascendHost.name, vscode.ConfigurationTarget.Global);
  await config.update('knownHostsFile', server.knownHosts, vscode.ConfigurationTarget.Global);
  return { hostName: server.ascendHost.name, standinDir: server.standinDir, setScenario: server.setScenario, takeRecords: server.takeRecords, stop: () => server.stop() };
}

/** This machine: the extension host's environment names the stand-in CANN (the tests run in that process). */
async function localTarget(): Promise<Target> {
  const dir = mkdtempSync(path.join(tmpdir(), 'npu-port-local-it-'));
  const kits = makeStandinToolkits(dir);
  const saved = process.env.ASCEND_TOOLKIT_HOME;
  process.env.ASCEND_TOOLKIT_HOME = path.join(path.dirname(kits.ascendScript), 'latest');
  await vscode.workspace.getConfiguration('npuPort').update('activeHost', 'local', vscode.ConfigurationTarget.Global);
  return {
    hostName: 'local',
    standinDir: kits.standinDir,
    setScenario: (tool, scenario) => setStandinScenario(kits.standinDir, tool, scenario),
    takeRecords: standinRecorder(kits.standinDir),
    async stop() {
      if (saved === undefined) delete process.env.ASCEND_TOOLKIT_HOME;
      else process.env.ASCEND_TOOLKIT_HOME = saved;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const RESULTS_VIEW = 'npuPort.benchmarkResults';

function resultsTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(RESULTS_VIEW));
}

for (const transport of ['ssh', 'local'] as const) {
(transport === 'local' || sshdAvailable ? describe : describe.skip)(transport === 'ssh' ? 'remote tasks against a loopback OpenSSH host' : 'remote tasks on This machine (local transport)', function () {
  this.timeout(120_000);
  let server: Target;

  before(async () => {
    await activateExtension();
    server = transport === 'ssh' ? await sshTarget() : await localTarget();
  });

  after(async () => {
    await clearRemoteSettings();
    await server?.stop();
  });

  it('runs a convert task and brings the .om back beside the model', async () => {
    assert.ok(vscode.workspace.isTrusted, 'the test workspace must be trusted');
    const model = path.join(workspaceFolder().fsPath, 'remote model.onnx');
    copyFileSync(tinyOnnxModel(), model);
    const tasks = await vscode.tasks.fetchTasks({ type: 'npu-port' });
    assert.ok(tasks.some((t) => t.definition.task === 'doctor' && t.definition.host === server.hostName), 'a doctor task per host (this machine when its toolchain is found)');
    const om = path.join(workspaceFolder().fsPath, 'remote model.om');
    rmSync(om, { force: true });
    server.takeRecords();
    await vscode.commands.executeCommand('npuPort.remoteConvert', vscode.Uri.file(model));
    await waitFor(() => (existsSync(om) ? true : undefined), 'the converted .om', 60_000);
    assert.deepEqual(readFileSync(om).subarray(0, 11).toString(), 'OM-STANDIN\n');
    const atc = server.takeRecords().find((r) => r.tool === 'atc');
    assert.ok(atc?.args.includes('--framework=5'));
    assert.ok(atc?.args.some((a) => a.endsWith('/remote model.onnx')));
    assert.deepEqual(readdirSync(workspaceFolder().fsPath).filter((f) => /\.npu-port-[0-9a-f]{8}/.test(f)), [], 'no temporary file beside the model');
  });

  it('NPU: Bisect Compile Failure compiles the parts on the host, puts the failing node in Problems and saves the whitelist profile', async () => {
    const model = path.join(workspaceFolder().fsPath, 'bisect me.onnx');
    copyFileSync(tinyOnnxModel(), model);
    // The stand-in atc has no kernel for Relu (the tiny model: Add "AddDsl" → Relu "Relu_1").
    server.setScenario('atc', 'reject-ops:Relu');
    try {
      server.takeRecords();
      const event = (await vscode.commands.executeCommand('npuPort.remoteBisect', vscode.Uri.file(model))) as {
        result?: { exitCode: number; stats: { failingOps: string[]; whitelist: string[]; profileFile: string } };
        error?: string;
      };
      assert.equal(event?.error, undefined);
      assert.equal(event.result?.exitCode, 1);
      assert.deepEqual(event.result.stats.failingOps, ['Relu']);
      assert.deepEqual(event.result.stats.whitelist, ['Add']);
      // whole model, then each half: three compiles with the host's atc
      assert.equal(server.takeRecords().filter((r) => r.tool === 'atc').length, 3);
      const profile = JSON.parse(readFileSync(event.result.stats.profileFile, 'utf8')) as { kind: string; ops: string[] };
      assert.equal(path.dirname(event.result.stats.profileFile), path.join(workspaceFolder().fsPath, '.npu-port', 'profiles'));
      assert.deepEqual([profile.kind, profile.ops], ['whitelist', ['Add']]);
      const diagnostics = await waitFor(() => {
        const found = vscode.languages.getDiagnostics(vscode.Uri.file(model)).filter((d) => d.source === 'npu-port atc');
        return found.length ? found : undefined;
      }, 'the failing node in Problems');
      assert.equal(diagnostics.length, 1);
      assert.match(diagnostics[0]!.message, /^Relu_1 \(Relu\): EZ3003: No supported Ops kernel/);
      assert.match(String((diagnostics[0]!.code as { target: vscode.Uri }).target.query), /node=Relu_1/);
    } finally {
      server.setScenario('atc', 'ok');
    }
  });

  it('stopping a bisection (what its Cancel does) kills the remote compile and reports it cancelled', async () => {
    const model = path.join(workspaceFolder().fsPath, 'bisect cancel.onnx');
    copyFileSync(tinyOnnxModel(), model);
    const pidsFile = path.join(server.standinDir, 'atc.pids');
    rmSync(pidsFile, { force: true });
    server.setScenario('atc', 'slow');
    try {
      const running = vscode.commands.executeCommand('npuPort.remoteBisect', vscode.Uri.file(model)) as Thenable<{ cancelled?: boolean } | undefined>;
      const pids = await waitFor(() => (existsSync(pidsFile) ? readFileSync(pidsFile, 'utf8').trim().split(' ').map(Number) : undefined), 'the stand-in atc to start', 60_000);
      const execution = vscode.tasks.taskExecutions.find((e) => e.task.definition.task === 'bisect' && e.task.definition.model === model);
      assert.ok(execution, 'the bisect task runs');
      execution.terminate();
      const event = await running;
      assert.equal(event?.cancelled, true);
      await waitFor(() => (pids.every(processGone) ? true : undefined), 'the remote atc and its child to be gone', 10_000);
      // the process table: nothing of the compile's process group is left
      const table = execFileSync('ps', ['-eo', 'pid,pgid,args'], { encoding: 'utf8' }).split('\n').map((l) => l.trim().split(/\s+/));
      assert.deepEqual(table.filter(([pid, pgid]) => pids.includes(Number(pid)) || Number(pgid) === pids[0]), []);
      assert.deepEqual(readdirSync(workspaceFolder().fsPath).filter((f) => f.startsWith('bisect cancel') && !f.endsWith('.onnx')), [], 'no partial artifact');
    } finally {
      server.setScenario('atc', 'ok');
    }
  });

  it('puts an ATC error on the model, on the node it names, with the known fix', async () => {
    const model = path.join(workspaceFolder().fsPath, 'failing.onnx');
    copyFileSync(tinyOnnxModel(), model);
    server.setScenario('atc', 'ez3003');
    try {
      const done = new Promise<void>((resolve) => {
        const l = vscode.tasks.onDidEndTask(() => {
          l.dispose();
          resolve();
        });
      });
      await vscode.commands.executeCommand('npuPort.remoteConvert', vscode.Uri.file(model));
      await done;
      const diagnostics = await waitFor(() => {
        const found = vscode.languages.getDiagnostics(vscode.Uri.file(model)).filter((d) => d.source?.startsWith('npu-port atc'));
        return found.length ? found : undefined;
      }, 'remote diagnostics on the model');
      assert.equal(diagnostics[0]!.severity, vscode.DiagnosticSeverity.Error);
      assert.match(diagnostics[0]!.message, /^AddDsl \(AddDsl\): No supported Ops kernel/);
      assert.equal((diagnostics[0]!.code as { value: string }).value, 'EZ3003');
      assert.match(String((diagnostics[0]!.code as { target: vscode.Uri }).target.query), /node=AddDsl/);
      assert.equal(existsSync(path.join(workspaceFolder().fsPath, 'failing.om')), false);
    } finally {
      server.setScenario('atc', 'ok');
    }
  });

  it('doctor checks the toolkit the tasks use', async () => {
    const event = (await vscode.commands.executeCommand('npuPort.remoteDoctor')) as { result?: { exitCode: number; host: string; stats: { checks: { id: string; status: string; message: { key: string } }[] } }; error?: string } | undefined;
    assert.equal(event?.error, undefined);
    assert.equal(event?.result?.host, server.hostName);
    const checks = event!.result!.stats.checks;
    for (const id of ['reachable', 'cann-env', 'tool:atc', 'npu:0']) assert.equal(checks.find((c) => c.id === id)?.status, 'ok', id);
    assert.equal(checks.find((c) => c.id === 'reachable')?.message.key, transport === 'local' ? 'Running on this machine ({0}) as {1}' : 'Connected to {0} as {1} in {2} ms');
    assert.equal(event!.result!.exitCode, 0);
  });

  it('a benchmark task from tasks.json (naming its host) saves the statistics and opens the Benchmark Results view', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const folder = workspaceFolder().fsPath;
    copyFileSync(tinyOnnxModel(), path.join(folder, `bench ${transport}.om`));
    const label = `benchmark on ${transport}`;
    mkdirSync(path.join(folder, '.vscode'), { recursive: true });
    writeFileSync(path.join(folder, '.vscode', 'tasks.json'), JSON.stringify({ version: '2.0.0', tasks: [{ label, type: 'npu-port', task: 'benchmark', host: server.hostName, model: `bench ${transport}.om`, loop: 10 }] }));
    server.setScenario('msame', 'per-run');
    try {
      const task = await waitFor(async () => (await vscode.tasks.fetchTasks({ type: 'npu-port' })).find((t) => t.name === label), 'the benchmark task from tasks.json', 30_000);
      const ended = nextTaskEnd('benchmark');
      await vscode.tasks.executeTask(task);
      assert.equal(await ended, 0);
      const saved = JSON.parse(readFileSync(path.join(folder, `bench ${transport}.benchmark.json`), 'utf8')) as { host: string; tool: string; samplesMs: { npu: number[] } };
      assert.equal(saved.host, server.hostName);
      assert.equal(saved.tool, 'msame');
      // msame's ten "Inference time" lines, the first (warm-up) left out
      assert.deepEqual(saved.samplesMs.npu, [105.487, 105.386, 105.419, 105.323, 105.42, 105.423, 105.461, 105.383, 105.504]);
      const tab = await waitFor(() => resultsTabs()[0], 'the Benchmark Results tab', 30_000);
      assert.match(tab.label, new RegExp(`bench ${transport}\\.om`));
    } finally {
      server.setScenario('msame', 'ok');
      rmSync(path.join(folder, '.vscode', 'tasks.json'), { force: true });
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });
});
}
