/**
 * Generated graphs with the shape of real torch.onnx.export output (node names carry the module
 * path, Constant nodes feed shape chains, exact GELU via Erf, decomposed LayerNorm), as plain
 * CompactGraph JSON: for layout tests and the layout benchmark, no ONNX file needed.
 *
 *  - transformerGraph(32): 5,184 nodes, the shape of a 32-layer decoder export;
 *    transformerGraph(136): about 22,000 nodes (the chained 136-layer model of the ONNX core issue);
 *  - edgeSamDecoderGraph(): 674 nodes, an EdgeSAM-like mask decoder (prompt encoding with Sin/Cos,
 *    Gather on int64, Equal + Cast(bool), two-way transformer, ConvTranspose upscaling, hypernetwork MLPs).
 */
import type { CompactGraph, CompactNode, CompactTensor } from '../../../src/shared/graph';

export class GraphBuilder {
  private readonly nodes: CompactNode[] = [];
  private readonly tensors: CompactTensor[] = [];
  private readonly inputs: number[] = [];
  private readonly outputs: number[] = [];
  private counter = 0;

  constructor(private readonly name: string) {}

  input(name: string, shape: (number | string)[], dtype = 'float'): number {
    const t = this.tensor({ name, kind: 'input', dtype, shape, producer: -1 });
    this.inputs.push(t);
    return t;
  }

  initializer(name: string, shape: number[], dtype = 'float'): number {
    const bytes = shape.reduce((a, b) => a * b, 1) * (dtype === 'int64' ? 8 : 4);
    return this.tensor({ name, kind: 'initializer', dtype, shape, producer: -1, bytes });
  }

  /** Adds a node named `${scope}/${op}_${k}` and returns its first output. */
  op(scope: string, op: string, inputs: number[], outputs = 1, attributes: Record<string, string> = {}): number {
    const index = this.nodes.length;
    const name = `${scope}/${op}_${this.counter++}`;
    const outs: number[] = [];
    for (let i = 0; i < outputs; i++) outs.push(this.tensor({ name: `${name}_output_${i}`, kind: 'intermediate', dtype: op === 'Shape' ? 'int64' : 'float', shape: [1, 'seq', 768], producer: index }));
    this.nodes.push({
      name, op, domain: '', inputs, outputs: outs,
      attributes: Object.entries(attributes).map(([n, value]) => ({ name: n, type: 'INT', value })),
    });
    return outs[0]!;
  }

  output(t: number): void {
    this.outputs.push(t);
    (this.tensors[t] as { kind: string }).kind = 'output';
  }

  build(): CompactGraph {
    return { version: 1, name: this.name, nodes: this.nodes, tensors: this.tensors, inputs: this.inputs, outputs: this.outputs, summary: [], totalNodes: this.nodes.length };
  }

  private tensor(t: CompactTensor): number {
    this.tensors.push(t);
    return this.tensors.length - 1;
  }
}

/** Shape → Gather → Unsqueeze for each listed dim, Concat with constants, Reshape: what `x.view(b, s, h, d)` exports to. */
function reshape(g: GraphBuilder, scope: string, x: number, dims: number): number {
  const parts: number[] = [];
  for (let d = 0; d < dims; d++) {
    const shape = g.op(scope, 'Shape', [x]);
    const index = g.op(scope, 'Constant', []);
    const dim = g.op(scope, 'Gather', [shape, index], 1, { axis: '0' });
    const axes = g.op(scope, 'Constant', []);
    parts.push(g.op(scope, 'Unsqueeze', [dim, axes]));
  }
  parts.push(g.op(scope, 'Constant', []), g.op(scope, 'Constant', []));
  const shape = g.op(scope, 'Concat', parts, 1, { axis: '0' });
  return g.op(scope, 'Reshape', [x, shape]);
}

function layerNorm(g: GraphBuilder, scope: string, x: number): number {
  const mean = g.op(scope, 'ReduceMean', [x], 1, { axes: '[-1]' });
  const centred = g.op(scope, 'Sub', [x, mean]);
  const sq = g.op(scope, 'Pow', [centred, g.op(scope, 'Constant', [])]);
  const variance = g.op(scope, 'ReduceMean', [sq], 1, { axes: '[-1]' });
  const std = g.op(scope, 'Sqrt', [g.op(scope, 'Add', [variance, g.op(scope, 'Constant', [])])]);
  const normed = g.op(scope, 'Div', [centred, std]);
  return g.op(scope, 'Add', [g.op(scope, 'Mul', [normed, g.initializer(`${scope}.weight`, [768])]), g.initializer(`${scope}.bias`, [768])]);
}

function linear(g: GraphBuilder, scope: string, x: number, inF: number, outF: number): number {
  const mm = g.op(scope, 'MatMul', [x, g.initializer(`${scope}.weight`, [inF, outF])]);
  return g.op(scope, 'Add', [g.initializer(`${scope}.bias`, [outF]), mm]);
}

/** `rotate_half` rotary embedding as exported: Slice halves, Neg, Concat, cos/sin products. */
function rotary(g: GraphBuilder, scope: string, x: number, cos: number, sin: number): number {
  const slice = (t: number) => g.op(scope, 'Slice', [t, g.op(scope, 'Constant', []), g.op(scope, 'Constant', []), g.op(scope, 'Constant', [])]);
  const rotated = g.op(scope, 'Concat', [g.op(scope, 'Neg', [slice(x)]), slice(x)], 1, { axis: '-1' });
  return g.op(scope, 'Add', [g.op(scope, 'Mul', [x, cos]), g.op(scope, 'Mul', [rotated, sin])]);
}

interface AttentionOptions {
  readonly mask?: number;
  /** Dims taken from the runtime shape in each `view` (Shape → Gather chains). */
  readonly dynamicDims?: number;
  /** Rotary position embedding: [cos, sin] tables and position ids. */
  readonly rotary?: readonly [number, number, number];
}

function attention(g: GraphBuilder, scope: string, query: number, keyValue: number, options: AttentionOptions = {}): number {
  const dims = options.dynamicDims ?? 2;
  const mask = options.mask;
  const heads = (t: number, name: string) => g.op(`${scope}`, 'Transpose', [reshape(g, `${scope}`, linear(g, `${scope}/${name}`, t, 768, 768), dims)], 1, { perm: '[0,2,1,3]' });
  let q = heads(query, 'q_proj');
  let k = heads(keyValue, 'k_proj');
  if (options.rotary) {
    const [cosTable, sinTable, positions] = options.rotary;
    const cos = g.op(`${scope}/rotary_emb`, 'Unsqueeze', [g.op(`${scope}/rotary_emb`, 'Gather', [cosTable, positions]), g.op(`${scope}/rotary_emb`, 'Constant', [])]);
    const sin = g.op(`${scope}/rotary_emb`, 'Unsqueeze', [g.op(`${scope}/rotary_emb`, 'Gather', [sinTable, positions]), g.op(`${scope}/rotary_emb`, 'Constant', [])]);
    q = rotary(g, scope, q, cos, sin);
    k = rotary(g, scope, k, cos, sin);
  }
  const v = heads(keyValue, 'v_proj');
  const kt = g.op(scope, 'Transpose', [k], 1, { perm: '[0,1,3,2]' });
  let scores = g.op(scope, 'Div', [g.op(scope, 'MatMul', [q, kt]), g.op(scope, 'Constant', [])]);
  if (mask !== undefined) scores = g.op(scope, 'Add', [scores, mask]);
  const probs = g.op(scope, 'Softmax', [scores], 1, { axis: '-1' });
  const context = g.op(scope, 'Transpose', [g.op(scope, 'MatMul', [probs, v])], 1, { perm: '[0,2,1,3]' });
  return linear(g, `${scope}/out_proj`, reshape(g, scope, context, dims), 768, 768);
}

function geluExact(g: GraphBuilder, scope: string, x: number): number {
  const erf = g.op(scope, 'Erf', [g.op(scope, 'Div', [x, g.op(scope, 'Constant', [])])]);
  return g.op(scope, 'Mul', [g.op(scope, 'Mul', [x, g.op(scope, 'Add', [erf, g.op(scope, 'Constant', [])])]), g.op(scope, 'Constant', [])]);
}

/** A decoder-only transformer export: about 162 nodes per layer. */
export function transformerGraph(layers: number): CompactGraph {
  const g = new GraphBuilder(`transformer-${layers}`);
  const ids = g.input('input_ids', ['batch', 'seq'], 'int64');
  const maskIn = g.input('attention_mask', ['batch', 'seq'], 'int64');
  let x = g.op('/model/embed_tokens', 'Gather', [g.initializer('model.embed_tokens.weight', [32000, 768]), ids]);
  // causal mask: Equal + Cast(bool) + Where, built once and used by every layer (long edges, as in real exports)
  const m0 = g.op('/model', 'Cast', [g.op('/model', 'Equal', [maskIn, g.op('/model', 'Constant', [])])], 1, { to: 'BOOL' });
  const mask = g.op('/model', 'Where', [m0, g.op('/model', 'Constant', []), g.op('/model', 'Constant', [])]);
  const positions = g.op('/model', 'Unsqueeze', [g.op('/model', 'Range', [g.op('/model', 'Constant', []), g.op('/model', 'Gather', [g.op('/model', 'Shape', [ids]), g.op('/model', 'Constant', [])]), g.op('/model', 'Constant', [])]), g.op('/model', 'Constant', [])]);
  const cosTable = g.initializer('model.rotary_emb.cos_cached', [2048, 64]);
  const sinTable = g.initializer('model.rotary_emb.sin_cached', [2048, 64]);
  for (let i = 0; i < layers; i++) {
    const scope = `/model/layers.${i}`;
    const h0 = layerNorm(g, `${scope}/input_layernorm`, x);
    const attn = attention(g, `${scope}/self_attn`, h0, h0, { mask, dynamicDims: 3, rotary: [cosTable, sinTable, positions] });
    x = g.op(scope, 'Add', [x, attn]);
    const h = layerNorm(g, `${scope}/post_attention_layernorm`, x);
    const mlp = linear(g, `${scope}/mlp/fc2`, geluExact(g, `${scope}/mlp/act`, linear(g, `${scope}/mlp/fc1`, h, 768, 3072)), 3072, 768);
    x = g.op(scope, 'Add', [x, mlp]);
  }
  x = layerNorm(g, '/model/norm', x);
  g.output(g.op('/lm_head', 'MatMul', [x, g.initializer('lm_head.weight', [768, 32000])]));
  return g.build();
}

function mlp(g: GraphBuilder, scope: string, x: number, layers: number): number {
  for (let i = 0; i < layers; i++) {
    x = linear(g, `${scope}/layers.${i}`, x, 256, 256);
    if (i < layers - 1) x = g.op(`${scope}`, 'Relu', [x]);
  }
  return x;
}

const edgeSamAttention: AttentionOptions = { dynamicDims: 1 };

/** An EdgeSAM-like prompt encoder + mask decoder: 674 nodes. */
export function edgeSamDecoderGraph(): CompactGraph {
  const g = new GraphBuilder('edgesam-decoder');
  const image = g.input('image_embeddings', [1, 256, 64, 64]);
  const coords = g.input('point_coords', [1, 'num_points', 2]);
  const labels = g.input('point_labels', [1, 'num_points']);
  // prompt encoder: random Fourier features with Sin/Cos, label embedding selection via Equal + Cast(bool) + Gather
  const pe = '/prompt_encoder/pe_layer';
  const scaled = g.op(pe, 'MatMul', [g.op(pe, 'Sub', [g.op(pe, 'Mul', [coords, g.op(pe, 'Constant', [])]), g.op(pe, 'Constant', [])]), g.initializer(`${pe}.gaussian`, [2, 128])]);
  const angle = g.op(pe, 'Mul', [scaled, g.op(pe, 'Constant', [])]);
  let tokens = g.op(pe, 'Concat', [g.op(pe, 'Sin', [angle]), g.op(pe, 'Cos', [angle])], 1, { axis: '-1' });
  for (let k = 0; k < 3; k++) {
    const scope = `/prompt_encoder/point_embeddings.${k}`;
    const isLabel = g.op(scope, 'Cast', [g.op(scope, 'Equal', [labels, g.op(scope, 'Constant', [])])], 1, { to: 'BOOL' });
    const picked = g.op(scope, 'Gather', [g.initializer(`${scope}.weight`, [1, 256]), g.op(scope, 'Constant', [])]);
    tokens = g.op(scope, 'Add', [tokens, g.op(scope, 'Where', [g.op(scope, 'Unsqueeze', [isLabel, g.op(scope, 'Constant', [])]), picked, g.op(scope, 'Constant', [])])]);
  }
  const md = '/mask_decoder';
  const outTokens = g.op(md, 'Concat', [g.op(md, 'Constant', []), g.op(md, 'Constant', [])], 1, { axis: '0' });
  let queries = g.op(md, 'Concat', [g.op(md, 'Expand', [outTokens, g.op(md, 'Shape', [tokens])]), tokens], 1, { axis: '1' });
  let keys = g.op(md, 'Transpose', [reshape(g, md, image, 2)], 1, { perm: '[0,2,1]' });
  const keyPe = g.op(md, 'Transpose', [reshape(g, md, g.op(md, 'Constant', []), 2)], 1, { perm: '[0,2,1]' });
  for (let i = 0; i < 2; i++) {
    const scope = `${md}/transformer/layers.${i}`;
    queries = layerNorm(g, `${scope}/norm1`, g.op(scope, 'Add', [queries, attention(g, `${scope}/self_attn`, queries, queries, edgeSamAttention)]));
    const qk = g.op(scope, 'Add', [keys, keyPe]);
    queries = layerNorm(g, `${scope}/norm2`, g.op(scope, 'Add', [queries, attention(g, `${scope}/cross_attn_token_to_image`, queries, qk, edgeSamAttention)]));
    queries = layerNorm(g, `${scope}/norm3`, g.op(scope, 'Add', [queries, mlp(g, `${scope}/mlp`, queries, 2)]));
    keys = layerNorm(g, `${scope}/norm4`, g.op(scope, 'Add', [keys, attention(g, `${scope}/cross_attn_image_to_token`, qk, queries, edgeSamAttention)]));
  }
  queries = layerNorm(g, `${md}/transformer/norm_final_attn`, g.op(`${md}/transformer`, 'Add', [queries, attention(g, `${md}/transformer/final_attn_token_to_image`, queries, g.op(`${md}/transformer`, 'Add', [keys, keyPe]), edgeSamAttention)]));
  // upscaling: ConvTranspose ×2 with exact GELU
  const up = `${md}/output_upscaling`;
  let img = reshape(g, up, g.op(up, 'Transpose', [keys], 1, { perm: '[0,2,1]' }), 1);
  img = geluExact(g, `${up}/act.0`, g.op(`${up}/0`, 'ConvTranspose', [img, g.initializer(`${up}.0.weight`, [256, 64, 2, 2])], 1, { strides: '[2,2]' }));
  img = geluExact(g, `${up}/act.1`, g.op(`${up}/3`, 'ConvTranspose', [img, g.initializer(`${up}.3.weight`, [64, 32, 2, 2])], 1, { strides: '[2,2]' }));
  const hyper: number[] = [];
  for (let k = 0; k < 4; k++) {
    const scope = `${md}/output_hypernetworks_mlps.${k}`;
    const token = g.op(scope, 'Gather', [queries, g.op(scope, 'Constant', [])], 1, { axis: '1' });
    hyper.push(g.op(scope, 'Unsqueeze', [mlp(g, scope, token, 2), g.op(scope, 'Constant', [])]));
  }
  const hyperIn = g.op(md, 'Concat', hyper, 1, { axis: '1' });
  const flat = reshape(g, md, img, 1);
  const masks = reshape(g, md, g.op(md, 'MatMul', [hyperIn, flat]), 1);
  const iou = mlp(g, `${md}/iou_prediction_head`, g.op(md, 'Gather', [queries, g.op(md, 'Constant', [])], 1, { axis: '1' }), 2);
  // post-processing: Abs / Squeeze / Slice on int64 shapes as in field report 003's triage
  const pp = '/postprocess';
  const score = g.op(pp, 'Squeeze', [g.op(pp, 'Abs', [iou])]);
  g.output(g.op(pp, 'Slice', [masks, g.op(pp, 'Constant', []), g.op(pp, 'Constant', []), g.op(pp, 'Constant', [])]));
  g.output(score);
  return g.build();
}
