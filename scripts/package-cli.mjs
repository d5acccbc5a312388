// `npm run package:cli`: the CLI as an npm package of its own, for CI machines and NPU hosts without
// VS Code: npu-port-<version>-<platform>-<arch>.tgz, installed with `npm install ./npu-port-....tgz`
// (or globally with -g) and run as `npx npu-port`. Like the .vsix it is platform-specific: it bundles
// onnxruntime-node with the native binary of one platform (bundleDependencies, no install script), so
// installing it needs no network and no environment variables.
// usage: node scripts/package-cli.mjs [--target linux-x64|...] [--out DIR] [--no-build]   (--no-build: use dist/ as it is)
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, build, run } from './bootstrap.mjs';
import { arg, copyOnnxRuntime, lockedVersion, packageTarget } from './runtime.mjs';

const { target, platform, arch } = packageTarget();
const outDir = arg('--out') ?? ROOT;
const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

if (!process.argv.includes('--no-build')) build({ production: true });
const stage = mkdtempSync(join(tmpdir(), 'npu-port-cli-'));
try {
  // What dist/cli.js loads next to itself: the Tree-sitter grammars and the scan worker.
  cpSync(join(ROOT, 'dist', 'cli.js'), join(stage, 'cli.js'));
  for (const file of readdirSync(join(ROOT, 'dist')).filter((f) => f.endsWith('.wasm'))) cpSync(join(ROOT, 'dist', file), join(stage, file));
  mkdirSync(join(stage, 'workers'));
  for (const file of readdirSync(join(ROOT, 'dist', 'workers')).filter((f) => f.endsWith('.js'))) cpSync(join(ROOT, 'dist', 'workers', file), join(stage, 'workers', file));
  cpSync(join(ROOT, 'LICENSE'), join(stage, 'LICENSE'));
  cpSync(join(ROOT, 'dist', 'ThirdPartyNotices.txt'), join(stage, 'ThirdPartyNotices.txt'));
  copyOnnxRuntime(join(stage, 'node_modules'), platform, arch, { installable: true });
  const runtime = { 'onnxruntime-node': lockedVersion('onnxruntime-node'), 'onnxruntime-common': lockedVersion('onnxruntime-common') };
  writeFileSync(join(stage, 'package.json'), JSON.stringify({
    name: 'npu-port',
    version: root.version,
    description: 'Command line of NPU Porting Assistant: find CUDA-only PyTorch code, check ONNX models against NPU targets, compile and benchmark on remote NPU hosts.',
    license: root.license,
    repository: root.repository,
    keywords: root.keywords,
    bin: { 'npu-port': 'cli.js' },
    engines: { node: root.engines.node },
    os: [platform],
    cpu: [arch],
    dependencies: runtime,
    bundleDependencies: Object.keys(runtime),
  }, null, 2) + '\n');
  writeFileSync(join(stage, 'README.md'), [
    `# npu-port ${root.version} (${target})`,
    '',
    'The command line of NPU Porting Assistant, with onnxruntime-node for this platform inside.',
    'See the project README for the commands: `npx npu-port --help`.',
    '',
  ].join('\n'));
  mkdirSync(outDir, { recursive: true });
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', outDir], { cwd: stage, quiet: true }));
  const tarball = join(outDir, `npu-port-${root.version}-${target}.tgz`);
  cpSync(join(outDir, packed[0].filename), tarball);
  rmSync(join(outDir, packed[0].filename));
  process.stderr.write(`[package:cli] ${tarball}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
