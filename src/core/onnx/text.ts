/**
 * The model in ONNX's textual syntax: the format `onnx.printer.to_text` writes and `onnx.parser`
 * reads (model header `<ir_version: 8, opset_import: [...]>`, graphs `name (inputs) => (outputs)
 * <initializers, value_info> { nodes }`, nodes `[name] outs = domain.Op <attr: type = value> (ins)`,
 * functions after the graph). Names that are not identifiers are quoted, as the printer does.
 *
 * Tensor values are printed only for tensors of at most `maxValues` elements (default 16); larger ones
 * print `...` (the printer's own mark for values it does not show), so text stays small for diffs.
 * Sparse tensors, which the syntax cannot express, appear as `#` comments. Names and strings longer than
 * core/output's bound are quoted and cut with a `…(N chars)` marker, so the text stays O(model).
 */
import { promises as fsp } from 'node:fs';
import { boundString, MAX_REPORT_STRING } from '../output';
import type { Attribute, Graph, Int64, Model, ModelFunction, Node, Tensor, ValueInfo, ValueType } from './model';
import { readTensor } from './tensor';

export interface PrintOptions {
  /** Print values of tensors with at most this many elements; others print `...`. Default 16. Infinity: all. */
  readonly maxValues?: number;
  /** Write `[node_name]` before each node (onnx ≥ 1.16 syntax). Default true. */
  readonly nodeNames?: boolean;
  /** The bytes the model was decoded from, for models from `decodeModel`. */
  readonly modelBytes?: Uint8Array;
  readonly signal?: AbortSignal;
  /**
   * Hand the text to `write` in pieces as it is made (cut between tokens, never inside a name), and resolve to "":
   * a 300k-node graph is then never one 10 MB string plus its copies in memory.
   */
  readonly write?: (text: string) => void;
}

/** Models up to this size are read once for their tensor values instead of one read per tensor. */
const READ_WHOLE_LIMIT = 64 * 1024 * 1024;

export async function printModelText(model: Model, options: PrintOptions = {}): Promise<string> {
  let effective = options;
  const shown = options.maxValues ?? 16;
  if (!options.modelBytes && model.source.path && model.source.byteLength <= READ_WHOLE_LIMIT && shown > 0) {
    effective = { ...options, modelBytes: await fsp.readFile(model.source.path, options.signal ? { signal: options.signal } : {}) };
  }
  const printer = new TextPrinter(model, effective);
  return printer.model(options.write);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function printId(name: string): string {
  return name.length <= MAX_REPORT_STRING && IDENTIFIER.test(name) ? name : quote(name);
}

export function quote(text: string): string {
  return `"${boundString(text).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Shortest decimal that reads back as the same float32. */
export function float32Text(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Object.is(value, -0)) return '-0.0';
  for (let p = 1; p <= 9; p++) {
    const text = value.toPrecision(p);
    if (Math.fround(Number(text)) === value) return normalizeNumber(text);
  }
  return normalizeNumber(String(value));
}

function doubleText(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return normalizeNumber(String(value));
}

/** Keeps a float looking like a float ("1" → "1.0"), and plain exponent form. */
function normalizeNumber(text: string): string {
  let t = text;
  if (/e/.test(t)) {
    const [mantissa, exponent] = t.split('e') as [string, string];
    t = `${mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa}e${exponent.replace('+', '')}`;
    return t;
  }
  if (t.includes('.')) t = t.replace(/0+$/, '').replace(/\.$/, '.0');
  else t = `${t}.0`;
  return t;
}

function intText(value: Int64): string {
  return typeof value === 'bigint' ? value.toString() : String(value);
}

export function typeText(type: ValueType | null): string {
  if (!type) return '';
  switch (type.kind) {
    case 'tensor': return `${type.elemType}${shapeText(type.shape)}`;
    case 'sparse_tensor': return `sparse_tensor(${type.elemType}${shapeText(type.shape)})`;
    case 'sequence': return `seq(${typeText(type.elem)})`;
    case 'optional': return `optional(${typeText(type.elem)})`;
    case 'map': return `map(${type.keyType}, ${typeText(type.value)})`;
    case 'opaque': return `opaque(${[type.domain, type.name].filter(Boolean).map((s) => boundString(s)).join(',')})`;
    default: return '';
  }
}

function shapeText(shape: readonly (number | string | null)[] | null): string {
  if (shape === null) return '[]';
  if (shape.length === 0) return '';
  return `[${shape.map((d) => (d === null ? '?' : typeof d === 'number' ? String(d) : printId(d))).join(',')}]`;
}

class TextPrinter {
  private readonly maxValues: number;
  private readonly nodeNames: boolean;

  constructor(private readonly m: Model, private readonly options: PrintOptions) {
    this.maxValues = options.maxValues ?? 16;
    this.nodeNames = options.nodeNames ?? true;
  }

  async model(sink?: (text: string) => void): Promise<string> {
    const m = this.m;
    const header: string[] = [`   ir_version: ${m.irVersion}`, `   opset_import: [${m.opsetImports.map((o) => `${quote(o.domain)} : ${o.version}`).join(', ')}]`];
    if (m.producerName) header.push(`   producer_name: ${quote(m.producerName)}`);
    if (m.producerVersion) header.push(`   producer_version: ${quote(m.producerVersion)}`);
    if (m.domain) header.push(`   domain: ${quote(m.domain)}`);
    if (m.modelVersion) header.push(`   model_version: ${m.modelVersion}`);
    if (m.docString) header.push(`   doc_string: ${quote(m.docString)}`);
    if (m.metadata.length) header.push(`   metadata_props: [${m.metadata.map((e) => `${quote(e.key)}: ${quote(e.value)}`).join(', ')}]`);
    const head = `<\n${header.join(',\n')}\n>\n`;
    if (sink) {
      sink(head);
      await this.graph(m.graph, 3, sink);
      sink('\n');
      for (const fn of m.functions) sink(`\n${await this.function(fn)}`);
      return '';
    }
    const parts = [head, await this.graph(m.graph, 3), '\n'];
    for (const fn of m.functions) parts.push('\n', await this.function(fn));
    return parts.join('');
  }

  /** The graph's text; with `sink`, written to it (the nodes 1,024 lines at a time) and "" returned. */
  private async graph(g: Graph, indent: number, sink?: (text: string) => void): Promise<string> {
    const out: string[] = [`${printId(g.name)} (${g.inputs.map((v) => this.valueInfo(v)).join(', ')}) => (${g.outputs.map((v) => this.valueInfo(v)).join(', ')}) `];
    const declared: string[] = [];
    for (const t of g.initializers) declared.push(await this.tensor(t, true));
    for (const v of g.valueInfo) declared.push(this.valueInfo(v));
    if (declared.length) out.push(`\n${' '.repeat(indent)}<${declared.join(', ')}>\n${' '.repeat(indent - 3)}`);
    for (const s of g.sparseInitializers) {
      out.push(`${' '.repeat(indent)}# sparse initializer ${s.values?.name ?? ''}: dims [${s.dims.join(',')}], ${s.values?.elementCount ?? 0} values\n`);
    }
    if (sink) {
      sink(out.join(''));
      await this.nodes(g.nodes, indent, sink);
      return '';
    }
    out.push(await this.nodes(g.nodes, indent));
    return out.join('');
  }

  private async nodes(nodes: readonly Node[], indent: number, sink?: (text: string) => void): Promise<string> {
    const pad = ' '.repeat(indent);
    const out: string[] = ['{\n'];
    const flush = () => {
      if (!sink) return;
      sink(out.join(''));
      out.length = 0;
    };
    let lines: string[] = [];
    for (const node of nodes) {
      // Most nodes print without reading anything: no promise per node; and every 1024 lines are joined
      // into one flat string, so the pieces of each line are garbage at once (a 300k-node model's text
      // held 100 MB of concatenation pieces until the end).
      const text = this.node(node, indent);
      lines.push(`${pad}${typeof text === 'string' ? text : await text}\n`);
      if (lines.length === 1024) {
        this.options.signal?.throwIfAborted();
        out.push(lines.join(''));
        lines = [];
        flush();
      }
    }
    out.push(lines.join(''));
    out.push(indent > 3 ? ' '.repeat(indent - 3) : '', '}');
    flush();
    return out.join('');
  }

  private node(node: Node, indent: number): string | Promise<string> {
    const head = this.nodeNames && node.name ? `[${printId(node.name)}] ` : '';
    const op = `${node.domain ? `${boundString(node.domain)}.` : ''}${boundString(node.opType)}`;
    const hasGraph = node.attributes.some((a) => a.type === 'graph' || a.type === 'graphs');
    const inputs = ` (${node.inputs.map(printId).join(', ')})`;
    const outputs = node.outputs.map(printId).join(', ');
    const finish = (texts: readonly string[]) => {
      const attributes = texts.length ? ` <${texts.join(', ')}>` : '';
      return hasGraph ? `${head}${outputs} = ${op}${inputs}${attributes}` : `${head}${outputs} = ${op}${attributes}${inputs}`;
    };
    const texts = node.attributes.map((a) => this.attribute(a, indent + 3));
    return texts.every((t) => typeof t === 'string') ? finish(texts as string[]) : Promise.all(texts).then(finish);
  }

  /** An attribute as text; a promise only for tensors and graphs (values to read, bodies to print). */
  private attribute(a: Attribute, indent: number): string | Promise<string> {
    const kind = a.type === 'type_proto' ? 'type_proto' : a.type === 'type_protos' ? 'type_protos' : a.type;
    const name = boundString(a.name);
    if (a.refAttrName) return `${name}: ${kind} = @${boundString(a.refAttrName)}`;
    const head = `${name}: ${kind} = `;
    switch (a.type) {
      case 'int': return head + intText(a.value);
      case 'ints': return `${head}[${a.value.map(intText).join(', ')}]`;
      case 'float': return head + float32Text(a.value);
      case 'floats': return `${head}[${a.value.map(float32Text).join(', ')}]`;
      case 'string': return head + quote(a.value);
      case 'strings': return `${head}[${a.value.map(quote).join(', ')}]`;
      case 'graph': return this.graph(a.value, indent).then((g) => head + g);
      case 'graphs': return Promise.all(a.value.map((g) => this.graph(g, indent))).then((gs) => `${head}[${gs.join(', ')}]`);
      case 'tensor': return this.tensor(a.value, false).then((t) => head + t);
      case 'tensors': return Promise.all(a.value.map((t) => this.tensor(t, false))).then((ts) => `${head}[${ts.join(', ')}]`);
      case 'type_proto': return head + typeText(a.value);
      case 'type_protos': return `${head}[${a.value.map(typeText).join(', ')}]`;
      case 'sparse_tensor': return `${head}... # sparse tensor [${a.value.dims.join(',')}]`;
      case 'sparse_tensors': return `${head}[...] # ${a.value.length} sparse tensors`;
      default: return `${name}: undefined`;
    }
  }

  private valueInfo(v: ValueInfo): string {
    const type = typeText(v.type);
    return type ? `${type} ${printId(v.name)}` : printId(v.name);
  }

  private async tensor(t: Tensor, initializer: boolean): Promise<string> {
    const dims = t.dims.length ? `[${t.dims.join(',')}]` : '';
    const name = t.name ? ` ${printId(t.name)}` : '';
    const head = `${t.elemType}${dims}${name}${initializer ? ' = ' : ''}`;
    if (t.data.kind === 'external') {
      const entries: string[] = [`${quote('location')}: ${quote(t.data.location)}`];
      if (t.data.offset) entries.push(`${quote('offset')}: ${quote(String(t.data.offset))}`);
      if (t.data.length !== null) entries.push(`${quote('length')}: ${quote(String(t.data.length))}`);
      return `${head}[${entries.join(', ')}]`;
    }
    if (t.elementCount > this.maxValues) return `${head}${initializer ? '' : ' '}...`;
    let values: string[];
    try {
      const read = await readTensor(this.m, t, { ...(this.options.modelBytes ? { modelBytes: this.options.modelBytes } : {}), ...(this.options.signal ? { signal: this.options.signal } : {}) });
      values = valueTexts(t, read.values);
    } catch {
      return `${head}${initializer ? '' : ' '}...`;
    }
    if (values.length === 0 && t.elemType === 'string') return `${head}{}`;
    return `${head}${initializer ? '' : ' '}{${values.join(',')}}`;
  }

  private async function(fn: ModelFunction): Promise<string> {
    const header = `<\n  domain: ${quote(fn.domain)},\n  opset_import: [${fn.opsetImports.map((o) => `${quote(o.domain)} : ${o.version}`).join(',')}]\n>\n`;
    const attributes = fn.attributes.length ? `<${fn.attributes.map((a) => boundString(a)).join(',')}>` : '';
    const signature = `${printId(fn.name)} ${attributes}(${fn.inputs.map(printId).join(', ')}) => (${fn.outputs.map(printId).join(', ')})\n`;
    return header + signature + (await this.nodes(fn.body.nodes, 3)) + '\n';
  }
}

function valueTexts(t: Tensor, values: ArrayLike<unknown> | string[]): string[] {
  const out: string[] = [];
  const type = t.elemType;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string') out.push(quote(v));
    else if (typeof v === 'bigint') out.push(v.toString());
    else if (type === 'float') out.push(float32Text(v as number));
    else if (type === 'double') out.push(doubleText(v as number));
    else if (type === 'float16') out.push(String(halfBits(v as number)));
    else if (type === 'bfloat16') out.push(String(bfloatBits(v as number)));
    else out.push(String(v));
  }
  return out;
}

/** The 16-bit pattern of a float16 value (exact for values that came from float16; the syntax stores the pattern). */
function halfBits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const a = Math.abs(value);
  if (a === Infinity) return sign | 0x7c00;
  if (a === 0) return sign;
  if (a < 2 ** -14) return sign | Math.round(a / 2 ** -24);
  const exponent = Math.floor(Math.log2(a));
  const fraction = Math.round((a / 2 ** exponent - 1) * 1024);
  return sign | ((exponent + 15) << 10) | fraction;
}

function bfloatBits(value: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value, true);
  return view.getUint32(0, true) >>> 16;
}
