// Builds a platform-specific .vsix: production bundles, plus onnxruntime-node with the native binary
// of that one platform only (the npm package carries all platforms: 288 MB).
// usage: node scripts/package.mjs [--target linux-x64|linux-arm64|darwin-arm64|darwin-x64|win32-x64|win32-arm64] [--out FILE]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, build, run } from './bootstrap.mjs';
import { arg, copyOnnxRuntime, packageTarget } from './runtime.mjs';

const { target, platform, arch } = packageTarget();
const { name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const out = arg('--out') ?? join(ROOT, `${name}-${version}-${target}.vsix`);

build({ production: true });

// onnxruntime-node is loaded lazily (only when a model runs), from dist/node_modules next to the bundles.
copyOnnxRuntime(join(ROOT, 'dist', 'node_modules'), platform, arch);

run(process.execPath, [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--target', target, '--out', out], { cwd: ROOT });
process.stderr.write(`[package] ${out}\n`);
