// One build for every bundle: the extension and the CLI (Node), the webview (browser), and workers.
// usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { filesUnder } from './files.mjs';
import { noticesText, packageDirs } from './notices.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
const dist = join(ROOT, 'dist');

/** Files named *.worker.ts become their own bundles (worker_threads in Node, Web Workers in the webview). */
const workers = (dir) => filesUnder(dir, (name) => name.endsWith('.worker.ts'));

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  define: { NPU_PORT_VERSION: JSON.stringify(version) },
  legalComments: 'none',
};

const node = {
  ...common,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // vscode is provided by the host; onnxruntime-node is a native addon loaded lazily from node_modules;
  // ssh2's optional native helpers are loaded in try/catch and fall back to pure JS.
  external: ['vscode', 'onnxruntime-node', 'cpu-features', '*.node'],
};

const configs = [
  { ...node, entryPoints: { extension: join(ROOT, 'src/extension/extension.ts') }, outdir: dist },
  { ...node, entryPoints: { cli: join(ROOT, 'src/cli/main.ts') }, outdir: dist, banner: { js: '#!/usr/bin/env node' } },
];
const nodeWorkers = workers(join(ROOT, 'src'));
if (nodeWorkers.length) {
  configs.push({ ...node, entryPoints: Object.fromEntries(nodeWorkers.map((p) => [basename(p, '.ts'), p])), outdir: join(dist, 'workers') });
}
if (existsSync(join(ROOT, 'webview/main.ts'))) {
  const webWorkers = workers(join(ROOT, 'webview'));
  configs.push({
    ...common,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    entryPoints: { viewer: join(ROOT, 'webview/main.ts'), results: join(ROOT, 'webview/results/main.ts'), ...Object.fromEntries(webWorkers.map((p) => [basename(p, '.ts'), p])) },
    outdir: join(dist, 'webview'),
    loader: { '.css': 'text' },
  });
}

/** wasm files ship next to the bundles that load them. */
const assets = [
  ['node_modules/web-tree-sitter/tree-sitter.wasm', 'tree-sitter.wasm'],
  ['node_modules/tree-sitter-python/tree-sitter-python.wasm', 'tree-sitter-python.wasm'],
];
function copyAssets() {
  mkdirSync(dist, { recursive: true });
  for (const [from, to] of assets) copyFileSync(join(ROOT, from), join(dist, to));
}

/** dist/ThirdPartyNotices.txt: the licences of the packages bundled or copied into dist/ (scripts/notices.mjs). */
function writeNotices(results) {
  const inputs = results.flatMap((r) => Object.keys(r.metafile?.inputs ?? {}));
  const dirs = packageDirs([...inputs, ...assets.map(([from]) => from)]);
  const file = join(dist, 'ThirdPartyNotices.txt');
  writeFileSync(file + '.tmp', noticesText(ROOT, dirs, 'NPU Porting Assistant'));
  renameSync(file + '.tmp', file);
}

copyAssets();
if (watch) {
  const contexts = await Promise.all(configs.map((c) => esbuild.context(c)));
  await Promise.all(contexts.map((c) => c.watch()));
  process.stderr.write('[build] watching for changes (Ctrl+C to stop)\n');
} else {
  const t0 = Date.now();
  const results = await Promise.all(configs.map((c) => esbuild.build({ ...c, metafile: true, absWorkingDir: ROOT })));
  writeNotices(results);
  process.stderr.write(`[build] ${configs.length} bundles in ${Date.now() - t0} ms${production ? ' (production)' : ''}\n`);
}
