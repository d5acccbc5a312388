// Builds the localization bundles.
//  l10n/bundle.l10n.json        English source: @vscode/l10n-dev over src/extension and webview (vscode.l10n.t /
//                               @vscode/l10n t calls), plus the core's and CLI's msg("...") literals (found with the
//                               TypeScript parser).
//  l10n/bundle.l10n.zh-cn.json  merged from l10n/zh-cn/*.json (one file per area, so areas never edit one file).
// usage: node scripts/l10n.mjs [--check]   --check: exit 1 when the committed bundles are out of date.
import { getL10nJson } from '@vscode/l10n-dev';
import ts from 'typescript';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { filesUnder } from './files.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

const tsFiles = (dir) => filesUnder(dir, (name) => name.endsWith('.ts') && !name.endsWith('.d.ts'));

/** String literals passed as first argument to msg(...); anything else there is an error. */
function coreKeys(files) {
  const keys = new Map();
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'msg') {
        const first = node.arguments[0];
        if (first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) {
          keys.set(first.text, first.text);
        } else {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart());
          throw new Error(`${relative(ROOT, file)}:${line + 1}: ${node.expression.text}() needs a string literal as its first argument`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return keys;
}

const faceFiles = [...tsFiles(join(ROOT, 'src/extension')), ...tsFiles(join(ROOT, 'webview'))];
const faceKeys = await getL10nJson(faceFiles.map((p) => ({ extension: '.ts', contents: readFileSync(p, 'utf8') })));
const english = {};
for (const [k, v] of Object.entries(faceKeys)) english[k] = typeof v === 'string' ? v : v.message;
for (const [k, v] of coreKeys([...tsFiles(join(ROOT, 'src/core')), ...tsFiles(join(ROOT, 'src/cli'))])) english[k] = v;

const sorted = (o) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
const zhParts = {};
const partsDir = join(ROOT, 'l10n', 'zh-cn');
for (const name of existsSync(partsDir) ? readdirSync(partsDir).filter((n) => n.endsWith('.json')).sort() : []) {
  Object.assign(zhParts, JSON.parse(readFileSync(join(partsDir, name), 'utf8')));
}
const chinese = {};
for (const key of Object.keys(english)) if (key in zhParts) chinese[key] = zhParts[key];

const outputs = [
  [join(ROOT, 'l10n', 'bundle.l10n.json'), JSON.stringify(sorted(english), null, 2) + '\n'],
  [join(ROOT, 'l10n', 'bundle.l10n.zh-cn.json'), JSON.stringify(sorted(chinese), null, 2) + '\n'],
];
let stale = false;
for (const [file, text] of outputs) {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (current === text) continue;
  if (check) {
    stale = true;
    process.stderr.write(`${relative(ROOT, file)} is out of date: run npm run l10n\n`);
  } else writeFileSync(file, text);
}
const missing = Object.keys(english).filter((k) => !(k in zhParts));
const unused = Object.keys(zhParts).filter((k) => !(k in english));
process.stderr.write(`[l10n] ${Object.keys(english).length} strings, ${missing.length} without zh-cn translation, ${unused.length} unused translations\n`);
if (process.argv.includes('--list-missing')) for (const k of missing) process.stdout.write(JSON.stringify(k) + '\n');
if (stale) process.exit(1);
