import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzePython } from '../../../src/core/python/analyze';
import { PythonDocument } from '../../../src/core/python/document';
import { LineIndex } from '../../../src/core/python/text';
import { DEFAULT_OPTIONS, type Finding } from '../../../src/core/python/types';
import { brief, findingsOf, loadParser } from './parser';

// cuda-device-string follows a "cuda" literal through the file's names to its uses as a device.
// Each positive case has a negative twin that differs only where the value goes.

const lines = (...l: string[]) => l.join('\n') + '\n';
const rules = async (src: string) => brief(await findingsOf(src));
const fixText = (f: Finding) => f.fixes[0]!.coreEdits.map((e) => e.newText).join(' | ');

test('re-assignment chains: dev = target; .to(dev) flags the literal, printing dev does not', async () => {
  assert.deepEqual(await rules(lines('target = "cuda"', 'dev = target', 'm.to(dev)')), ['1:10 cuda-device-string']);
  assert.deepEqual(await rules(lines('target = "cuda"', 'dev = target', 'print(dev)')), []);
  // a name that is not device-like but is used as one
  assert.deepEqual(await rules(lines('backend_name = "cuda"', 'm.to(backend_name)')), ['1:16 cuda-device-string']);
  assert.deepEqual(await rules(lines('backend_name = "cuda"', 'print(backend_name)')), []);
  // identifiers with non-ASCII letters
  assert.deepEqual(await rules(lines('设备 = "cuda"', 'm.to(设备)')), ['1:6 cuda-device-string']);
  assert.deepEqual(await rules(lines('设备 = "cuda"', 'm.to(设备2)', 'print(设备)')), []);
});

test('cycles between names: each literal gets the answer its own search gives, whatever was asked before', async () => {
  // the search for a meets b, whose only way to a device is back through a
  assert.deepEqual(await rules(lines('a = "cuda"', 'b = "cuda:1"', 'b = a', 'a = b', 'm.to(a)')), ['1:5 cuda-device-string', '2:5 cuda-device-string']);
  assert.deepEqual(await rules(lines('a = "cuda"', 'b = "cuda:1"', 'b = a', 'a = b', 'print(a)')), []);
  // a function at the very start of the file and the module are different scopes
  assert.deepEqual(await rules(lines('def f(d="cuda"):', '    print(d)', 'd = 1', 'm.to(d)')), []);
});

test('the literal is flagged once however often its value is used as a device', async () => {
  const findings = await findingsOf(lines('import torch', 'where = "cuda:1"', 'm.to(where)', 'n.to(where)', 'x = torch.zeros(1, device=where)'));
  assert.deepEqual(brief(findings), ['2:9 cuda-device-string']);
  assert.equal(fixText(findings[0]!), 'str(dm.device_for(1))', 'a stored device stays a string');
});

test('a ternary, a tuple target, an f-string, "cuda:" + str(rank) and an augmented f-string follow the name', async () => {
  const ternary = await findingsOf(lines('import torch', 'where = "cuda" if torch.cuda.is_available() else "cpu"', 'm.to(where)'));
  assert.deepEqual(brief(ternary).filter((b) => b.endsWith('cuda-device-string')), ['2:9 cuda-device-string']);
  assert.equal(ternary.find((f) => f.rule === 'cuda-device-string')!.fixes[0]!.coreEdits[0]!.range.end.column, 54, 'the fix replaces the whole expression');
  // a choice between "cuda" and another device is the program's device, whatever reads it (issue 14: real ports change it)
  assert.deepEqual((await rules(lines('where = "cuda" if ok else "cpu"', 'print(where)'))), ['1:9 cuda-device-string']);
  assert.deepEqual((await rules(lines('mode = "cuda" if ok else "fast"', 'print(mode)'))), [], 'not a choice between devices');

  assert.deepEqual(await rules(lines('a, where = 1, "cuda"', 'm.to(where)')), ['1:15 cuda-device-string']);
  assert.deepEqual(await rules(lines('where, a = 1, "cuda"', 'm.to(where)')), [], 'the literal goes to a, not to where');

  const fstring = await findingsOf(lines('where = f"cuda:{rank}"', 'm.to(where)'));
  assert.deepEqual(brief(fstring), ['1:9 cuda-device-string']);
  assert.equal(fixText(fstring[0]!), 'str(dm.device_for(rank))');
  assert.deepEqual(await rules(lines('tag = f"cuda:{rank}"', 'print(tag)')), []);

  const sum = await findingsOf(lines('import torch', 'where = "cuda:" + str(rank)', 'x = torch.zeros(1, device=where)'));
  assert.deepEqual(brief(sum), ['2:9 cuda-device-string']);
  assert.equal(fixText(sum[0]!), 'str(dm.device_for(rank))');
  assert.equal(sum[0]!.fixes[0]!.coreEdits[0]!.range.end.column, 27, 'the fix replaces the whole sum');
  assert.deepEqual(sum[0]!.message.args, ['cuda:{rank}'], 'named like the f-string');
  assert.deepEqual(await rules(lines('tag = "cuda:" + str(rank)', 'print(tag)')), []);

  assert.deepEqual(await rules(lines('where = "cuda"', 'where += f":{rank}"', 'm.to(where)')), ['1:9 cuda-device-string']);
  assert.deepEqual(await rules(lines('where = "cuda"', 'where += f":{rank}"', 'print(where)')), []);
});

test('attributes: self.x within its class, args.x anywhere', async () => {
  const cls = (use: string) => lines('class Runner:', '    def __init__(self):', '        self.where = "cuda"', '    def run(self, m):', `        return ${use}`);
  assert.deepEqual(await rules(cls('m.to(self.where)')), ['3:22 cuda-device-string']);
  assert.deepEqual(await rules(cls('print(self.where)')), []);
  // another class's self.where is another attribute
  const two = lines('class A:', '    def __init__(self):', '        self.where = "cuda"', '        print(self.where)', 'class B:', '    def run(self, m):', '        return m.to(self.where)');
  assert.deepEqual(await rules(two), []);
  assert.deepEqual(await rules(lines('cfg.where = "cuda"', 'def go(m):', '    m.to(cfg.where)')), ['1:13 cuda-device-string']);
});

test('class attributes and dataclass fields are read as Class.x or self.x; getenv / get / getattr defaults pass the value on', async () => {
  assert.deepEqual(await rules(lines('class Cfg:', '    where: str = "cuda"', 'def go(m, cfg: Cfg):', '    return m.to(cfg.where)')), ['2:18 cuda-device-string']);
  assert.deepEqual(await rules(lines('class Cfg:', '    where: str = "cuda"', 'def go(cfg: Cfg):', '    print(cfg.where)')), []);
  assert.deepEqual(await rules(lines('import os', 'where = os.getenv("DEVICE", "cuda")', 'm.to(where)')), ['2:29 cuda-device-string']);
  assert.deepEqual(await rules(lines('import os', 'where = os.environ.get("DEVICE", default="cuda:0")', 'm.to(where)')), ['2:42 cuda-device-string']);
  assert.deepEqual(await rules(lines('where = getattr(cfg, "device", "cuda")', 'm.to(where)')), ['1:32 cuda-device-string']);
  assert.deepEqual(await rules(lines('import os', 'where = os.getenv("DEVICE", "cuda")', 'print(where)')), []);
  assert.deepEqual(await rules(lines('import os', 'where = os.getenv("cuda", "x")', 'm.to(where)')), [], 'the key is not the value');
});

test('default parameter values: flagged when the parameter is used as a device, not by its name', async () => {
  assert.deepEqual(await rules(lines('def f(m, where="cuda"):', '    return m.to(where)')), ['1:16 cuda-device-string']);
  assert.deepEqual(await rules(lines('def f(m, where: str = "cuda"):', '    return m.to(where)')), ['1:23 cuda-device-string']);
  assert.deepEqual(await rules(lines('def f(m, device="cuda"):', '    print(device)')), []);
  // through a call of another function of the file
  assert.deepEqual(await rules(lines('def run(m, w):', '    m.to(w)', 'def f(m, where="cuda"):', '    run(m, where)')), ['3:16 cuda-device-string']);
});

test('argparse: add_argument(default="cuda") is flagged when args.<dest> is used as a device; help texts never', async () => {
  const parser = (use: string) => lines('import argparse', 'p = argparse.ArgumentParser()', 'p.add_argument("--run-on", default="cuda", help="cuda or cpu")', 'args = p.parse_args()', use);
  const used = await findingsOf(parser('model.to(args.run_on)'));
  assert.deepEqual(brief(used), ['3:36 cuda-device-string']);
  assert.equal(fixText(used[0]!), 'DEVICE.type', 'the option stays a string: "npu", "cuda" or "cpu"');
  assert.deepEqual(await rules(parser('print(args.run_on)')), []);
  assert.deepEqual(await rules(lines('p.add_argument("-d", dest="target", default="cuda")', 'args = p.parse_args()', 'm.to(args.target)')), ['1:45 cuda-device-string']);
  assert.deepEqual(await rules(lines('p.add_argument("-d", dest="target", default="cuda")', 'args = p.parse_args()', 'm.to(args.other)')), []);
});

test('scopes: a local of one function is not the parameter of another; closures and global declarations are followed', async () => {
  assert.deepEqual(await rules(lines('def a():', '    d = "cuda"', '    print(d)', 'def b(m, d):', '    m.to(d)')), []);
  assert.deepEqual(await rules(lines('def a(m):', '    d = "cuda"', '    def inner():', '        return m.to(d)', '    return inner')), ['2:9 cuda-device-string']);
  assert.deepEqual(await rules(lines('d = "cpu"', 'def a():', '    d = "cuda"', '    print(d)', 'm.to(d)')), []);
  assert.deepEqual(await rules(lines('d = "cpu"', 'def a():', '    global d', '    d = "cuda"', 'm.to(d)')), ['4:9 cuda-device-string']);
  assert.deepEqual(await rules(lines('d = "cuda"', 'def a(m, d):', '    return m.to(d)')), [], 'the parameter shadows the module name');
});

test('device uses: torch.device, torch.Generator, .cuda(x), map_location=, set_default_device, and aliases of torch', async () => {
  const uses = ['torch.device(where)', 'th.Generator(where)', 'm.cuda(where)', 'th.load("a.pt", map_location=where)', 'th.set_default_device(where)', 'm.to_empty(device=where)'];
  for (const use of uses) assert.deepEqual((await rules(lines('import torch as th', 'where = "cuda"', use))).filter((b) => b.endsWith('cuda-device-string')), ['2:9 cuda-device-string'], use);
  assert.deepEqual(await rules(lines('import torch as th', 'where = "cuda"', 'th.save(m, where)')), []);
});

test('calls of functions of this file: arguments reach their parameters, return values reach the call', async () => {
  assert.deepEqual(await rules(lines('def run(m, w):', '    m.to(w)', 'x = "cuda"', 'run(m, x)', 'run(m, "cuda:1")', 'run(m, w="cuda")')), ['3:5 cuda-device-string', '5:8 cuda-device-string', '6:10 cuda-device-string']);
  assert.deepEqual(await rules(lines('def run(m, w):', '    print(w)', 'x = "cuda"', 'run(m, x)', 'run(m, "cuda:1")')), []);
  assert.deepEqual(await rules(lines('class R:', '    def go(self, m, w):', '        m.to(w)', '    def main(self, m):', '        self.go(m, "cuda")')), ['5:20 cuda-device-string']);
  assert.deepEqual(await rules(lines('def pick():', '    return "cuda"', 'm.to(pick())')), ['2:12 cuda-device-string']);
  assert.deepEqual(await rules(lines('def pick():', '    return "cuda"', 'print(pick())')), []);
});

test('strings that are not devices stay quiet next to one that is; comparisons keep their own warning', async () => {
  const src = lines(
    '"""Runs on "cuda" by default."""',
    'import logging, torch',
    'where = "cuda"  # "cuda" in a comment',
    'logging.info("moving to cuda")',
    'logging.info(f"moving to {where}")',
    'm.to(where)',
    'backend_name = "cuda"',
    'if backend_name == "cuda":',
    '    print(backend_name)',
  );
  assert.deepEqual(brief(await findingsOf(src)).map((b) => b), ['3:9 cuda-device-string', '8:20 cuda-device-string']);
  const comparison = (await findingsOf(src)).find((f) => f.range.start.line === 7)!;
  assert.equal(comparison.severity, 'warning');
});

test('names nothing in the file reads: a module-level device-like name is exported (flagged), a function local is dead', async () => {
  assert.deepEqual(await rules(lines('DEVICE = "cuda"')), ['1:10 cuda-device-string']);
  assert.deepEqual(await rules(lines('device = "cuda" if torch.cuda.is_available() else "cpu"')).then((r) => r.filter((b) => b.endsWith('string'))), ['1:10 cuda-device-string']);
  assert.deepEqual(await rules(lines('BACKEND = "cuda"')), []);
  assert.deepEqual(await rules(lines('def f():', '    device = "cuda"')), []);
  assert.deepEqual(await rules(lines('def get_device():', '    return "cuda"')), ['2:12 cuda-device-string']);
  assert.deepEqual(await rules(lines('p.add_argument("--device", default="cuda")')), ['1:36 cuda-device-string']);
});

test('incremental: an edit far from the literal that changes where its value goes updates the finding', async () => {
  const parser = await loadParser();
  const filler = Array.from({ length: 30 }, (_, i) => `y${i} = compute(${i})`);
  const src = lines('target = "cuda"', ...filler, 'm.to(target)', ...filler);
  const doc = new PythonDocument(parser, src, DEFAULT_OPTIONS, { parseBudgetMs: Infinity });
  const oracle = () => brief(analyzePython({ tree: doc.syntaxTree, text: doc.text, options: DEFAULT_OPTIONS }));
  assert.deepEqual(brief(doc.findings), ['1:10 cuda-device-string']);
  const use = { line: 31, column: 'm.to(target'.length };
  doc.update([{ range: { start: use, end: use }, text: 'x' }]); // m.to(targetx)
  assert.equal(doc.lastUpdate, 'partial');
  assert.deepEqual(brief(doc.findings), []);
  assert.deepEqual(brief(doc.findings), oracle());
  doc.update([{ range: { start: use, end: { line: 31, column: use.column + 1 } }, text: '' }]);
  assert.equal(doc.lastUpdate, 'partial');
  assert.deepEqual(brief(doc.findings), ['1:10 cuda-device-string']);
  // an edit that touches none of the names the search followed keeps the finding without re-checking it
  const elsewhere = { line: 5, column: 'y3 = compute(3'.length };
  doc.update([{ range: { start: elsewhere, end: elsewhere }, text: '0' }]);
  assert.equal(doc.lastUpdate, 'partial');
  assert.deepEqual(brief(doc.findings), ['1:10 cuda-device-string']);
  assert.deepEqual(brief(doc.findings), oracle());
  doc.dispose();
});

test('incremental equals a full analysis over random identifier edits in a file full of flows (80 edits)', async () => {
  const parser = await loadParser();
  const src = lines(
    'import torch, argparse',
    'p = argparse.ArgumentParser()',
    'p.add_argument("--run-on", default="cuda")',
    'args = p.parse_args()',
    'target = "cuda"',
    'dev = target',
    'def run(m, w="cuda:1"):',
    '    return m.to(w)',
    'class Box:',
    '    def __init__(self):',
    '        self.place = "cuda" if ok else "cpu"',
    '    def go(self, m):',
    '        alias = self.place',
    '        return run(m, alias)',
    'def pick():',
    '    return "cuda"',
    'out = m.to(dev)',
    'gen = torch.Generator(pick())',
    'z = torch.zeros(1, device=args.run_on)',
    'print(target, dev, args, pick)',
  );
  const doc = new PythonDocument(parser, src, DEFAULT_OPTIONS, { parseBudgetMs: Infinity });
  let seed = 5;
  const next = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  let partial = 0;
  for (let i = 0; i < 80; i++) {
    const text = doc.text;
    const index = new LineIndex(text);
    // the end of a random identifier: insert "q" or delete its last character
    let at = Math.floor(next() * text.length);
    while (at < text.length - 1 && !(/\w/.test(text[at]!) && !/\w/.test(text[at + 1]!))) at++;
    const del = next() < 0.4 && at > 0 && /\w/.test(text[at - 1]!);
    const start = index.positionAt(del ? at : at + 1);
    const end = index.positionAt(at + 1);
    doc.update([{ range: { start, end }, text: del ? '' : 'q' }]);
    if (doc.lastUpdate === 'partial') partial++;
    doc.settle();
    const fresh = brief(analyzePython({ tree: doc.syntaxTree, text: doc.text, options: DEFAULT_OPTIONS }));
    assert.deepEqual(brief(doc.findings), fresh, `after edit ${i} at ${at}`);
  }
  assert.ok(partial > 20, `only ${partial} of 80 updates were partial`);
  doc.dispose();
});
