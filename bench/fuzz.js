#!/usr/bin/env node
// Fuzz harness for the ONNX decoder: mutates real models (bit flips, truncation, corrupted length fields,
// splices of other models, inserted and deleted bytes) for a fixed number of cases from a fixed seed, and
// reports crashes (any error other than OnnxDecodeError), hangs (a case slower than the limit) and memory
// spikes. Models that still decode also go through the check, the summary, the text printer and tensor reads.
//
//   npm run fuzz                       # 20000 cases over the generated and npm-shipped test models
//   node bench/fuzz.js --cases 500 --seed 7 [MODEL.onnx ...]
//
// The unit test test/unit/onnx/fuzz.test.ts runs a short fixed-count run of the same harness.
'use strict';
const { readFileSync, existsSync, mkdirSync, writeFileSync, readdirSync } = require('node:fs');
const path = require('node:path');
const os = require('node:os');

/** xorshift32: a small deterministic generator, so a failing case can be replayed from its seed. */
function rng(seed) {
  let x = seed >>> 0 || 0x9e3779b9;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return { int: (n) => next() % Math.max(1, n), next };
}

function varint(value) {
  const out = [];
  let v = BigInt(value);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

const MUTATIONS = ['bitflip', 'truncate', 'length', 'splice', 'insert', 'delete', 'varint', 'duplicate'];

/** One mutated copy of `bytes` (`donor` is another model for splices). */
function mutate(bytes, donor, random, kind) {
  const n = bytes.length;
  const at = random.int(n);
  switch (kind) {
    case 'bitflip': {
      const out = Uint8Array.from(bytes);
      const flips = 1 + random.int(8);
      for (let i = 0; i < flips; i++) out[random.int(n)] ^= 1 << random.int(8);
      return out;
    }
    case 'truncate':
      return bytes.subarray(0, random.int(n));
    case 'length': {
      // Overwrite a byte that follows a length-delimited tag (wire type 2) with a huge or off-by-some length.
      const out = Uint8Array.from(bytes);
      for (let tries = 0; tries < 64; tries++) {
        const i = random.int(n - 1);
        if ((out[i] & 7) === 2 && out[i] < 0x80) {
          const choice = random.int(4);
          const value = choice === 0 ? 0xffffffff : choice === 1 ? n * 4 : choice === 2 ? 0 : out[i + 1] + 1 + random.int(16);
          const enc = varint(value);
          const merged = new Uint8Array(n - 1 + enc.length);
          merged.set(out.subarray(0, i + 1));
          merged.set(enc, i + 1);
          merged.set(out.subarray(i + 2), i + 1 + enc.length);
          return merged;
        }
      }
      return out;
    }
    case 'splice': {
      const from = random.int(donor.length);
      const len = Math.min(1 + random.int(256), donor.length - from);
      const out = new Uint8Array(n + len);
      out.set(bytes.subarray(0, at));
      out.set(donor.subarray(from, from + len), at);
      out.set(bytes.subarray(at), at + len);
      return out;
    }
    case 'insert': {
      const len = 1 + random.int(16);
      const out = new Uint8Array(n + len);
      out.set(bytes.subarray(0, at));
      for (let i = 0; i < len; i++) out[at + i] = random.int(256);
      out.set(bytes.subarray(at), at + len);
      return out;
    }
    case 'delete': {
      const len = Math.min(1 + random.int(32), n - at);
      const out = new Uint8Array(n - len);
      out.set(bytes.subarray(0, at));
      out.set(bytes.subarray(at + len), at);
      return out;
    }
    case 'varint': {
      // An overlong varint (11 continuation bytes) somewhere.
      const out = new Uint8Array(n + 11);
      out.set(bytes.subarray(0, at));
      out.fill(0xff, at, at + 11);
      out.set(bytes.subarray(at), at + 11);
      return out;
    }
    case 'duplicate': {
      const len = Math.min(1 + random.int(512), n - at);
      const out = new Uint8Array(n + len);
      out.set(bytes.subarray(0, at + len));
      out.set(bytes.subarray(at, at + len), at + len);
      out.set(bytes.subarray(at + len), at + 2 * len);
      return out;
    }
    default:
      throw new Error(`unknown mutation ${kind}`);
  }
}

/**
 * Runs `cases` mutations over `models` (array of {name, bytes}). `api` holds the functions under test:
 * { decodeModel, OnnxDecodeError, checkModel?, profiles?, summarizeModel?, printModelText?, readTensor? }.
 * Returns counts and the failures (each with model, case number, mutation and error).
 */
async function runFuzz({ models, cases, seed = 1, slowMs = 2000, api, onFailure }) {
  const random = rng(seed);
  const stats = { cases: 0, decoded: 0, rejected: 0, crashes: 0, hangs: 0, maxMs: 0, maxHeapGrowthMB: 0, byMutation: {} };
  const failures = [];
  for (let c = 0; c < cases; c++) {
    const model = models[c % models.length];
    const donor = models[random.int(models.length)];
    const kind = MUTATIONS[random.int(MUTATIONS.length)];
    const input = mutate(model.bytes, donor.bytes, random, kind);
    const heapBefore = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    let outcome = 'decoded';
    let error;
    try {
      const decoded = api.decodeModel(input, {});
      if (api.checkModel && api.profiles) for (const profile of api.profiles) api.checkModel(decoded, profile);
      if (api.summarizeModel) api.summarizeModel(decoded);
      if (api.printModelText) await api.printModelText(decoded, { maxValues: 4, modelBytes: input });
      if (api.readTensor) {
        for (const t of decoded.graph.initializers.slice(0, 4)) {
          try {
            await api.readTensor(decoded, t, { limit: 8, modelBytes: input });
          } catch (e) {
            if (!(e instanceof api.OnnxDecodeError)) throw e;
          }
        }
      }
    } catch (e) {
      if (e instanceof api.OnnxDecodeError && typeof e.offset === 'number' && e.offset >= 0 && e.offset <= input.length) outcome = 'rejected';
      else if (e instanceof api.OnnxDecodeError && e.offset === undefined) outcome = 'rejected';
      else {
        outcome = 'crash';
        error = e;
      }
    }
    const ms = performance.now() - t0;
    const growth = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    stats.cases++;
    stats.maxMs = Math.max(stats.maxMs, ms);
    stats.maxHeapGrowthMB = Math.max(stats.maxHeapGrowthMB, growth);
    stats.byMutation[kind] = (stats.byMutation[kind] ?? 0) + 1;
    if (outcome === 'decoded') stats.decoded++;
    else if (outcome === 'rejected') stats.rejected++;
    else stats.crashes++;
    if (ms > slowMs) {
      stats.hangs++;
      outcome = outcome === 'crash' ? outcome : 'hang';
    }
    if (outcome === 'crash' || outcome === 'hang') {
      const failure = { model: model.name, case: c, seed, mutation: kind, outcome, ms: Math.round(ms), error: error ? String(error && error.stack || error) : undefined };
      failures.push(failure);
      if (onFailure) onFailure(failure, input);
    }
  }
  return { stats, failures };
}

module.exports = { runFuzz, mutate, rng, MUTATIONS };

/** Loads the TypeScript core through esbuild (the same bundler as the build), for `node bench/fuzz.js`. */
function loadApi(root) {
  const esbuild = require('esbuild');
  const outfile = path.join(os.tmpdir(), `npu-port-fuzz-${process.pid}.cjs`);
  const entry = `
    export { decodeModel } from './src/core/onnx/decode';
    export { OnnxDecodeError } from './src/core/onnx/errors';
    export { checkModel } from './src/core/onnx/check';
    export { builtinProfiles } from './src/core/onnx/targets/builtin';
    export { summarizeModel } from './src/core/onnx/summary';
    export { printModelText } from './src/core/onnx/text';
    export { readTensor } from './src/core/onnx/tensor';`;
  esbuild.buildSync({ stdin: { contents: entry, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'error' });
  const api = require(outfile);
  return { ...api, profiles: api.builtinProfiles().filter((p) => p.id === 'ascend310' || p.id === 'qnn-htp') };
}

function defaultModels(root) {
  const found = [];
  const dirs = [path.join(root, 'test/fixtures/generated/onnx')];
  const npm = path.join(root, 'test/fixtures/generated/npm');
  if (existsSync(npm)) {
    const walk = (d) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.onnx')) found.push(p);
      }
    };
    walk(npm);
  }
  for (const d of dirs) if (existsSync(d)) for (const n of readdirSync(d)) if (n.endsWith('.onnx')) found.push(path.join(d, n));
  return found;
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(name);
    if (i < 0) return fallback;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const cases = Number(option('--cases', '20000'));
  const seed = Number(option('--seed', '1'));
  let files = args.length ? args : defaultModels(root);
  if (!files.length) {
    process.stderr.write('No models: run the ONNX unit tests once (they generate test/fixtures/generated/), or pass MODEL.onnx files.\n');
    process.exit(2);
  }
  // Small models fuzz fastest and still reach every message type; skip big ones unless named.
  if (!args.length) files = files.filter((f) => readFileSync(f).length <= 3 * 1024 * 1024);
  const models = files.map((f) => ({ name: path.relative(root, f), bytes: new Uint8Array(readFileSync(f)) }));
  const api = loadApi(root);
  const crashDir = path.join(root, 'bench/models/fuzz-failures');
  const t0 = Date.now();
  runFuzz({
    models, cases, seed, api,
    onFailure(failure, input) {
      mkdirSync(crashDir, { recursive: true });
      const file = path.join(crashDir, `case-${failure.case}-${failure.mutation}.onnx`);
      writeFileSync(file, input);
      process.stderr.write(`${failure.outcome}: ${failure.model} case ${failure.case} (${failure.mutation}, ${failure.ms} ms) -> ${path.relative(root, file)}\n${failure.error ?? ''}\n`);
    },
  }).then(({ stats, failures }) => {
    process.stdout.write(`fuzz: ${stats.cases} cases over ${models.length} models in ${((Date.now() - t0) / 1000).toFixed(1)} s (seed ${seed})\n`);
    process.stdout.write(`  decoded ${stats.decoded}, rejected with OnnxDecodeError ${stats.rejected}, crashes ${stats.crashes}, hangs ${stats.hangs}\n`);
    process.stdout.write(`  slowest case ${stats.maxMs.toFixed(1)} ms, largest heap growth in one case ${stats.maxHeapGrowthMB.toFixed(1)} MB\n`);
    process.stdout.write(`  mutations: ${JSON.stringify(stats.byMutation)}\n`);
    process.exitCode = failures.length ? 1 : 0;
  });
}
