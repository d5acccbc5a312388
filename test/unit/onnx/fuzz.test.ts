import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkModel } from '../../../src/core/onnx/check';
import { decodeModel } from '../../../src/core/onnx/decode';
import { OnnxDecodeError } from '../../../src/core/onnx/errors';
import { summarizeModel } from '../../../src/core/onnx/summary';
import { builtinProfiles } from '../../../src/core/onnx/targets';
import { readTensor } from '../../../src/core/onnx/tensor';
import { printModelText } from '../../../src/core/onnx/text';
import { main } from '../../../src/cli/main';
import { REPO_ROOT } from '../repo';
import { generatedModel, npmModel } from './fixtures';

interface FuzzResult { stats: { cases: number; decoded: number; rejected: number; crashes: number; hangs: number; memory: number; generated: number; byMutation: Record<string, number> }; failures: unknown[] }
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fuzz = require(path.join(REPO_ROOT, 'bench/fuzz.js')) as {
  runFuzz(options: Record<string, unknown>): Promise<FuzzResult>;
  alive(pid: number): { seen(): void; poll(): { cpuMs: number; progressed: boolean; stuckMs: number } };
};

const api = {
  decodeModel, OnnxDecodeError, checkModel, summarizeModel, printModelText, readTensor,
  profiles: builtinProfiles().filter((p) => p.id === 'ascend310' || p.id === 'qnn-htp'),
};

test('fuzz (fixed 600 cases): mutated real models never crash or hang the decoder, check, summary or printer', async () => {
  const files = [generatedModel('control_flow.onnx'), generatedModel('every_attribute.onnx'), generatedModel('edgesam_decoder_opset11.onnx'), npmModel('hello_deepa')];
  const models = files.map((f) => ({ name: path.basename(f), bytes: new Uint8Array(readFileSync(f)) }));
  const { stats, failures } = await fuzz.runFuzz({ models, cases: 600, seed: 20261123, api });
  assert.deepEqual(failures, []);
  assert.equal(stats.cases, 600);
  assert.ok(stats.rejected > 100 && stats.decoded > 10, JSON.stringify(stats));
});

test('the fuzz harness reports a crash when the code under test throws something else', async () => {
  const models = [{ name: 'm', bytes: new Uint8Array(readFileSync(generatedModel('control_flow.onnx'))) }];
  const broken = { ...api, decodeModel: (bytes: Uint8Array) => (bytes.length % 2 ? (null as unknown as { x: number }).x : decodeModel(bytes)) };
  const { stats } = await fuzz.runFuzz({ models, cases: 50, seed: 3, api: broken });
  assert.ok(stats.crashes > 0);
});

test('fuzz (fixed 400 cases with generated hostile models through the CLI): no crash, hang, raw control character or memory-bound violation', async () => {
  const files = [generatedModel('control_flow.onnx'), generatedModel('every_attribute.onnx')];
  const models = files.map((f) => ({ name: path.basename(f), bytes: new Uint8Array(readFileSync(f)) }));
  const { stats, failures } = await fuzz.runFuzz({ models, cases: 400, seed: 20261206, api: { ...api, main } });
  assert.deepEqual(failures, []);
  assert.equal(stats.cases, 400);
  assert.ok(stats.generated >= 30, JSON.stringify(stats));
  for (const kind of ['hugeString', 'manyNodes', 'deepSubgraph', 'hugeDims', 'external']) assert.ok(stats.byMutation[kind]! > 0, `${kind}: ${JSON.stringify(stats.byMutation)}`);
  assert.equal(stats.memory, 0);
});

test('the fuzz harness reports a CLI that prints a raw control character', async () => {
  const models = [{ name: 'm', bytes: new Uint8Array(readFileSync(generatedModel('control_flow.onnx'))) }];
  const leaky: typeof main = async (args, io) => {
    io.stdout('model \x1b]0;title\x07\n');
    return main(args, io);
  };
  const { stats, failures } = await fuzz.runFuzz({ models, cases: 80, seed: 3, api: { ...api, main: leaky } });
  assert.ok(stats.generated > 0 && stats.crashes === stats.generated, JSON.stringify(stats));
  assert.match(JSON.stringify(failures), /raw control character/);
});

test('the fuzz driver counts a process blocked on a read as stuck, and one that computes (or waits for the CPU) as alive', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const { spawn } = await import('node:child_process');
  const blocked = spawn(process.execPath, ['-e', 'require("fs").readSync(0, Buffer.alloc(1))'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const busy = spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' });
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    await pause(1500); // both started and settled
    const b = fuzz.alive(blocked.pid!);
    const c = fuzz.alive(busy.pid!);
    b.poll();
    c.poll();
    let busyStuck = 0;
    for (let i = 0; i < 6; i++) {
      await pause(250);
      busyStuck = Math.max(busyStuck, c.poll().stuckMs);
    }
    const stuck = b.poll();
    assert.ok(stuck.stuckMs >= 1000 && !stuck.progressed, `blocked read: ${JSON.stringify(stuck)}`);
    // Running or runnable at every poll: never stuck for a whole poll interval.
    assert.ok(busyStuck < 1500, `busy loop stuck ${busyStuck} ms`);
    b.seen();
    assert.ok(b.poll().stuckMs < 1500, 'a message is a sign of life');
  } finally {
    blocked.kill('SIGKILL');
    busy.kill('SIGKILL');
  }
});
