/**
 * Benchmark results inside the real VS Code: an `npu-port` benchmark task on a loopback QNN host
 * (qnn-net-run stand-in) with the local CPU run beside it saves its JSON and opens the Benchmark
 * Results view without taking the focus; NPU: Show Benchmark Results opens that file again.
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startLoopbackSshd, sshdAvailable, type LoopbackSshd } from '../../unit/remote/loopbackSshd';
import { tinyOnnxModel } from '../../unit/remote/tinyModel';
import { activateExtension, clearRemoteSettings, nextTaskEnd, waitFor, workspaceFolder } from '../extension';

const RESULTS_VIEW = 'npuPort.benchmarkResults';

function resultsTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(RESULTS_VIEW));
}

(sshdAvailable ? describe : describe.skip)('benchmark results after a remote benchmark task', function () {
  this.timeout(120_000);
  let server: LoopbackSshd;
  const config = () => vscode.workspace.getConfiguration('npuPort');

  before(async () => {
    await activateExtension();
    server = await startLoopbackSshd();
    await config().update('hosts', [server.qnnHost], vscode.ConfigurationTarget.Global);
    await config().update('knownHostsFile', server.knownHosts, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await clearRemoteSettings();
    await server?.stop();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a QNN benchmark task saves NPU and CPU samples and opens the Benchmark Results view beside the editor', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const folder = workspaceFolder().fsPath;
    const context = path.join(folder, 'results bench.bin');
    const onnx = path.join(folder, 'results bench.onnx');
    copyFileSync(tinyOnnxModel(), context);
    copyFileSync(tinyOnnxModel(), onnx);
    // as a user would: a tasks.json entry, run through the task provider (resolveTask)
    const label = 'results: benchmark on QNN';
    mkdirSync(path.join(folder, '.vscode'), { recursive: true });
    writeFileSync(path.join(folder, '.vscode', 'tasks.json'), JSON.stringify({
      version: '2.0.0',
      tasks: [{ label, type: 'npu-port', task: 'benchmark', host: server.qnnHost.name, model: 'results bench.bin', cpuOnnx: 'results bench.onnx', inputList: 'inputs.txt', loop: 5 }],
    }));
    const task = await waitFor(async () => (await vscode.tasks.fetchTasks({ type: 'npu-port' })).find((t) => t.name === label), 'the benchmark task from tasks.json', 30_000);
    const ended = nextTaskEnd('benchmark');
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(folder, 'train.py')));
    await vscode.tasks.executeTask(task);
    assert.equal(await ended, 0);
    const saved = path.join(folder, 'results bench.benchmark.json');
    assert.ok(existsSync(saved));
    const json = JSON.parse(readFileSync(saved, 'utf8')) as { samplesMs: { npu: number[]; cpu: number[] }; cpuModel: string };
    assert.deepEqual(json.samplesMs.npu, [2714.698, 2714, 2716]);
    assert.equal(json.samplesMs.cpu.length, 5);
    assert.equal(json.cpuModel, 'results bench.onnx');
    // the view opens by itself (npuPort.benchmark.openResults defaults to true)
    const tab = await waitFor(() => resultsTabs()[0], 'the Benchmark Results tab', 30_000);
    assert.match(tab.label, /results bench\.bin/, 'the tab names the model');
    // beside the editor, which keeps the focus
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, path.join(folder, 'train.py'));
    assert.notEqual(tab.group, vscode.window.tabGroups.activeTabGroup);

    // closed, then opened again from the saved file (the Explorer context menu's command)
    await vscode.window.tabGroups.close(tab);
    assert.equal(resultsTabs().length, 0);
    await vscode.commands.executeCommand('npuPort.showBenchmarkResults', vscode.Uri.file(saved));
    await waitFor(() => resultsTabs()[0], 'the Benchmark Results tab from the file');
    assert.equal(resultsTabs().length, 1, 'one results view, reused');
    await vscode.commands.executeCommand('npuPort.showBenchmarkResults', vscode.Uri.file(saved));
    assert.equal(resultsTabs().length, 1, 'one results view, reused');
  });
});
