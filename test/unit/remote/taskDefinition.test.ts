import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { TASK_DEFINITION_BASE, TASK_OPTIONS, taskOptions, type TaskOptionValue } from '../../../src/core/remote/tasks/definition';
import { RemoteTaskRequestError } from '../../../src/core/remote/tasks/execute';
import { REPO_ROOT } from '../repo';

interface Schema { type?: string; items?: Schema; additionalProperties?: Schema; minimum?: number; enum?: string[] }
const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { contributes: { taskDefinitions: { type: string; properties: Record<string, Schema> }[] } };
const properties = manifest.contributes.taskDefinitions.find((d) => d.type === 'npu-port')!.properties;

/** The JSON schema a tasks.json property must have for each kind of value. */
const SCHEMA: Record<TaskOptionValue, (s: Schema) => boolean> = {
  string: (s) => s.type === 'string',
  path: (s) => s.type === 'string',
  positiveInt: (s) => s.type === 'integer' && s.minimum === 1,
  wholeNumber: (s) => s.type === 'integer' && s.minimum === 0,
  batchSizes: (s) => s.type === 'array' && s.items?.type === 'integer',
  strings: (s) => s.type === 'array' && s.items?.type === 'string',
  dims: (s) => s.type === 'object' && s.additionalProperties?.type === 'integer',
};

test('the manifest task definition has exactly the properties of the one task definition, with matching schemas', () => {
  assert.deepEqual(Object.keys(properties).sort(), [...TASK_DEFINITION_BASE, ...TASK_OPTIONS.map((o) => o.key)].sort());
  for (const option of TASK_OPTIONS) {
    const schema = properties[option.key]!;
    assert.ok(SCHEMA[option.value](schema), `${option.key}: ${JSON.stringify(schema)} is not a ${option.value}`);
    assert.deepEqual(schema.enum, option.choices, `${option.key}: choices`);
  }
});

test('the CLI offers every task option as its flag, and its help names each one', async () => {
  let help = '';
  const io = { env: {}, cwd: REPO_ROOT, stdout: (s: string) => (help += s), stderr: () => undefined, signal: new AbortController().signal };
  assert.equal(await main(['remote', '--help'], io), 0);
  for (const option of TASK_OPTIONS) assert.match(help, new RegExp(`--${option.flag}\\b`), `--${option.flag} in remote --help`);
});

test('tasks.json keys and CLI flags give the same request fields; options of another task are refused by name', () => {
  const resolve = (p: string) => path.join('/ws', p);
  const cases: [Parameters<typeof taskOptions>[0], Record<string, unknown>, Record<string, unknown>][] = [
    ['convert', { soc: 'Ascend310P3', dynamicBatch: [1, 2, 4], qnnTarget: 'aarch64-android', outDir: 'out' },
      { soc: 'Ascend310P3', 'dynamic-batch': '1,2,4', 'qnn-target': 'aarch64-android', 'out-dir': 'out' }],
    ['benchmark', { loop: 20, batch: 8, tool: 'ais_bench', cpuOnnx: 'm.onnx' }, { loop: '20', batch: '8', tool: 'ais_bench', 'cpu-onnx': 'm.onnx' }],
    ['bisect', { depth: 2, dims: { num_points: 5 }, seed: 0, record: 'r.json' }, { depth: '2', dim: ['num_points=5'], seed: '0', record: 'r.json' }],
    ['run', { fetch: ['a.txt', 'b.txt'] }, { fetch: ['a.txt', 'b.txt'] }],
  ];
  for (const [task, keys, flags] of cases) assert.deepEqual(taskOptions(task, keys, 'key', resolve), taskOptions(task, flags, 'flag', resolve), task);
  // batch and qnnTarget reach the request (the task provider used to drop them)
  assert.deepEqual(taskOptions('benchmark', { batch: 8 }, 'key', resolve), { batch: 8 });
  assert.deepEqual(taskOptions('bisect', { qnnTarget: 'x', depth: 3 }, 'key', resolve), { qnnTarget: 'x', bisect: { depth: 3 } });
  assert.deepEqual(taskOptions('convert', { outDir: 'out' }, 'key', resolve), { outDir: path.join('/ws', 'out') });
  const refused = (task: Parameters<typeof taskOptions>[0], given: Record<string, unknown>, how: 'key' | 'flag', pattern: RegExp) =>
    assert.throws(() => taskOptions(task, given, how, resolve), (e: unknown) => e instanceof RemoteTaskRequestError && pattern.test(e.message));
  refused('convert', { fetch: ['a'] }, 'key', /^fetch is only for run\./);
  refused('benchmark', { depth: '2' }, 'flag', /^--depth is only for bisect\./);
  refused('benchmark', { loop: 0 }, 'key', /loop must be a positive integer/);
  refused('benchmark', { tool: 'perf' }, 'key', /tool must be msame or ais_bench/);
  refused('convert', { 'dynamic-batch': '4' }, 'flag', /--dynamic-batch takes at least two different positive sizes/);
  refused('bisect', { dim: ['points'] }, 'flag', /--dim takes NAME=N; got "points"/);
});
