// onnxruntime-node for one platform, as the .vsix (scripts/package.mjs) and the CLI package
// (scripts/package-cli.mjs) ship it: the npm package carries every platform's native binary (288 MB).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './bootstrap.mjs';

/**
 * Copies onnxruntime-node (its JavaScript, and the native binary of `platform`/`arch` only) and
 * onnxruntime-common into `dir` (a node_modules folder). With `installable`, each package.json keeps only
 * what npm needs to install the copy as a bundled dependency: no install scripts (onnxruntime-node's
 * postinstall would download CUDA binaries), no dependencies other than each other.
 */
export function copyOnnxRuntime(dir, platform, arch, { installable = false } = {}) {
  rmSync(dir, { recursive: true, force: true });
  const ortSource = join(ROOT, 'node_modules', 'onnxruntime-node');
  const ortTarget = join(dir, 'onnxruntime-node');
  mkdirSync(ortTarget, { recursive: true });
  cpSync(join(ortSource, 'package.json'), join(ortTarget, 'package.json'));
  cpSync(join(ortSource, 'dist'), join(ortTarget, 'dist'), { recursive: true, filter: (p) => !p.endsWith('.map') && !p.endsWith('.ts') });
  let binaries = 0;
  for (const napi of readdirSync(join(ortSource, 'bin'))) {
    const from = join(ortSource, 'bin', napi, platform, arch);
    if (existsSync(from)) {
      cpSync(from, join(ortTarget, 'bin', napi, platform, arch), { recursive: true });
      binaries++;
    }
  }
  if (!binaries) throw new Error(`onnxruntime-node has no binary for ${platform}-${arch}`);
  cpSync(join(ROOT, 'node_modules', 'onnxruntime-common'), join(dir, 'onnxruntime-common'), {
    recursive: true,
    filter: (p) => !p.endsWith('.map') && !p.endsWith('.ts') && !p.includes(`${'onnxruntime-common'}/lib`),
  });
  if (installable) {
    for (const name of ['onnxruntime-node', 'onnxruntime-common']) {
      const file = join(dir, name, 'package.json');
      const { scripts: _scripts, devDependencies: _dev, dependencies, ...manifest } = JSON.parse(readFileSync(file, 'utf8'));
      const kept = Object.fromEntries(Object.entries(dependencies ?? {}).filter(([dep]) => dep === 'onnxruntime-common'));
      writeFileSync(file, JSON.stringify({ ...manifest, ...(Object.keys(kept).length ? { dependencies: kept } : {}) }, null, 2) + '\n');
    }
  }
}

/** The version of `name` that package-lock.json pins. */
export function lockedVersion(name) {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  const version = lock.packages?.[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`${name} is not in package-lock.json`);
  return version;
}

/** The value after `--name` on the command line. */
export function arg(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** `--target platform-arch` (default: this machine), checked against the platforms onnxruntime-node ships. */
export function packageTarget() {
  const target = arg('--target') ?? `${process.platform}-${process.arch}`;
  const supported = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];
  if (!supported.includes(target)) throw new Error(`unsupported target ${target}; one of ${supported.join(', ')}`);
  const [platform, arch] = target.split('-');
  return { target, platform, arch };
}
