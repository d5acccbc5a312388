// Third-party notices: the licence of every npm package whose code is bundled into dist/ (the bundles'
// esbuild metafiles say which files went in) or copied there (the Tree-sitter wasm files). MIT, BSD and
// Apache-2.0 all ask that their notice travel with copies of the code; the bundles are minified without
// legal comments, so the notices ship beside them as dist/ThirdPartyNotices.txt (in the .vsix and the CLI
// package). onnxruntime-node is not bundled: it ships whole, with its own LICENSE, in dist/node_modules.
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/**
 * The package folders of the node_modules files among `inputs` (paths as esbuild's metafile writes them,
 * relative to the working folder, with / separators). Scoped and nested packages are kept apart:
 * node_modules/a/node_modules/@s/b/x.js belongs to node_modules/a/node_modules/@s/b.
 */
export function packageDirs(inputs) {
  const dirs = new Set();
  for (const input of inputs) {
    const parts = input.split(/[\\/]/);
    const at = parts.lastIndexOf('node_modules');
    if (at < 0 || at + 1 >= parts.length) continue;
    const scoped = parts[at + 1].startsWith('@');
    if (scoped && at + 2 >= parts.length) continue;
    dirs.add(parts.slice(0, at + (scoped ? 3 : 2)).join('/'));
  }
  return [...dirs].sort();
}

const LICENCE_FILE = /^(licen[cs]e|copying|notice)(\.(md|txt|markdown))?$/i;

/** One package's entry: name, version, licence id and the text of its licence (and NOTICE) files. */
export function packageNotice(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const licence = typeof manifest.license === 'string' ? manifest.license : manifest.license?.type;
  const files = readdirSync(dir).filter((f) => LICENCE_FILE.test(f)).sort();
  if (!files.length && !licence) throw new Error(`${manifest.name}: no licence file and no "license" in package.json (${dir})`);
  const texts = files.map((f) => readFileSync(join(dir, f), 'utf8').replace(/\r\n?/g, '\n').trim());
  const author = typeof manifest.author === 'string' ? manifest.author : manifest.author?.name;
  const repository = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;
  return { name: manifest.name, version: manifest.version, licence: licence ?? 'see the licence text', texts, author, repository };
}

/** The notices file for the package folders `dirs` (relative to `root`). */
export function noticesText(root, dirs, product) {
  const notices = new Map();
  for (const dir of dirs) {
    const n = packageNotice(join(root, dir.split('/').join(sep)));
    if (!notices.has(`${n.name}@${n.version}`)) notices.set(`${n.name}@${n.version}`, n);
  }
  const sorted = [...notices.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  const rule = '-'.repeat(78);
  const out = [
    `${product} includes the following third-party software. Their licences and notices follow.`,
    '',
    ...sorted.map((n) => `- ${n.name} ${n.version} (${n.licence})`),
    '',
  ];
  for (const n of sorted) {
    out.push(rule, `${n.name} ${n.version} (${n.licence})`, rule, '');
    if (n.texts.length) for (const t of n.texts) out.push(t, '');
    else {
      out.push(`The package ships no licence file; its package.json says "${n.licence}".`);
      if (n.author) out.push(`Author: ${n.author}`);
      if (n.repository) out.push(`Source: ${n.repository}`);
      out.push('');
    }
  }
  return out.join('\n');
}

