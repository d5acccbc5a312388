// Builds data/qnn-htp.json: the ONNX ops the ONNX Runtime QNN execution provider translates into QNN ops
// (its op builder registry), at a pinned commit of the EP's own repository (onnxruntime/onnxruntime-qnn,
// Microsoft's QNN EP, which builds the QNN graph the HTP backend validates and compiles), the HTP
// architectures the EP accepts for its `htp_arch` option, and the QAIRT SDK release the EP release was built with.
// Nothing else is generated here: the per-architecture HTP facts and the op constraints are written by
// hand in data/qnn-arch.json and data/attribute-rules.json, each with its source.
//
// usage: node src/core/onnx/targets/build-qnn.mjs DIR
//   DIR is a git clone (or bare mirror) of onnxruntime/onnxruntime-qnn. Only the pinned commit is read
//   (git show), so the result does not depend on what is checked out.
import { execFileSync } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The published onnxruntime-qnn 2.0.0: the head of its release branch (release notes v2.0.0, VERSION_NUMBER 2.0.0). Its
// wheel and NuGet package build the ABI EP in providers/qnn-abi/ (setup.py#L146, cmake/onnxruntime_providers.cmake#L165-L170);
// the non-ABI providers/qnn/ still in the tree is not shipped. Main replaced providers/qnn/ with the ABI code after the
// branch left it (2026-01-27), so a main snapshot with VERSION_NUMBER 2.0.0 is not the release.
export const PIN = { repo: 'onnxruntime/onnxruntime-qnn', branch: 'rel-2.0.0_1.24.1', commit: 'fbd7fc53423420c5793fd6c60536556fccc095d6', date: '2026-03-13' };
const EP_DIR = 'onnxruntime/core/providers/qnn-abi';
// The non-ABI EP directory: the EP's history before the ABI copy (2025-08-20) is there.
const EP_DIR_BEFORE = 'onnxruntime/core/providers/qnn';
const REGISTRY = `${EP_DIR}/builder/op_builder_factory.cc`;
const EP = `${EP_DIR}/qnn_execution_provider.cc`;
const FUSIONS = `${EP_DIR}/builder/qnn_node_group/qnn_node_group.cc`;
const RELEASE_NOTES = 'docs/release-notes.txt';
const VERSION = 'VERSION_NUMBER';
// The ONNX -> QNN element type table (OnnxDataTypeToQnnDataType): in qnn_utils.cc since microsoft/onnxruntime PR #16563
// (2023-07-07), in the op builder base class before it. Every version of these files in the pin's history is read,
// in both EP directories.
const TYPES = `${EP_DIR}/builder/qnn_utils.cc`;
const TYPES_BEFORE = `${EP_DIR_BEFORE}/builder/opbuilder/base_op_builder.cc`;
const HISTORY_PATHS = (path) => [path, path.replace(`${EP_DIR}/`, `${EP_DIR_BEFORE}/`)].filter((p, i, all) => all.indexOf(p) === i);
const TYPE_FN = 'OnnxDataTypeToQnnDataType';
const TYPE_ERROR = 'Failed to map Onnx data type to Qnn data type!';

/**
 * The ONNX element types of the table in `OnnxDataTypeToQnnDataType` (both its plain and quantized maps), as our
 * ElementType names (the TensorProto.DataType name in lower case), with the 1-based lines of the function's
 * definition and of its last table entry; undefined when the text defines no such function.
 */
export function typeTable(text) {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^\\s*bool\\s+(\\w+::)?${TYPE_FN}\\(`).test(l));
  if (start < 0) return undefined;
  let end = lines.findIndex((l, i) => i > start && /^}/.test(l));
  if (end < 0) end = lines.length - 1;
  const types = new Set();
  let last = start;
  for (let i = start; i <= end; i++) {
    for (const m of lines[i].replace(/\/\/.*$/, '').matchAll(/\{\s*(?:ONNX_TENSOR_ELEMENT_DATA_TYPE_|(?:ONNX_NAMESPACE::)?TensorProto_DataType_)([A-Z0-9]+)\s*,\s*QNN_DATATYPE_\w+\s*\}/g)) {
      types.add(m[1].toLowerCase());
      last = i;
    }
  }
  return { types: [...types].sort(), lines: [start + 1, last + 1] };
}

function main() {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node src/core/onnx/targets/build-qnn.mjs DIR   (DIR: a git clone of onnxruntime/onnxruntime-qnn)\n');
    process.exit(2);
  }
  const git = (...args) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  const showAt = (commit, path) => git('show', `${commit}:${path}`);
  const show = (path) => showAt(PIN.commit, path);
  const registryOps = (text) => {
    const found = {};
    for (const m of text.replace(/\/\/.*$/gm, '').matchAll(/\b(Create\w*OpBuilder)\(\s*"(\w+)"/g)) found[m[2]] = m[1];
    return found;
  };
  const ops = registryOps(show(REGISTRY));
  const sorted = Object.fromEntries(Object.keys(ops).sort().map((op) => [op, ops[op]]));
  // When each op got its builder: the earliest date on which any version of the registry file in the pin's history
  // (every branch merged into it: microsoft/onnxruntime main, its release branches, onnxruntime-qnn) registers it,
  // the commit date of that version (the merge date of a squash-merged pull request). A release branch takes a builder
  // only after main has it, so an EP release published before that date cannot have the builder.
  // Both EP directories are walked (the registry is in qnn/ before the ABI copy and in qnn-abi/ at the pin); a commit that
  // deletes the file (the revert of the first ABI copy, 2025-08-25) has no version of it.
  const history = (path) => git('log', '--full-history', '--format=%H %cI', PIN.commit, '--', path).trim().split('\n').filter(Boolean).map((line) => {
    const [commit, date] = line.split(' ');
    return { commit, date: new Date(date).toISOString().slice(0, 10) };
  });
  const versions = [];
  for (const path of HISTORY_PATHS(REGISTRY)) {
    for (const { commit, date } of history(path)) {
      let text;
      try { text = showAt(commit, path); } catch { continue; } // the commit deleted the file
      versions.push({ commit, date, path, ops: registryOps(text) });
    }
  }
  const added = {};
  for (const op of Object.keys(sorted)) {
    const first = versions.filter((v) => v.ops[op]).reduce((a, b) => (b.date < a.date || (b.date === a.date && (b.commit < a.commit || (b.commit === a.commit && b.path < a.path))) ? b : a));
    added[op] = { commit: first.commit.slice(0, 12), date: first.date, path: first.path };
  }
  // Node-group fusions: op type that starts a pattern -> fusions (an op with no builder runs on QNN only inside one).
  const table = /fusions\s*=\s*\{([\s\S]*?)\};/.exec(show(FUSIONS))?.[1] ?? '';
  const fusions = {};
  for (const m of table.matchAll(/\{"(\w+)",\s*\{([^}]*)\}\}/g)) fusions[m[1]] = m[2].split(',').map((f) => f.trim().replace(/::TryFusion$/, '')).filter(Boolean);
  // The QNN SDK (QAIRT) release the EP release at the pin was built with: per-op HTP data types differ by QAIRT release.
  // The onnxruntime-qnn release the pin is (qnn-htp@epX.Y names releases; attribute-rules.json qnnReleases.default must match).
  const ep = show(VERSION).trim();
  if (!/^\d+\.\d+\.\d+$/.test(ep)) throw new Error(`${VERSION}: no release number at ${PIN.commit}`);
  const notes = show(RELEASE_NOTES);
  const qairt = /generated using QAIRT SDK version (\d+\.\d+\.\d+)/.exec(notes)?.[1];
  if (!qairt) throw new Error(`${RELEASE_NOTES}: no "generated using QAIRT SDK version X.Y.Z" line at ${PIN.commit}`);
  // The element types the EP maps at the pin, and every type any earlier version of the table mapped.
  const typeText = show(TYPES);
  const types = typeTable(typeText);
  if (!types || types.types.length === 0) throw new Error(`${TYPES}: no ${TYPE_FN} table with entries at ${PIN.commit}`);
  const errorLine = typeText.split('\n').findIndex((l) => l.includes(TYPE_ERROR)) + 1;
  if (errorLine === 0) throw new Error(`${TYPES}: no "${TYPE_ERROR}" at ${PIN.commit}`);
  const everMapped = new Set();
  let tableVersions = 0;
  for (const path of [...HISTORY_PATHS(TYPES), TYPES_BEFORE]) {
    for (const { commit } of history(path)) {
      let text;
      try { text = showAt(commit, path); } catch { continue; } // the commit deleted the file
      const table = typeTable(text);
      if (!table) continue;
      if (table.types.length === 0) throw new Error(`${path}@${commit}: ${TYPE_FN} found but no table entries parsed`);
      tableVersions++;
      for (const t of table.types) everMapped.add(t);
    }
  }
  const firstTable = git('log', '--full-history', '--format=%H %cI', '--diff-filter=A', PIN.commit, '--', TYPES_BEFORE).trim().split('\n').pop();
  if (!firstTable) throw new Error(`${TYPES_BEFORE}: not in the history of ${PIN.commit}`);
  const archs = [...show(EP).matchAll(/htp_arch_string == "(\d+)"\)\s*\{\s*qnn_htp_arch = QNN_HTP_DEVICE_ARCH_V(\d+)/g)].map((m) => `v${m[2]}`);
  const out = {
    _about: [
      'ONNX ops the ONNX Runtime QNN execution provider translates into QNN ops (its op builder registry), and the HTP architectures its htp_arch option accepts.',
      `Generated by src/core/onnx/targets/build-qnn.mjs from github:${PIN.repo}@${PIN.commit} (${PIN.date}, branch ${PIN.branch}, the published onnxruntime-qnn release; its packages build the ABI EP in ${EP_DIR}/): ${REGISTRY} (ops: op type -> builder) and ${EP} (ParseHtpArchitecture: archs) and ${FUSIONS} (fusions: op type that starts a node-group pattern -> fusions) and ${RELEASE_NOTES} (qairt: the QAIRT SDK release the EP release was built with) and ${VERSION} (ep: the onnxruntime-qnn release) and ${TYPES} (types.mapped: the ONNX element types ${TYPE_FN} maps to QNN ones, plain or quantized; any other type fails with "${TYPE_ERROR}"; types.everMapped: the types any version of that table in the pin's full history mapped, in ${EP_DIR}/ or ${EP_DIR_BEFORE}/, ${TYPES_BEFORE} before it moved, from types.history.since, the first version of the EP); added: for each op, the earliest version of the registry file (${EP_DIR}/ or ${EP_DIR_BEFORE}/) in the pin's full history that registers it (commit, date, path).`,
      'The registry is keyed by op type: the EP takes nodes of the ai.onnx and com.microsoft domains alike (qnn_ep_utils.cc). An op the registry does not name is not placed on QNN by this EP version (it stays on the CPU): reported as unsupported for this version. Per-architecture facts: qnn-arch.json; op constraints: attribute-rules.json.',
    ],
    source: { ...PIN, registry: REGISTRY, types: TYPES, archs: EP, fusions: FUSIONS, releaseNotes: RELEASE_NOTES, version: VERSION },
    ep,
    qairt,
    archs,
    ops: sorted,
    added,
    fusions: Object.fromEntries(Object.keys(fusions).sort().map((op) => [op, fusions[op]])),
    types: {
      mapped: types.types,
      everMapped: [...everMapped].sort(),
      source: `${TYPES}#L${types.lines[0]}-L${types.lines[1]}`,
      error: `${TYPES}#L${errorLine}`,
      history: { versions: tableVersions, since: { commit: firstTable.split(' ')[0].slice(0, 12), date: new Date(firstTable.split(' ')[1]).toISOString().slice(0, 10) } },
    },
  };
  const file = join(dirname(fileURLToPath(import.meta.url)), 'data', 'qnn-htp.json');
  writeFileSync(file + '.tmp', JSON.stringify(out, null, 1) + '\n');
  renameSync(file + '.tmp', file);
  process.stderr.write(`wrote data/qnn-htp.json: ${Object.keys(sorted).length} ops, ${types.types.length} element types (${tableVersions} table versions), archs ${archs.join(', ')}, onnxruntime-qnn ${ep}, QAIRT ${qairt}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
