import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { openModel } from '../../../src/core/onnx/decode';
import { benchmarkModel } from '../../../src/core/benchmark/cpu';
import { compareValues } from '../../../src/core/onnx/run/compare';
import { RunError } from '../../../src/core/onnx/run/errors';
import { feedInputs, randomInputs } from '../../../src/core/onnx/run/inputs';
import { decodeNpy, encodeNpy } from '../../../src/core/onnx/run/npy';
import { PYTHON, edgesamDecoder, scratch } from './fixtures';

test('.npy files: numpy reads what we write and we read what numpy writes', () => {
  const file = scratch('ours.npy');
  writeFileSync(file, encodeNpy({ elemType: 'float', dims: [2, 3], data: Float32Array.of(1, -2.5, 3, 4, 5, 6) }));
  const seen = execFileSync(PYTHON, ['-c', `import numpy as np; a = np.load(${JSON.stringify(file)}); print(a.dtype, a.shape, a.tolist())`], { encoding: 'utf8' }).trim();
  assert.equal(seen, 'float32 (2, 3) [[1.0, -2.5, 3.0], [4.0, 5.0, 6.0]]');
  const cases: [string, string, unknown[], number[]][] = [
    ['np.array([[1, -2], [3, 2**40]], dtype=np.int64)', 'int64', [1n, -2n, 3n, 2n ** 40n], [2, 2]],
    ['np.array([True, False, True])', 'bool', [1, 0, 1], [3]],
    ['np.array([1.5, -2], dtype=np.float16)', 'float16', [0x3e00, 0xc000], [2]],
    ['np.float64(7.25)', 'double', [7.25], []],
  ];
  for (const [expr, type, values, dims] of cases) {
    const npy = scratch(`numpy_${type}.npy`);
    execFileSync(PYTHON, ['-c', `import numpy as np; np.save(${JSON.stringify(npy)}, ${expr})`]);
    const value = decodeNpy(readFileSync(npy), npy);
    assert.equal(value.elemType, type);
    assert.deepEqual(value.dims, dims);
    assert.deepEqual(Array.from(value.data as ArrayLike<unknown>), values);
  }
  const fortran = scratch('fortran.npy');
  execFileSync(PYTHON, ['-c', `import numpy as np; np.save(${JSON.stringify(fortran)}, np.asfortranarray(np.ones((2, 3), dtype=np.float32)))`]);
  assert.throws(() => decodeNpy(readFileSync(fortran), fortran), RunError);
  assert.throws(() => decodeNpy(new Uint8Array([1, 2, 3]), 'x.npy'), RunError);
});

test('seeded random inputs: same seed, same values; another seed, other values; shapes from dims', async () => {
  const model = await openModel(edgesamDecoder());
  const inputs = feedInputs(model.graph);
  const a = randomInputs(inputs, { seed: 3, dims: { num_points: 7 } });
  const b = randomInputs(inputs, { seed: 3, dims: { num_points: 7 } });
  const c = randomInputs(inputs, { seed: 4, dims: { num_points: 7 } });
  assert.deepEqual(a['point_coords']!.dims, [1, 7, 2]);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a['image_embeddings']!.data, c['image_embeddings']!.data);
  const labels = [...(a['point_labels']!.data as BigInt64Array)];
  assert.ok(labels.every((v) => v >= 0n && v < 4n));
  const floats = a['image_embeddings']!.data as Float32Array;
  const mean = floats.reduce((s, v) => s + v, 0) / floats.length;
  assert.ok(Math.abs(mean) < 0.15, `standard normal mean ${mean}`);
});

test('comparison: max abs error, cosine similarity and mask IoU on known values', () => {
  const f = (...v: number[]) => ({ elemType: 'float' as const, dims: [v.length], data: Float32Array.from(v) });
  const same = compareValues('x', f(1, 2, 3), f(1, 2, 3));
  assert.equal(same.maxAbsError, 0);
  assert.equal(same.cosine, 1);
  assert.equal(same.pass, true);
  const orthogonal = compareValues('x', f(1, 0), f(0, 1));
  assert.equal(orthogonal.cosine, 0);
  assert.equal(orthogonal.maxAbsError, 1);
  assert.equal(orthogonal.pass, false);
  // Masks threshold at 0: {0, 1} vs {1, 2} foreground → IoU 1/3.
  const mask = compareValues('masks', f(1, 1, -1, -1), f(-1, 1, 1, -1));
  assert.ok(Math.abs(mask.iou! - 1 / 3) < 1e-12);
  const shape = compareValues('y', f(1, 2), { elemType: 'float', dims: [1, 2], data: Float32Array.of(1, 2) });
  assert.equal(shape.pass, false);
  const ints = compareValues('i', { elemType: 'int64', dims: [2], data: BigInt64Array.of(5n, -3n) }, { elemType: 'int64', dims: [2], data: BigInt64Array.of(5n, -1n) });
  assert.equal(ints.maxAbsError, 2);
});

test('benchmark: N timed runs after warm-up, statistics consistent with the samples', async () => {
  const model = await openModel(edgesamDecoder());
  const feeds = randomInputs(feedInputs(model.graph), { seed: 1, dims: { num_points: 5 } });
  const result = await benchmarkModel(edgesamDecoder(), feeds, { iterations: 6, warmup: 1 });
  assert.equal(result.samplesMs.length, 6);
  const stats = result.stats!;
  assert.equal(stats.count, 6);
  assert.equal(stats.min, Math.min(...result.samplesMs));
  assert.equal(stats.max, Math.max(...result.samplesMs));
  assert.ok(stats.min <= stats.p50 && stats.p50 <= stats.p95 && stats.p95 <= stats.p99 && stats.p99 <= stats.max);
  assert.ok(Math.abs(stats.throughput - 1000 / stats.mean) < 1e-9);
  assert.deepEqual(result.outputs['masks']!.dims, [1, 4, 32, 32]);
});
