import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../repo';

/**
 * A tiny real ONNX model (X[N,4] + C → Relu → Y; nodes named AddDsl and Relu_1), made once with
 * Debian's python3-onnx under test/fixtures/generated/remote/.
 */
export function tinyOnnxModel(): string {
  const dir = path.join(REPO_ROOT, 'test', 'fixtures', 'generated', 'remote');
  const file = path.join(dir, 'tiny_add_relu.onnx');
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const script = [
    'import sys, onnx',
    'from onnx import helper, TensorProto',
    'c = helper.make_tensor("C", TensorProto.FLOAT, [4], [0.5, -1.0, 2.0, 0.0])',
    'add = helper.make_node("Add", ["X", "C"], ["S"], name="AddDsl")',
    'relu = helper.make_node("Relu", ["S"], ["Y"], name="Relu_1")',
    'g = helper.make_graph([add, relu], "tiny", [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 4])], [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", 4])], [c])',
    'm = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])',
    'm.ir_version = 8',
    'onnx.checker.check_model(m)',
    'onnx.save(m, sys.argv[1] + ".tmp")',
    'import os; os.replace(sys.argv[1] + ".tmp", sys.argv[1])',
  ].join('\n');
  execFileSync('/usr/bin/python3', ['-c', script, file]);
  return file;
}
