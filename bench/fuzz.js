#!/usr/bin/env node
// Fuzz harness for the ONNX decoder and the CLI's output layer. Two kinds of cases, from a fixed seed
// (each case has its own generator seeded from the run seed and the case number, so any case replays alone):
// - mutations of real models (bit flips, truncation, corrupted length fields, splices of other models,
//   inserted and deleted bytes, overlong varints, duplicated ranges) through the decoder, the check, the
//   summary, the text printer and tensor reads;
// - generated hostile models (bench/lib/hostile-models.js: huge strings full of control characters, many
//   nodes, deep subgraphs, huge declared dims, every kind of external data) through the CLI itself
//   (`onnx info`, `onnx check` text/json/sarif, `onnx text`, in-process `main`).
// A case fails as a crash (any error other than OnnxDecodeError; for CLI cases an exit code other than
// 0/1/2, "Internal error", a raw control character in the output, or output over 4 x input + 1 MB), a hang
// (over 2 s + 1 s per MB of input of CPU time: wall time on a shared machine says little; a read that blocks
// is caught by the driver, which ends a batch process that for 2 minutes sent no message, used no CPU and
// did not wait for it, or that spins over 120 s of CPU in one case: see `alive`) or a
// memory-bound violation: the process's peak RSS (resourceUsage().maxRSS, Node and the loaded core included) rose during the case to more than
// 2 x (model + external data) + 200 MB. The peak only grows, so the driver runs the cases in child
// processes and starts a fresh one whenever a case took the peak over 150 MB: every case is measured
// against its own bound.
//
//   npm run fuzz                       # 100000 cases over the generated and npm-shipped test models
//   node bench/fuzz.js --cases 500 --seed 7 [--from 0] [--batch 2000] [MODEL.onnx ...]
//   (--from N: start at case N, to split a run over several processes; each case replays alone)
//
// The unit test test/unit/onnx/fuzz.test.ts runs a short fixed-seed run of the same harness.
'use strict';
const { readFileSync, existsSync, mkdirSync, writeFileSync, readdirSync, mkdtempSync, rmSync } = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const hostile = require('./lib/hostile-models.js');

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

/** Protobuf varint bytes of a number (negative: ten-byte two's complement). */
const { varint } = hostile;

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

const GENERATORS = ['hugeString', 'manyNodes', 'deepSubgraph', 'hugeDims', 'external'];

/** Picks from `choices` ([weight, value] pairs). */
function weighted(random, choices) {
  const total = choices.reduce((sum, [w]) => sum + w, 0);
  let r = random.int(total);
  for (const [w, v] of choices) {
    if (r < w) return v;
    r -= w;
  }
  return choices[choices.length - 1][1];
}

/** A generated hostile model: { bytes, files? } (files: external data to create beside it). */
function generate(kind, random) {
  switch (kind) {
    case 'hugeString': {
      const length = weighted(random, [[70, 1 + random.int(200)], [25, 5000 + random.int(100000)], [4, 1e6], [1, 5e6]]);
      const text = hostile.hostileString(length, random.int(4) ? random : null);
      const where = ['op', 'nodeName', 'producer', 'metadata', 'doc', 'graphName', 'domain', 'inputName', 'dimParam'][random.int(9)];
      if (where === 'metadata') return { bytes: hostile.reluModel({ metadata: [[text.slice(0, 64), text]] }) };
      if (where === 'dimParam') return { bytes: hostile.reluModel({ dims: [text, 4] }) };
      return { bytes: hostile.reluModel({ [where]: text }) };
    }
    case 'manyNodes':
      return { bytes: hostile.manyNodesModel(weighted(random, [[800, 1 + random.int(500)], [195, 1000 + random.int(20000)], [5, 300000]])) };
    case 'deepSubgraph':
      return { bytes: hostile.deepModel(1 + random.int(40)) };
    case 'hugeDims': {
      const choices = [2 ** 40, 2 ** 28, 2 ** 53, -1, 0, 'batch', 'n\x1b[2J', 2 ** 62];
      const dims = Array.from({ length: 1 + random.int(4) }, () => choices[random.int(choices.length)]);
      return { bytes: hostile.hugeDimsModel(dims) };
    }
    case 'external':
      return hostile.externalModel(hostile.EXTERNAL_KINDS[random.int(hostile.EXTERNAL_KINDS.length)]);
    default:
      throw new Error(`unknown generator ${kind}`);
  }
}

// What must never reach a terminal: C0 (but \t, \n and the \r of CRLF), DEL, C1, bidi controls.
const RAW_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|\r(?!\n)/;
const CLI_RUNS = [['info'], ['check', '--target', 'ascend310'], ['check', '--target', 'qnn-htp', '--format', 'json'], ['check', '--target', 'ascend310p', '--format', 'sarif'], ['text'], ['info', '--format', 'json']];

/** Generated models above this size run in a fresh process of their own (see `freshCli`). */
const FRESH_BYTES = 2 ** 20;

/**
 * Runs the CLI on a generated model; returns { reason } (reason: why it fails, or undefined) and, for a
 * model over FRESH_BYTES when the bundle is known, the fresh process's { peak, cpuMs }.
 */
async function cliCase(api, generated, random, tmp, onProgress) {
  const dir = mkdtempSync(path.join(tmp, 'c'));
  try {
    const file = path.join(dir, 'model.onnx');
    writeFileSync(file, generated.bytes);
    if (generated.files) hostile.writeExternalFiles(dir, generated.files);
    const args = CLI_RUNS[random.int(CLI_RUNS.length)];
    const argv = ['onnx', args[0], file, ...args.slice(1)];
    const limit = 4 * generated.bytes.length + 2 ** 20;
    if (api.bundle && generated.bytes.length > FRESH_BYTES) return await freshCli(api.bundle, argv, dir, args, limit, generated.bytes.length, onProgress);
    let out = '';
    let err = '';
    const code = await api.main(argv, {
      env: {}, cwd: dir, stdout: (t) => (out += t), stderr: (t) => (err += t), signal: new AbortController().signal,
    });
    return { reason: outputProblem(args, code, out, err, limit, generated.bytes.length) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Why a CLI run's exit code and output fail the case, or undefined. */
function outputProblem(args, code, out, err, limit, inputBytes) {
  if (![0, 1, 2].includes(code)) return `onnx ${args.join(' ')}: exit code ${code}`;
  if (/Internal error/.test(err)) return `onnx ${args.join(' ')}: ${err.slice(0, 2000)}`;
  if (RAW_CONTROL.test(out) || RAW_CONTROL.test(err)) return `onnx ${args.join(' ')}: raw control character in the output`;
  if (out.length + err.length > limit) return `onnx ${args.join(' ')}: ${out.length + err.length} characters of output for a ${inputBytes}-byte model`;
  if (args.includes('json') || args.includes('sarif')) JSON.parse(out || '{}');
  return undefined;
}

/**
 * A big model's case in a fresh process, as `npu-port` runs: the bundle's `main` writing to files, and
 * the process's own peak RSS (getrusage maxRSS) and CPU time. Measured in the batch process instead,
 * the harness's own memory (its loaded models and core, about 100 MB more than a fresh CLI) would count
 * against the model's bound.
 */
async function freshCli(bundle, argv, dir, args, limit, inputBytes, onProgress) {
  const { spawn } = require('node:child_process');
  const outFile = path.join(dir, 'stdout');
  const errFile = path.join(dir, 'stderr');
  const script = `
    const fs = require('node:fs');
    const out = fs.openSync(${JSON.stringify(outFile)}, 'w');
    const err = fs.openSync(${JSON.stringify(errFile)}, 'w');
    const cpu0 = process.cpuUsage();
    require(${JSON.stringify(bundle)}).main(${JSON.stringify(argv)}, {
      env: {}, cwd: ${JSON.stringify(dir)}, stdout: (t) => fs.writeSync(out, t), stderr: (t) => fs.writeSync(err, t), signal: new AbortController().signal,
    }).then((code) => {
      const cpu = process.cpuUsage(cpu0);
      process.stdout.write(JSON.stringify({ code, peak: process.resourceUsage().maxRSS * 1024, cpuMs: (cpu.user + cpu.system) / 1000 }));
    });`;
  const child = spawn(process.execPath, ['-e', script], { env: {}, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  // On a loaded machine a niced child may wait minutes for the CPU: while it uses CPU or waits for it
  // (see `alive`) the case goes on; stuck 2 minutes, or more CPU than the hang bound, end it.
  const hangMs = 2000 + (1000 * inputBytes) / MB;
  const watch = alive(child.pid);
  let killed;
  const timer = setInterval(() => {
    const now = watch.poll();
    if (now.progressed && onProgress) onProgress();
    if (now.cpuMs > 2 * hangMs + 5000 || now.stuckMs > STUCK_MS) {
      killed = now.cpuMs > 2 * hangMs + 5000 ? `over ${now.cpuMs} ms of CPU` : 'blocked for 2 minutes: no CPU time and not waiting for it';
      child.kill('SIGKILL');
    }
  }, 1000);
  const lastCpu = () => watch.poll().cpuMs;
  const status = await new Promise((resolve) => child.on('close', (code, signal) => resolve(signal ?? code)));
  clearInterval(timer);
  if (killed) return { reason: `onnx ${args.join(' ')}: fresh process killed (${killed})`, hang: true, peak: 0, cpuMs: lastCpu() };
  if (status !== 0 || !stdout) return { reason: `onnx ${args.join(' ')}: fresh process ended with ${status}: ${stderr.slice(0, 2000)}`, peak: 0, cpuMs: 0 };
  const { code, peak, cpuMs } = JSON.parse(stdout);
  const { statSync } = require('node:fs');
  const size = statSync(outFile).size + statSync(errFile).size;
  if (size > 3 * limit) return { reason: `onnx ${args.join(' ')}: ${size} bytes of output`, peak, cpuMs };
  return { reason: outputProblem(args, code, readFileSync(outFile, 'utf8'), readFileSync(errFile, 'utf8'), limit, inputBytes), peak, cpuMs };
}

/**
 * When a process counts as hung, for the driver (a batch process) and for a fresh CLI process: it neither
 * used CPU nor waited for it (state R in /proc/PID/stat) for STUCK_MS. Wall time alone is wrong on this
 * shared machine: at load 20-30, a process at nice 15 gets a few percent of a core, so 1 to 3 s of CPU
 * (generating a 300,000-node model, reading its 10 MB of output) takes minutes without a message; the
 * driver's wall-time rule counted that as a hang (cases 67,233 and 17,206 of the runs of 2026-12-06, which
 * pass alone). A read that blocks (a named pipe) sleeps in state S without CPU time, and Linux's scheduler
 * gives every runnable task some CPU time within a few seconds, so the rule still catches it. A loop that
 * spins is caught by CPU time instead (CASE_CPU_MS per case in the driver, the hang bound in freshCli).
 * Without /proc (not Linux) only wall time is known: stuck means silent for STUCK_MS.
 */
const STUCK_MS = 120_000;
/** CPU time of a batch process in one case beyond which the driver ends it: 4 x the hang bound of a 30 MB model. */
const CASE_CPU_MS = 120_000;

/** { cpuMs, state } of a process from /proc/PID/stat, or undefined (gone, or no /proc). */
function procStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(') ') + 2).split(' ');
    return { state: fields[0], cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 }; // utime + stime, 100 ticks a second
  } catch {
    return undefined;
  }
}

/**
 * Watches process `pid`: poll() -> { cpuMs, progressed (CPU time grew since the last poll), stuckMs (how
 * long it has neither used nor waited for CPU) }; seen() notes a sign of life from elsewhere (a message).
 */
function alive(pid) {
  let cpuMs = 0;
  let since = Date.now();
  return {
    seen: () => (since = Date.now()),
    poll: () => {
      const stat = procStat(pid);
      const progressed = stat !== undefined && stat.cpuMs > cpuMs;
      if (stat) cpuMs = Math.max(cpuMs, stat.cpuMs);
      if (progressed || stat?.state === 'R') since = Date.now();
      return { cpuMs, progressed, stuckMs: Date.now() - since };
    },
  };
}

/** The peak RSS of this process in bytes (getrusage ru_maxrss). */
const peakRss = () => process.resourceUsage().maxRSS * 1024;
const MB = 2 ** 20;

/**
 * Runs cases [first, first + cases) over `models` (array of {name, bytes}). `api` holds the functions
 * under test: { decodeModel, OnnxDecodeError, checkModel?, profiles?, summarizeModel?, printModelText?,
 * readTensor?, main? }; without `main` only mutations run. `stopAboveMB`: return early (with `next`, the
 * first case not run) after a case that took the process's peak RSS above this. Returns counts and the
 * failures (each with model, case number, kind and error).
 */
async function runFuzz({ models, cases, seed = 1, first = 0, slowMs = 2000, api, onFailure, onCase, stopAboveMB = Infinity }) {
  const stats = { cases: 0, decoded: 0, rejected: 0, crashes: 0, hangs: 0, memory: 0, generated: 0, maxMs: 0, maxCpuMs: 0, maxPeakMB: 0, maxHeapGrowthMB: 0, byMutation: {} };
  const failures = [];
  const tmp = api.main ? mkdtempSync(path.join(os.tmpdir(), 'npu-port-fuzz-')) : undefined;
  let c = first;
  try {
    for (; c < first + cases; c++) {
      if (onCase) onCase(c);
      const random = rng((seed * 0x9e3779b1) ^ Math.imul(c + 1, 0x85ebca6b));
      const model = models[c % models.length];
      const donor = models[random.int(models.length)];
      const useGenerator = api.main && random.int(8) === 0;
      const kind = useGenerator ? GENERATORS[random.int(GENERATORS.length)] : MUTATIONS[random.int(MUTATIONS.length)];
      const generated = useGenerator ? generate(kind, random) : undefined;
      const input = generated ? generated.bytes : mutate(model.bytes, donor.bytes, random, kind);
      const inputBytes = input.length + (generated?.files ?? []).reduce((sum, f) => sum + (f.kind === 'file' ? f.size ?? 0 : 0), 0);
      const peakBefore = peakRss();
      const heapBefore = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      let outcome = 'decoded';
      let error;
      let fresh; // a case run in a fresh process: its own peak RSS and CPU time
      try {
        if (generated) {
          stats.generated++;
          const run = await cliCase(api, generated, random, tmp, onCase && (() => onCase(c)));
          fresh = run.peak !== undefined ? run : undefined;
          if (run.reason) {
            outcome = run.hang ? 'hang' : 'crash';
            error = run.reason;
          }
        } else {
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
      const cpu = process.cpuUsage(cpu0);
      const cpuMs = fresh ? fresh.cpuMs : (cpu.user + cpu.system) / 1000;
      const peakAfter = fresh ? fresh.peak : peakRss();
      const growth = (process.memoryUsage().heapUsed - heapBefore) / MB;
      stats.cases++;
      stats.maxMs = Math.max(stats.maxMs, ms);
      stats.maxCpuMs = Math.max(stats.maxCpuMs, cpuMs);
      stats.maxPeakMB = Math.max(stats.maxPeakMB, peakAfter / MB);
      stats.maxHeapGrowthMB = Math.max(stats.maxHeapGrowthMB, growth);
      stats.byMutation[kind] = (stats.byMutation[kind] ?? 0) + 1;
      if (outcome === 'decoded') stats.decoded++;
      else if (outcome === 'rejected') stats.rejected++;
      else if (outcome === 'crash') stats.crashes++;
      if (outcome === 'hang') stats.hangs++;
      else if (cpuMs > slowMs + (1000 * inputBytes) / MB) {
        stats.hangs++;
        outcome = outcome === 'crash' ? outcome : 'hang';
      }
      const bound = 2 * inputBytes + 200 * MB;
      if ((fresh || peakAfter > peakBefore) && peakAfter > bound) {
        stats.memory++;
        if (outcome !== 'crash' && outcome !== 'hang') outcome = 'memory';
        error = error ?? `peak RSS ${(peakAfter / MB).toFixed(0)} MB over the bound ${(bound / MB).toFixed(0)} MB (input ${(inputBytes / MB).toFixed(1)} MB)`;
      }
      if (outcome === 'crash' || outcome === 'hang' || outcome === 'memory') {
        const failure = { model: generated ? `generated:${kind}` : model.name, case: c, seed, mutation: kind, outcome, ms: Math.round(ms), cpuMs: Math.round(cpuMs), error: error ? String((error && error.stack) || error) : undefined };
        failures.push(failure);
        if (onFailure) onFailure(failure, input);
      }
      if (peakRss() > stopAboveMB * MB) {
        c++;
        break;
      }
    }
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
  return { stats, failures, next: c };
}

module.exports = { runFuzz, mutate, rng, generate, alive, MUTATIONS, GENERATORS };

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
    export { readTensor } from './src/core/onnx/tensor';
    export { main } from './src/cli/main';`;
  esbuild.buildSync({
    stdin: { contents: entry, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'error',
    external: ['vscode', 'onnxruntime-node', 'cpu-features', '*.node'], define: { NPU_PORT_VERSION: '"fuzz"' },
  });
  return outfile;
}

function apiFrom(bundle) {
  const api = require(bundle);
  return { ...api, bundle, profiles: api.builtinProfiles().filter((p) => p.id === 'ascend310' || p.id === 'qnn-htp') };
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

/** Sums the stats of batches. */
function addStats(total, part) {
  for (const [k, v] of Object.entries(part)) {
    if (k === 'byMutation') for (const [m, n] of Object.entries(v)) total.byMutation[m] = (total.byMutation[m] ?? 0) + n;
    else if (k.startsWith('max')) total[k] = Math.max(total[k] ?? 0, v);
    else total[k] = (total[k] ?? 0) + v;
  }
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
  const cases = Number(option('--cases', '100000'));
  const seed = Number(option('--seed', '1'));
  const batch = Number(option('--batch', '2000'));
  const from = Number(option('--from', '0'));
  const child = option('--child', undefined);
  const bundle = option('--api', undefined);
  let files = args.length ? args : defaultModels(root);
  if (!files.length) {
    process.stderr.write('No models: run the ONNX unit tests once (they generate test/fixtures/generated/), or pass MODEL.onnx files.\n');
    process.exit(2);
  }
  // Small models fuzz fastest and still reach every message type; skip big ones unless named.
  if (!args.length) files = files.filter((f) => readFileSync(f).length <= 3 * 1024 * 1024);
  const models = files.map((f) => ({ name: path.relative(root, f), bytes: new Uint8Array(readFileSync(f)) }));
  const crashDir = path.join(root, 'bench/models/fuzz-failures');
  const save = (failure, input) => {
    mkdirSync(crashDir, { recursive: true });
    const file = path.join(crashDir, `case-${failure.case}-${failure.mutation}.onnx`);
    writeFileSync(file, input);
    return path.relative(root, file);
  };
  if (child !== undefined) {
    // A batch in this process: cases [child, child + cases), stopping early after a case that took the peak RSS over 150 MB.
    runFuzz({
      models, cases, seed, first: Number(child), api: apiFrom(bundle), stopAboveMB: 150,
      onCase: (c) => process.send({ type: 'case', c }),
      onFailure: (failure, input) => process.send({ type: 'failure', failure: { ...failure, file: save(failure, input) } }),
    }).then((result) => process.send({ type: 'done', stats: result.stats, next: result.next }, () => process.exit(0)));
  } else {
    const { fork } = require('node:child_process');
    const apiFile = loadApi(root);
    const t0 = Date.now();
    const total = { byMutation: {} };
    const failures = [];
    let processes = 0;
    const runBatch = (first) => new Promise((resolve) => {
      processes++;
      const proc = fork(__filename, ['--child', String(first), '--cases', String(Math.min(batch, from + cases - first)), '--seed', String(seed), '--api', apiFile, ...files], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      let current = first;
      let done;
      let killed;
      // Hung: stuck (no message, no CPU time and not waiting for the CPU) for 2 minutes, or a case that
      // spins over CASE_CPU_MS of CPU (see `alive`; wall time alone counted a loaded machine as hangs).
      const watch = alive(proc.pid);
      let caseCpu = 0;
      const timer = setInterval(() => {
        const now = watch.poll();
        if (now.stuckMs > STUCK_MS || now.cpuMs - caseCpu > CASE_CPU_MS) {
          killed = now.stuckMs > STUCK_MS ? 'stuck for 2 minutes: no message, no CPU time and not waiting for it' : `over ${CASE_CPU_MS / 1000} s of CPU in one case`;
          clearInterval(timer);
          proc.kill('SIGKILL');
        }
      }, 5000);
      proc.on('message', (m) => {
        if (m.type === 'case') {
          watch.seen();
          if (m.c !== current) caseCpu = watch.poll().cpuMs;
          current = m.c;
        } else if (m.type === 'failure') {
          failures.push(m.failure);
          process.stderr.write(`${m.failure.outcome}: ${m.failure.model} case ${m.failure.case} (${m.failure.mutation}, ${m.failure.ms} ms) -> ${m.failure.file}\n${m.failure.error ?? ''}\n`);
        } else if (m.type === 'done') done = m;
      });
      proc.on('exit', (code, signal) => {
        clearInterval(timer);
        if (done) {
          addStats(total, done.stats);
          resolve(done.next);
        } else {
          // Killed (stuck or spinning: a hang) or died (out of memory): the current case fails.
          const failure = { model: '?', case: current, seed, mutation: '?', outcome: killed ? 'hang' : 'crash', error: killed ? `batch process killed: ${killed}` : `batch process ended with ${signal ?? code}` };
          failures.push(failure);
          addStats(total, { cases: 1, [failure.outcome === 'hang' ? 'hangs' : 'crashes']: 1 });
          process.stderr.write(`${failure.outcome}: case ${current}: ${failure.error}\n`);
          resolve(current + 1);
        }
      });
    });
    (async () => {
      for (let c = from; c < from + cases;) {
        c = await runBatch(c);
        // Progress after each batch, so a run stopped early still says how far it got and what it found.
        process.stderr.write(`progress: cases ${from}..${c - 1} done, crashes ${total.crashes ?? 0}, hangs ${total.hangs ?? 0}, memory-bound violations ${total.memory ?? 0}, highest peak RSS ${(total.maxPeakMB ?? 0).toFixed(0)} MB, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
      }
      rmSync(apiFile, { force: true });
      process.stdout.write(`fuzz: ${total.cases} cases (${total.generated ?? 0} generated hostile models through the CLI) over ${models.length} models in ${((Date.now() - t0) / 1000).toFixed(1)} s (seed ${seed}, ${processes} processes)\n`);
      process.stdout.write(`  decoded ${total.decoded ?? 0}, rejected with OnnxDecodeError ${total.rejected ?? 0}, crashes ${total.crashes ?? 0}, hangs ${total.hangs ?? 0}, memory-bound violations ${total.memory ?? 0}\n`);
      process.stdout.write(`  slowest case ${(total.maxMs ?? 0).toFixed(1)} ms (most CPU in one case ${(total.maxCpuMs ?? 0).toFixed(0)} ms), highest peak RSS ${(total.maxPeakMB ?? 0).toFixed(0)} MB, largest heap growth in one case ${(total.maxHeapGrowthMB ?? 0).toFixed(1)} MB\n`);
      process.stdout.write(`  kinds: ${JSON.stringify(total.byMutation)}\n`);
      process.exitCode = failures.length ? 1 : 0;
    })();
  }
}
