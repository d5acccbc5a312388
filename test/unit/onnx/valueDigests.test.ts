import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { openModel } from '../../../src/core/onnx/decode';
import { toCompactGraph } from '../../../src/core/onnx/view/compactGraph';
import { valueDigests } from '../../../src/core/onnx/view/valueDigests';
import { diffGraphs, foldDiff } from '../../../src/shared/diff';
import { foldConstants } from '../../../src/shared/layout/fold';
import { generatedModel, PYTHON } from './fixtures';

const LABELS = { format: 'Format', producer: 'Producer', opsets: 'Opsets', graph: 'Graph', nodes: 'Nodes' };

test('compare: a Constant and a weight with other values (same type and shape), rewritten with Python onnx, mark the nodes they fold into', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'npu-port-digests-'));
  try {
    const base = generatedModel('edgesam_decoder_opset11.onnx');
    const next = path.join(dir, 'next.onnx');
    // Python says which Constant and which initializer it changed, and which node reads each
    const script = [
      'import json, sys, numpy as np, onnx',
      'from onnx import numpy_helper',
      'm = onnx.load(sys.argv[1])',
      'g = m.graph',
      'const = next(n for n in g.node if n.op_type == "Constant" and onnx.helper.get_attribute_value(n.attribute[0]).data_type == onnx.TensorProto.FLOAT)',
      'a = numpy_helper.to_array(const.attribute[0].t)',
      'const.attribute[0].t.CopyFrom(numpy_helper.from_array((a + 1).astype(a.dtype), const.attribute[0].t.name))',
      'init = next(t for t in g.initializer if t.data_type == onnx.TensorProto.FLOAT)',
      'w = numpy_helper.to_array(init)',
      'init.CopyFrom(numpy_helper.from_array((w * 2 + 1).astype(w.dtype), init.name))',
      'consumer = lambda name: next(n.name for n in g.node if name in n.input)',
      'onnx.save(m, sys.argv[2])',
      'print(json.dumps({"constant": const.name, "constantConsumer": consumer(const.output[0]), "initializer": init.name, "initializerConsumer": consumer(init.name)}))',
    ].join('\n');
    writeFileSync(path.join(dir, 'change.py'), script);
    const facts = JSON.parse(execFileSync(PYTHON, [path.join(dir, 'change.py'), base, next], { encoding: 'utf8' })) as { constant: string; constantConsumer: string; initializer: string; initializerConsumer: string };
    const [a, b] = await Promise.all([openModel(base), openModel(next)]);
    const [da, db] = await Promise.all([valueDigests(a), valueDigests(b)]);
    const differing = [...db].filter(([name, digest]) => da.get(name) !== digest).map(([name]) => name).sort();
    const constantOutput = b.graph.nodes.find((n) => n.name === facts.constant)!.outputs[0]!;
    assert.deepEqual(differing, [constantOutput, facts.initializer].sort(), 'exactly the two changed tensors have other digests');
    assert.equal(da.size, db.size);
    assert.ok(da.size >= a.graph.initializers.length, 'every initializer and Constant value has a digest');

    const gb = toCompactGraph(b, LABELS);
    const diff = diffGraphs(toCompactGraph(a, LABELS), gb, { base: da, compared: db });
    assert.deepEqual(diff.added, []);
    assert.deepEqual(diff.removed, []);
    const changedNames = diff.changed.map((c) => gb.nodes[c.node]!.name).sort();
    assert.deepEqual(changedNames, [facts.constant, facts.initializerConsumer].sort(), 'the Constant itself and the node reading the weight');
    // as drawn (constants folded): the Constant's consumer carries its change, the Constant is no entry
    const drawn = foldDiff(diff, gb, foldConstants(gb));
    const drawnNames = drawn.changed.map((c) => gb.nodes[c.node]!.name);
    assert.ok(drawnNames.includes(facts.constantConsumer), `${facts.constantConsumer} is marked for ${facts.constant}: ${drawnNames.join(', ')}`);
    assert.ok(!drawnNames.includes(facts.constant));
    const mark = drawn.changed.find((c) => gb.nodes[c.node]!.name === facts.constantConsumer)!.changes.find((c) => c.kind === 'constant');
    assert.equal(mark?.what, facts.constant);
    assert.deepEqual(mark?.folded?.map((c) => c.kind), ['value']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
