/**
 * What `npu-port onnx info` shows and the viewer's header needs: a model's facts at a glance, computed
 * from the decoded model only (no tensor values are read). Every string from the model is bounded
 * (core/output `boundString`): names, op types, producer, metadata, external locations.
 */
import type { Message } from '../l10n';
import { boundString } from '../output';
import { opLabel } from './check-report';
import { walkGraphs, walkNodes, type Dim, type Model, type ValueInfo, type ValueType } from './model';

export interface ModelSummary {
  readonly irVersion: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly producer: string;
  readonly inputs: readonly ValueSummary[];
  readonly outputs: readonly ValueSummary[];
  /** Nodes in every graph, bodies included. */
  readonly nodeCount: number;
  readonly graphCount: number;
  readonly functionCount: number;
  /** Op type (`domain::Op` outside the default domain) → count, most frequent first. */
  readonly ops: readonly { readonly op: string; readonly count: number }[];
  /** Elements and stored bytes of all initializers (and sparse initializers' values). */
  readonly parameters: number;
  readonly parameterBytes: number;
  readonly initializerCount: number;
  /** Symbolic or unknown dimension names of graph inputs, e.g. "batch", "?". */
  readonly dynamicDims: readonly string[];
  /** External data files: location as written, bytes referenced, tensors, and why refused. */
  readonly externalData: readonly { readonly location: string; readonly bytes: number; readonly tensors: number; readonly problem?: Message }[];
  readonly metadata: readonly { readonly key: string; readonly value: string }[];
  readonly fileBytes: number;
}

export interface ValueSummary {
  readonly name: string;
  readonly type: string;
}

export function summarizeModel(model: Model): ModelSummary {
  const histogram = new Map<string, number>();
  let nodeCount = 0;
  for (const { node } of walkNodes(model.graph)) {
    nodeCount++;
    const key = opLabel(node);
    histogram.set(key, (histogram.get(key) ?? 0) + 1);
  }
  let parameters = 0;
  let parameterBytes = 0;
  let initializerCount = 0;
  let graphCount = 0;
  const external = new Map<string, { location: string; bytes: number; tensors: number; problem?: Message }>();
  for (const graph of walkGraphs(model.graph)) {
    graphCount++;
    const tensors = [...graph.initializers, ...graph.sparseInitializers.flatMap((s) => (s.values ? [s.values] : []))];
    for (const t of tensors) {
      initializerCount++;
      parameters += t.elementCount;
      parameterBytes += t.byteLength;
      if (t.data.kind === 'external') {
        const entry = external.get(t.data.location) ?? { location: boundString(t.data.location), bytes: 0, tensors: 0 };
        entry.bytes += t.byteLength;
        entry.tensors++;
        if (t.data.problem && !entry.problem) entry.problem = t.data.problem;
        external.set(t.data.location, entry);
      }
    }
  }
  const initializerNames = new Set(model.graph.initializers.map((t) => t.name));
  const realInputs = model.graph.inputs.filter((v) => !initializerNames.has(v.name));
  const dynamic = new Set<string>();
  for (const v of realInputs) {
    if (v.type && (v.type.kind === 'tensor' || v.type.kind === 'sparse_tensor')) {
      if (!v.type.shape) dynamic.add(boundString(`${v.name}: ?`));
      else for (const d of v.type.shape) if (typeof d !== 'number' || d < 0) dynamic.add(boundString(d === null || typeof d === 'number' ? `${v.name}: ?` : d));
    }
  }
  return {
    irVersion: model.irVersion,
    opsets: model.opsetImports.map((o) => ({ domain: o.domain || 'ai.onnx', version: o.version })),
    producer: boundString([model.producerName, model.producerVersion].filter(Boolean).join(' ')),
    inputs: realInputs.map(valueSummary),
    outputs: model.graph.outputs.map(valueSummary),
    nodeCount,
    graphCount,
    functionCount: model.functions.length,
    ops: [...histogram].map(([op, count]) => ({ op, count })).sort((a, b) => b.count - a.count || a.op.localeCompare(b.op)),
    parameters,
    parameterBytes,
    initializerCount,
    dynamicDims: [...dynamic],
    externalData: [...external.values()],
    metadata: model.metadata.map((e) => ({ key: boundString(e.key), value: boundString(e.value) })),
    fileBytes: model.source.byteLength,
  };
}

function valueSummary(v: ValueInfo): ValueSummary {
  return { name: boundString(v.name), type: valueTypeLabel(v.type) };
}

/**
 * A value type for people: `float[batch, 3, 224, 224]`, `seq(float[?])`, `map(string, int64[])`, `?` when
 * unknown. (./text.ts `typeText` is the ONNX textual syntax, which differs in spacing and unknown ranks.)
 */
export function valueTypeLabel(type: ValueType | null): string {
  if (!type) return '?';
  switch (type.kind) {
    case 'tensor': return `${type.elemType}${shapeText(type.shape)}`;
    case 'sparse_tensor': return `sparse_tensor(${type.elemType}${shapeText(type.shape)})`;
    case 'sequence': return `seq(${valueTypeLabel(type.elem)})`;
    case 'optional': return `optional(${valueTypeLabel(type.elem)})`;
    case 'map': return `map(${type.keyType}, ${valueTypeLabel(type.value)})`;
    case 'opaque': return `opaque(${boundString(type.domain)}, ${boundString(type.name)})`;
    default: return '?';
  }
}

function shapeText(shape: readonly Dim[] | null): string {
  if (!shape) return '';
  return `[${shape.map((d) => (d === null ? '?' : typeof d === 'string' ? boundString(d) : String(d))).join(', ')}]`;
}
