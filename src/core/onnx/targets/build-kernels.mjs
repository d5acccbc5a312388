// Builds data/ascend-kernels.json: per CANN release and per SoC, what Huawei's own open-source operator
// repositories (hicann/ops-nn, hicann/ops-math, hicann/ops-cv, at the release tags pinned below) say about
// the ONNX ops ATC converts:
//   - the ATC ONNX parser plugins (REGISTER_CUSTOM_OP(...).FrameworkType(ONNX).OriginOpType("ai.onnx::N::Op")):
//     ONNX op + opset -> GE op type(s);
//   - each operator's README "产品支持情况" table (product -> √/×) and its per-product notes
//     ("<term>Atlas 推理系列产品</term>：不支持BFLOAT16"): kernel presence and refused element types per SoC;
//   - the AscendC op definitions (op_host/*_def.cpp, AICore().AddConfig("ascend310p", ...)): SoCs an
//     open-source kernel is built for, and its input element types.
// Every fact records its repository and path; the commit is the release's pin in `releases`. The
// repositories' experimental/ folders (developer-contributed operators, README: "支持开发者调试并贡献自定义算子")
// are not part of a release and are skipped.
// Nothing is inferred from absence: a SoC no document names stays unknown (the check says "unverified").
//
// usage: node src/core/onnx/targets/build-kernels.mjs DIR
//   DIR holds git clones (or bare mirrors) of the three repositories, as DIR/ops-nn, DIR/ops-math, DIR/ops-cv
//   (or DIR/hicann+ops-nn/repo, ...). Only the pinned commits are read (git show / git grep), so the result
//   does not depend on what is checked out.
import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** CANN releases: the release tag of each repository, resolved to its commit. Newest first. */
export const RELEASES = {
  '9.1.0': {
    date: '2026-07',
    repos: {
      'hicann/ops-nn': 'ceb4536a2bd6fc99b85aec9d0fdcc0f470376292',
      'hicann/ops-math': 'c821871ee4bccb0c564a582d1b362072c356a88d',
      'hicann/ops-cv': '4d57ffe7bfa2c903ced575cea269ffcc3a9613bd',
    },
  },
  '8.5.0': {
    date: '2026-01',
    repos: {
      'hicann/ops-nn': 'e9f5c1b3e0acba40c9ce0d9a7b9c157f4dea0029',
      'hicann/ops-math': 'f1a42c5381bbd33981877ad87751d242663c2ce6',
      'hicann/ops-cv': 'a03cd58dee1c03732ccd2c9a14de79bb420fa82d',
    },
  },
};

/** Product names in the operator documents -> ATC --soc_version family. */
const PRODUCTS = [
  [/^Atlas 200\/300\/500 ?推理产品/, 'ascend310'],
  [/^Atlas 推理系列产品/, 'ascend310p'],
  [/^Atlas 训练系列产品/, 'ascend910'],
  [/^Atlas A2 训练系列产品/, 'ascend910b'],
];
const SOCS = ['ascend310', 'ascend310p', 'ascend910', 'ascend910b'];
const productSoc = (name) => PRODUCTS.find(([re]) => re.test(name.trim()))?.[1];

/** Element type words of the documents and GE DT_* names -> ONNX element type names. */
const DOC_TYPES = {
  BFLOAT16: 'bfloat16', FLOAT16: 'float16', FLOAT: 'float', FLOAT32: 'float', DOUBLE: 'double', FLOAT64: 'double',
  INT8: 'int8', INT16: 'int16', INT32: 'int32', INT64: 'int64', UINT8: 'uint8', UINT16: 'uint16', UINT32: 'uint32', UINT64: 'uint64',
  BOOL: 'bool', COMPLEX64: 'complex64', COMPLEX128: 'complex128',
};
const GE_TYPES = {
  DT_BF16: 'bfloat16', DT_FLOAT16: 'float16', DT_FLOAT: 'float', DT_DOUBLE: 'double', DT_INT8: 'int8', DT_INT16: 'int16',
  DT_INT32: 'int32', DT_INT64: 'int64', DT_UINT8: 'uint8', DT_UINT16: 'uint16', DT_UINT32: 'uint32', DT_UINT64: 'uint64',
  DT_BOOL: 'bool', DT_COMPLEX64: 'complex64', DT_COMPLEX128: 'complex128',
};

function repoDir(root, repo) {
  const name = repo.split('/')[1];
  for (const d of [join(root, name), join(root, repo.replace('/', '+'), 'repo'), join(root, repo.replace('/', '+'))]) if (existsSync(d)) return d;
  throw new Error(`no clone of ${repo} under ${root} (expected ${join(root, name)})`);
}

function reader(dir, commit) {
  const git = (...args) => execFileSync('git', ['-C', dir, ...args], { maxBuffer: 1 << 30, encoding: 'utf8' });
  git('cat-file', '-e', `${commit}^{commit}`);
  return {
    grepFiles: (pattern) => git('grep', '-l', '-F', pattern, commit).split('\n').filter(Boolean).map((l) => l.slice(commit.length + 1)),
    files: () => git('ls-tree', '-r', '--name-only', commit).split('\n').filter(Boolean),
    show: (path) => git('show', `${commit}:${path}`),
  };
}

/** Graph plumbing a graph-building plugin creates around the real op: no kernel behind them. */
const GRAPH_PLUMBING = new Set(['Const', 'Constant', 'Data', 'NetOutput', 'PartitionedCall']);

const stripComments = (text) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

/** ATC ONNX parser plugins of one repository: [{onnx, opset, ge: [...], path}]. */
function parserPlugins(r) {
  const out = [];
  for (const path of r.grepFiles('FrameworkType(ONNX)')) {
    if (!/\.(cc|cpp)$/.test(path) || /\/tests?\//.test(path) || path.startsWith('experimental/')) continue;
    const text = stripComments(r.show(path)).replace(/^\s*#define[^\n]*(\\\n[^\n]*)*/gm, '');
    // GE ops a graph-building plugin (ParseOpToGraphFn) creates: op::Xxx(...) constructors.
    const graphOps = [...new Set([...text.matchAll(/\bop::([A-Z]\w*)\s*\(/g)].map((m) => m[1]))].filter((t) => !GRAPH_PLUMBING.has(t)).sort();
    for (const statement of text.split(';')) {
      if (statement.includes('original_type')) continue;
      const origins = [...statement.matchAll(/ai\.onnx::(\d+)::(\w+)/g)];
      if (!origins.length) continue;
      let ge = /REGISTER_CUSTOM_OP\(\s*"(\w+)"/.exec(statement)?.[1] ?? /\w+\(\s*ai\.onnx::\d+::\w+\s*,\s*(\w+)/.exec(statement)?.[1];
      if (!ge) continue;
      const geOps = ge === 'PartitionedCall' || statement.includes('ParseOpToGraphFn') ? graphOps : [ge];
      for (const m of origins) out.push({ onnx: m[2], opset: Number(m[1]), ge: geOps.length ? geOps : [ge], path });
    }
  }
  return out;
}

/** Dtype words after "不支持" in one note: "不支持BFLOAT16、INT64。" -> [bfloat16, int64]. */
function refusedTypes(text) {
  const at = text.indexOf('不支持');
  if (at < 0) return [];
  const rest = text.slice(at + 3).split(/[。；;]/)[0];
  if (!/^\s*[A-Z0-9_、,，\s/和及数据类型]*$/.test(rest.replace(/数据类型|的/g, ''))) return [];
  return [...new Set((rest.match(/[A-Z][A-Z0-9_]+/g) ?? []).map((w) => DOC_TYPES[w]).filter(Boolean))];
}

/** The operator README of one op directory: its title, product table and per-product dtype notes. */
function readme(text) {
  const title = /^#\s+(\S+)/m.exec(text)?.[1];
  const products = {};
  for (const m of text.matchAll(/^\|\s*(?:<term>)?([^|<]+?)(?:<\/term>)?\s*\|\s*(√|×)\s*\|/gm)) {
    const soc = productSoc(m[1]);
    if (soc) products[soc] = m[2] === '√';
  }
  const refused = {};
  for (const line of text.split('\n')) {
    if (!line.includes('不支持')) continue;
    const head = line.split(/[：:]/)[0];
    const names = [...head.matchAll(/<term>([^<]+)<\/term>/g)].map((m) => m[1]);
    const plain = names.length ? names : head.replace(/^[\s*-]+/, '').split(/、|，|,/);
    const socs = plain.map(productSoc).filter(Boolean);
    if (!socs.length || !/[：:]/.test(line)) continue;
    const types = refusedTypes(line.slice(head.length + 1));
    for (const soc of socs) for (const t of types) (refused[soc] ??= new Set()).add(t);
  }
  return { title, products, refused };
}

/** AscendC op definitions: GE op type -> {socs, inputs/outputs: {name: [types]}} (default DataType lists). */
function opDefs(text) {
  const defs = [];
  const clean = stripComments(text);
  for (const cls of clean.matchAll(/class\s+(\w+)\s*:\s*public\s+OpDef\b([\s\S]*?)(?=\nclass\s|\nOP_ADD|$)/g)) {
    const body = cls[2];
    const socs = [...new Set([...body.matchAll(/AddConfig\(\s*"(\w+)"/g)].map((m) => m[1]))];
    const lists = (kind) => {
      const out = {};
      for (const m of body.matchAll(new RegExp(`this->${kind}\\(\\s*"(\\w+)"\\s*\\)[^;]*?\\.DataType\\(\\s*\\{([^}]*)\\}`, 'g'))) {
        if (out[m[1]]) continue;
        out[m[1]] = [...new Set(m[2].split(',').map((s) => GE_TYPES[s.trim().replace(/^ge::/, '')]).filter(Boolean))].sort();
      }
      return out;
    };
    defs.push({ ge: cls[1], socs, inputs: lists('Input'), outputs: lists('Output') });
  }
  return defs;
}

function extract(root, release) {
  const pins = RELEASES[release].repos;
  const onnx = {};
  const ge = {};
  for (const [repo, commit] of Object.entries(pins)) {
    const short = repo.split('/')[1];
    const r = reader(repoDir(root, repo), commit);
    for (const p of parserPlugins(r)) {
      const e = (onnx[p.onnx] ??= { opsets: new Set(), ge: new Set(), src: new Set() });
      e.opsets.add(p.opset);
      for (const g of p.ge) e.ge.add(g);
      e.src.add(`${short}:${p.path}`);
    }
    const files = r.files();
    for (const path of files.filter((f) => /^[^/]+\/[^/]+\/README\.md$/.test(f) && !f.startsWith('experimental/'))) {
      const doc = readme(r.show(path));
      if (!doc.title || (!Object.keys(doc.products).length && !Object.keys(doc.refused).length)) continue;
      const e = (ge[doc.title] ??= {});
      if (e.doc) continue;
      e.doc = `${short}:${path}`;
      if (Object.keys(doc.products).length) e.products = doc.products;
      if (Object.keys(doc.refused).length) e.refused = Object.fromEntries(Object.entries(doc.refused).map(([s, t]) => [s, [...t].sort()]));
    }
    for (const path of files.filter((f) => /\/op_host\/[^/]+_def\.cpp$/.test(f) && !f.includes('aicpu') && !f.includes('/tests/') && !f.startsWith('experimental/'))) {
      for (const d of opDefs(r.show(path))) {
        const socs = d.socs.filter((s) => SOCS.includes(s));
        if (!socs.length) continue;
        const e = (ge[d.ge] ??= {});
        (e.kernels ??= []).push({ socs, inputs: d.inputs, outputs: d.outputs, src: `${short}:${path}` });
      }
    }
  }
  const onnxOut = {};
  for (const op of Object.keys(onnx).sort()) {
    const e = onnx[op];
    onnxOut[op] = { opsets: [...e.opsets].sort((a, b) => a - b), ge: [...e.ge].sort(), src: [...e.src].sort() };
  }
  // Keep only the GE op types an ONNX op maps to.
  const used = new Set(Object.values(onnxOut).flatMap((e) => e.ge));
  const geOut = {};
  for (const t of [...used].sort()) if (ge[t]) geOut[t] = ge[t];
  return { onnx: onnxOut, ge: geOut };
}

/**
 * The chip-wide bf16 facts: a SoC lacks bf16 when operator documents refuse BFLOAT16 for it in at least
 * 10 % of the documents that mark it √ (or in any document when none marks it √, as for Ascend 310), so one
 * op's note (Erf on Atlas A2) does not become a chip fact. First refusing path cited, counts kept.
 */
function chipFacts(extracted) {
  const refusing = {};
  const supported = {};
  for (const [type, e] of Object.entries(extracted.ge)) {
    for (const [soc, ok] of Object.entries(e.products ?? {})) if (ok) supported[soc] = (supported[soc] ?? 0) + 1;
    for (const [soc, types] of Object.entries(e.refused ?? {})) {
      if (!types.includes('bfloat16')) continue;
      const f = (refusing[soc] ??= { ops: 0, src: e.doc, example: type });
      f.ops++;
    }
  }
  const bf16 = {};
  for (const [soc, f] of Object.entries(refusing)) {
    const documented = supported[soc] ?? 0;
    if (f.ops >= 0.1 * documented) bf16[soc] = { ...f, documented };
  }
  return bf16;
}

function main() {
  const root = process.argv[2];
  if (!root) {
    process.stderr.write('usage: node src/core/onnx/targets/build-kernels.mjs DIR   (DIR/ops-nn, DIR/ops-math, DIR/ops-cv: git clones of hicann/*)\n');
    process.exit(2);
  }
  const releases = {};
  for (const release of Object.keys(RELEASES)) {
    const x = extract(root, release);
    releases[release] = { date: RELEASES[release].date, repos: RELEASES[release].repos, bf16Refused: chipFacts(x), onnx: x.onnx, ge: x.ge };
  }
  const out = {
    _about: [
      'Per CANN release and per SoC: ATC ONNX parser plugins (ONNX op + opset -> GE op types) joined with the operator documents and AscendC op definitions of the same release.',
      'Generated by src/core/onnx/targets/build-kernels.mjs from hicann/ops-nn, hicann/ops-math, hicann/ops-cv at the release tags in releases.*.repos; every fact names "repo:path" (repo = hicann/<repo>, commit = the release pin).',
      'products: the README "产品支持情况" table (true = √, false = ×); refused: element types a README note says a product does not take; kernels: open-source AscendC op definitions (AddConfig SoCs, input and output DataType lists).',
      'SoCs: ascend310 = Atlas 200/300/500 推理产品, ascend310p = Atlas 推理系列产品, ascend910 = Atlas 训练系列产品, ascend910b = Atlas A2 训练/推理系列产品. A SoC a document does not name is unknown, not unsupported.',
    ],
    default: Object.keys(RELEASES)[0],
    socs: SOCS,
    releases,
  };
  const here = dirname(fileURLToPath(import.meta.url));
  const file = join(here, 'data', 'ascend-kernels.json');
  // One op per line: small diffs, small file. Temp file + rename: never a half-written data file.
  writeFileSync(file + '.tmp', compact(out));
  renameSync(file + '.tmp', file);
  for (const [release, r] of Object.entries(releases)) process.stderr.write(`CANN ${release}: ${Object.keys(r.onnx).length} ONNX ops, ${Object.keys(r.ge).length} GE op types with documents or kernels\n`);
}

/** JSON with one entry per line under releases.*.onnx / releases.*.ge. */
function compact(value) {
  const lines = ['{'];
  const entries = Object.entries(value);
  entries.forEach(([k, v], i) => {
    const comma = i < entries.length - 1 ? ',' : '';
    if (k !== 'releases') { lines.push(` ${JSON.stringify(k)}: ${JSON.stringify(v)}${comma}`); return; }
    lines.push(` "releases": {`);
    const rels = Object.entries(v);
    rels.forEach(([rk, rv], j) => {
      lines.push(`  ${JSON.stringify(rk)}: {`);
      const parts = Object.entries(rv);
      parts.forEach(([pk, pv], n) => {
        const pc = n < parts.length - 1 ? ',' : '';
        if (pk !== 'onnx' && pk !== 'ge') { lines.push(`   ${JSON.stringify(pk)}: ${JSON.stringify(pv)}${pc}`); return; }
        lines.push(`   ${JSON.stringify(pk)}: {`);
        const ops = Object.entries(pv);
        ops.forEach(([ok, ov], m) => lines.push(`    ${JSON.stringify(ok)}: ${JSON.stringify(ov)}${m < ops.length - 1 ? ',' : ''}`));
        lines.push(`   }${pc}`);
      });
      lines.push(`  }${j < rels.length - 1 ? ',' : ''}`);
    });
    lines.push(` }${comma}`);
  });
  lines.push('}');
  return lines.join('\n') + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
