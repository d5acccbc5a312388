import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { locateModuleSource, PythonClassIndex, splitNodeName, type SourceLocation } from '../../../src/core/sourceLinks/moduleSource';
import { REPO_ROOT } from '../repo';
import { loadParser } from './parser';

const TREE = path.join(REPO_ROOT, 'test/fixtures/pytorch/edgesam_like');

function pythonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? pythonFiles(full) : name.endsWith('.py') ? [full] : [];
  });
}

let shared: Promise<PythonClassIndex> | undefined;
function fixtureIndex(): Promise<PythonClassIndex> {
  shared ??= (async () => {
    const index = new PythonClassIndex(await loadParser());
    for (const file of pythonFiles(TREE)) index.update({ file: path.relative(TREE, file), text: readFileSync(file, 'utf8') });
    return index;
  })();
  return shared;
}

/** 0-based line of the first line of `file` containing `text` (found by plain text search, not by the locator). */
function lineOf(file: string, text: string): number {
  const lines = readFileSync(path.join(TREE, file), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(text));
  assert.ok(line >= 0, `${text} in ${file}`);
  return line;
}

function best(location: SourceLocation): string {
  const c = location.candidates[0];
  return c ? `${c.kind} ${c.file}:${c.line}` : 'none';
}

test('node names split into module segments and the op (numbered names keep the op)', () => {
  assert.deepEqual(splitNodeName('/mask_decoder/transformer/layers.0/self_attn/q_proj/MatMul'), { segments: ['mask_decoder', 'transformer', 'layers.0', 'self_attn', 'q_proj'], op: 'MatMul' });
  assert.deepEqual(splitNodeName('/prompt_encoder/Gather_3'), { segments: ['prompt_encoder'], op: 'Gather' });
  assert.deepEqual(splitNodeName('MatMul_12'), { segments: [], op: 'MatMul' });
  assert.deepEqual(splitNodeName('/mask_decoder/output_upscaling', true), { segments: ['mask_decoder', 'output_upscaling'], op: undefined });
});

test('a Linear inside attention inside a ModuleList filled by append, through injected constructor arguments', async () => {
  const location = locateModuleSource(await fixtureIndex(), '/mask_decoder/transformer/layers.0/self_attn/q_proj/MatMul');
  assert.equal(location.resolved, 5, 'every segment resolves (Sam → MaskDecoder → TwoWayTransformer → block → Attention → q_proj)');
  const file = path.join('edge_sam', 'modeling', 'transformer.py');
  assert.equal(best(location), `assignment ${file}:${lineOf(file, 'self.q_proj = nn.Linear(')}`);
  const second = location.candidates[1]!;
  assert.equal(second.kind, 'call');
  assert.equal(second.line, lineOf(file, 'q = self.q_proj(q)'));
  assert.ok(location.candidates.some((c) => c.kind === 'forward' && c.className === 'Attention'), 'Attention.forward is offered');
});

test('an op of a workspace module opens the line that spells it (torch.abs), then its forward', async () => {
  const location = locateModuleSource(await fixtureIndex(), '/prompt_encoder/Abs');
  const file = path.join('edge_sam', 'modeling', 'prompt_encoder.py');
  assert.equal(best(location), `op ${file}:${lineOf(file, 'torch.abs(')}`);
  assert.equal(location.candidates[1]!.kind, 'forward');
  assert.equal(location.candidates[1]!.className, 'PromptEncoder');
});

test('Sin in a helper method of a nested module (pe_layer) is found in that helper', async () => {
  const location = locateModuleSource(await fixtureIndex(), '/pe_layer/Sin');
  const file = path.join('edge_sam', 'modeling', 'prompt_encoder.py');
  assert.equal(best(location), `op ${file}:${lineOf(file, 'torch.sin(coords)')}`);
  assert.equal(location.candidates[0]!.className, 'PositionEmbeddingRandom');
});

test('children of a called Sequential (output_upscaling/output_upscaling.2) lead to the Sequential', async () => {
  const location = locateModuleSource(await fixtureIndex(), '/mask_decoder/output_upscaling/output_upscaling.2/Erf');
  const file = path.join('edge_sam', 'modeling', 'mask_decoder.py');
  assert.equal(location.resolved, 3);
  assert.equal(best(location), `assignment ${file}:${lineOf(file, 'self.output_upscaling = nn.Sequential(')}`);
  // the LayerNorm2d child is a workspace class: its forward comes first
  const norm = locateModuleSource(await fixtureIndex(), '/mask_decoder/output_upscaling/output_upscaling.1/Sqrt');
  const common = path.join('edge_sam', 'modeling', 'common.py');
  assert.equal(best(norm), `op ${common}:${lineOf(common, 'torch.sqrt(')}`);
});

test('ModuleList of a comprehension (output_hypernetworks_mlps.0) and generator items (layers.2)', async () => {
  const location = locateModuleSource(await fixtureIndex(), '/mask_decoder/output_hypernetworks_mlps.0/layers.2/Gemm');
  const file = path.join('edge_sam', 'modeling', 'mask_decoder.py');
  assert.equal(location.resolved, 3);
  assert.equal(best(location), `assignment ${file}:${lineOf(file, 'self.layers = nn.ModuleList(nn.Linear(')}`);
});

test('module box paths resolve to the class; the distractor with the same attribute ranks below', async () => {
  const index = await fixtureIndex();
  const box = locateModuleSource(index, '/mask_decoder/transformer', { isModulePath: true });
  const file = path.join('edge_sam', 'modeling', 'transformer.py');
  assert.equal(best(box), `forward ${file}:${lineOf(file, 'def forward(self, image_embedding')}`);
  assert.ok(box.candidates.some((c) => c.kind === 'class' && c.line === lineOf(file, 'class TwoWayTransformer(')));
  // exported from MaskDecoder alone: names start at /transformer; OtherDecoder.transformer resolves one segment only
  const alone = locateModuleSource(index, '/transformer/layers.1/mlp/act/Erf');
  const common = path.join('edge_sam', 'modeling', 'common.py');
  assert.equal(alone.resolved, 4);
  assert.equal(best(alone), `assignment ${common}:${lineOf(common, 'self.act = act()')}`);
  const other = alone.candidates.find((c) => c.file.includes('other_decoder'));
  assert.ok(other && alone.candidates.indexOf(other) > 0, 'the other model is offered after the decoder');
});

test('nothing matches: names without module path, or attributes no class has', async () => {
  const index = await fixtureIndex();
  assert.equal(locateModuleSource(index, 'MatMul_3').candidates.length, 0);
  assert.equal(locateModuleSource(index, '/image_decoder/neck/Conv').candidates.length, 0);
});

test('a file is re-read when its text changes, and dropped when it goes', async () => {
  const index = new PythonClassIndex(await loadParser());
  index.update({ file: 'm.py', text: 'import torch.nn as nn\nclass Root(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.head = nn.Linear(2, 2)\n' });
  assert.equal(best(locateModuleSource(index, '/head/Gemm')), 'assignment m.py:4');
  index.update({ file: 'm.py', text: 'import torch.nn as nn\n\nclass Root(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.head = nn.Linear(2, 2)\n' });
  assert.equal(best(locateModuleSource(index, '/head/Gemm')), 'assignment m.py:5');
  index.retain([]);
  assert.equal(locateModuleSource(index, '/head/Gemm').candidates.length, 0);
});

test('a vendored torch in the workspace does not capture nn.Linear or the nn.Module annotation', async () => {
  const index = new PythonClassIndex(await loadParser());
  for (const file of pythonFiles(TREE)) index.update({ file: path.relative(TREE, file), text: readFileSync(file, 'utf8') });
  index.update({ file: 'third_party/torch/nn/modules/module.py', text: 'class Module:\n    def __init__(self):\n        self.training = True\n' });
  index.update({ file: 'third_party/torch/nn/modules/linear.py', text: 'from .module import Module\n\nclass Linear(Module):\n    def __init__(self, a, b):\n        super().__init__()\n' });
  const location = locateModuleSource(index, '/mask_decoder/transformer/layers.0/self_attn/q_proj/MatMul');
  const file = path.join('edge_sam', 'modeling', 'transformer.py');
  assert.equal(location.resolved, 5);
  assert.equal(best(location), `assignment ${file}:${lineOf(file, 'self.q_proj = nn.Linear(')}`);
  assert.ok(!location.candidates.some((c) => c.file.startsWith('third_party')));
});

test('a wrapper the workspace cannot follow (self.model = model) is skipped: /model/mask_decoder/... still resolves', async () => {
  const location = locateModuleSource(await fixtureIndex(), '/model/mask_decoder/transformer/layers.1/self_attn/k_proj/MatMul');
  const file = path.join('edge_sam', 'modeling', 'transformer.py');
  assert.equal(location.skipped, 1);
  assert.equal(location.resolved, 5);
  assert.equal(best(location), `assignment ${file}:${lineOf(file, 'self.k_proj = nn.Linear(')}`);
  // the wrapper itself is still offered, after the decoder
  assert.ok(location.candidates.some((c) => c.className === 'DecoderOnnxModel'));
});

test('attributes and forward inherited from a workspace base class; arguments passed on to the base', async () => {
  const index = new PythonClassIndex(await loadParser());
  index.update({ file: 'base.py', text: [
    'import torch.nn as nn', '', '',
    'class DecoderBase(nn.Module):',
    '    def __init__(self, transformer: nn.Module):',
    '        super().__init__()',
    '        self.transformer = transformer',
    '        self.head = nn.Linear(8, 4)',
    '',
    '    def forward(self, x):',
    '        return self.head(self.transformer(x)).abs()',
  ].join('\n') });
  index.update({ file: 'hq.py', text: [
    'import torch.nn as nn', 'from base import DecoderBase', '', '',
    'class Mixer(nn.Module):',
    '    def __init__(self):',
    '        super().__init__()',
    '        self.proj = nn.Linear(8, 8)',
    '', '',
    'class DecoderHQ(DecoderBase):',
    '    def __init__(self, transformer, extra=1):',
    '        super().__init__(transformer=transformer)',
    '        self.hf_mlp = nn.Linear(8, 8)',
    '', '',
    'class Root(nn.Module):',
    '    def __init__(self):',
    '        super().__init__()',
    '        self.decoder = DecoderHQ(transformer=Mixer())',
  ].join('\n') });
  // head is assigned in the base class; transformer comes from the argument Root passes to the subclass
  assert.equal(best(locateModuleSource(index, '/decoder/head/Gemm')), 'assignment base.py:7');
  const deep = locateModuleSource(index, '/decoder/transformer/proj/MatMul');
  assert.equal(deep.resolved, 3);
  assert.equal(best(deep), 'assignment hq.py:7');
  // the subclass has no forward of its own: the base's, with its op line
  const op = locateModuleSource(index, '/decoder/Abs');
  assert.equal(best(op), 'op base.py:10');
  assert.ok(op.candidates.some((c) => c.kind === 'forward' && c.className === 'DecoderBase' && c.line === 9));
});
