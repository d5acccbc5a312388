// Hostile ONNX models built byte by byte (no protobuf library: sizes protobufjs refuses, nesting it cannot
// encode): huge strings with control characters, many nodes, deep subgraphs, huge declared dimensions and
// every kind of external data (folder, named pipe, beyond the file's end, missing length, link out).
// Used by bench/fuzz.js (generated mutants) and the unit tests (test/unit/onnx/cli.test.ts, fuzz.test.ts).
// Field numbers are those of onnx/onnx.proto (ModelProto.graph = 7, GraphProto.node = 1, ...).
'use strict';

function varint(value) {
  const out = [];
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n; // int64 two's complement: ten bytes
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return Buffer.from(out);
}

const bytesOf = (payload) => (typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload));
/** A length-delimited field (wire type 2). */
const field = (id, payload) => {
  const body = Buffer.isBuffer(payload) ? payload : bytesOf(payload);
  return Buffer.concat([varint((id << 3) | 2), varint(body.length), body]);
};
/** A varint field (wire type 0). */
const int = (id, value) => Buffer.concat([varint(id << 3), varint(value)]);
const cat = (...parts) => Buffer.concat(parts.flat().filter(Boolean));

const entry = (key, value) => cat(field(1, key), field(2, value));
const dim = (d) => field(1, typeof d === 'string' ? field(2, d) : int(1, d));
/** ValueInfoProto of a float tensor with `dims` (numbers or symbolic names). */
const valueInfo = (name, dims, elemType = 1) => cat(field(1, name), field(2, field(1, cat(int(1, elemType), field(2, cat(dims.map(dim)))))));
const node = ({ op = 'Relu', inputs = ['x'], outputs = ['y'], name = '', domain = '', attributes = [], doc = '' }) =>
  cat(inputs.map((i) => field(1, i)), outputs.map((o) => field(2, o)), name && field(3, name), field(4, op), attributes.map((a) => field(5, a)), doc && field(6, doc), domain && field(7, domain));
const graphAttribute = (name, graph) => cat(field(1, name), int(20, 5), field(6, graph));
const graph = ({ name = 'g', nodes = [], initializers = [], inputs = [], outputs = [], doc = '' }) =>
  cat(nodes.map((n) => field(1, n)), field(2, name), initializers.map((t) => field(5, t)), doc && field(10, doc), inputs.map((v) => field(11, v)), outputs.map((v) => field(12, v)));
const model = ({ graph: g, producer = 'fuzz', metadata = [], doc = '', opset = 17 }) =>
  cat(int(1, 8), field(2, producer), doc && field(6, doc), field(7, g), field(8, cat(field(1, ''), int(2, opset))), metadata.map(([k, v]) => field(14, entry(k, v))));
/** A float initializer stored in `location` (external data). */
const externalTensor = (name, dims, location, extra = []) =>
  cat(dims.map((d) => int(1, d)), int(2, 1), field(8, name), field(13, entry('location', location)), extra.map(([k, v]) => field(13, entry(k, v))), int(14, 1));

/** The simplest valid model: y = Relu(x), x float[n]; `patch` replaces parts. */
function reluModel(patch = {}) {
  const n = patch.dims ?? [4];
  return model({
    producer: patch.producer ?? 'fuzz',
    metadata: patch.metadata ?? [],
    doc: patch.doc ?? '',
    graph: graph({
      name: patch.graphName ?? 'g',
      nodes: [node({ op: patch.op ?? 'Relu', name: patch.nodeName ?? 'relu', domain: patch.domain ?? '', doc: patch.nodeDoc ?? '' })],
      inputs: [valueInfo(patch.inputName ?? 'x', n)],
      outputs: [valueInfo('y', n)],
    }),
  });
}

/** Control characters, escapes and bidi overrides a hostile model puts in its strings. */
const HOSTILE_TEXT = ['\x1b]0;pwned\x07', '\x1b[2J', '\x1b[31m', '\0', '\r', '\x7f', '\x9b31m', '\u202e', '\u2066', '\u2028', 'ok'];

/** A string of `length` characters drawn from HOSTILE_TEXT (`random`: bench/fuzz.js rng) or NULs. */
function hostileString(length, random) {
  if (!random) return '\0'.repeat(length);
  const parts = [];
  let n = 0;
  while (n < length) {
    const piece = HOSTILE_TEXT[random.int(HOSTILE_TEXT.length)];
    parts.push(piece);
    n += piece.length;
  }
  return parts.join('').slice(0, length);
}

/** `count` nodes in a chain x → n0 → n1 → ... → y with short names (a 300k-node model is a few MB). */
function manyNodesModel(count, ops = ['Relu', 'Abs', 'Neg', 'Sin', 'Erf']) {
  const nodes = [];
  for (let i = 0; i < count; i++) nodes.push(field(1, node({ op: ops[i % ops.length], inputs: [i ? `t${i - 1}` : 'x'], outputs: [i === count - 1 ? 'y' : `t${i}`], name: `n${i}` })));
  return cat(int(1, 8), field(2, 'fuzz'), field(7, cat(nodes, field(2, 'g'), field(11, valueInfo('x', [4])), field(12, valueInfo('y', [4])))), field(8, cat(field(1, ''), int(2, 17))));
}

/** If nodes nested `depth` deep (each then_branch holds the next If); the decoder allows 32 levels. */
function deepModel(depth) {
  let body = graph({ name: 'leaf', nodes: [node({ op: 'Relu', inputs: ['x'], outputs: ['y'] })], outputs: [valueInfo('y', [4])] });
  for (let i = 0; i < depth; i++) {
    body = graph({ name: `b${i}`, nodes: [node({ op: 'If', inputs: ['c'], outputs: ['y'], name: `if${i}`, attributes: [graphAttribute('then_branch', body), graphAttribute('else_branch', body.subarray(0, 0))] })], outputs: [valueInfo('y', [4])] });
  }
  return model({ graph: cat(body.subarray(0), field(11, valueInfo('c', [], 9)), field(11, valueInfo('x', [4]))) });
}

/** Relu on an input declared with dims `dims` (2^40 elements, symbolic names, negative values). */
function hugeDimsModel(dims) {
  return model({ graph: graph({ nodes: [node({ op: 'Relu', name: 'relu' })], inputs: [valueInfo('x', dims)], outputs: [valueInfo('y', dims)] }) });
}

/**
 * A model whose one initializer lives in external data of `kind`, and the files it needs, as
 * { bytes, files: [{ name, kind: 'file'|'folder'|'fifo'|'link', size?, target? }] } relative to the model's folder.
 */
function externalModel(kind) {
  const weights = (location, extra) => model({
    graph: graph({
      nodes: [node({ op: 'Add', inputs: ['x', 'w'], outputs: ['y'], name: 'add' })],
      initializers: [externalTensor('w', [4], location, extra)],
      inputs: [valueInfo('x', [4])],
      outputs: [valueInfo('y', [4])],
    }),
  });
  switch (kind) {
    case 'folder': return { bytes: weights('w.bin'), files: [{ name: 'w.bin', kind: 'folder' }] };
    case 'fifo': return { bytes: weights('w.bin'), files: [{ name: 'w.bin', kind: 'fifo' }] };
    case 'far': return { bytes: weights('w.bin', [['offset', String(2 ** 50)], ['length', '16']]), files: [{ name: 'w.bin', kind: 'file', size: 64 }] };
    case 'long': return { bytes: weights('w.bin', [['length', String(2 ** 50)]]), files: [{ name: 'w.bin', kind: 'file', size: 64 }] };
    case 'nolength': return { bytes: weights('w.bin'), files: [{ name: 'w.bin', kind: 'file', size: 16 }] };
    case 'short': return { bytes: weights('w.bin'), files: [{ name: 'w.bin', kind: 'file', size: 7 }] };
    case 'missing': return { bytes: weights('w.bin'), files: [] };
    case 'escape': return { bytes: weights('../w.bin'), files: [] };
    case 'link': return { bytes: weights('w.bin'), files: [{ name: 'w.bin', kind: 'link', target: '/etc/hostname' }] };
    case 'control': return { bytes: weights('w\x1b[2J.bin'), files: [] };
    default: throw new Error(`unknown external kind ${kind}`);
  }
}
const EXTERNAL_KINDS = ['folder', 'fifo', 'far', 'long', 'nolength', 'short', 'missing', 'escape', 'link', 'control'];

/** Writes `files` of externalModel into `dir` (a fresh folder). */
function writeExternalFiles(dir, files) {
  const fs = require('node:fs');
  const path = require('node:path');
  const { execFileSync } = require('node:child_process');
  for (const f of files) {
    const p = path.join(dir, f.name);
    if (f.kind === 'folder') fs.mkdirSync(p);
    else if (f.kind === 'fifo') execFileSync('mkfifo', [p]);
    else if (f.kind === 'link') fs.symlinkSync(f.target, p);
    else fs.writeFileSync(p, Buffer.alloc(f.size ?? 0, 1));
  }
}

module.exports = {
  varint, field, int, cat, node, graph, model, valueInfo, reluModel, manyNodesModel, deepModel, hugeDimsModel, externalModel,
  writeExternalFiles, hostileString, HOSTILE_TEXT, EXTERNAL_KINDS,
};
