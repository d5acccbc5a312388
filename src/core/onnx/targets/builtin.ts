/**
 * The built-in target profiles, built from the data files next to this one (each data file says where
 * its facts come from). Ascend 310/310P/910/910B share the ATC parser data: the parser plugins are
 * SoC-independent and per-SoC kernel tables were not reachable, which every Ascend profile says.
 */
import { msg } from '../../l10n';
import type { ElementType } from '../model';
import atcData from './data/ascend-atc.json';
import qnnData from './data/qnn-htp.json';
import ruleData from './data/attribute-rules.json';
import type { NodeRule, OpProfile, TargetProfile } from './profile';

interface AtcOp { opsets: number[]; constraints?: string[]; uncertain?: boolean; note?: string; source: string[] }
interface QnnOp { schemaVersions: number[]; qnnOps: string[]; htpActivationTypes?: string[]; constraints?: string[]; source: string }

const rules = ruleData as unknown as { atc: Record<string, NodeRule[]>; qnn: Record<string, NodeRule[]> };

function atcOps(): Map<string, OpProfile> {
  const ops = new Map<string, OpProfile>();
  for (const [op, e] of Object.entries(atcData.ops as Record<string, AtcOp>)) {
    ops.set(op, {
      support: e.uncertain ? 'unverified' : 'supported',
      opsets: { versions: e.opsets, rule: 'exact' },
      ...(rules.atc[op] ? { rules: rules.atc[op] } : {}),
      ...(e.constraints ? { constraints: e.constraints } : {}),
      sources: e.source,
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
  { label: msg('ATC ONNX parser plugins ({0})', 'canndev 2022 mirror'), ref: 'github:dengguojie/vue-element-admin@a2f1d9ae:ops/built-in/framework/onnx_plugin' },
  { label: msg('ATC ONNX model parser (Constant)'), ref: 'github:Ascend/parser@aec3c227:parser/onnx/onnx_parser.cc' },
  { label: msg('Profile data'), ref: 'src/core/onnx/targets/data/ascend-atc.json' },
];

let cache: TargetProfile[] | undefined;

/** The built-in profiles, in the order `onnx targets` lists them. */
export function builtinProfiles(): readonly TargetProfile[] {
  if (cache) return cache;
  const atc = atcOps();
  const ascend = (id: string, name: string): TargetProfile => ({
    id, name, kind: 'builtin', toolchain: 'atc',
    description: msg('Ascend {0} through ATC (CANN model conversion): ONNX ops and opsets its ONNX parser registers, with parse-time attribute limits.', name.replace('Ascend ', '')),
    sources: ATC_SOURCES,
    caveats: [
      msg('Per-SoC kernel support was not available: all Ascend profiles share the ATC parser data.'),
      msg('int64 and dynamic-shape limits of ATC kernels were not in the scanned sources: they are not reported.'),
      msg('Ops with no parser registration found (Loop, Scan, quantization ops, ...) may be handled inside the ATC parser itself: they are reported as unverified.'),
    ],
    modelOpsets: { min: atcData.modelOpsets.min, max: atcData.modelOpsets.max, certain: false },
    staticShapes: 'unverified',
    unlisted: 'unsupported',
    ops: atc,
  });
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
    ],
    modelOpsets: { max: qnnData.modelOpsets.max, certain: true },
    staticShapes: 'required',
    dtypes: { refused: ['int64', 'double', 'uint64'], certain: false },
    unlisted: 'unsupported',
    ops: qnnOps(),
  };
  cache = [
    ascend('ascend310', 'Ascend 310'),
    ascend('ascend310p', 'Ascend 310P'),
    ascend('ascend910', 'Ascend 910'),
    ascend('ascend910b', 'Ascend 910B'),
    qnn,
  ];
  return cache;
}

export const BUILTIN_TARGET_IDS = ['ascend310', 'ascend310p', 'ascend910', 'ascend910b', 'qnn-htp'] as const;
