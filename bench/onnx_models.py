#!/usr/bin/python3
"""Generates the big ONNX models of the ONNX benchmarks (Debian's torch 1.13 / onnx 1.12: run with /usr/bin/python3).

usage: /usr/bin/python3 bench/onnx_models.py OUT_DIR [deep] [heavy] [open] [valueinfo]
  open   the viewer-open benchmark's smaller models (bench/viewer-open.mjs): two-node.onnx (Relu → Neg) and
         the same chained block as transformer-22k to about 674 and 5,000 nodes (transformer-674.onnx, transformer-5k.onnx).
  deep   transformer-22k.onnx: one decoder block exported with torch, chained with the onnx library (tensors
         renamed per layer) to over 22,000 nodes; small weights.
  heavy  decoder-heavy.onnx: 12 blocks 768 wide, MLP x4, 32k vocabulary: over 500 MB of float32 weights.
  valueinfo  transformer-22k-value-info.onnx: transformer-22k.onnx with every value's type declared (value_info
         from onnx.shape_inference), for the cost of our shape inference with and without it (bench/viewer-host-open.mjs).
Idempotent: existing files are kept. Never commit the outputs (bench/models/ is git-ignored).
"""
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'onnx'))
from transformer_block import Block  # noqa: E402  (shared with the test models)

OUT = sys.argv[1]
WANT = set(sys.argv[2:]) or {'deep', 'heavy', 'open', 'valueinfo'}
os.makedirs(OUT, exist_ok=True)


def exported_block(d, heads, mlp, tokens):
    path = os.path.join(OUT, '.block-%d-%d.onnx' % (d, mlp))
    torch.manual_seed(0)
    with torch.no_grad():
        torch.onnx.export(Block(d, heads, mlp).eval(), (torch.randn(1, tokens, d),), path, opset_version=13,
                          input_names=['x'], output_names=['y'], do_constant_folding=True)
    block = onnx.load(path)
    os.remove(path)
    return block


def chain(block, layers, random_weights, vocab=None):
    """Copies of the block's graph one after the other; every value, node and initializer renamed per layer."""
    g = block.graph
    nodes, inits = [], []
    rng = np.random.default_rng(1)
    d = None
    current = 'hidden_in'
    for i in range(layers):
        prefix = 'layers.%d' % i
        rename = {'x': current}
        def name(n):
            if n == '' or n in rename:
                return rename.get(n, n)
            rename[n] = '%s/%s' % (prefix, n)
            return rename[n]
        for t in g.initializer:
            arr = numpy_helper.to_array(t)
            if random_weights and arr.dtype == np.float32 and arr.size > 1:
                arr = (rng.standard_normal(arr.shape, dtype=np.float32) * 0.02).astype(np.float32)
            inits.append(numpy_helper.from_array(arr, name(t.name)))
        for n in g.node:
            copy = onnx.NodeProto()
            copy.CopyFrom(n)
            copy.name = '/%s%s' % (prefix, n.name)
            copy.input[:] = [name(x) for x in n.input]
            copy.output[:] = [name(x) for x in n.output]
            nodes.append(copy)
        current = rename['y']
    x_type = g.input[0].type.tensor_type
    tokens, d = x_type.shape.dim[1].dim_value, x_type.shape.dim[2].dim_value
    inputs, outputs = [], []
    if vocab:
        emb = numpy_helper.from_array((rng.standard_normal((vocab, d), dtype=np.float32) * 0.02).astype(np.float32), 'embed.weight')
        head = numpy_helper.from_array((rng.standard_normal((d, vocab), dtype=np.float32) * 0.02).astype(np.float32), 'lm_head.weight')
        inits += [emb, head]
        nodes.insert(0, helper.make_node('Gather', ['embed.weight', 'input_ids'], ['hidden_in'], name='/embed/Gather'))
        nodes.append(helper.make_node('MatMul', [current, 'lm_head.weight'], ['logits'], name='/lm_head/MatMul'))
        inputs.append(helper.make_tensor_value_info('input_ids', TensorProto.INT64, [1, tokens]))
        outputs.append(helper.make_tensor_value_info('logits', TensorProto.FLOAT, [1, tokens, vocab]))
    else:
        inputs.append(helper.make_tensor_value_info('hidden_in', TensorProto.FLOAT, [1, tokens, d]))
        outputs.append(helper.make_tensor_value_info(current, TensorProto.FLOAT, [1, tokens, d]))
    graph = helper.make_graph(nodes, 'decoder', inputs, outputs, inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='npu-port-bench')


def save(model, name):
    path = os.path.join(OUT, name)
    tmp = path + '.tmp'
    onnx.save_model(model, tmp)
    os.replace(tmp, path)
    print('%s: %d nodes, %.1f MB' % (name, len(model.graph.node), os.path.getsize(path) / 2 ** 20))


if 'deep' in WANT and not os.path.exists(os.path.join(OUT, 'transformer-22k.onnx')):
    block = exported_block(64, 4, 2, 16)
    per_layer = len(block.graph.node)
    layers = -(-22000 // per_layer)
    save(chain(block, layers, random_weights=False), 'transformer-22k.onnx')

if 'heavy' in WANT and not os.path.exists(os.path.join(OUT, 'decoder-heavy.onnx')):
    block = exported_block(768, 12, 4, 32)
    save(chain(block, 12, random_weights=True, vocab=32000), 'decoder-heavy.onnx')

if 'open' in WANT and not os.path.exists(os.path.join(OUT, 'transformer-5k.onnx')):
    x = helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 16])
    y = helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, 16])
    two = helper.make_graph([helper.make_node('Relu', ['x'], ['h'], name='/relu/Relu'), helper.make_node('Neg', ['h'], ['y'], name='/neg/Neg')], 'two', [x], [y])
    save(helper.make_model(two, opset_imports=[helper.make_opsetid('', 13)], producer_name='npu-port-bench'), 'two-node.onnx')
    block = exported_block(64, 4, 2, 16)
    per_layer = len(block.graph.node)
    save(chain(block, -(-674 // per_layer), random_weights=False), 'transformer-674.onnx')
    save(chain(block, -(-5000 // per_layer), random_weights=False), 'transformer-5k.onnx')

if 'valueinfo' in WANT and not os.path.exists(os.path.join(OUT, 'transformer-22k-value-info.onnx')):
    if not os.path.exists(os.path.join(OUT, 'transformer-22k.onnx')):
        sys.exit('valueinfo needs transformer-22k.onnx: run with deep first')
    inferred = onnx.shape_inference.infer_shapes(onnx.load(os.path.join(OUT, 'transformer-22k.onnx')))
    print('value_info entries: %d' % len(inferred.graph.value_info))
    save(inferred, 'transformer-22k-value-info.onnx')
