// Enforces the layering of docs/architecture.md; exits 1 on any violation.
//  src/core, src/cli: never import vscode (the CLI must run without VS Code).
//  src/core: never imports src/extension or src/cli (the faces use the core, not the reverse).
//  src/core/<area>: uses another area only through the modules declared in CORE_AREA_USES.
//  src/shared, webview: browser code: no vscode, no Node built-ins, no Node-only packages.
import ts from 'typescript';
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { filesUnder } from './files.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nodeOnlyPackages = ['onnxruntime-node', 'ssh2', 'web-tree-sitter', 'protobufjs', 'tree-sitter-python'];
const isNodeBuiltin = (s) => s.startsWith('node:') || builtinModules.includes(s) || builtinModules.includes(s.split('/')[0]);

/**
 * The areas of src/core and what each may use of another. A module not named here is private to its
 * area. Files directly in src/core (l10n, errors, fs, log, position, toml) serve every area, and so does
 * src/shared. The graph is acyclic: onnx uses no other area; benchmark runs onnx models; remote runs
 * tasks on hosts and uses both; python (parse, rules, fixes) reads target profiles; dependencies
 * (requirements, setup.py, pyproject.toml) report and fix through python's findings; workspace (walk,
 * scan, fix-all over files) runs python and dependencies over folders; sourceLinks finds the PyTorch
 * source of an ONNX node with python's parser; report formats python findings;
 * operations are the user actions that both faces offer, each one function over the other areas.
 */
export const CORE_AREA_USES = {
  onnx: {},
  python: { onnx: ['targets/profile'] },
  dependencies: { python: ['catalog', 'fixes/apply', 'text', 'types'] },
  workspace: {
    python: ['analyze', 'catalog', 'entry', 'fixes/apply', 'fixes/helperPlace', 'fixes/imports', 'fixes/kit', 'optionalModules', 'parser', 'symbols', 'text', 'types'],
    dependencies: ['requirements'],
  },
  sourceLinks: { python: ['parser'] },
  benchmark: { onnx: ['decode', 'run/inputs', 'run/ort', 'run/values', 'transform/probe'] },
  remote: { onnx: ['decode', 'model', 'transform/bisect'], benchmark: ['stats', 'cpu'] },
  report: { python: ['catalog', 'types'] },
  operations: {
    onnx: [
      'check', 'errors', 'model', 'run/compare', 'run/inputs', 'run/ort', 'run/values', 'shapes', 'summary', 'targets', 'targets/profile', 'text',
      'transform/bisect', 'transform/encode', 'transform/extract', 'transform/graph', 'transform/probe', 'transform/rewrite/rewrite',
      'transform/rewrite/rules', 'transform/split', 'view/compactGraph',
    ],
    python: ['fixes/apply', 'parser', 'rules/onnxExportTarget', 'types'],
    workspace: ['fixPlan', 'scan'],
    benchmark: ['cpu'],
    remote: ['tasks/execute', 'tasks/types'],
    report: ['json', 'markdown', 'sarif', 'scanResults'],
  },
};

/** Why `spec`, imported by `file` (both under root), breaks the core's rules; false when it does not. */
function coreForbid(root, file, spec) {
  if (spec === 'vscode') return 'imports vscode (src/core must stay usable from the CLI)';
  if (!spec.startsWith('.')) return false;
  const target = relative(root, resolve(dirname(file), spec)).split(sep).join('/').replace(/\.(ts|js|mjs)$/, '').replace(/\/index$/, '');
  if (/^src\/(extension|cli)(\/|$)/.test(target)) return `imports ${target} (src/core never imports the faces)`;
  const from = relative(join(root, 'src/core'), file).split(sep);
  const to = target.startsWith('src/core/') ? target.slice('src/core/'.length).split('/') : [];
  if (from.length < 2 || to.length < 2 || from[0] === to[0]) return false; // a shared core file, or the same area
  const declared = CORE_AREA_USES[from[0]]?.[to[0]];
  const module = to.slice(1).join('/');
  if (!declared) return `imports core/${to.join('/')}: core/${from[0]} does not use core/${to[0]} (CORE_AREA_USES in scripts/check-layers.mjs)`;
  if (!declared.includes(module)) return `imports core/${to.join('/')}, which is not among the modules core/${to[0]} offers core/${from[0]} (CORE_AREA_USES in scripts/check-layers.mjs)`;
  return false;
}

/** The areas in CORE_AREA_USES that can reach themselves again (empty when the graph is acyclic). */
export function areaCycles(uses = CORE_AREA_USES) {
  const reaches = (from, seen = new Set()) => {
    for (const to of Object.keys(uses[from] ?? {})) {
      if (seen.has(to)) continue;
      seen.add(to);
      reaches(to, seen);
    }
    return seen;
  };
  return Object.keys(uses).filter((area) => reaches(area).has(area));
}

const rules = [
  { dir: 'src/core', forbid: (spec, file, root) => coreForbid(root, file, spec) },
  { dir: 'src/cli', forbid: (s) => s === 'vscode' && 'imports vscode (the CLI runs without VS Code)' },
  { dir: 'src/shared', forbid: browserForbid },
  { dir: 'webview', forbid: browserForbid },
];

function browserForbid(spec) {
  if (spec === 'vscode') return 'imports vscode in browser code';
  if (isNodeBuiltin(spec)) return `imports the Node module "${spec}" in browser code`;
  if (nodeOnlyPackages.some((p) => spec === p || spec.startsWith(p + '/'))) return `imports the Node-only package "${spec}" in browser code`;
  if (/(^|\/)src\/(core|extension|cli)(\/|$)/.test(spec) || /^(\.\.\/)+(core|extension|cli)\//.test(spec)) return `imports Node-side code "${spec}" in browser code`;
  return false;
}

const files = (dir) => filesUnder(dir, (name) => /\.(ts|tsx|js|mjs)$/.test(name) && !name.endsWith('.d.ts'));

/** Every module specifier: import/export from, import(), require(). */
export function specifiers(text, fileName) {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ spec: node.moduleSpecifier.text, pos: node.getStart() });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push({ spec: node.moduleReference.expression.text, pos: node.getStart() });
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isStringLiteral(node.arguments[0]) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      found.push({ spec: node.arguments[0].text, pos: node.getStart() });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.map(({ spec, pos }) => ({ spec, line: source.getLineAndCharacterOfPosition(pos).line + 1 }));
}

/** console.* calls: the extension logs to its LogOutputChannel, the core to the Logger it is given. */
function consoleCalls(text, fileName) {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const lines = [];
  const visit = (node) => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'console') {
      lines.push(source.getLineAndCharacterOfPosition(node.getStart()).line + 1);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return lines;
}

export function violations(root = ROOT) {
  const problems = [];
  for (const dir of ['src/core', 'src/extension']) {
    for (const file of files(join(root, dir))) {
      if (file.endsWith('.worker.ts')) continue; // worker threads report through messages, checked in review
      for (const line of consoleCalls(readFileSync(file, 'utf8'), file)) problems.push(`${relative(root, file)}:${line}: uses console (log through the Logger / LogOutputChannel)`);
    }
  }
  for (const rule of rules) {
    for (const file of files(join(root, rule.dir))) {
      for (const { spec, line } of specifiers(readFileSync(file, 'utf8'), file)) {
        const why = rule.forbid(spec, file, root);
        if (why) problems.push(`${relative(root, file)}:${line}: ${why}`);
      }
    }
  }
  for (const area of areaCycles()) problems.push(`scripts/check-layers.mjs: CORE_AREA_USES lets core/${area} reach itself again (the areas must form an acyclic graph)`);
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ? resolve(process.argv[2]) : ROOT;
  const problems = violations(root);
  for (const p of problems) process.stderr.write(`layering: ${p}\n`);
  if (problems.length) process.exit(1);
  process.stderr.write('[layers] ok\n');
}
