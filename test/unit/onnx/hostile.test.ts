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
