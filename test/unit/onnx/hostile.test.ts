import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdtempSync, mkdirSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeModel, openModel } from '../../../src/core/onnx/decode';
import { OnnxDecodeError } from '../../../src/core/onnx/errors';
import { readTensor } from '../../../src/core/onnx/tensor';
import { onnxRoot, onnxSchema } from '../../../src/core/onnx/schema';
import { generatedModel } from './fixtures';
import { execFileSync } from 'node:child_process';
import { formatMessage } from '../../../src/core/l10n';
import { boundString, escapeControls, MAX_REPORT_STRING, OneLine, StreamedList, stringifyBounded, writeBounded } from '../../../src/core/output';
import { summarizeModel } from '../../../src/core/onnx/summary';
import { feedInputs, randomInputs } from '../../../src/core/onnx/run/inputs';
import { RunError } from '../../../src/core/onnx/run/errors';
import { REPO_ROOT } from '../repo';

const ModelProto = () => onnxRoot().lookupType('onnx.ModelProto');
const encode = (object: Record<string, unknown>) => ModelProto().encode(ModelProto().fromObject(object)).finish();

function rejects(bytes: Uint8Array, pattern: RegExp): OnnxDecodeError {
  try {
    decodeModel(bytes);
  } catch (error) {
    assert.ok(error instanceof OnnxDecodeError, `expected OnnxDecodeError, got ${String(error)}`);
    assert.match(error.message, pattern);
    assert.ok(typeof error.offset === 'number' && error.offset >= 0 && error.offset <= bytes.length, `offset ${error.offset}`);
    return error;
  }
  assert.fail('decoded a hostile input');
}

test('every truncation of a real model decodes or fails with OnnxDecodeError and an offset', () => {
  const bytes = readFileSync(generatedModel('control_flow.onnx'));
  let rejected = 0;
  for (let n = 0; n < bytes.length; n++) {
    try {
      decodeModel(bytes.subarray(0, n));
    } catch (error) {
      assert.ok(error instanceof OnnxDecodeError, `length ${n}: ${String(error)}`);
      assert.ok(error.offset! <= n);
      rejected++;
    }
  }
  assert.ok(rejected > bytes.length * 0.9, `${rejected} of ${bytes.length} truncations rejected`);
});

test('truncated files fail the same way when read in pages from disk', async () => {
  const bytes = readFileSync(generatedModel('every_attribute.onnx'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'npu-port-trunc-'));
  try {
    for (let n = 1; n < bytes.length; n += 37) {
      const file = path.join(dir, `t${n}.onnx`);
      writeFileSync(file, bytes.subarray(0, n));
      let inMemory: unknown;
      try {
        decodeModel(bytes.subarray(0, n));
      } catch (error) {
        inMemory = error;
      }
      try {
        await openModel(file, { wholeFileLimit: 0 });
        assert.equal(inMemory, undefined, `length ${n}: decodes from disk but not from memory`);
      } catch (error) {
        assert.ok(error instanceof OnnxDecodeError, `length ${n}: ${String(error)}`);
        assert.ok(inMemory instanceof OnnxDecodeError && inMemory.offset === error.offset, `length ${n}: offsets differ`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('corrupt varints, lengths past the end, wrong wire types and empty files are refused at their byte', () => {
  rejects(new Uint8Array([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), /more than 10 bytes/);
  const huge = rejects(new Uint8Array([0x08, 0x08, 0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0a]), /length field at byte 3/);
  assert.equal(huge.offset, 3);
  rejects(new Uint8Array([0x0a, 0x01, 0x00]), /ModelProto\.ir_version .* wire type 2/);
  rejects(new Uint8Array([0x08]), /truncated/);
  rejects(new Uint8Array([]), /empty/);
  rejects(new Uint8Array([0x0b, 0x0c]), /wire type 3/);
  rejects(encode({ ir_version: 8 }), /no graph/);
  // A tensor whose raw_data length runs past the file, inside a graph.
  const good = encode({ ir_version: 8, graph: { name: 'g', initializer: [{ name: 't', data_type: 1, dims: [2], raw_data: new Uint8Array(8) }] } });
  rejects(good.subarray(0, good.length - 3), /(past the end|truncated|length field)/);
});

/** Protobuf bytes built by hand from the schema's field numbers (protobufjs refuses to nest this deep). */
function varint(value: number): number[] {
  const out: number[] = [];
  let n = value;
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

function field(id: number, payload: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from([...varint((id << 3) | 2), ...varint(payload.length)]), payload]);
}

function intField(id: number, value: number): Uint8Array {
  return Buffer.from([...varint(id << 3), ...varint(value)]);
}

function nestedModel(depth: number): Uint8Array {
  const s = onnxSchema();
  const Graph = onnxRoot().lookupType('onnx.GraphProto');
  let graph: Uint8Array = Graph.encode(Graph.fromObject({ name: 'leaf', node: [{ op_type: 'Relu', input: ['x'], output: ['y'] }] })).finish();
  for (let i = 0; i < depth; i++) {
    const attribute = Buffer.concat([field(s.attribute.id.name, Buffer.from('then_branch')), intField(s.attribute.id.type, 5), field(s.attribute.id.g, graph)]);
    const node = Buffer.concat([field(s.node.id.op_type, Buffer.from('If')), field(s.node.id.attribute, attribute)]);
    graph = field(s.graph.id.node, node);
  }
  return Buffer.concat([intField(s.model.id.ir_version, 8), field(s.model.id.graph, graph)]);
}

test('recursion bombs: nested graphs and nested types stop at the depth limit', () => {
  assert.doesNotThrow(() => decodeModel(nestedModel(20)));
  rejects(nestedModel(5000), /nested deeper than 32 levels/);
  assert.doesNotThrow(() => decodeModel(nestedModel(40), { maxGraphDepth: 64 }));
  const s = onnxSchema();
  let type: Uint8Array = field(s.type.id.tensor_type, intField(s.typeTensor.id.elem_type, 1));
  for (let i = 0; i < 5000; i++) type = field(s.type.id.sequence_type, field(s.typeSequence.id.elem_type, type));
  const valueInfo = Buffer.concat([field(s.valueInfo.id.name, Buffer.from('x')), field(s.valueInfo.id.type, type)]);
  const model = Buffer.concat([intField(s.model.id.ir_version, 8), field(s.model.id.graph, field(s.graph.id.input, valueInfo))]);
  rejects(model, /Types are nested deeper/);
});

test('no allocation follows a hostile size: huge dims decode lazily, reads are bounded by the stored bytes', async () => {
  const bytes = encode({ ir_version: 8, graph: { name: 'g', initializer: [{ name: 'w', data_type: 1, dims: [1 << 30, 1 << 30], raw_data: new Uint8Array(16) }] } });
  const model = decodeModel(bytes);
  const w = model.graph.initializers[0]!;
  assert.equal(w.elementCount, 2 ** 60);
  const preview = await readTensor(model, w, { limit: 4, modelBytes: bytes });
  assert.equal(preview.values.length, 4);
  await assert.rejects(readTensor(model, w, { modelBytes: bytes }), (e: unknown) => e instanceof OnnxDecodeError);
});

test('external data outside the model folder is refused: "..", absolute paths, symlinks out', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'npu-port-ext-'));
  const modelDir = path.join(root, 'model');
  mkdirSync(modelDir);
  writeFileSync(path.join(root, 'secret.bin'), Buffer.alloc(64, 7));
  writeFileSync(path.join(modelDir, 'weights.bin'), Buffer.alloc(64, 1));
  symlinkSync(path.join(root, 'secret.bin'), path.join(modelDir, 'link.bin'));
  const tensor = (name: string, location: string) => ({ name, data_type: 1, dims: [4], data_location: 1, external_data: [{ key: 'location', value: location }, { key: 'length', value: '16' }] });
  const file = path.join(modelDir, 'm.onnx');
  writeFileSync(file, encode({
    ir_version: 8,
    graph: { name: 'g', initializer: [tensor('ok', 'weights.bin'), tensor('up', '../secret.bin'), tensor('abs', path.join(root, 'secret.bin')), tensor('link', 'link.bin'), tensor('win', 'C:\\secret.bin'), tensor('gone', 'missing.bin')] },
  }));
  const model = await openModel(file);
  const byName = (n: string) => model.graph.initializers.find((t) => t.name === n)!;
  assert.deepEqual(Array.from((await readTensor(model, byName('ok'))).values as Float32Array).length, 4);
  for (const [name, pattern] of [['up', /leaves the model folder/], ['abs', /absolute path/], ['link', /link to a file outside/], ['win', /absolute path/], ['gone', /does not exist/]] as const) {
    await assert.rejects(readTensor(model, byName(name)), (e: unknown) => e instanceof OnnxDecodeError && pattern.test(e.message), name);
  }
});

test('external data beyond 2 GiB: offsets past the 32-bit range read correctly (sparse 3 GiB file)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'npu-port-big-'));
  try {
    const weights = path.join(dir, 'big.bin');
    const offset = 2.5 * 2 ** 30;
    const fd = openSync(weights, 'w');
    try {
      ftruncateSync(fd, 3 * 2 ** 30);
      writeSync(fd, Buffer.from(new Float32Array([1.5, -2, 3.25, 4]).buffer), 0, 16, offset);
    } finally {
      closeSync(fd);
    }
    const file = path.join(dir, 'm.onnx');
    writeFileSync(file, encode({
      ir_version: 8,
      graph: { name: 'g', initializer: [{ name: 'far', data_type: 1, dims: [4], data_location: 1, external_data: [{ key: 'location', value: 'big.bin' }, { key: 'offset', value: String(offset) }, { key: 'length', value: '16' }] }] },
    }));
    const model = await openModel(file);
    const far = model.graph.initializers[0]!;
    assert.equal(far.data.kind === 'external' ? far.data.offset : -1, offset);
    assert.deepEqual(Array.from((await readTensor(model, far)).values as Float32Array), [1.5, -2, 3.25, 4]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ------------------------------------------------------------------ output layer, external data kinds, input budget

// eslint-disable-next-line @typescript-eslint/no-require-imports
const hostileModels = require(path.join(REPO_ROOT, 'bench/lib/hostile-models.js')) as {
  reluModel(patch: Record<string, unknown>): Uint8Array;
  hugeDimsModel(dims: (number | string)[]): Uint8Array;
  externalModel(kind: string): { bytes: Uint8Array; files: unknown[] };
  writeExternalFiles(dir: string, files: unknown[]): void;
};

test('escapeControls shows C0, DEL, C1 and bidi controls escaped and keeps text, tabs, newlines and CRLF', () => {
  assert.equal(escapeControls('a\x1b]0;t\x07b\x00c\x7f\x9b\u202e\u2066\u2028'), 'a\\x1b]0;t\\x07b\\x00c\\u007f\\u009b\\u202e\\u2066\\u2028');
  assert.equal(escapeControls('tab\there\r\nline 2\n中文 ✓ é'), 'tab\there\r\nline 2\n中文 ✓ é');
  assert.equal(escapeControls('progress\rdone'), 'progress\\x0ddone');
  // The \u form is a JSON escape of the same character: JSON through the writer parses to the same value.
  const value = { s: 'x\u202ey\x9bz\x7f\x1b' };
  assert.deepEqual(JSON.parse(escapeControls(JSON.stringify(value))), value);
});

test('boundString and stringifyBounded cut long strings with their full length, never inside a surrogate pair', () => {
  assert.equal(boundString('abc', 5), 'abc');
  assert.equal(boundString('abcdefgh', 5), 'abcde…(8 chars)');
  assert.equal(boundString('abcd😀xyz', 5), 'abcd…(9 chars)');
  const json = stringifyBounded({ op: 'x'.repeat(30_000_000), list: ['ok'] });
  assert.ok(json.length < 5000, String(json.length));
  assert.equal(JSON.parse(json).op, `${'x'.repeat(MAX_REPORT_STRING)}…(30000000 chars)`);
  assert.deepEqual(JSON.parse(json).list, ['ok']);
});

test('writeBounded writes in pieces exactly the text of stringifyBounded (JSON.stringify semantics), and a StreamedList as its array', () => {
  const values: unknown[] = [
    { op: 'x'.repeat(30_000), list: ['ok', 1, null, true, undefined, () => 1, Symbol('s')], nested: { a: [], b: {}, c: [[[]]], d: { e: [{ f: 'g' }] } } },
    [1, 'two', [3, [4, { five: 5 }]], { skip: undefined, fn: () => 0 }, NaN, Infinity, -0, new Date(0), { toJSON: (k: string) => `key ${k}` }],
    'a string with \u0000 \x1b and "quotes" \u2028', 42, null, true, [], {}, { '': { '': [''] } }, { k: new Number(3), s: new String('s'), b: new Boolean(false) },
  ];
  const replacer = (key: string, v: unknown) => (key === 'five' ? 'FIVE' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);
  for (const value of values) {
    for (const r of [undefined, replacer]) {
      for (const chunk of [1, 7, 64 * 1024]) {
        const pieces: string[] = [];
        writeBounded(value, (t) => pieces.push(t), r, chunk);
        assert.equal(pieces.join(''), stringifyBounded(value, r), `${JSON.stringify(value)?.slice(0, 80)} chunk ${chunk}`);
        const compact: string[] = [];
        writeBounded(value, (t) => compact.push(t), r, chunk, true);
        assert.equal(compact.join(''), JSON.stringify(JSON.parse(stringifyBounded(value, r))), `compact: ${JSON.stringify(value)?.slice(0, 80)}`);
        if (chunk === 1 && typeof value === 'object' && value !== null && Object.keys(value).length > 1) assert.ok(pieces.length > 2, 'written in pieces');
      }
    }
  }
  const made: number[] = [];
  const lazy = new StreamedList(function* () {
    for (let i = 0; i < 3; i++) {
      made.push(i);
      yield { i, s: 'y'.repeat(5000) };
    }
  });
  const pieces: string[] = [];
  writeBounded({ results: lazy, after: 1 }, (t) => pieces.push(t));
  assert.equal(pieces.join(''), stringifyBounded({ results: [0, 1, 2].map((i) => ({ i, s: 'y'.repeat(5000) })), after: 1 }));
  assert.equal(JSON.stringify({ r: lazy }), JSON.stringify({ r: [0, 1, 2].map((i) => ({ i, s: 'y'.repeat(5000) })) }));
  assert.deepEqual(made, [0, 1, 2, 0, 1, 2]);
  assert.equal(pieces.join(''), stringifyBounded({ results: new StreamedList(() => [0, 1, 2].map((i) => ({ i, s: 'y'.repeat(5000) }))), after: 1 }));
  // OneLine: its value on one line inside the indented document, the rest as before; the same value for a parser.
  const entries = { list: [new OneLine({ a: 1, b: [2, { c: 'x'.repeat(5000) }], d: {} }), new OneLine([]), new OneLine('s')], after: { e: 1 } };
  const oneLine: string[] = [];
  writeBounded(entries, (t) => oneLine.push(t), undefined, 7);
  assert.equal(oneLine.join(''), `{\n  "list": [\n    {"a":1,"b":[2,{"c":"${'x'.repeat(4096)}…(5000 chars)"}],"d":{}},\n    [],\n    "s"\n  ],\n  "after": {\n    "e": 1\n  }\n}`);
  assert.deepEqual(JSON.parse(oneLine.join('')), JSON.parse(stringifyBounded(entries)));
  assert.throws(() => writeBounded({ n: 1n }, () => undefined), TypeError);
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  assert.throws(() => writeBounded(circular, () => undefined), /circular/);
});

test('external data that is a folder, a named pipe, beyond the end of its file or without a length', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'npu-port-extkind-'));
  const open = async (kind: string) => {
    const dir = path.join(root, kind);
    mkdirSync(dir);
    const made = hostileModels.externalModel(kind);
    writeFileSync(path.join(dir, 'm.onnx'), made.bytes);
    hostileModels.writeExternalFiles(dir, made.files);
    const model = await openModel(path.join(dir, 'm.onnx'));
    return { model, w: model.graph.initializers[0]! };
  };
  try {
    for (const kind of ['folder', 'fifo']) {
      const { model, w } = await open(kind);
      assert.match(w.data.kind === 'external' ? formatMessage(w.data.problem!) : '', /is not a regular file/);
      // Refused without opening: a read of the pipe would block forever.
      await assert.rejects(readTensor(model, w), (e: unknown) => e instanceof OnnxDecodeError && /not a regular file/.test(e.message), kind);
    }
    const far = await open('far');
    await assert.rejects(readTensor(far.model, far.w), /lies beyond the end of "w\.bin": it starts at byte 1125899906842624, but the file holds only 64 bytes/);
    const long = await open('long');
    await assert.rejects(readTensor(long.model, long.w), /runs past the end of "w\.bin": it needs bytes 0 to 1125899906842624, but the file holds only 64 bytes/);
    const short = await open('short');
    await assert.rejects(readTensor(short.model, short.w), /needs bytes 0 to 16, but the file holds only 7 bytes/);
    const noLength = await open('nolength');
    assert.equal(noLength.w.byteLength, 16);
    assert.deepEqual(summarizeModel(noLength.model).externalData.map((e) => [e.location, e.bytes, e.problem]), [['w.bin', 16, undefined]]);
    assert.equal((await readTensor(noLength.model, noLength.w)).values.length, 4);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a pipe swapped in after decoding is refused on the open handle, without blocking', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'npu-port-swap-'));
  try {
    const made = hostileModels.externalModel('nolength');
    writeFileSync(path.join(dir, 'm.onnx'), made.bytes);
    hostileModels.writeExternalFiles(dir, made.files);
    const model = await openModel(path.join(dir, 'm.onnx'));
    rmSync(path.join(dir, 'w.bin'));
    execFileSync('mkfifo', [path.join(dir, 'w.bin')]);
    await assert.rejects(readTensor(model, model.graph.initializers[0]!), /not a regular file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('generated inputs stay within the memory budget: refused by name, declared shape and budget before any allocation', () => {
  const input = (bytes: Uint8Array) => feedInputs(decodeModel(bytes).graph);
  const huge = input(hostileModels.hugeDimsModel([2 ** 40]));
  assert.throws(() => randomInputs(huge), (e: unknown) => e instanceof RunError
    && /Input "x" with shape \[1099511627776\] needs 4194304 MiB of generated values, over the budget of 256 MiB/.test(e.message));
  const symbolic = input(hostileModels.hugeDimsModel(['batch', 1024]));
  assert.equal((randomInputs(symbolic).x!.data as Float32Array).length, 1024);
  assert.throws(() => randomInputs(symbolic, { dims: { batch: 2 ** 20 } }), /shape \[batch=1048576, 1024\] needs 4096 MiB/);
  assert.throws(() => randomInputs(symbolic, { dims: { batch: 64 }, maxBytes: 2 ** 16 }), /over the budget of 0\.063 MiB/);
  assert.equal((randomInputs(symbolic, { dims: { batch: 16 }, maxBytes: 2 ** 16 }).x!.data as Float32Array).length, 16 * 1024);
});

test('a typed field that does not hold the element type is refused (fuzz: int64_data in a float tensor)', async () => {
  const bytes = encode({ ir_version: 8, graph: { name: 'g', initializer: [{ name: 't', data_type: 1, dims: [2], int64_data: [1, 2] }] } });
  const model = decodeModel(bytes);
  await assert.rejects(readTensor(model, model.graph.initializers[0]!, { modelBytes: bytes }), (e: unknown) => e instanceof OnnxDecodeError && /element type float stores its values in int64_data/.test(e.message));
});
