/**
 * A target profile: what an NPU compiler accepts, per op, with the evidence. Built-in profiles come
 * from the data files in ./data (each cites its sources); whitelist profiles (field report 003's method: the ops
 * of modules that compiled) come from `.npu-port/profiles/*.json` or `--profile FILE`.
 */
import type { Message } from '../../l10n';
import type { HintId } from '../hints';
import type { ElementType } from '../model';

export type Support = 'supported' | 'unverified' | 'unsupported';

/** A checkable constraint on a node (see data/attribute-rules.json for the forms). */
export interface NodeRule {
  readonly attribute?: string;
  readonly allowed?: readonly (number | string)[];
  readonly notAllowed?: readonly (number | string)[];
  readonly absent?: boolean;
  readonly default?: number | string;
  readonly min?: number;
  readonly odd?: boolean;
  readonly length?: readonly number[];
  readonly maxOutputs?: number;
  readonly constInputs?: readonly number[];
  /**
   * Optional ONNX inputs (indexes) the node must give: a node that leaves one out (fewer inputs, or an empty
   * name) breaks the rule (NonMaxSuppression's thresholds on Ascend, where only the five-input form is backed).
   */
  readonly requiredInputs?: readonly number[];
  /** Opset range the op is supported in (default domain opset of the model). */
  readonly opsets?: { readonly min?: number; readonly max?: number };
  /** Element types the node may not use: on input `input` only when given, else on any input or output. */
  readonly refusedTypes?: readonly ElementType[];
  /** Element types input `input` must have. */
  readonly types?: readonly ElementType[];
  /**
   * Quantized element types input `input` may not have: its own type when integer, else the type a
   * DequantizeLinear that produces it dequantizes from (a QDQ weight).
   */
  readonly refusedQuantTypes?: readonly ElementType[];
  /** Input index for `refusedTypes`, `types`, `maxRank` and `staticShape`. */
  readonly input?: number;
  /** Highest rank input `input` may have. */
  readonly maxRank?: number;
  /** Input `input` must have a fixed shape. */
  readonly staticShape?: boolean;
  /** The chip has no kernel for this GE op type according to the source (value: the GE op type). */
  readonly noKernel?: string;
  /**
   * The rule applies only to nodes whose attribute `attribute` equals `equals` (`default` when the node
   * does not set it), e.g. Resize limits that hold for one coordinate_transformation_mode.
   */
  readonly when?: { readonly attribute: string; readonly equals: number | string; readonly default?: number | string };
  /** Toolkit releases the rule holds for (`since` included, `before` excluded); absent: every release the data covers. */
  readonly releases?: { readonly since?: string; readonly before?: string };
  /**
   * QNN SDK (QAIRT) releases the rule holds for (`since` included, `before` excluded): a per-op HTP data type
   * enabled in a QAIRT release is refused with the QAIRT the chosen EP release was built with, before it.
   */
  readonly qairt?: { readonly since?: string; readonly before?: string };
  /** False when the source cannot settle it (the node is then unverified); default true. */
  readonly certain?: boolean;
  /** Where the rule comes from: `repo@commit:path`, or a document with its version. */
  readonly source?: string;
  /** The rewrite that avoids the constraint. */
  readonly rewrite?: HintId;
  /** Verbatim compiler or document string the rule comes from. */
  readonly evidence: string;
}

/** The toolkit release a profile's facts are for. */
export interface ToolkitVersion {
  /**
   * `Hexagon`: the HTP architecture (`qnn-htp@v68`), not a toolkit release; `onnxruntime-qnn`: the QNN EP
   * release (`qnn-htp@ep2.6`, version `ep2.6.0`; default architecture).
   */
  readonly name: 'CANN' | 'QAIRT' | 'Hexagon' | 'onnxruntime-qnn';
  readonly version: string;
  /** Releases the data covers, newest first (`target@version` picks one). */
  readonly available: readonly string[];
}

export interface OpProfile {
  /** How sure the data is that the op converts (before opset, dtype and attribute checks). */
  readonly support: Support;
  /** Opset versions the op is registered at (`exact`), or schema versions where the lowest is the start (`since`). */
  readonly opsets?: { readonly versions: readonly number[]; readonly rule: 'exact' | 'since' };
  /** Element types the target's kernels take; types outside are reported as `dtype`. */
  readonly dtypes?: { readonly types: readonly ElementType[]; readonly certain: boolean };
  readonly rules?: readonly NodeRule[];
  /**
   * Inputs the converter reads as values and turns into parameters of the compiled op (ONNX Pad `pads`
   * become QNN uint32 pad amounts): they are no tensors on the chip, so their element types are not judged.
   */
  readonly paramInputs?: { readonly inputs: readonly number[]; readonly source: string };
  /** Verbatim compiler constraint strings (shown as evidence; only `rules` are checked). */
  readonly constraints?: readonly string[];
  readonly sources: readonly string[];
  /** Per-chip evidence that the op has a kernel (document or op definition), shown with the verdict. */
  readonly kernelSources?: readonly string[];
  /** Why the support is uncertain, when it is. */
  readonly note?: string;
}

export interface ProfileSource {
  readonly label: Message;
  /** Where the facts come from: repository@commit:path, URL, or a file. */
  readonly ref: string;
}

export interface TargetProfile {
  /** `ascend310`, `qnn-htp`, or a whitelist profile's name. */
  readonly id: string;
  readonly name: string;
  readonly kind: 'builtin' | 'whitelist';
  readonly toolchain: 'atc' | 'qnn' | 'whitelist';
  /** ATC `--soc_version` for Ascend targets. */
  readonly socVersion?: string;
  /** Toolkit release the facts are for; absent when the data does not say. */
  readonly toolkit?: ToolkitVersion;
  readonly description: Message;
  readonly sources: readonly ProfileSource[];
  /** What the data cannot tell, said plainly (shown by `onnx targets`). */
  readonly caveats: readonly Message[];
  /** Default-domain opset range the converter accepts; `certain` false: outside is unverified. */
  readonly modelOpsets?: { readonly min?: number; readonly max?: number; readonly certain: boolean };
  /** Whether graph inputs must have fixed shapes. */
  readonly staticShapes: 'required' | 'unverified' | 'not-required';
  /** Where `staticShapes` comes from, when a document says it for this target. */
  readonly staticShapesSource?: string;
  /** Element types the target refuses anywhere (e.g. int64 on HTP), with certainty. */
  readonly dtypes?: { readonly refused: readonly ElementType[]; readonly certain: boolean; readonly source?: string };
  /**
   * The element types the converter maps to the target's own (the ONNX Runtime QNN EP's ONNX -> QNN type table):
   * a node input or output of any other type is refused (`certain`; a type in `uncertain` only unverified: a
   * release other than the table's may map it). `converter` names the converter and release the table is of.
   */
  readonly mappedTypes?: {
    readonly types: readonly ElementType[]; readonly certain: boolean; readonly uncertain?: readonly ElementType[];
    readonly converter: string; readonly source: string;
  };
  /**
   * The target has no float compute (an HTP without FP16): an op whose float inputs do not come from
   * DequantizeLinear (not a QDQ node unit) is refused, with this certainty and source.
   */
  readonly floatCompute?: {
    readonly supported: false; readonly certain: boolean; readonly source: string; readonly evidence: string;
    /** Set when the limit is the converter release's, not the chip's (an EP that places no float ops on the HTP). */
    readonly release?: string;
    /** Ops the limit does not cover (the EP placed a single float Transpose on the HTP, and checked Cast in its builder). */
    readonly exceptOps?: readonly string[];
  };
  /**
   * Quantized activation types the target may not take: checked on non-constant inputs (their own type,
   * or the type a DequantizeLinear feeding them dequantizes from).
   */
  readonly activationTypes?: { readonly refused: readonly ElementType[]; readonly certain: boolean; readonly source: string; readonly evidence: string };
  /**
   * The converter removes these before it translates ops (ONNX Runtime: Constant nodes become
   * initializers, Identity and Dropout are eliminated, nodes of constant inputs are folded): such nodes
   * are not judged.
   */
  readonly foldedBeforeConversion?: {
    readonly ops: readonly string[]; readonly constantInputs: boolean; readonly source: string;
    /** Ops of constant inputs that are kept all the same (ONNX Runtime keeps DequantizeLinear for its QDQ node units). */
    readonly keptOps?: readonly string[];
  };
  /**
   * Outputs the converter gives another element type than ONNX does (ATC makes TopK's indices int32), and what it
   * does with an op whose inputs must share one type (ONNX type variable T) but then differ.
   */
  readonly convertedTypes?: {
    readonly outputs: ReadonlyMap<string, readonly { readonly output: number; readonly type: ElementType; readonly source: string; readonly evidence: string }[]>;
    readonly mixed: { readonly certain: boolean; readonly source: string; readonly evidence: string };
  };
  /** Verdict for an op the profile does not list. */
  readonly unlisted: Support;
  /** Ops by key: `OpType` for the default domain, `domain::OpType` for others. */
  readonly ops: ReadonlyMap<string, OpProfile>;
  /**
   * Domains whose nodes the default-domain entries also cover, listed again in `ops` under `domain::OpType`
   * so that lookups find them (the QNN EP matches op types in com.microsoft as in ai.onnx); counted once.
   */
  readonly sharedOpDomains?: readonly string[];
  /** Where a whitelist profile was loaded from. */
  readonly file?: string;
}

export function opKey(domain: string, opType: string): string {
  return domain === '' || domain === 'ai.onnx' ? opType : `${domain}::${opType}`;
}

/** Op types a profile lists, per domain (ai.onnx first), each counted once: `sharedOpDomains` copies are not counted again. */
export function opCounts(profile: TargetProfile): { total: number; domains: { domain: string; ops: number }[]; sharedWith: readonly string[] } {
  const shared = profile.sharedOpDomains ?? [];
  const perDomain = new Map<string, number>([['ai.onnx', 0]]);
  for (const key of profile.ops.keys()) {
    const at = key.lastIndexOf('::');
    const domain = at < 0 ? 'ai.onnx' : key.slice(0, at);
    if (at >= 0 && shared.includes(domain) && profile.ops.has(key.slice(at + 2))) continue;
    perDomain.set(domain, (perDomain.get(domain) ?? 0) + 1);
  }
  const domains = [...perDomain].filter(([d, n]) => n > 0 || d === 'ai.onnx').map(([domain, ops]) => ({ domain, ops }));
  return { total: domains.reduce((sum, d) => sum + d.ops, 0), domains, sharedWith: shared };
}
