/**
 * The built-in target profiles, built from the data files next to this one (each data file says where
 * its facts come from). Ascend 310/310P/910/910B share the ATC parser data (the parser plugins are
 * SoC-independent) and differ by the per-SoC kernel facts of ascend-kernels.json, per CANN release.
 * qnn-htp is the ONNX Runtime QNN EP's op registry (qnn-htp.json) with per-Hexagon-architecture facts
 * (qnn-arch.json); `qnn-htp@v68` picks the architecture, `qnn-htp` is the default one.
 */
import { msg } from '../../l10n';
import type { ElementType } from '../model';
import atcData from './data/ascend-atc.json';
import qnnData from './data/qnn-htp.json';
import qnnArch from './data/qnn-arch.json';
import kernelData from './data/ascend-kernels.json';
import ruleData from './data/attribute-rules.json';
import type { NodeRule, OpProfile, TargetProfile } from './profile';

interface KernelRelease {
  date: string;
  repos: Record<string, string>;
  bf16Refused: Record<string, { ops: number; src: string; example: string; documented: number }>;
  onnx: Record<string, { opsets: number[]; ge: string[]; src: string[] }>;
  ge: Record<string, { doc?: string; products?: Record<string, boolean>; refused?: Record<string, string[]>; kernels?: { socs: string[]; inputs: Record<string, string[]>; src: string }[] }>;
}
const kernels = kernelData as unknown as { default: string; socs: string[]; releases: Record<string, KernelRelease> };

/** CANN releases the kernel data covers, newest first. */
export const CANN_RELEASES: readonly string[] = Object.keys(kernels.releases).sort((a, b) => compareVersions(b, a));

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** `repo:path` of the kernel data -> `github:hicann/repo@commit:path` of that release. */
function cite(release: KernelRelease, short: string): string {
  const [repo, ...path] = short.split(':');
  const full = `hicann/${repo}`;
  return `github:${full}@${(release.repos[full] ?? '').slice(0, 12)}:${path.join(':')}`;
}

const PRODUCT: Record<string, string> = {
  ascend310: 'Atlas 200/300/500 推理产品', ascend310p: 'Atlas 推理系列产品', ascend910: 'Atlas 训练系列产品', ascend910b: 'Atlas A2 训练系列产品/Atlas A2 推理系列产品',
};

/**
 * The per-SoC rules of one ONNX op in one CANN release: a GE op type the op maps to whose operator
 * document marks the product × (unverified: the document covers the open-source kernel, the toolkit may
 * ship another), element types a document note refuses for the product (bf16 is chip-wide, below), and
 * the documents or op definitions that show a kernel for the SoC.
 */
function socRules(op: string, soc: string, release: KernelRelease): { rules: NodeRule[]; kernelSources: string[] } {
  const rules: NodeRule[] = [];
  const kernelSources: string[] = [];
  const mapping = release.onnx[op] ?? kernels.releases[kernels.default]!.onnx[op];
  for (const ge of mapping?.ge ?? []) {
    const e = release.ge[ge];
    if (!e) continue;
    const doc = e.doc ? cite(release, e.doc) : undefined;
    // A document that marks every chip here × describes a newer chip's kernel only: it tells nothing about these.
    const informative = kernels.socs.some((other) => e.products?.[other] === true);
    if (e.products?.[soc] === false && doc && informative) {
      rules.push({ noKernel: ge, certain: false, source: doc, evidence: `${ge}: 产品支持情况 ${PRODUCT[soc]} ×` });
    } else if (e.products?.[soc] === true && doc) {
      kernelSources.push(doc);
    }
    const defs = (e.kernels ?? []).filter((k) => k.socs.includes(soc));
    for (const k of defs) kernelSources.push(cite(release, k.src));
    // Input element types of the chip's op definition, when the ONNX op becomes this one GE op (inputs in
    // the same order): a type outside is unverified (the toolkit may place the op on another kernel).
    if (defs.length && mapping!.ge.length === 1) {
      const names = Object.keys(defs[0]!.inputs);
      names.forEach((name, input) => {
        const types = [...new Set(defs.flatMap((k) => k.inputs[name] ?? []))].sort();
        if (types.length) rules.push({ input, types: types as ElementType[], certain: false, source: cite(release, defs[0]!.src), evidence: `${ge} ${name}: ${types.join(', ')}` });
      });
    }
    // bf16 is judged chip-wide where the documents say so for the chip (profile.dtypes), per op elsewhere.
    const refused = (e.refused?.[soc] ?? []).filter((t) => t !== 'bfloat16' || !release.bf16Refused[soc]);
    if (refused.length && doc) {
      rules.push({
        refusedTypes: refused as ElementType[], certain: false, source: doc,
        ...(refused.includes('int64') ? { rewrite: 'int64-to-int32' as const } : refused.includes('double') ? { rewrite: 'double-to-float' as const } : {}),
        evidence: `${ge}: ${PRODUCT[soc]}：不支持${refused.join('、')}`,
      });
    }
  }
  return { rules, kernelSources: [...new Set(kernelSources)] };
}

interface AtcOp { opsets: number[]; constraints?: string[]; uncertain?: boolean; note?: string; source: string[] }

/**
 * One onnxruntime-qnn release: the QAIRT it was built with (absent: not recorded, then QAIRT-scoped rules are
 * unverified), and for releases of the EP inside microsoft/onnxruntime (1.x) what its HTP did with float ops.
 */
interface QnnRelease {
  /** branched: the day its release branch left main (later builders reached it only as cherry-picks, recorded: none). */
  qairt?: string; date?: string; branched?: string; source: string; registry: boolean;
  floatCompute?: { certain: boolean; source: string; evidence: string; exceptOps?: string[] };
}
const rules = ruleData as unknown as {
  atc: Record<string, NodeRule[]>; qnn: Record<string, NodeRule[]>;
  qnnReleases: Record<string, QnnRelease | string>;
  qnnParamInputs: Record<string, { inputs: number[]; source: string } | string>;
  atcConvertedTypes: {
    outputs: Record<string, { output: number; type: ElementType; source: string; evidence: string }[]>;
    mixed: { certain: boolean; source: string; evidence: string };
  };
};
/** ATC's retyped outputs (TopK indices: int32), the same for every Ascend chip and CANN release of the data. */
const ATC_CONVERTED_TYPES: NonNullable<TargetProfile['convertedTypes']> = {
  outputs: new Map(Object.entries(rules.atcConvertedTypes.outputs)), mixed: rules.atcConvertedTypes.mixed,
};

function atcOps(soc: string, release: KernelRelease): Map<string, OpProfile> {
  const ops = new Map<string, OpProfile>();
  for (const [op, e] of Object.entries(atcData.ops as Record<string, AtcOp>)) {
    const chip = socRules(op, soc, release);
    const all = [...(rules.atc[op] ?? []), ...chip.rules];
    ops.set(op, {
      support: e.uncertain ? 'unverified' : 'supported',
      opsets: { versions: e.opsets, rule: 'exact' },
      ...(all.length ? { rules: all } : {}),
      ...(e.constraints ? { constraints: e.constraints } : {}),
      sources: e.source,
      ...(chip.kernelSources.length ? { kernelSources: chip.kernelSources } : {}),
      ...(e.note ? { note: e.note } : {}),
    });
  }
  for (const [key, e] of Object.entries(atcData.customDomainOps as Record<string, { opsets: number[]; source: string[] }>)) {
    ops.set(key, { support: 'supported', opsets: { versions: e.opsets, rule: 'exact' }, sources: e.source });
  }
  for (const [op, e] of Object.entries(atcData.parserBuiltins as Record<string, { source: string[] }>)) {
    ops.set(op, { support: 'supported', opsets: { versions: [1], rule: 'since' }, sources: e.source });
  }
  const unregistered = atcData.unregisteredStandardOps;
  for (const op of unregistered.ops) {
    if (!ops.has(op)) ops.set(op, { support: 'unverified', sources: [unregistered.source], note: unregistered.note });
  }
  return ops;
}

interface ArchFacts {
  examples: string;
  fp16?: { supported: false; certain: boolean; source: string; evidence: string };
  ops?: Record<string, NodeRule[]>;
}
const archData = qnnArch as unknown as {
  default: string; sources: Record<string, string>; archs: Record<string, ArchFacts>;
  activations: { refused: ElementType[]; certain: boolean; source: string; evidence: string };
};
const EP = qnnData.source;
const EP_REF = `github:${EP.repo}@${EP.commit.slice(0, 12)}`;

const TYPE_TABLE = qnnData.types as { mapped: ElementType[]; everMapped: ElementType[]; source: string; error: string };
const TYPE_SOURCE = `${EP_REF}:${TYPE_TABLE.source} (OnnxDataTypeToQnnDataType; other types: "Failed to map Onnx data type to Qnn data type!", ${TYPE_TABLE.error.replace(/^.*#/, '#')})`;

/**
 * The EP's ONNX -> QNN element type table at the pin, as the profile of one release holds it: certain for the pinned
 * release; for a later one unverified (it may map more types); for an earlier one (the EP inside microsoft/onnxruntime)
 * certain for a type that no version of the table in the pin's history ever mapped, unverified for one that was.
 */
function mappedTypes(ep: string): NonNullable<TargetProfile['mappedTypes']> {
  const order = compareVersions(ep, qnnData.ep);
  const dropped = TYPE_TABLE.everMapped.filter((t) => !TYPE_TABLE.mapped.includes(t));
  return {
    types: TYPE_TABLE.mapped, certain: order <= 0, ...(order < 0 && dropped.length ? { uncertain: dropped } : {}),
    converter: `the QNN EP of onnxruntime-qnn ${qnnData.ep}`, source: TYPE_SOURCE,
  };
}

/** onnxruntime-qnn releases the qnn-htp facts are given for, newest first (`qnn-htp@ep2.6`). */
export const QNN_EP_RELEASES: readonly string[] = Object.keys(rules.qnnReleases).filter((k) => /^\d/.test(k)).sort((a, b) => compareVersions(b, a));
const qnnRelease = (ep: string): QnnRelease => rules.qnnReleases[ep] as QnnRelease;
/**
 * The releases the target pickers offer: the pinned release's and later ones. The 1.x releases (the EP inside
 * microsoft/onnxruntime) hold only the few facts recorded for dated public reports; `--target qnn-htp@ep1.16` picks them.
 */
export const QNN_EP_OFFERED: readonly string[] = QNN_EP_RELEASES.filter((r) => compareVersions(r, qnnData.ep) >= 0);

/** Whether `version` lies in a `since` (included) .. `before` (excluded) range; no range: always. */
function inRange(range: { since?: string; before?: string } | undefined, version: string): boolean {
  return !range || ((range.since === undefined || compareVersions(version, range.since) >= 0) && (range.before === undefined || compareVersions(version, range.before) < 0));
}

/** Hexagon architectures the qnn-htp data covers, newest first (`qnn-htp@v68`). */
export const HTP_ARCHS: readonly string[] = [...qnnData.archs].sort((a, b) => Number(b.slice(1)) - Number(a.slice(1)));

/** A source key of qnn-arch.json (comma-separated) -> the sources it names. */
const archSource = (keys: string): string => keys.split(',').map((k) => archData.sources[k.trim()] ?? k.trim()).join('; ');

function qnnOps(arch: string, ep: string): Map<string, OpProfile> {
  const ops = new Map<string, OpProfile>();
  const archOps = archData.archs[arch]?.ops ?? {};
  const { qairt } = qnnRelease(ep);
  // Rules that hold for this EP release and the QAIRT it was built with; where that QAIRT is not recorded, a rule
  // scoped by QAIRT release may or may not hold (unverified).
  const holds = (r: NodeRule) => inRange(r.releases, ep) && (qairt === undefined || inRange(r.qairt, qairt));
  const scoped = (r: NodeRule): NodeRule => (qairt === undefined && r.qairt ? { ...r, certain: false } : r);
  // A release of the EP inside microsoft/onnxruntime published (or branched from main) before an op's builder was first
  // registered cannot translate it.
  const { date: published, branched } = compareVersions(ep, qnnData.ep) < 0 ? qnnRelease(ep) : { date: undefined, branched: undefined };
  const cutoff = branched ?? published;
  // `path`: the registry file at that commit (the EP's non-ABI directory before the pinned release's qnn-abi/ existed).
  const added = qnnData.added as Record<string, { commit: string; date: string; path?: string }>;
  // The EP matches op types in the ai.onnx and com.microsoft domains alike (qnn_ep_utils.cc, domain check):
  // ONNX Runtime's contrib ops (MatMulNBits, 16-bit QuantizeLinear/DequantizeLinear, ...) live in com.microsoft.
  const put = (op: string, entry: OpProfile) => {
    ops.set(op, entry);
    ops.set(`com.microsoft::${op}`, entry);
  };
  for (const [op, builder] of Object.entries(qnnData.ops as Record<string, string>)) {
    const since = added[op];
    if (cutoff && since && since.date > cutoff) {
      const entry: OpProfile = {
        support: 'unsupported', sources: [`github:${EP.repo}@${since.commit}:${since.path ?? EP.registry}`],
        note: `onnxruntime ${ep} (published ${published}${branched ? `; its release branch left main on ${branched}` : ''}) has no QNN EP builder for it: the builder was first registered on ${since.date} (${EP.repo}@${since.commit})`,
      };
      put(op, entry);
      continue;
    }
    const all = [...(rules.qnn[op] ?? []), ...(archOps[op] ?? []).map((r) => ({ ...r, ...(r.source ? { source: archSource(r.source) } : {}) }))].filter(holds).map(scoped);
    const params = rules.qnnParamInputs[op];
    put(op, {
      support: 'supported', ...(all.length ? { rules: all } : {}), sources: [`${EP_REF}:${EP.registry} (${builder})`],
      ...(params && typeof params !== 'string' ? { paramInputs: params } : {}),
    });
  }
  // An op with no builder that starts a node-group fusion (Erf of the exact-GELU pattern) runs on QNN only inside it.
  for (const [op, fusions] of Object.entries(qnnData.fusions as Record<string, string[]>)) {
    if (ops.has(op)) continue;
    ops.set(op, {
      support: 'unverified', sources: [`${EP_REF}:${EP.fusions}`],
      note: `no QNN EP builder: placed on QNN only as part of the ${fusions.join(', ')} pattern`,
    });
  }
  return ops;
}

const qnnCache = new Map<string, TargetProfile>();

/**
 * The qnn-htp profile for one Hexagon architecture (default: the one qnn-arch.json names) and one
 * onnxruntime-qnn release (default: the pinned release's, whose op registry every release shares here).
 * `nameRelease`: the profile names its release (name and toolkit); a release after the pin always does, the
 * pinned one only where it is offered next to the others (the target pickers' `qnn-htp@ep2.0`).
 */
export function qnnProfile(arch: string = archData.default, ep: string = qnnData.ep, nameRelease: boolean = ep !== qnnData.ep): TargetProfile {
  const key = `${arch}@${ep}${nameRelease ? '+release' : ''}`;
  const known = qnnCache.get(key);
  if (known) return known;
  const facts = archData.archs[arch];
  if (!facts || !HTP_ARCHS.includes(arch)) throw new Error(`no HTP architecture ${arch}`);
  if (!QNN_EP_RELEASES.includes(ep)) throw new Error(`no onnxruntime-qnn release ${ep}`);
  const release = qnnRelease(ep);
  const fp16 = facts.fp16;
  // A release whose HTP took no float ops (the EP inside microsoft/onnxruntime before float32-as-FP16) says so for every architecture.
  const floatCompute = release.floatCompute
    ? { supported: false as const, certain: release.floatCompute.certain, source: release.floatCompute.source, evidence: release.floatCompute.evidence, release: ep, ...(release.floatCompute.exceptOps ? { exceptOps: release.floatCompute.exceptOps } : {}) }
    : fp16 ? { supported: false as const, certain: fp16.certain, source: archSource(fp16.source), evidence: fp16.evidence } : undefined;
  const epName = nameRelease ? `; onnxruntime-qnn ${ep}` : '';
  const profile: TargetProfile = {
    id: 'qnn-htp', name: `Qualcomm QNN HTP (Hexagon ${arch}${facts.examples ? `: ${facts.examples}` : ''}${epName})`, kind: 'builtin', toolchain: 'qnn',
    // A later EP release names itself (the check result's target `qnn-htp@ep2.6.0` picks it again); the pinned one the architecture.
    toolkit: epName ? { name: 'onnxruntime-qnn', version: `ep${ep}`, available: QNN_EP_RELEASES.map((r) => `ep${r}`) } : { name: 'Hexagon', version: arch, available: HTP_ARCHS },
    description: msg('Qualcomm QNN HTP backend (Hexagon {0} NPU) through the ONNX Runtime QNN execution provider: the ONNX ops it translates into QNN ops (onnxruntime-qnn {1}), their constraints, and what the Hexagon {0} HTP computes (FP16, 16-bit weights).', arch, EP.date),
    sources: [
      { label: msg('ONNX Runtime QNN EP op builder registry ({0})', EP.date), ref: `${EP_REF}:${EP.registry}` },
      { label: msg('ONNX Runtime QNN EP op builders (constraints)'), ref: `${EP_REF}:${EP.registry.replace(/op_builder_factory\.cc$/, 'opbuilder')}` },
      { label: msg('ONNX Runtime QNN EP element types (ONNX to QNN type table)'), ref: `${EP_REF}:${TYPE_TABLE.source}` },
      { label: msg('ONNX Runtime graph optimizations before partitioning (Constant, Identity, Dropout, constant folding)'), ref: `${EP_REF}:onnxruntime/core/optimizer/constant_folding.cc` },
      { label: msg('Per-architecture HTP facts (FP16, 16-bit weights) with their sources'), ref: 'src/core/onnx/targets/data/qnn-arch.json' },
      { label: msg('Field report: EdgeSAM NPU compile triage (static shapes, int64 to int32)'), ref: 'docs/field-reports.md#003-edgesam-compile-triage-divide-and-conquer' },
      { label: msg('Profile data'), ref: 'src/core/onnx/targets/data/qnn-htp.json' },
    ],
    caveats: [
      msg('Ops are those the ONNX Runtime QNN EP of {0} translates; an op it does not translate stays on the CPU and is reported as unsupported. qnn-onnx-converter (QAIRT) may translate other ops: its op list was not available from a Qualcomm source.', EP.date),
      msg('Per-op HTP data types and constraints (the HTP op definition supplement) are checked only where quoted in data/qnn-arch.json: a model that passes can still fail QNN op validation (error 3110) or graph finalize.'),
      msg('int64, uint64 and double tensors are reported as unverified: the HTP op tables list no 64-bit types, but the EP converts many int64 constants itself.'),
      release.qairt
        ? msg('Per-op data types that changed between QNN SDK releases are checked for QAIRT {0}, the release onnxruntime-qnn {1} was built with ({2}): a later QAIRT may take more (the HTP op support revision history).', release.qairt, ep, release.source)
        : msg('onnxruntime-qnn {0}: the QNN SDK it was built with is not recorded ({1}), so per-op data types that changed between QNN SDK releases are reported as unverified.', ep, release.source),
      ...(release.registry ? [] : [compareVersions(ep, qnnData.ep) > 0
        ? msg('onnxruntime-qnn {0}: only the constraints recorded as changed since {1} differ (data/attribute-rules.json, releases); the op list is that of {1}, and an op outside it is reported as unverified.', ep, qnnData.ep)
        : release.branched
          ? msg('onnxruntime-qnn {0} (the QNN EP inside microsoft/onnxruntime, before onnxruntime-qnn {1}): only the constraints recorded for it differ from {1} (data/attribute-rules.json, releases); the op list is that of {1} without the ops whose builder was first registered after its release branch left main ({2}; published {3}).', ep, qnnData.ep, release.branched, release.date ?? '?')
          : msg('onnxruntime-qnn {0} (the QNN EP inside microsoft/onnxruntime, before onnxruntime-qnn {1}): only the constraints recorded for it differ from {1} (data/attribute-rules.json, releases); the op list is that of {1} without the ops whose builder was first registered after {0} was published ({2}), so an op added to the EP shortly before that date may still be reported as supported.', ep, qnnData.ep, release.date ?? '?')]),
      ...(release.floatCompute ? [release.floatCompute.certain
        ? msg('onnxruntime-qnn {0} runs no float (non-QDQ) ops on the HTP: only quantized ops are placed on it ({1}).', ep, release.floatCompute.source)
        : msg('onnxruntime-qnn {0} runs float (non-QDQ) ops on the HTP only with an option that is off by default: they are reported as unverified ({1}).', ep, release.floatCompute.source)]
      : fp16 ? [fp16.certain
        ? msg('Hexagon {0} has no FP16 compute: float ops that are not quantized (QDQ) are refused.', arch)
        : msg('Whether Hexagon {0} computes in FP16 is not settled by the sources: float ops that are not quantized (QDQ) are reported as unverified.', arch)] : []),
    ],
    staticShapes: 'required',
    dtypes: { refused: ['int64', 'double', 'uint64'], certain: false },
    mappedTypes: mappedTypes(ep),
    ...(floatCompute ? { floatCompute } : {}),
    activationTypes: { ...archData.activations, source: archSource(archData.activations.source) },
    foldedBeforeConversion: {
      ops: ['Constant', 'Identity', 'Dropout'], constantInputs: true,
      source: `${EP_REF}:onnxruntime/core/graph/graph.cc (Constant nodes become initializers), onnxruntime/core/optimizer/identity_elimination.cc, dropout_elimination.cc, constant_folding.cc; DequantizeLinear is not folded (constant_folding.cc#L205-L207, skip_dequantize_linear: on unless QDQ is disabled, graph_transformer_utils.cc#L255), except inside a wholly constant DQ -> X -> Q unit`,
      keptOps: ['DequantizeLinear'],
    },
    // A later release than the registry's may translate more ops: outside the list is unverified there.
    unlisted: release.registry ? 'unsupported' : 'unverified',
    ops: qnnOps(arch, ep),
    sharedOpDomains: ['com.microsoft'],
  };
  qnnCache.set(key, profile);
  return profile;
}

const ATC_SOURCES = [
  { label: msg('ATC ONNX parser plugins ({0})', 'ops-nn'), ref: 'github:hicann/ops-nn@e5c3fa93' },
  { label: msg('ATC ONNX parser plugins ({0})', 'ops-math'), ref: 'github:hicann/ops-math@c4193324' },
  { label: msg('ATC ONNX parser plugins ({0})', 'ops-cv'), ref: 'github:hicann/ops-cv@6ae87653' },
  { label: msg('ATC ONNX model parser (Constant)'), ref: 'github:Ascend/parser@aec3c227:parser/onnx/onnx_parser.cc' },
  { label: msg('Profile data'), ref: 'src/core/onnx/targets/data/ascend-atc.json' },
];

/** The CANN documents that say Ascend 310 (Atlas 200/300/500 inference products) takes no dynamic-shape input. */
const ASCEND310_STATIC = [
  'hiascend.com/doc_center/source/zh/canncommercial/700/inferapplicationdev/aclpythondevg/aclpythondevg_0059.html (CANN 7.0.0, 动态Shape输入(设置Shape范围): "Atlas 200/300/500 推理产品不支持该特性")',
  'hiascend.com/document/detail/zh/CANNCommunityEdition/80RC3alpha003/devguide/appdevg/aclpythondevg/aclpythondevg_0047.html (CANN 8.0.RC3.alpha003, same section and sentence)',
  'the ATC error it gives: github:hicann/ge@d5b140e5de6c:compiler/engines/manager/engine_manager/dnnengine_manager.cc (EZ3002, kNoSupportReason "Dynamic shape is not supported on this chip!")',
].join('; ');

let cache: TargetProfile[] | undefined;
const versioned = new Map<string, TargetProfile>();

/** An Ascend profile for one SoC and CANN release (default: the newest release the data covers). */
export function ascendProfile(soc: string, version: string = CANN_RELEASES[0]!): TargetProfile {
  const key = `${soc}@${version}`;
  const known = versioned.get(key);
  if (known) return known;
  const release = kernels.releases[version];
  if (!release) throw new Error(`no CANN release ${version}`);
  const name = `Ascend ${soc.slice('ascend'.length).toUpperCase()}`;
  const bf16 = release.bf16Refused[soc];
  const profile: TargetProfile = {
    id: soc, name, kind: 'builtin', toolchain: 'atc', socVersion: soc,
    toolkit: { name: 'CANN', version, available: CANN_RELEASES },
    description: msg('Ascend {0} through ATC (CANN model conversion): ONNX ops and opsets its ONNX parser registers, with parse-time attribute limits, and the kernels and element types the CANN {1} operator documents give for this chip.', name.replace('Ascend ', ''), version),
    sources: [
      ...ATC_SOURCES,
      ...Object.entries(release.repos).map(([repo, commit]) => ({ label: msg('CANN {0} operator documents and definitions ({1})', version, repo), ref: `github:${repo}@${commit.slice(0, 12)}` })),
      { label: msg('Per-SoC kernel data'), ref: 'src/core/onnx/targets/data/ascend-kernels.json' },
    ],
    caveats: [
      msg('Kernel facts come from the open-source operator repositories: an op whose document marks this chip ×, or that no document covers, may still have a built-in kernel in the toolkit, so it is reported as unverified, not unsupported.'),
      ...(soc === 'ascend310' ? [
        msg('The CANN operator documents do not list Ascend 310 (Atlas 200/300/500 inference products) per op: only its bf16 limit is known.'),
        msg('Ascend 310 runs no dynamic-shape models (the CANN documentation: Atlas 200/300/500 inference products do not support dynamic-shape input with a shape range): give ATC fixed input shapes or dynamic profiles (--dynamic_batch_size, --dynamic_image_size, --dynamic_dims).'),
      ] : []),
      msg('int64 and dynamic-shape limits of ATC kernels were not in the scanned sources: they are not reported.'),
      msg('Ops with no parser registration found (Loop, Scan, quantization ops, ...) may be handled inside the ATC parser itself: they are reported as unverified.'),
    ],
    modelOpsets: { min: atcData.modelOpsets.min, max: atcData.modelOpsets.max, certain: false },
    ...(soc === 'ascend310' ? { staticShapes: 'required' as const, staticShapesSource: ASCEND310_STATIC } : { staticShapes: 'unverified' as const }),
    ...(bf16 ? { dtypes: { refused: ['bfloat16'] as ElementType[], certain: true, source: `${cite(release, bf16.src)} (${PRODUCT[soc]}：不支持BFLOAT16; ${bf16.ops} operator documents say so, ${bf16.documented} mark the chip √)` } } : {}),
    unlisted: 'unsupported',
    convertedTypes: ATC_CONVERTED_TYPES,
    ops: atcOps(soc, release),
  };
  versioned.set(key, profile);
  return profile;
}

/** The built-in profiles, in the order `onnx targets` lists them. */
export function builtinProfiles(): readonly TargetProfile[] {
  if (cache) return cache;
  const ascend = (id: string): TargetProfile => ascendProfile(id);
  const qnn = qnnProfile();
  cache = [
    ascend('ascend310'),
    ascend('ascend310p'),
    ascend('ascend910'),
    ascend('ascend910b'),
    qnn,
  ];
  return cache;
}

export const BUILTIN_TARGET_IDS = ['ascend310', 'ascend310p', 'ascend910', 'ascend910b', 'qnn-htp'] as const;
