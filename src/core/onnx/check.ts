/**
 * Node-by-node compatibility of a model with a target profile. Each node (including those inside
 * If/Loop/Scan bodies and model-local functions' callers) gets a verdict with coded reasons:
 * a certain reason makes it `unsupported`, an uncertain one `unverified` (the profile's data cannot
 * tell), none `supported`. Reasons carry Messages; the faces render them.
 */
import { msg, type Message } from '../l10n';
import { hint, modulePath, opHint, typicalConstructs, type Hint, type HintContext, type HintId } from './hints';
import {
  isDefaultDomain, opsetVersion, subgraphsOf, type Attribute, type ElementType, type Graph, type Model, type Node, type Tensor, type ValueInfo, type ValueType,
} from './model';
import { opKey, type NodeRule, type OpProfile, type Support, type TargetProfile } from './targets/profile';
import { onnxSchema } from './schema';

export type ReasonCode = 'op-unsupported' | 'dtype' | 'dynamic-shape' | 'opset' | 'attribute' | 'custom-domain' | 'subgraph' | 'kernel' | 'rank';

export interface Reason {
  readonly code: ReasonCode;
  readonly message: Message;
  /** False when the profile's data cannot tell (the node is then `unverified`, not `unsupported`). */
  readonly certain: boolean;
  /** Where the failed constraint comes from (`repo@commit:path` or a document), when the profile says. */
  readonly source?: string;
}

export interface NodeVerdict {
  /** Graph.path of the (sub)graph the node lives in: `main`, `main/If_0.then_branch`, ... */
  readonly graph: string;
  readonly index: number;
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly verdict: Support;
  readonly reasons: readonly Reason[];
  readonly hints: readonly Hint[];
  /** PyTorch module path from the node name, when torch.onnx.export wrote one (set for nodes not supported). */
  readonly modulePath?: string;
  /** PyTorch code that typically exports to this op (for unsupported/unverified nodes). */
  readonly constructs?: readonly string[];
  /** Where the verdict's facts come from: the op's entries in the profile data and, per chip, its kernel evidence. */
  readonly sources?: readonly string[];
}

export interface CheckResult {
  readonly target: string;
  readonly profileName: string;
  /** Default-domain opset of the model. */
  readonly opset: number | undefined;
  /** Every node, subgraph bodies included. */
  readonly nodeCount: number;
  /** One verdict per node (with `findingsOnly`: per node not supported), in walk order (a node before the bodies it holds). */
  readonly verdicts: readonly NodeVerdict[];
  /** Model-level findings: opset outside the target range, dynamic graph inputs. */
  readonly modelReasons: readonly Reason[];
  readonly counts: Readonly<Record<Support, number>>;
  /** Toolkit release the profile's facts are for (`CANN 9.1.0`), when the profile says. */
  readonly toolkit?: { readonly name: string; readonly version: string };
}

export interface CheckOptions {
  readonly signal?: AbortSignal;
  /**
   * Keep verdicts only for nodes that are not supported (`counts` and `nodeCount` still cover every node):
   * for reports that list findings (the CLI), so a 300k-node model does not hold 300k verdicts.
   */
  readonly findingsOnly?: boolean;
}

const FLOAT_TYPES: ReadonlySet<ElementType> = new Set<ElementType>(['float', 'float16', 'bfloat16']);

/** Types and constants visible in a graph (subgraphs see their parents' names). */
class Scope {
  readonly types = new Map<string, ValueType>();
  readonly constants = new Set<string>();
  /** Output of a DequantizeLinear -> its quantized input. */
  readonly dequantized = new Map<string, string>();
  private producerMap?: Map<string, Node>;
  /** Whether this graph or an enclosing one has a node whose outputs the converter retypes (set by checkModel). */
  retyping = false;
  constructor(readonly parent: Scope | undefined, private readonly nodes: readonly Node[]) {}
  dequantizedFrom(name: string): string | undefined {
    return this.dequantized.get(name) ?? this.parent?.dequantizedFrom(name);
  }
  /** The op type of the node that makes `name` (this graph, else an enclosing one). Each graph's map is
   * built on first use (hints of findings ask): a 300k-node graph that is all supported never holds it. */
  producer(name: string): string | undefined {
    return this.producerNode(name)?.opType;
  }
  /** The node that makes `name` (this graph, else an enclosing one). */
  producerNode(name: string): Node | undefined {
    if (!this.producerMap) {
      this.producerMap = new Map();
      for (const node of this.nodes) for (const out of node.outputs) if (out) this.producerMap.set(out, node);
    }
    return this.producerMap.get(name) ?? this.parent?.producerNode(name);
  }
  type(name: string): ValueType | undefined {
    return this.types.get(name) ?? this.parent?.type(name);
  }
  isConstant(name: string): boolean {
    return this.constants.has(name) || (this.parent?.isConstant(name) ?? false);
  }
}

export function checkModel(model: Model, profile: TargetProfile, options: CheckOptions = {}): CheckResult {
  const verdicts: NodeVerdict[] = [];
  const opset = opsetVersion(model);
  const functions = new Set(model.functions.map((f) => `${f.domain}::${f.name}`));
  const modelReasons: Reason[] = [];
  const range = profile.modelOpsets;
  if (range && opset !== undefined && ((range.min !== undefined && opset < range.min) || (range.max !== undefined && opset > range.max))) {
    modelReasons.push({
      code: 'opset', certain: range.certain,
      message: msg('The model uses opset {0}; {1} accepts opsets {2} to {3}.', opset, profile.name, range.min ?? 1, range.max ?? opset),
    });
  }
  const dynamicInputs = model.graph.inputs.filter((v) => !isInitializer(model.graph, v.name) && !isStatic(v.type));
  if (dynamicInputs.length && profile.staticShapes !== 'not-required') {
    modelReasons.push({
      code: 'dynamic-shape', certain: profile.staticShapes === 'required',
      ...(profile.staticShapesSource ? { source: profile.staticShapesSource } : {}),
      message: msg('Graph inputs with dynamic dimensions: {0}. {1} needs fixed input shapes.', dynamicInputs.map((v) => `${v.name}${shapeText(v.type)}`).join(', '), profile.name),
    });
  }
  const suggestedOpset = range?.max !== undefined ? Math.min(range.max, 17) : undefined;
  let seen = 0;
  let supportedDropped = 0;
  // Nodes with the same findings (the same op on 60,000 nodes) share one reasons list and one hints list:
  // equal by value, so nothing a reader sees changes; 60,000 unverified verdicts were 43 MB.
  const sharedFindings = new Map<string, { reasons: Reason[]; hints: Hint[] }>();
  const shareFindings = (reasons: Reason[], hints: Hint[]): { reasons: Reason[]; hints: Hint[] } => {
    // Findings that quote a long string (a 30 MB op type) are not shared: their key would be bigger than them.
    let long = false;
    const key = JSON.stringify([reasons, hints], (_k, v: unknown) => {
      if (typeof v === 'string' && v.length > 1024) long = true;
      return long ? undefined : typeof v === 'bigint' ? `${v}n` : v;
    });
    if (long) return { reasons, hints };
    const known = sharedFindings.get(key);
    if (known) return known;
    const made = { reasons, hints };
    sharedFindings.set(key, made);
    return made;
  };
  const NONE = Object.freeze([]) as unknown as never[];
  const checkGraph = (graph: Graph, parent: Scope | undefined): boolean => {
    const scope = buildScope(graph, parent);
    const retyped = profile.convertedTypes?.outputs;
    scope.retyping = (parent?.retyping ?? false) || (!!retyped && graph.nodes.some((n) => retyped.has(n.opType)));
    let anyUnsupported = false;
    for (let index = 0; index < graph.nodes.length; index++) {
      const node = graph.nodes[index]!;
      if ((++seen & 1023) === 0) options.signal?.throwIfAborted();
      const at = verdicts.length;
      verdicts.push(undefined as unknown as NodeVerdict);
      let bodyUnsupported = false;
      for (const sub of subgraphsOf(node)) if (checkGraph(sub, scope)) bodyUnsupported = true;
      const ctx: HintContext = {
        isConstant: (name) => scope.isConstant(name),
        producerOp: (name) => scope.producer(name),
        ...(suggestedOpset !== undefined ? { suggestedOpset } : {}),
      };
      const { reasons, hintIds, op } = nodeReasons(node, model, profile, scope, ctx, opset, functions);
      if (bodyUnsupported) {
        reasons.push({ code: 'subgraph', certain: true, message: msg('A body of this {0} holds nodes {1} does not support.', node.opType, profile.name) });
        hintIds.add('subgraph');
      }
      const verdict: Support = reasons.some((r) => r.certain) ? 'unsupported' : reasons.length ? 'unverified' : 'supported';
      if (verdict === 'unsupported') anyUnsupported = true;
      const module = verdict === 'supported' ? undefined : modulePath(node.name);
      const constructs = verdict === 'supported' ? [] : typicalConstructs(node.opType);
      if (verdict === 'supported' && options.findingsOnly) {
        supportedDropped++;
        continue;
      }
      const findings = verdict === 'supported' ? undefined : shareFindings(reasons, [...hintIds].map((id) => hint(id, node, ctx)));
      verdicts[at] = {
        graph: graph.path, index, name: node.name, opType: node.opType, domain: node.domain, verdict,
        // Supported nodes (most of a model) share one empty list: 300k verdicts were 50 MB.
        reasons: findings ? findings.reasons : reasons.length ? reasons : NONE,
        hints: findings ? findings.hints : NONE,
        ...(module ? { modulePath: module } : {}),
        ...(constructs.length ? { constructs } : {}),
        ...(op ? verdictSources(op) : {}),
      };
    }
    return anyUnsupported;
  };
  checkGraph(model.graph, undefined);
  const nodeCount = verdicts.length;
  // Placeholders of dropped supported verdicts go (walk order kept).
  const kept = supportedDropped ? verdicts.filter((v) => v !== undefined) : verdicts;
  const counts: Record<Support, number> = { supported: supportedDropped, unsupported: 0, unverified: 0 };
  for (const v of kept) counts[v.verdict]++;
  return {
    target: resultTarget(profile), profileName: profile.name, opset, nodeCount, verdicts: kept, modelReasons, counts,
    ...(profile.toolkit ? { toolkit: { name: profile.toolkit.name, version: profile.toolkit.version } } : {}),
  };
}

/**
 * The check result's target: the built-in id with its toolkit version once (`qnn-htp@v68`, `qnn-htp@ep2.6.0`,
 * `ascend310p@8.5.0`), which `--target` and the setting pick again. A picker entry's id may already name a
 * version (`qnn-htp@v68`, `qnn-htp@ep2.0`, the setting's `ascend310p@8.5`): that suffix is replaced, not repeated.
 */
export function resultTarget(profile: TargetProfile): string {
  if (!profile.toolkit) return profile.id;
  const at = profile.id.indexOf('@');
  return `${at > 0 ? profile.id.slice(0, at) : profile.id}@${profile.toolkit.version}`;
}

const sourceCache = new WeakMap<OpProfile, { sources: readonly string[] }>();

/** The sources of the op's profile entry (shared per op: one array for all its nodes). */
function verdictSources(op: OpProfile): { sources: readonly string[] } {
  let cached = sourceCache.get(op);
  if (!cached) {
    cached = { sources: [...op.sources, ...(op.kernelSources ?? [])] };
    sourceCache.set(op, cached);
  }
  return cached;
}

function nodeReasons(
  node: Node, model: Model, profile: TargetProfile, scope: Scope, ctx: HintContext,
  modelOpset: number | undefined, functions: ReadonlySet<string>,
): { reasons: Reason[]; hintIds: Set<HintId>; op?: OpProfile } {
  const reasons: Reason[] = [];
  const hintIds = new Set<HintId>();
  const key = opKey(node.domain, node.opType);
  const op = profile.ops.get(key);
  const defaultDomain = isDefaultDomain(node.domain);
  if (defaultDomain && foldedBeforeConversion(node, profile, scope)) return { reasons, hintIds };
  if (!op) {
    if (!defaultDomain && functions.has(`${node.domain}::${node.opType}`)) {
      reasons.push({ code: 'custom-domain', certain: false, message: msg('{0} calls the model-local function {1}::{2}; {3} converts standard ops only.', node.name || node.opType, node.domain, node.opType, profile.name) });
      hintIds.add('function-inline');
    } else if (!defaultDomain) {
      reasons.push({ code: 'custom-domain', certain: profile.unlisted === 'unsupported', message: msg('{0} is in the custom domain "{1}", which {2} does not know.', node.opType, node.domain, profile.name) });
      hintIds.add('custom-domain');
    } else {
      reasons.push({ code: 'op-unsupported', certain: profile.unlisted === 'unsupported', message: msg('{0} is not supported by {1}.', node.opType, profile.name) });
      hintIds.add(opHint(node, ctx));
    }
    return { reasons, hintIds };
  }
  if (op.support !== 'supported') {
    reasons.push({
      code: 'op-unsupported', certain: op.support === 'unsupported',
      message: op.support === 'unverified'
        ? msg('{0}: the {1} data cannot tell whether this op converts ({2}).', node.opType, profile.name, op.note ?? '')
        : op.note ? msg('{0} is not supported by {1}: {2}.', node.opType, profile.name, op.note) : msg('{0} is not supported by {1}.', node.opType, profile.name),
    });
    hintIds.add(opHint(node, ctx));
  }
  const version = defaultDomain ? modelOpset : opsetVersion(model, node.domain);
  if (op.opsets && version !== undefined) {
    const versions = op.opsets.versions;
    const fails = op.opsets.rule === 'exact' ? !versions.includes(version) : version < Math.min(...versions);
    if (fails) {
      reasons.push({ code: 'opset', certain: true, message: msg('{0} at opset {1} is not registered by {2} (registered: {3}).', node.opType, version, profile.name, compactVersions(versions)) });
      hintIds.add('opset');
    }
  }
  for (const rule of op.rules ?? []) {
    const broken = ruleViolation(rule, node, scope, modelOpset);
    if (broken) {
      reasons.push({ code: broken.code, certain: rule.certain !== false, message: broken.message, ...(rule.source ? { source: rule.source } : {}) });
      hintIds.add(rule.rewrite ?? ruleHint(rule, node));
    }
  }
  // Element types of the node's inputs and outputs, where known.
  const types = new Set<ElementType>();
  const addType = (name: string) => {
    if (!name) return;
    const t = scope.type(name);
    if (t && (t.kind === 'tensor' || t.kind === 'sparse_tensor') && t.elemType !== 'undefined') types.add(t.elemType);
  };
  // Inputs the converter turns into op parameters (Pad pads) are no tensors on the chip: their types are not judged.
  const params = op.paramInputs?.inputs;
  node.inputs.forEach((name, i) => { if (!params?.includes(i)) addType(name); });
  node.outputs.forEach(addType);
  if (node.opType === 'Cast') {
    const to = node.attributes.find((a) => a.name === 'to');
    if (to && to.type === 'int') types.add(elementName(Number(to.value)));
  }
  // Constants are folded into their consumers' parameters: their element type is judged there.
  const refused = new Set<ElementType>();
  let dtypeCertain = false;
  const table = profile.mappedTypes;
  const unmapped = table && node.opType !== 'Constant' ? [...types].filter((t) => !table.types.includes(t)).sort() : [];
  if (unmapped.length) {
    // The converter cannot even represent these: judged here, not again as chip-wide or per-op types.
    for (const t of unmapped) types.delete(t);
    reasons.push({
      code: 'dtype', certain: table!.certain && !unmapped.some((t) => table!.uncertain?.includes(t)), source: table!.source,
      message: msg('{0} uses element types {1}, which {2} cannot map to target types (its type table maps only {3}: {4}).', node.opType, unmapped.join(', '), table!.converter, table!.types.join(', '), table!.source),
    });
    hintIds.add(unmapped.includes('double') ? 'double-to-float' : unmapped.includes('bfloat16') ? 'bf16-to-fp16' : 'unmapped-type');
  }
  if (node.opType !== 'Constant') {
    if (op.dtypes) {
      // Kernel type lists describe quantized activations: floats are quantized, so only integer, bool and
      // 64-bit types outside the list are findings.
      for (const t of types) if (!op.dtypes.types.includes(t) && !FLOAT_TYPES.has(t)) refused.add(t);
      dtypeCertain = op.dtypes.certain;
    }
    if (profile.dtypes) {
      for (const t of types) if (profile.dtypes.refused.includes(t)) refused.add(t);
      dtypeCertain = dtypeCertain || profile.dtypes.certain;
    }
  }
  if (refused.size) {
    const list = [...refused].sort();
    const chipWide = profile.dtypes?.source && list.every((t) => profile.dtypes!.refused.includes(t));
    reasons.push({
      code: 'dtype', certain: dtypeCertain,
      message: chipWide ? msg('{0} uses element types {1}, which {2} does not take ({3}).', node.opType, list.join(', '), profile.name, profile.dtypes!.source!) : msg('{0} uses element types {1}, which {2} does not take for this op.', node.opType, list.join(', '), profile.name),
      ...(chipWide ? { source: profile.dtypes!.source! } : {}),
    });
    if (refused.has('bfloat16')) hintIds.add('bf16-to-fp16');
    if (refused.has('int64') || refused.has('uint64')) hintIds.add('int64-to-int32');
    if (refused.has('double')) hintIds.add('double-to-float');
    if (refused.has('bool')) hintIds.add(node.opType === 'Equal' || node.opType === 'Cast' ? 'equal-float-compare' : 'bool-to-float');
  }
  const floatLimit = profile.floatCompute;
  const float = floatLimit && !floatLimit.exceptOps?.includes(node.opType) ? floatActivation(node, scope) : undefined;
  if (float) {
    reasons.push({
      code: 'dtype', certain: floatLimit!.certain, source: floatLimit!.source,
      message: floatLimit!.release
        ? msg('{0} computes in float ({1} is {2}, not from a DequantizeLinear); onnxruntime-qnn {3} places only quantized ops on the HTP ("{4}").', node.opType, float.name, float.type, floatLimit!.release, floatLimit!.evidence)
        : msg('{0} computes in float ({1} is {2}, not from a DequantizeLinear); {3} has no FP16 compute, so only quantized ops run on it ("{4}").', node.opType, float.name, float.type, profile.name, floatLimit!.evidence),
    });
    hintIds.add('quantize-qdq');
  }
  const mixed = scope.retyping && defaultDomain ? convertedTypeMismatch(node, scope, profile.convertedTypes!.outputs) : undefined;
  if (mixed) {
    const { certain, source, evidence } = profile.convertedTypes!.mixed;
    reasons.push({
      code: 'dtype', certain, source: `${mixed.source}; ${source}`,
      message: msg('{0}: {1} is {2} after conversion ({3} gives {2}: "{4}") while {5} is {6}, and ONNX gives {0} one type for both; the converter may refuse the mix ("{7}").', node.opType, mixed.name, mixed.type, mixed.producer, mixed.evidence, mixed.other, mixed.otherType, evidence),
    });
    hintIds.add('converted-type-cast');
  }
  const activation = profile.activationTypes ? quantizedActivation(node, scope, profile.activationTypes.refused) : undefined;
  if (activation) {
    reasons.push({
      code: 'dtype', certain: profile.activationTypes!.certain, source: profile.activationTypes!.source,
      message: msg('{0}: activation {1} is quantized to {2}, which {3} may not take ("{4}").', node.opType, activation.name, activation.type, profile.name, profile.activationTypes!.evidence),
    });
  }
  if (profile.staticShapes === 'required') {
    const dynamic = [...node.inputs, ...node.outputs].filter((name) => name && !isStatic(scope.type(name) ?? null, true));
    if (dynamic.length) {
      reasons.push({ code: 'dynamic-shape', certain: true, message: msg('{0} has values with dynamic dimensions ({1}); {2} needs static shapes.', node.opType, dynamic.slice(0, 3).join(', '), profile.name) });
      hintIds.add('fixed-shapes');
    }
  }
  if (reasons.length) {
    const specific = opHint(node, ctx);
    // Shape + Gather is the shape-unpacking pattern whatever the finding; other op hints only when nothing more precise was said.
    if (specific === 'shape-unpacking' || !hintIds.size) hintIds.add(specific);
  }
  return { reasons, hintIds, op };
}

/** Whether the converter removes the node before it translates ops (profile.foldedBeforeConversion). */
function foldedBeforeConversion(node: Node, profile: TargetProfile, scope: Scope): boolean {
  const folded = profile.foldedBeforeConversion;
  if (!folded) return false;
  if (folded.ops.includes(node.opType)) return true;
  return folded.constantInputs && !folded.keptOps?.includes(node.opType) && node.outputs.some(Boolean) && node.outputs.every((o) => !o || scope.isConstant(o));
}

const QDQ_BOUNDARY: ReadonlySet<string> = new Set(['QuantizeLinear', 'DequantizeLinear']);

/**
 * The first float input of a node that is not part of a QDQ node unit: not a constant (weights are
 * folded into parameters) and not produced by a DequantizeLinear. Undefined when there is none.
 */
function floatActivation(node: Node, scope: Scope): { name: string; type: ElementType } | undefined {
  if (QDQ_BOUNDARY.has(node.opType)) return undefined;
  for (const name of node.inputs) {
    if (!name || scope.isConstant(name) || scope.dequantizedFrom(name) !== undefined) continue;
    const t = scope.type(name);
    if (t && t.kind === 'tensor' && FLOAT_TYPES.has(t.elemType)) return { name, type: t.elemType };
  }
  return undefined;
}

/**
 * ONNX ops whose listed inputs share one type variable (T in the ONNX operator schemas: github.com/onnx/onnx
 * docs/Operators.md, type constraints): an ONNX model has them equal, so a converter that retypes one of them breaks it.
 */
export const SAME_TYPE_INPUTS: ReadonlyMap<string, readonly number[] | 'all'> = new Map<string, readonly number[] | 'all'>([
  ...['Add', 'Sub', 'Mul', 'Div', 'Mod', 'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'PRelu', 'MatMul', 'BitShift'].map((op) => [op, [0, 1]] as const),
  ...['Max', 'Min', 'Sum', 'Mean', 'Concat'].map((op) => [op, 'all'] as const),
  ['Where', [1, 2]], ['Gemm', [0, 1, 2]], ['Range', [0, 1, 2]],
]);

/**
 * An input of a same-type op (SAME_TYPE_INPUTS) whose producer the converter retypes (`outputs`), when another
 * input of the op then has another type: one hop from the retyped output.
 */
function convertedTypeMismatch(
  node: Node, scope: Scope, outputs: NonNullable<TargetProfile['convertedTypes']>['outputs'],
): { name: string; type: ElementType; producer: string; source: string; evidence: string; other: string; otherType: ElementType } | undefined {
  const same = SAME_TYPE_INPUTS.get(node.opType);
  if (!same) return undefined;
  const indexes = same === 'all' ? node.inputs.map((_, i) => i) : same;
  const typed: { name: string; type: ElementType; converted?: { producer: string; source: string; evidence: string } }[] = [];
  for (const i of indexes) {
    const name = node.inputs[i];
    if (!name) continue;
    const producer = scope.producerNode(name);
    const retyped = producer ? outputs.get(producer.opType)?.find((o) => producer.outputs[o.output] === name) : undefined;
    if (retyped) {
      typed.push({ name, type: retyped.type, converted: { producer: producer!.opType, source: retyped.source, evidence: retyped.evidence } });
      continue;
    }
    const t = scope.type(name);
    if (t && t.kind === 'tensor' && t.elemType !== 'undefined') typed.push({ name, type: t.elemType });
  }
  const converted = typed.find((t) => t.converted);
  const other = converted && typed.find((t) => t.type !== converted.type);
  return converted && other ? { name: converted.name, type: converted.type, ...converted.converted!, other: other.name, otherType: other.type } : undefined;
}

/** The first non-constant input whose quantized type (own, or dequantized from) is in `refused`. */
function quantizedActivation(node: Node, scope: Scope, refused: readonly ElementType[]): { name: string; type: ElementType } | undefined {
  for (const name of node.inputs) {
    if (!name || scope.isConstant(name)) continue;
    const t = scope.type(scope.dequantizedFrom(name) ?? name);
    if (t && t.kind === 'tensor' && refused.includes(t.elemType)) return { name, type: t.elemType };
  }
  return undefined;
}

/** The rewrite that avoids a failed rule when the rule does not name one. */
function ruleHint(rule: NodeRule, node: Node): HintId {
  if (rule.noKernel) return 'kernel-fallback';
  if (rule.refusedQuantTypes) return 'weight-8bit';
  if (rule.refusedTypes?.includes('int64')) return 'int64-to-int32';
  if (rule.requiredInputs) return 'explicit-inputs';
  if (rule.constInputs) return node.opType === 'Reshape' || node.opType === 'Expand' ? 'literal-shape' : 'constant-fold';
  if (rule.opsets) return 'opset';
  if (rule.staticShape) return 'fixed-shapes';
  return 'attribute';
}

interface RuleFailure { readonly code: ReasonCode; readonly message: Message }

/**
 * Whether a node breaks one constraint of its op, and how: the code and message name the constraint and
 * quote its evidence. Values whose type or shape is unknown do not break type, rank or shape rules.
 */
export function ruleViolation(
  rule: NodeRule, node: Node,
  scope: { type(name: string): ValueType | undefined; isConstant(name: string): boolean; dequantizedFrom?(name: string): string | undefined },
  modelOpset?: number,
): RuleFailure | undefined {
  const failed = (message: Message): RuleFailure => ({ code: 'attribute', message });
  if (rule.when) {
    const a = node.attributes.find((x) => x.name === rule.when!.attribute);
    if ((a ? attributeScalar(a) : rule.when.default) !== rule.when.equals) return undefined;
  }
  if (rule.refusedQuantTypes && rule.input !== undefined) {
    const name = node.inputs[rule.input];
    if (!name) return undefined;
    const quantized = scope.dequantizedFrom?.(name) ?? name;
    const t = scope.type(quantized);
    if (!t || t.kind !== 'tensor' || !rule.refusedQuantTypes.includes(t.elemType)) return undefined;
    return { code: 'dtype', message: msg('{0}: {1} is quantized to {2}, which this chip does not take here ("{3}").', node.opType, name, t.elemType, rule.evidence) };
  }
  if (rule.noKernel) return { code: 'kernel', message: msg('{0} becomes the kernel {1}, whose operator document marks this chip × ("{2}").', node.opType, rule.noKernel, rule.evidence) };
  if (rule.opsets) {
    const { min, max } = rule.opsets;
    if (modelOpset === undefined || ((min === undefined || modelOpset >= min) && (max === undefined || modelOpset <= max))) return undefined;
    return { code: 'opset', message: msg('{0} at opset {1} is outside opsets {2} to {3} ("{4}").', node.opType, modelOpset, min ?? 1, max ?? modelOpset, rule.evidence) };
  }
  if (rule.refusedTypes || rule.types || rule.maxRank !== undefined || rule.staticShape) {
    const names = rule.input !== undefined ? [node.inputs[rule.input] ?? ''] : [...node.inputs, ...node.outputs];
    for (const name of names) {
      if (!name) continue;
      const t = scope.type(name);
      if (!t || (t.kind !== 'tensor' && t.kind !== 'sparse_tensor')) continue;
      if (t.elemType !== 'undefined') {
        if (rule.refusedTypes?.includes(t.elemType) || (rule.types && !rule.types.includes(t.elemType))) {
          return { code: 'dtype', message: msg('{0}: {1} is {2}, which the kernel does not take ("{3}").', node.opType, name, t.elemType, rule.evidence) };
        }
      }
      if (rule.maxRank !== undefined && t.shape && t.shape.length > rule.maxRank) {
        return { code: 'rank', message: msg('{0}: {1} has rank {2}; at most {3} is accepted ("{4}").', node.opType, name, t.shape.length, rule.maxRank, rule.evidence) };
      }
      if (rule.staticShape && !isStatic(t)) {
        return { code: 'dynamic-shape', message: msg('{0}: {1} has dynamic dimensions; a fixed shape is needed ("{2}").', node.opType, name, rule.evidence) };
      }
    }
    return undefined;
  }
  if (rule.maxOutputs !== undefined) {
    const outputs = node.outputs.filter((o) => o !== '').length;
    return outputs > rule.maxOutputs ? failed(msg('{0} has {1} outputs; the compiler accepts {2} ("{3}").', node.opType, outputs, rule.maxOutputs, rule.evidence)) : undefined;
  }
  if (rule.requiredInputs) {
    const missing = rule.requiredInputs.filter((i) => !node.inputs[i]);
    return missing.length ? failed(msg('{0} is given {1} inputs and leaves out input {2} (1-based); the source backs only the form with it given ("{3}").', node.opType, node.inputs.filter(Boolean).length, missing.map((i) => i + 1).join(', '), rule.evidence)) : undefined;
  }
  if (rule.constInputs) {
    const dynamic = rule.constInputs.filter((i) => node.inputs[i] && !scope.isConstant(node.inputs[i]!));
    return dynamic.length ? failed(msg('{0} input {1} is computed at run time; the compiler needs a constant ("{2}").', node.opType, dynamic.map((i) => node.inputs[i]!).join(', '), rule.evidence)) : undefined;
  }
  if (!rule.attribute) return undefined;
  const attribute = node.attributes.find((a) => a.name === rule.attribute);
  // An unset attribute has its ONNX default where the rule gives one (Resize nearest_mode round_prefer_floor).
  const value = attribute ? attributeScalar(attribute) : rule.absent ? undefined : rule.default;
  const show = (v: unknown) => (Array.isArray(v) ? `[${v.join(', ')}]` : String(v));
  const broken = failed(msg('{0} attribute {1} = {2} is not accepted ("{3}").', node.opType, rule.attribute, show(value), rule.evidence));
  if (rule.absent) {
    if (attribute && !(rule.default !== undefined && value === rule.default)) return broken;
    return undefined;
  }
  if (value === undefined) return undefined;
  if (rule.length && Array.isArray(value)) return rule.length.includes(value.length) ? undefined : broken;
  if (Array.isArray(value)) return undefined;
  if (rule.allowed && !rule.allowed.includes(value)) return broken;
  if (rule.notAllowed && rule.notAllowed.includes(value)) return broken;
  if (rule.min !== undefined && typeof value === 'number' && value < rule.min) return broken;
  if (rule.odd && typeof value === 'number' && value % 2 !== 1) return broken;
  return undefined;
}

function attributeScalar(a: Attribute): number | string | (number | string)[] | undefined {
  switch (a.type) {
    case 'int': return Number(a.value);
    case 'float': return a.value;
    case 'string': return a.value;
    case 'ints': return a.value.map(Number);
    case 'floats': return [...a.value];
    case 'strings': return [...a.value];
    default: return undefined;
  }
}

function buildScope(graph: Graph, parent: Scope | undefined): Scope {
  const scope = new Scope(parent, graph.nodes);
  for (const list of [graph.inputs, graph.outputs, graph.valueInfo]) for (const v of list) if (v.type) scope.types.set(v.name, v.type);
  for (const t of graph.initializers) {
    scope.constants.add(t.name);
    if (!scope.types.has(t.name)) scope.types.set(t.name, { kind: 'tensor', elemType: t.elemType, shape: [...t.dims] });
  }
  for (const node of graph.nodes) {
    if (node.opType === 'DequantizeLinear' && node.outputs[0] && node.inputs[0]) scope.dequantized.set(node.outputs[0], node.inputs[0]);
    if (node.opType === 'Constant' && isDefaultDomain(node.domain) && node.outputs[0]) {
      scope.constants.add(node.outputs[0]);
      const value = node.attributes.find((a) => a.name === 'value');
      if (value?.type === 'tensor' && !scope.types.has(node.outputs[0])) scope.types.set(node.outputs[0], { kind: 'tensor', elemType: value.value.elemType, shape: [...value.value.dims] });
    }
    if (node.opType === 'Cast' && node.outputs[0] && !scope.types.has(node.outputs[0])) {
      const to = node.attributes.find((a) => a.name === 'to');
      if (to?.type === 'int') scope.types.set(node.outputs[0], { kind: 'tensor', elemType: elementName(Number(to.value)), shape: null });
    }
    if (!isDefaultDomain(node.domain)) continue;
    // Constant paths: a deterministic op whose inputs are all constants folds to a constant, and the
    // shape of a fixed-shape value is one.
    if (foldsToConstant(node, scope)) for (const out of node.outputs) if (out) scope.constants.add(out);
    // Element types the exporter does not always write to value_info: index outputs and type-preserving ops.
    if (node.opType === 'TopK' && node.outputs[1] && !scope.types.has(node.outputs[1])) scope.types.set(node.outputs[1], inferredType('int64'));
    const out = node.outputs[0];
    if (!out || scope.types.has(out)) continue;
    if (INT64_OUTPUT.has(node.opType)) scope.types.set(out, inferredType('int64'));
    else {
      const from = SAME_TYPE_AS_INPUT.get(node.opType);
      const t = from !== undefined && node.inputs[from] ? scope.type(node.inputs[from]!) : undefined;
      if (t && t.kind === 'tensor' && t.elemType !== 'undefined') scope.types.set(out, inferredType(t.elemType));
    }
  }
  return scope;
}

function foldsToConstant(node: Node, scope: Scope): boolean {
  const inputs = node.inputs;
  if (!inputs.length) return false;
  if (node.opType === 'Shape') return !!inputs[0] && isStatic(scope.type(inputs[0]) ?? null);
  for (let i = 0; i < inputs.length; i++) if (inputs[i] && !scope.isConstant(inputs[i]!)) return false;
  if (NOT_FOLDABLE.has(node.opType)) return false;
  for (const a of node.attributes) if (a.type === 'graph' || a.type === 'graphs') return false;
  return true;
}

const inferred = new Map<ElementType, ValueType>();
/** An inferred value type: element type only, shape unknown (one shared object per element type). */
function inferredType(elemType: ElementType): ValueType {
  let t = inferred.get(elemType);
  if (!t) inferred.set(elemType, (t = { kind: 'tensor', elemType, shape: null }));
  return t;
}

/** Ops whose output is not a function of constant inputs alone. */
export const NOT_FOLDABLE: ReadonlySet<string> = new Set(['RandomNormal', 'RandomNormalLike', 'RandomUniform', 'RandomUniformLike', 'Multinomial', 'Bernoulli', 'Dropout']);
/** Ops whose (first) output is int64 whatever the input. */
export const INT64_OUTPUT: ReadonlySet<string> = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin', 'NonMaxSuppression']);
/** Ops whose first output has the element type of input k. */
export const SAME_TYPE_AS_INPUT: ReadonlyMap<string, number> = new Map([
  ...['Add', 'Sub', 'Mul', 'Div', 'Neg', 'Abs', 'Relu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Pow', 'Mod', 'Min', 'Max', 'Clip', 'Softmax', 'LogSoftmax',
    'MatMul', 'Gemm', 'Conv', 'ConvTranspose', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Flatten', 'Concat', 'Slice', 'Gather', 'GatherElements',
    'GatherND', 'Expand', 'Tile', 'Identity', 'TopK', 'ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'CumSum', 'Split', 'Pad', 'Resize',
    'LayerNormalization', 'BatchNormalization', 'InstanceNormalization', 'Erf', 'Floor', 'Ceil', 'Round', 'Sign', 'Reciprocal', 'ScatterND', 'ScatterElements'].map((op) => [op, 0] as const),
  ['Where', 1] as const,
]);

export function elementName(code: number): ElementType {
  return onnxSchema().elementTypes.get(code) ?? (`type(${code})` as ElementType);
}

function isInitializer(graph: Graph, name: string): boolean {
  return graph.initializers.some((t) => t.name === name);
}

/** Fixed shape: every dim a non-negative number. `unknownIsStatic`: a value with no known type counts as static. */
function isStatic(type: ValueType | null, unknownIsStatic = false): boolean {
  if (!type) return unknownIsStatic;
  if (type.kind !== 'tensor' && type.kind !== 'sparse_tensor') return unknownIsStatic;
  if (!type.shape) return unknownIsStatic;
  return type.shape.every((d) => typeof d === 'number' && d >= 0);
}

function shapeText(type: ValueType | null): string {
  if (!type || (type.kind !== 'tensor' && type.kind !== 'sparse_tensor') || !type.shape) return '[?]';
  return `[${type.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/** 8,9,10,11,13 → "8-11, 13". */
export function compactVersions(versions: readonly number[]): string {
  const sorted = [...new Set(versions)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j;
  }
  return parts.join(', ');
}

/** Verdict for one op the profile knows, for quick look-ups by the viewer (no node context). */
export function opSupport(profile: TargetProfile, domain: string, opType: string): OpProfile | undefined {
  return profile.ops.get(opKey(domain, opType));
}

/** One op case, for corpora of public compiler reports: the op, its attributes, and its values. */
/** One input of an op case: element type, shape (null entries are dynamic dims; omitted: unknown), whether it is a constant. */
export interface OpCaseInput {
  readonly type: ElementType;
  readonly shape?: readonly (number | null)[];
  readonly constant?: boolean;
  /**
   * The value is output `output` of a node of op `op` (its own inputs given the same way), as a report states it:
   * the case model gets that node before the op (checked too; the case's verdict stays the op's).
   */
  readonly from?: { readonly op: string; readonly output: number; readonly inputs: readonly OpCaseInput[]; readonly attributes?: readonly Attribute[] };
}

export interface OpCase {
  readonly op: string;
  /** Default "" (the standard ONNX domain). */
  readonly domain?: string;
  /** Opset of the op's domain. */
  readonly opset: number;
  readonly attributes?: readonly Attribute[];
  /** Inputs in order. */
  readonly inputs: readonly OpCaseInput[];
  readonly outputs?: readonly { readonly type: ElementType; readonly shape?: readonly (number | null)[] }[];
}

/**
 * The verdict of one op case on a profile (`resolveProfile({ target: 'ascend310p@8.5' })`): the case
 * becomes a one-node model (constant inputs are initializers, shapes are fixed unless given; an input made by
 * another op (`from`) gets that node) and is checked like any model; model-level findings (opset range,
 * dynamic inputs) come with it.
 */
export function checkOpCase(c: OpCase, profile: TargetProfile): { verdict: NodeVerdict; modelReasons: readonly Reason[] } {
  const value = (name: string, t: { type: ElementType; shape?: readonly (number | null)[] }) => ({
    name, type: { kind: 'tensor' as const, elemType: t.type, shape: t.shape ? [...t.shape] : [1] },
  });
  const domain = c.domain ?? '';
  const nodes: Node[] = [];
  const graphInputs: ValueInfo[] = [];
  const valueInfo: ValueInfo[] = [];
  const initializers: Tensor[] = [];
  // Each input is a graph input, an initializer, or the output of a producer node added before the op.
  const addInputs = (list: readonly OpCaseInput[], prefix: string): string[] => list.map((t, i) => {
    const name = `${prefix}${i}`;
    const v = value(name, t);
    if (t.from) {
      const outs = Array.from({ length: t.from.output + 1 }, (_, k) => (k === t.from!.output ? name : `${name}_o${k}`));
      nodes.push({ name: `${name}_producer`, opType: t.from.op, domain: '', inputs: addInputs(t.from.inputs, `${name}_in`), outputs: outs, attributes: t.from.attributes ?? [] });
      valueInfo.push(v);
    } else if (t.constant) {
      initializers.push({
        name, elemType: t.type, dims: (t.shape ?? [1]).map((d) => d ?? 1), elementCount: (t.shape ?? [1]).reduce<number>((a, d) => a * (d ?? 1), 1),
        byteLength: 0, data: { kind: 'none' as const }, fileOffset: 0,
      });
    } else {
      graphInputs.push(v);
    }
    return name;
  });
  const inputs = addInputs(c.inputs, 'in');
  const outputs = (c.outputs ?? [{ type: c.inputs[0]?.type ?? 'float' }]).map((t, i) => value(`out${i}`, t));
  nodes.push({ name: c.op, opType: c.op, domain, inputs, outputs: outputs.map((v) => v.name), attributes: c.attributes ?? [] });
  const graph: Graph = { name: 'case', path: 'main', nodes, inputs: graphInputs, outputs, valueInfo, initializers, sparseInitializers: [] };
  const model: Model = {
    irVersion: 8, opsetImports: [{ domain: '', version: domain === '' || domain === 'ai.onnx' ? c.opset : 13 }, ...(domain && domain !== 'ai.onnx' ? [{ domain, version: c.opset }] : [])],
    producerName: 'npu-port', producerVersion: '', domain: '', modelVersion: 0, docString: '', metadata: [], graph, functions: [], trainingInfoCount: 0,
    source: { byteLength: 0, bytesRead: 0 },
  };
  const result = checkModel(model, profile);
  return { verdict: result.verdicts.at(-1)!, modelReasons: result.modelReasons };
}
