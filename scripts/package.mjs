// Builds a platform-specific .vsix: production bundles, plus onnxruntime-node with the native binary
// of that one platform only (the npm package carries all platforms: 288 MB).
// usage: node scripts/package.mjs [--target linux-x64|linux-arm64|darwin-arm64|darwin-x64|win32-x64|win32-arm64] [--out FILE]
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, build, run } from './bootstrap.mjs';

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const target = arg('--target') ?? `${process.platform}-${process.arch}`;
const [platform, arch] = target.split('-');
const supported = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];
if (!supported.includes(target)) throw new Error(`unsupported target ${target}; one of ${supported.join(', ')}`);
const { name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const out = arg('--out') ?? join(ROOT, `${name}-${version}-${target}.vsix`);

build({ production: true });

// onnxruntime-node is loaded lazily (only when a model runs), from dist/node_modules next to the bundles.
const runtime = join(ROOT, 'dist', 'node_modules');
rmSync(runtime, { recursive: true, force: true });
const ortSource = join(ROOT, 'node_modules', 'onnxruntime-node');
const ortTarget = join(runtime, 'onnxruntime-node');
mkdirSync(ortTarget, { recursive: true });
cpSync(join(ortSource, 'package.json'), join(ortTarget, 'package.json'));
cpSync(join(ortSource, 'dist'), join(ortTarget, 'dist'), { recursive: true, filter: (p) => !p.endsWith('.map') && !p.endsWith('.ts') });
for (const napi of readdirSync(join(ortSource, 'bin'))) {
  const from = join(ortSource, 'bin', napi, platform, arch);
  if (existsSync(from)) cpSync(from, join(ortTarget, 'bin', napi, platform, arch), { recursive: true });
}
cpSync(join(ROOT, 'node_modules', 'onnxruntime-common'), join(runtime, 'onnxruntime-common'), {
  recursive: true,
  filter: (p) => !p.endsWith('.map') && !p.endsWith('.ts') && !p.includes(`${'onnxruntime-common'}/lib`),
});

run(process.execPath, [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--target', target, '--out', out], { cwd: ROOT });
process.stderr.write(`[package] ${out}\n`);
