import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { openModel } from '../../../src/core/onnx/decode';
import { float32Text, printModelText } from '../../../src/core/onnx/text';
import { REPO_ROOT } from '../repo';
import { generatedModel, PYTHON } from './fixtures';

function roundTrip(file: string, text: string): { ok: boolean; differences: string[] } {
  const out = execFileSync(PYTHON, [path.join(REPO_ROOT, 'test/fixtures/onnx/text_roundtrip.py'), file], { input: text, encoding: 'utf8' });
  return JSON.parse(out) as { ok: boolean; differences: string[] };
}

test('printed text parses back with onnx.parser into the same model (ops, attributes, types, initializer values, subgraphs)', async () => {
  for (const name of ['control_flow.onnx', 'atc_limits.onnx', 'transformer_ids.onnx', 'edgesam_decoder_ids.onnx']) {
    const file = generatedModel(name);
    // ONNX 1.12's parser predates node names in brackets and quoted names: print without them.
    const text = await printModelText(await openModel(file), { maxValues: Infinity, nodeNames: false });
    const result = roundTrip(file, text);
    assert.deepEqual(result.differences, [], name);
    assert.equal(result.ok, true);
  }
});

test('the round trip catches a wrong printer (the comparison can fail)', async () => {
  const file = generatedModel('atc_limits.onnx');
  const text = (await printModelText(await openModel(file), { nodeNames: false })).replace('size: int = 4', 'size: int = 5');
  assert.equal(roundTrip(file, text).ok, false);
});

test('every kind of value prints in the syntax of onnx.printer', async () => {
  const text = await printModelText(await openModel(generatedModel('every_attribute.onnx')));
  for (const expected of [
    'opset_import: ["" : 13, "com.example" : 1]',
    'metadata_props: ["author": "tests", "purpose": "decoder coverage"]',
    '["/everything/Everything_0"] y = com.example.Everything (x) <',
    'big: int = 9223372036854775807',
    'ints: ints = [1, -1, 9223372036854775807]',
    'alpha: float = 0.25',
    'mode: string = "nearest"',
    'strings: strings = ["a", "bé"]',
    'tp: type_proto = int32[4,k]',
    'type_protos: type_protos = [seq(float[]), map(string, int64), optional(bool[1])]',
    'float16[2,2] half_weights = {15360,49408,31743,0}',
    'int64[4] big_ints = {9223372036854775807,-9223372036854775808,-1,42}',
    'string[3] labels = {"cat","dög",""}',
    'double[2] doubles = {3.141592653589793,-0.1}',
    'float[2,3] typed_floats = {0.5,1.5,2.5,-1.0,-2.0,0.001}',
    'axis: int = @axis',
    '# sparse initializer sv: dims [2,5], 3 values',
    'domain: "com.example"',
    'MulSoftmax <axis>(fa, fb) => (fd)',
    '(float[batch,3,?] x, seq(float[]) seq_in) => (float[] out)',
  ]) {
    assert.ok(text.includes(expected), `missing: ${expected}\n---\n${text}`);
  }
  const external = await printModelText(await openModel(generatedModel('external_data.onnx')));
  assert.ok(external.includes('float[8,3,3,3] conv_w = ["location": "external_data.weights", "length": "864"]'), external);
  const big = await printModelText(await openModel(generatedModel('transformer.onnx')), { maxValues: 16 });
  assert.match(big, /float\[96,32\] "layers\.0\.qkv\.weight" = \.\.\./);
  assert.equal(float32Text(Math.fround(0.1)), '0.1');
  assert.equal(float32Text(1e-8), '1e-8');
});

async function grammar(): Promise<textmate.IGrammar> {
  const wasm = readFileSync(path.join(REPO_ROOT, 'node_modules/vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => (scope === 'source.onnx-text'
      ? textmate.parseRawGrammar(readFileSync(path.join(REPO_ROOT, 'syntaxes/onnx-text.tmLanguage.json'), 'utf8'), 'onnx-text.tmLanguage.json')
      : null),
  });
  const g = await registry.loadGrammar('source.onnx-text');
  assert.ok(g);
  return g;
}

function scopesOf(g: textmate.IGrammar, text: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let state = textmate.INITIAL;
  for (const line of text.split('\n')) {
    const r = g.tokenizeLine(line, state);
    for (const t of r.tokens) {
      const word = line.slice(t.startIndex, t.endIndex).trim();
      if (word && !found.has(word)) found.set(word, t.scopes);
    }
    state = r.ruleStack;
  }
  return found;
}

test('the onnx-text grammar (run by VS Code\'s TextMate engine) scopes ops, domains, attributes, types, names and comments', async () => {
  const g = await grammar();
  const text = await printModelText(await openModel(generatedModel('every_attribute.onnx')));
  const scopes = scopesOf(g, text);
  const has = (word: string, scope: string) => assert.ok((scopes.get(word) ?? []).some((s) => s.startsWith(scope)), `${word}: ${JSON.stringify(scopes.get(word))}`);
  has('Everything', 'entity.name.function.op');
  has('com.example.', 'entity.name.namespace.domain');
  has('alpha', 'variable.parameter.attribute');
  has('float', 'storage.type');
  has('ir_version', 'support.type.property-name');
  has('nearest', 'string.quoted.double');
  has('9223372036854775807', 'constant.numeric');
  has('"/everything/Everything_0"', 'entity.name.label.node');
  has('sparse initializer sv: dims [2,5], 3 values', 'comment.line');
  has('everything', 'entity.name.type.graph');
  has('sub', 'entity.name.type.graph');
  has('=>', 'keyword.operator.arrow');
  const flow = scopesOf(g, await printModelText(await openModel(generatedModel('control_flow.onnx'))));
  assert.ok(flow.get('Loop')!.some((s) => s.startsWith('entity.name.function.op')));
  assert.ok(flow.get('loop_body')!.some((s) => s.startsWith('entity.name.type.graph')), JSON.stringify(flow.get('loop_body')));
});
