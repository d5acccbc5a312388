/**
 * The built-in target profiles, built from the data files next to this one (each data file says where
 * its facts come from). Ascend 310/310P/910/910B share the ATC parser data (the parser plugins are
 * SoC-independent) and differ by the per-SoC kernel facts of ascend-kernels.json, per CANN release.
 */
import { msg } from '../../l10n';
import type { ElementType } from '../model';
import atcData from './data/ascend-atc.json';
import qnnData from './data/qnn-htp.json';
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
interface QnnOp { schemaVersions: number[]; qnnOps: string[]; htpActivationTypes?: string[]; constraints?: string[]; source: string }

const rules = ruleData as unknown as { atc: Record<string, NodeRule[]>; qnn: Record<string, NodeRule[]> };

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

function qnnOps(): Map<string, OpProfile> {
  const ops = new Map<string, OpProfile>();
  for (const [op, e] of Object.entries(qnnData.ops as Record<string, QnnOp>)) {
    ops.set(op, {
      support: 'supported',
      opsets: { versions: e.schemaVersions, rule: 'since' },
      ...(e.htpActivationTypes ? { dtypes: { types: e.htpActivationTypes as ElementType[], certain: false } } : {}),
      ...(rules.qnn[op] ? { rules: rules.qnn[op] } : {}),
      ...(e.constraints ? { constraints: e.constraints } : {}),
      sources: [e.source],
    });
  }
  const missing = qnnData.untranslatedStandardOps;
  for (const op of missing.ops) {
    if (!ops.has(op)) ops.set(op, { support: 'unverified', sources: [missing.source], note: missing.note });
  }
  return ops;
}

const ATC_SOURCES = [
  { label: msg('ATC ONNX parser plugins ({0})', 'ops-nn'), ref: 'github:hicann/ops-nn@e5c3fa93' },
  { label: msg('ATC ONNX parser plugins ({0})', 'ops-math'), ref: 'github:hicann/ops-math@c4193324' },
  { label: msg('ATC ONNX parser plugins ({0})', 'ops-cv'), ref: 'github:hicann/ops-cv@6ae87653' },
  { label: msg('ATC ONNX model parser (Constant)'), ref: 'github:Ascend/parser@aec3c227:parser/onnx/onnx_parser.cc' },
  { label: msg('Profile data'), ref: 'src/core/onnx/targets/data/ascend-atc.json' },
];

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
      ...(soc === 'ascend310' ? [msg('The CANN operator documents do not list Ascend 310 (Atlas 200/300/500 inference products) per op: only its bf16 limit is known.')] : []),
      msg('int64 and dynamic-shape limits of ATC kernels were not in the scanned sources: they are not reported.'),
      msg('Ops with no parser registration found (Loop, Scan, quantization ops, ...) may be handled inside the ATC parser itself: they are reported as unverified.'),
    ],
    modelOpsets: { min: atcData.modelOpsets.min, max: atcData.modelOpsets.max, certain: false },
    staticShapes: 'unverified',
    ...(bf16 ? { dtypes: { refused: ['bfloat16'] as ElementType[], certain: true, source: `${cite(release, bf16.src)} (${PRODUCT[soc]}：不支持BFLOAT16; ${bf16.ops} operator documents say so, ${bf16.documented} mark the chip √)` } } : {}),
    unlisted: 'unsupported',
    ops: atcOps(soc, release),
  };
  versioned.set(key, profile);
  return profile;
}

/** The built-in profiles, in the order `onnx targets` lists them. */
export function builtinProfiles(): readonly TargetProfile[] {
  if (cache) return cache;
  const ascend = (id: string): TargetProfile => ascendProfile(id);
  const qnn: TargetProfile = {
    id: 'qnn-htp', name: 'Qualcomm QNN HTP (Snapdragon X Elite)', kind: 'builtin', toolchain: 'qnn',
    description: msg('Qualcomm QNN HTP backend (Hexagon NPU of Snapdragon X Elite) through qnn-onnx-converter: op schemas the converter translates, its constraints, and HTP activation types.'),
    sources: [
      { label: msg('QNN ONNX converter (qti.aisw.converters copy)'), ref: 'github:zhiyuan8/qnn@24eb410538a058850bf3284b8ddbe713800b4340' },
      { label: msg('HTP backend-aware config V79 (activation types)'), ref: 'github:zhiyuan8/qnn@24eb4105:common/backend_aware_configs/htp.json' },
      { label: msg('ONNX Runtime QNN EP builders'), ref: 'github:microsoft/onnxruntime@00cd7c6d:onnxruntime/core/providers/qnn/builder/op_builder_factory.cc' },
      { label: msg('Field report: EdgeSAM NPU compile triage (static shapes, int64 to int32)'), ref: 'shared/seeds/003' },
      { label: msg('Profile data'), ref: 'src/core/onnx/targets/data/qnn-htp.json' },
    ],
    caveats: [
      msg('Activation types come from a backend-aware quantization config, not an official HTP op table: other types are reported as unverified.'),
      msg('Standard ops the converter copy does not translate may be handled by newer SDKs: they are reported as unverified.'),
      msg('The opset ceiling (21) is the converter copy\'s; newer QAIRT releases take later opsets (opset 24 ops compile with QNN SDK 2.48.40), so a later opset is reported as unverified.'),
      msg('The converter facts come from a third-party copy of Qualcomm\'s converter package (no Qualcomm-published source or HTP op-support page was reachable), and its QAIRT version is not recorded: no HTP op constraints beyond the converter\'s own messages are checked.'),
    ],
    // The converter copy's "Opset <= 21" has no QAIRT version: a model above it is unverified, not refused.
    // QNN SDK 2.48.40 compiles opset-24 RMSNormalization, Gelu, MatMul, Softmax and Transpose onto HTP
    // (github.com/onnxruntime/onnxruntime-qnn/issues/646; test/fixtures/onnx/public-reports.json).
    modelOpsets: { max: qnnData.modelOpsets.max, certain: false },
    staticShapes: 'required',
    dtypes: { refused: ['int64', 'double', 'uint64'], certain: false },
    unlisted: 'unsupported',
    ops: qnnOps(),
  };
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
