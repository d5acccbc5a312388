/**
 * The map of user actions (src/core/operations/index.ts) against the code: every operation module is
 * listed, each face that offers an action calls its operation (imports it), and the commands of
 * `npu-port --help` and of the manifest are exactly the ones the map lists (or, for the manifest, the
 * editor-only commands). The planted cases show the check fails on an operation nobody calls, on one
 * the map does not know, and on a command a face offers outside the map.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { main } from '../../src/cli/main';
import { EDITOR_ONLY_COMMANDS, OPERATIONS, type OperationEntry } from '../../src/core/operations/index';
import { REPO_ROOT } from './repo';

type Face = 'cli' | 'extension';

interface Faces {
  readonly modules: readonly string[];
  readonly operations: readonly OperationEntry[];
  readonly editorOnly: Readonly<Record<string, string>>;
  /** Operation modules each face imports. */
  readonly imports: Readonly<Record<Face, ReadonlySet<string>>>;
  readonly cliCommands: readonly string[];
  readonly manifestCommands: readonly string[];
}

const OPERATIONS_DIR = path.join(REPO_ROOT, 'src/core/operations');
const NOT_OPERATIONS = new Set(['index', 'types']);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

async function importedOperations(dir: string): Promise<Set<string>> {
  const { specifiers } = (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts/check-layers.mjs')).href)) as { specifiers(text: string, file: string): { spec: string }[] };
  const found = new Set<string>();
  for (const file of tsFiles(dir)) {
    for (const { spec } of specifiers(readFileSync(file, 'utf8'), file)) {
      const target = path.relative(OPERATIONS_DIR, path.resolve(path.dirname(file), spec));
      if (!target.startsWith('..') && !target.includes(path.sep)) found.add(target.replace(/\.(ts|js)$/, ''));
    }
  }
  return found;
}

async function help(args: string[]): Promise<string> {
  let out = '';
  await main(args, { env: { LANG: 'en_US.UTF-8' }, cwd: REPO_ROOT, stdout: (s) => (out += s), stderr: (s) => (out += s), signal: new AbortController().signal });
  return out;
}

/** The commands `npu-port --help` lists, with the subcommands of `onnx --help` and `remote --help`. */
async function cliCommands(): Promise<string[]> {
  const top = (await help(['--help'])).split('Commands:')[1]!.split('\n\n')[0]!.split('\n').map((l) => /^ {2}([a-z]+) /.exec(l)?.[1]).filter((c): c is string => !!c);
  const onnx = [...(await help(['onnx', '--help'])).matchAll(/^ {2}([a-z]+) /gm)].map((m) => `onnx ${m[1]}`);
  const remote = /<([a-z|]+)>/.exec(await help(['remote', '--help']))![1]!.split('|').map((k) => `remote ${k}`);
  return [...top.filter((c) => c !== 'onnx' && c !== 'remote'), ...new Set(onnx), ...remote];
}

async function repository(): Promise<Faces> {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
  return {
    modules: readdirSync(OPERATIONS_DIR).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).filter((m) => !NOT_OPERATIONS.has(m)),
    operations: OPERATIONS,
    editorOnly: EDITOR_ONLY_COMMANDS,
    imports: { cli: await importedOperations(path.join(REPO_ROOT, 'src/cli')), extension: await importedOperations(path.join(REPO_ROOT, 'src/extension')) },
    cliCommands: await cliCommands(),
    manifestCommands: manifest.contributes.commands.map((c) => c.command),
  };
}

/** What is out of step between the map and the faces (empty when they agree). */
function problems(f: Faces): string[] {
  const found: string[] = [];
  const listed = new Set(f.operations.map((o) => o.module));
  for (const m of f.modules) if (!listed.has(m)) found.push(`src/core/operations/${m}.ts is not in OPERATIONS`);
  for (const o of f.operations) {
    if (!f.modules.includes(o.module)) found.push(`OPERATIONS lists ${o.module}, which is not a module of src/core/operations`);
    if (!o.cli.length && !o.extension.length) found.push(`${o.module}: no face offers it`);
    for (const face of ['cli', 'extension'] as const) {
      const offered = o[face].length > 0;
      const imported = f.imports[face].has(o.module);
      if (offered && !imported) found.push(`${o.module}: the ${face} offers it (${o[face].join(', ')}) but never calls it`);
      if (!offered && imported) found.push(`${o.module}: the ${face} calls it, but OPERATIONS lists no ${face} command for it`);
    }
    for (const c of o.cli) if (!f.cliCommands.includes(c)) found.push(`${o.module}: "npu-port ${c}" is not in npu-port --help`);
    for (const c of o.extension) if (c !== 'viewer' && !f.manifestCommands.includes(c)) found.push(`${o.module}: ${c} is not a command of the manifest`);
  }
  const cliListed = new Set(f.operations.flatMap((o) => o.cli));
  for (const c of f.cliCommands) if (!cliListed.has(c)) found.push(`"npu-port ${c}" runs no operation of OPERATIONS`);
  const extensionListed = new Set(f.operations.flatMap((o) => o.extension));
  for (const c of f.manifestCommands) if (!extensionListed.has(c) && !(c in f.editorOnly)) found.push(`${c} runs no operation of OPERATIONS and is not editor-only`);
  for (const c of Object.keys(f.editorOnly)) {
    if (!f.manifestCommands.includes(c)) found.push(`editor-only ${c} is not a command of the manifest`);
    if (extensionListed.has(c)) found.push(`${c} is both editor-only and an operation's command`);
  }
  return found;
}

test('operations: each user action is one operation, called by every face that offers it; --help and the manifest list the same actions', async () => {
  const faces = await repository();
  assert.deepEqual(problems(faces), []);
  // the ones both faces offer are the actions that must not drift apart
  const both = faces.operations.filter((o) => o.cli.length && o.extension.length).map((o) => o.module);
  for (const m of ['scan', 'fix', 'report', 'checkModel', 'modelText', 'extractPart', 'rewrite', 'runOnCpu', 'remoteTask']) assert.ok(both.includes(m), m);
  assert.ok(faces.cliCommands.includes('onnx extract') && faces.cliCommands.includes('remote convert') && faces.cliCommands.includes('compare'), faces.cliCommands.join(', '));
});

test('operations: the check fails on an unused operation, one the map does not list, and a command outside the map', async () => {
  const faces = await repository();
  const planted = (change: Partial<Faces>) => problems({ ...faces, ...change });
  // an operation module nobody listed
  assert.match(planted({ modules: [...faces.modules, 'ghost'] }).join('\n'), /ghost\.ts is not in OPERATIONS/);
  // listed for both faces, called by neither
  const unused = planted({ modules: [...faces.modules, 'ghost'], operations: [...faces.operations, { module: 'ghost', cli: ['scan'], extension: ['npuPort.scanWorkspace'] }] });
  assert.match(unused.join('\n'), /ghost: the cli offers it \(scan\) but never calls it/);
  assert.match(unused.join('\n'), /ghost: the extension offers it \(npuPort\.scanWorkspace\) but never calls it/);
  // a face calls an operation the map says it does not offer
  const extra = planted({ imports: { ...faces.imports, cli: new Set([...faces.imports.cli, 'viewGraph']) } });
  assert.match(extra.join('\n'), /viewGraph: the cli calls it, but OPERATIONS lists no cli command/);
  // a CLI subcommand and a palette command that run no operation
  assert.match(planted({ cliCommands: [...faces.cliCommands, 'onnx ghost'] }).join('\n'), /"npu-port onnx ghost" runs no operation/);
  assert.match(planted({ manifestCommands: [...faces.manifestCommands, 'npuPort.ghost'] }).join('\n'), /npuPort\.ghost runs no operation/);
  // a command the map lists that the face no longer has
  assert.match(planted({ cliCommands: faces.cliCommands.filter((c) => c !== 'onnx split') }).join('\n'), /"npu-port onnx split" is not in npu-port --help/);
});
