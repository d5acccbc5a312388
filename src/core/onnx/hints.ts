/**
 * Rewrite hints for nodes a target refuses, from the field experience of porting EdgeSAM's decoder to
 * mobile NPUs (integer indexing → Slice + Reshape, torch.abs → Relu form, Sin/Cos → precompute, exact
 * GELU → tanh GELU, squeeze → reshape, Equal + Cast(bool) → float compare, int64 → int32, fixed shapes),
 * and where a node comes from in the PyTorch source: torch.onnx.export names nodes by module path
 * (`/mask_decoder/transformer/layers.0/Gather_3`), and each op has constructs that typically export to it.
 */
import { modulePathOf } from '../../shared/layout/modules';
import { msg, type Message } from '../l10n';
import type { Node } from './model';

export type HintId =
  | 'gather-constant-index' | 'shape-unpacking' | 'abs-relu-form' | 'sin-cos-precompute' | 'sin-cos-constant'
  | 'erf-tanh-gelu' | 'squeeze-reshape' | 'equal-float-compare' | 'int64-to-int32' | 'double-to-float'
  | 'bool-to-float' | 'fixed-shapes' | 'literal-shape' | 'opset' | 'custom-domain' | 'function-inline' | 'attribute' | 'subgraph'
  | 'whitelist-split' | 'bf16-to-fp16' | 'constant-fold' | 'kernel-fallback' | 'quantize-qdq' | 'weight-8bit'
  | 'activation-uint8' | 'activation-uint16' | 'converted-type-cast' | 'explicit-inputs'
  | 'unmapped-type';

export interface Hint {
  readonly id: HintId;
  readonly message: Message;
}

/** Facts about a node's neighbourhood that choose between hints. */
export interface HintContext {
  /** The input at this index is a constant (initializer or Constant output). */
  isConstant(name: string): boolean;
  /** The op type of the node producing a value, if any in the same graph. */
  producerOp(name: string): string | undefined;
  /** The opset the target accepts best, for the opset hint. */
  readonly suggestedOpset?: number;
}

export function hint(id: HintId, node: Node, ctx: HintContext): Hint {
  return { id, message: hintMessage(id, node, ctx) };
}

function hintMessage(id: HintId, node: Node, ctx: HintContext): Message {
  switch (id) {
    case 'gather-constant-index':
      return msg('Integer indexing such as x[:, i, :] exports Gather: slice instead, x[:, i:i+1, :], then reshape to literal sizes (exports Slice + Reshape).');
    case 'shape-unpacking':
      return msg('Shape + Gather comes from unpacking a tensor shape (b, c, h, w = x.shape): use Python int constants for the sizes so the graph has static shapes and no Gather.');
    case 'abs-relu-form':
      return msg('Replace torch.abs with Relu/Sub/Mul: for integer-valued floats, clamp(1 - |x - v|, 0, 1) equals relu(1 - (x - v) * (x - v)), with no loss of accuracy.');
    case 'sin-cos-constant':
      return msg('{0} of a constant input: precompute the values and store them as a constant.', node.opType);
    case 'sin-cos-precompute':
      return msg('{0} cannot be rebuilt from basic ops without a period reduction (Floor): compute it on the CPU before the model (for example positional encodings) and pass the result as an input.', node.opType);
    case 'erf-tanh-gelu':
      return msg('Erf comes from exact GELU (nn.GELU(), F.gelu(x)): use F.gelu(x, approximate="tanh"), which exports Tanh, Mul and Add.');
    case 'squeeze-reshape':
      return msg('Replace {0} with reshape to literal sizes (x.reshape(1, 32) instead of x.squeeze(1)): Reshape is accepted more widely.', node.opType === 'Unsqueeze' ? 'unsqueeze' : 'squeeze');
    case 'equal-float-compare':
      return msg('Compare in float instead of Equal + Cast(bool): for integer-valued floats, relu(1 - (x - v) * (x - v)) is 1 where x == v and 0 elsewhere.');
    case 'converted-type-cast':
      return msg('Make the input types of {0} equal in the model where the converter changes one of them: add an explicit Cast (TopK indices, int32 after ATC: Cast them to int64, or Cast the other input to int32) before {0}.', node.opType);
    case 'int64-to-int32':
      return msg('Use int32 instead of int64: cast index and shape tensors with .int() before export, or convert the exported graph\'s int64 tensors to int32.');
    case 'double-to-float':
      return msg('Use float32 or float16 instead of float64: call .float() on the module and its inputs before export.');
    case 'bool-to-float':
      return msg('Keep masks as float 0/1 instead of bool: multiply by the mask instead of selecting with it.');
    case 'fixed-shapes':
      return msg('Fix the input shapes: export without dynamic_axes, or set them at conversion (atc --input_shape, qnn-onnx-converter --input_dim).');
    case 'literal-shape':
      return msg('The target shape of {0} is computed at run time (from x.shape): use literal sizes, e.g. x.reshape(1, 32, 65536) instead of x.view(b, c, h * w).', node.opType);
    case 'opset':
      return ctx.suggestedOpset !== undefined
        ? msg('Re-export with an opset the target accepts: torch.onnx.export(..., opset_version={0}).', ctx.suggestedOpset)
        : msg('Re-export with an opset the target accepts (torch.onnx.export(..., opset_version=N)).');
    case 'custom-domain':
      return msg('Export with standard ONNX ops instead of the custom domain "{0}", or register a custom op plugin for the target.', node.domain);
    case 'function-inline':
      return msg('Inline the model-local function {0} into plain ONNX ops before conversion (onnx inliner, or export without functions).', node.opType);
    case 'attribute':
      return msg('Set the attribute to a value the compiler accepts, or rewrite the op with accepted ops.');
    case 'subgraph':
      return msg('Remove the control flow: export with fixed conditions and trip counts (plain Python if/for unroll in tracing) so no If/Loop/Scan remains.');
    case 'bf16-to-fp16':
      return msg('This chip has no bfloat16: export in float16 or float32 (model.half() or .float() before export), or insert Cast to float16 around the op.');
    case 'constant-fold':
      return msg('Make this input a constant: fold the computation that produces it (onnxsim, or compute the value in Python and pass it as a literal) so the compiler sees an initializer.');
    case 'kernel-fallback':
      return msg('No kernel for this chip is documented: compile once to confirm (ATC may place the op on the AI CPU), or rebuild it from ops that compile on this chip.');
    case 'quantize-qdq':
      return msg('This HTP has no FP16 compute: quantize the model to 8 or 16 bit (QDQ: onnxruntime.quantization with the QNN config, or qnn-onnx-converter with calibration), or target an HTP with FP16 (v73 and later).');
    case 'unmapped-type':
      return msg('Store these tensors in a type the converter maps: dequantize float8/float4 data offline to float16, or quantize it as int8/uint8/int4 with float scales (QDQ); Cast other types to float or int32.');
    case 'weight-8bit':
      return msg('Quantize these weights to 8 bit (16-bit activations with 8-bit weights, a16w8), or target an HTP that takes 16-bit weights (v73 and later).');
    case 'explicit-inputs':
      return node.opType === 'NonMaxSuppression'
        ? msg('Give NonMaxSuppression all five inputs, each a constant: max_output_boxes_per_class, iou_threshold and score_threshold (torchvision\'s export leaves out score_threshold: add one below every score, e.g. 0 for sigmoid scores), or run NMS on the host after the model.')
        : msg('Give {0} its optional inputs explicitly, as constants.', node.opType);
    case 'activation-uint8':
      return msg('Quantize these activations to unsigned 8 bit (onnxruntime.quantization activation_type=QuantType.QUInt8, the QNN QDQ config default), or use a QAIRT release that takes signed 8 bit here.');
    case 'activation-uint16':
      return msg('Quantize these activations to unsigned 16 bit (onnxruntime.quantization activation_type=QuantType.QUInt16), or use a QAIRT release that takes signed 16 bit here.');
    case 'whitelist-split':
      return msg('Split the model at module boundaries, compile each part, and rebuild this op from ops of parts that compile (whitelist method).');
  }
}

/** The hint for an op the target refuses: specific when the field report has one, else the whitelist method. */
export function opHint(node: Node, ctx: HintContext): HintId {
  switch (node.opType) {
    case 'Gather': {
      const data = node.inputs[0] ?? '';
      const indices = node.inputs[1] ?? '';
      if (ctx.producerOp(data) === 'Shape') return 'shape-unpacking';
      return ctx.isConstant(indices) ? 'gather-constant-index' : 'whitelist-split';
    }
    case 'Abs': return 'abs-relu-form';
    case 'Sin': case 'Cos': return node.inputs.every((i) => i === '' || ctx.isConstant(i)) ? 'sin-cos-constant' : 'sin-cos-precompute';
    case 'Erf': return 'erf-tanh-gelu';
    case 'Squeeze': case 'Unsqueeze': return 'squeeze-reshape';
    case 'Equal': return 'equal-float-compare';
    case 'Cast': return castTarget(node) === 9 ? 'equal-float-compare' : 'whitelist-split';
    case 'Shape': return 'shape-unpacking';
    case 'If': case 'Loop': case 'Scan': return 'subgraph';
    default: return 'whitelist-split';
  }
}

function castTarget(node: Node): number | undefined {
  const to = node.attributes.find((a) => a.name === 'to');
  return to && to.type === 'int' ? Number(to.value) : undefined;
}

/**
 * The PyTorch module path in a torch.onnx.export node name: `/mask_decoder/transformer/layers.0/Gather_3`
 * → `mask_decoder.transformer.layers.0`. Undefined when the name has no module scope.
 */
export function modulePath(nodeName: string): string | undefined {
  return modulePathOf(nodeName).join('.') || undefined;
}

/** PyTorch code that typically exports to an op (shown next to the module path). */
const CONSTRUCTS: Readonly<Record<string, readonly string[]>> = {
  Gather: ['x[:, i, :]', 'b, c, h, w = x.shape', 'nn.Embedding'],
  Abs: ['torch.abs(x)', 'x.abs()'],
  Erf: ['nn.GELU()', 'F.gelu(x)'],
  Sin: ['torch.sin(x)'],
  Cos: ['torch.cos(x)'],
  Squeeze: ['x.squeeze(d)'],
  Unsqueeze: ['x.unsqueeze(d)', 'x[None]'],
  Equal: ['x == v'],
  Cast: ['x.float()', 'x.long()', 'x == v (bool result)'],
  Shape: ['x.shape', 'x.size()'],
  Expand: ['x.expand(...)', 'x.repeat(...)'],
  Where: ['torch.where(c, a, b)', 'x.masked_fill(m, v)'],
  ConstantOfShape: ['torch.zeros(x.shape)', 'torch.ones_like(x)'],
  Range: ['torch.arange(n)'],
  NonZero: ['x.nonzero()', 'x[mask]'],
  ScatterND: ['x[idx] = v'],
  Clip: ['torch.clamp(x, a, b)'],
  Pow: ['x ** 2'],
  Tile: ['x.repeat(...)'],
  TopK: ['torch.topk(x, k)'],
  Einsum: ['torch.einsum(...)'],
  If: ['if on a tensor value (scripted)'],
  Loop: ['for over a tensor size (scripted)'],
};

export function typicalConstructs(opType: string): readonly string[] {
  return CONSTRUCTS[opType] ?? [];
}
