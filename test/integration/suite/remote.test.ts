/**
 * Remote tasks inside the real VS Code: a convert task of type `npu-port` runs through the task
 * provider's pseudoterminal against a loopback OpenSSH server with the atc test stand-in
 * (test/unit/remote/loopbackSshd.ts); the .om comes back beside the model; a failing convert
 * puts the ATC error on the model file, naming the node.
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { processGone, startLoopbackSshd, sshdAvailable, type LoopbackSshd } from '../../unit/remote/loopbackSshd';
import { tinyOnnxModel } from '../../unit/remote/tinyModel';
import { activateExtension, clearRemoteSettings, waitFor, workspaceFolder } from '../extension';

(sshdAvailable ? describe : describe.skip)('remote tasks against a loopback OpenSSH host', function () {
  this.timeout(120_000);
  let server: LoopbackSshd;
  const config = () => vscode.workspace.getConfiguration('npuPort');

  before(async () => {
    await activateExtension();
    server = await startLoopbackSshd();
    await config().update('hosts', [server.ascendHost], vscode.ConfigurationTarget.Global);
    await config().update('activeHost', server.ascendHost.name, vscode.ConfigurationTarget.Global);
    await config().update('knownHostsFile', server.knownHosts, vscode.ConfigurationTarget.Global);
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
    assert.ok(tasks.some((t) => t.definition.task === 'doctor' && t.definition.host === server.ascendHost.name), 'a doctor task per configured host');
    server.takeRecords();
    await vscode.commands.executeCommand('npuPort.remoteConvert', vscode.Uri.file(model));
    const om = path.join(workspaceFolder().fsPath, 'remote model.om');
    await waitFor(() => (existsSync(om) ? true : undefined), 'the converted .om', 60_000);
    assert.deepEqual(readFileSync(om).subarray(0, 11).toString(), 'OM-STANDIN\n');
    const atc = server.takeRecords().find((r) => r.tool === 'atc');
    assert.ok(atc?.args.includes('--framework=5'));
    assert.ok(atc?.args.some((a) => a.endsWith('/remote model.onnx')));
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
});
