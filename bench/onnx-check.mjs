// `onnx check` speed before and after a change, in the same run: the check of this tree against the check
// of a base revision (default main), both bundled now from their sources, each timed in fresh Node processes
// (rounds alternate the two) on the same models and targets. Prints the minimum per variant and the ratio
// this tree / base. Models: the generated 22,074-node transformer of bench/onnx_models.py (made on first run
// into the git-ignored bench/models/) and the EdgeSAM-like decoder of the unit-test fixtures.
//
// usage: node bench/onnx-check.mjs [--base main] [--runs 5]
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/core.mjs';

const { values } = parseArgs({ options: { base: { type: 'string', default: 'main' }, runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const PYTHON = '/usr/bin/python3';
const MODELS = path.join(ROOT, 'bench/models');
const TARGETS = ['ascend310p', 'ascend910b', 'qnn-htp'];

function ensureModels() {
  const deep = path.join(MODELS, 'transformer-22k.onnx');
  if (!existsSync(deep)) {
    mkdirSync(MODELS, { recursive: true });
    process.stderr.write(`[bench] generating transformer-22k.onnx with ${PYTHON} bench/onnx_models.py ...\n`);
    execFileSync(PYTHON, [path.join(ROOT, 'bench/onnx_models.py'), MODELS, 'deep'], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const fixtures = path.join(ROOT, 'test/fixtures/generated/onnx');
  const decoder = path.join(fixtures, 'edgesam_decoder_opset11.onnx');
  if (!existsSync(decoder)) execFileSync(PYTHON, [path.join(ROOT, 'test/fixtures/onnx/generate_models.py'), fixtures], { stdio: ['ignore', 'inherit', 'inherit'] });
  return [['transformer-22k (22,074 nodes)', deep], ['EdgeSAM-like decoder (74 nodes)', decoder]];
}

const ENTRY = `export { openModel } from './src/core/onnx/decode';
export { checkModel } from './src/core/onnx/check';
export { resolveProfile } from './src/core/onnx/targets';`;

function bundle(root, outfile) {
  esbuild.buildSync({
    stdin: { contents: ENTRY, resolveDir: root, loader: 'ts' },
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'error', loader: { '.json': 'json' },
    nodePaths: [path.join(ROOT, 'node_modules')],
  });
}

// One measurement in a fresh process: decode once, then per target the first check (profile built) and the
// best of 5 further checks.
const CHILD = `
const core = require(process.argv[1]);
(async () => {
  const model = await core.openModel(process.argv[2]);
  const out = {};
  for (const target of process.argv[3].split(',')) {
    let t = process.hrtime.bigint();
    const profile = await core.resolveProfile({ target });
    const first = core.checkModel(model, profile);
    const firstMs = Number(process.hrtime.bigint() - t) / 1e6;
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      t = process.hrtime.bigint();
      core.checkModel(model, profile);
      best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
    }
    out[target] = { firstMs, bestMs: best, counts: first.counts };
  }
  process.stdout.write(JSON.stringify(out));
})();`;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'npu-port-bench-check-'));
try {
  const base = path.join(tmp, 'base');
  mkdirSync(base);
  execFileSync('sh', ['-c', `git -C "${ROOT}" archive "${values.base}" src | tar -x -C "${base}"`]);
  const baseRev = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', values.base], { encoding: 'utf8' }).trim();
  const headRev = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const variants = [[`base ${values.base}@${baseRev}`, path.join(tmp, 'base.cjs')], [`this tree (HEAD ${headRev} + working changes)`, path.join(tmp, 'head.cjs')]];
  bundle(base, variants[0][1]);
  bundle(ROOT, variants[1][1]);
  for (const [label, model] of ensureModels()) {
    const best = variants.map(() => Object.fromEntries(TARGETS.map((t) => [t, { firstMs: Infinity, bestMs: Infinity, counts: undefined }])));
    for (let round = 0; round < runs; round++) {
      for (let v = 0; v < variants.length; v++) {
        const result = JSON.parse(execFileSync(process.execPath, ['-e', CHILD, variants[v][1], model, TARGETS.join(',')], { encoding: 'utf8', maxBuffer: 1 << 26 }));
        for (const t of TARGETS) {
          best[v][t].firstMs = Math.min(best[v][t].firstMs, result[t].firstMs);
          best[v][t].bestMs = Math.min(best[v][t].bestMs, result[t].bestMs);
          best[v][t].counts = result[t].counts;
        }
      }
    }
    process.stdout.write(`\n${label}, minimum of ${runs} rounds (first check incl. building the profile / best repeated check)\n`);
    for (const t of TARGETS) {
      const [b, h] = [best[0][t], best[1][t]];
      const c = (x) => `${x.counts.supported}/${x.counts.unsupported}/${x.counts.unverified}`;
      process.stdout.write(`  ${t.padEnd(11)} base ${b.firstMs.toFixed(1)} / ${b.bestMs.toFixed(1)} ms [${c(b)}]   this ${h.firstMs.toFixed(1)} / ${h.bestMs.toFixed(1)} ms [${c(h)}]   ratio ${(h.firstMs / b.firstMs).toFixed(2)} / ${(h.bestMs / b.bestMs).toFixed(2)}\n`);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
