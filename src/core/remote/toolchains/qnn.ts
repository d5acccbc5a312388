/**
 * Qualcomm QAIRT / QNN tool chain: ONNX → model.cpp/.bin (qnn-onnx-converter) → model library
 * (qnn-model-lib-generator) → HTP context binary (qnn-context-binary-generator) → qnn-net-run.
 * Flags from Qualcomm's QNN tool documentation; the ones not yet checked against a real QAIRT are
 * isolated in one place below (UNVERIFIED).
 */
import { logLines, type ToolDiagnostic } from './diagnostics';

export interface QnnConvertOptions {
  readonly model: string;
  /** Output `.cpp`; the converter writes NAME.cpp, NAME.bin and NAME_net.json beside it. */
  readonly outputCpp: string;
  /** Text file listing raw input files for quantization; absent: float model. */
  readonly inputList?: string;
  readonly quantizationOverrides?: string;
  readonly actBitwidth?: 8 | 16;
  readonly weightBitwidth?: 4 | 8;
  /** Windows hosts run the converter through Python. */
  readonly viaPython?: boolean;
}

export function qnnConverterArgs(o: QnnConvertOptions): string[] {
  const argv = [...(o.viaPython ? ['python', 'qnn-onnx-converter'] : ['qnn-onnx-converter']), '--input_network', o.model, '--output_path', o.outputCpp];
  if (o.inputList) argv.push('--input_list', o.inputList);
  if (o.quantizationOverrides) argv.push('--quantization_overrides', o.quantizationOverrides);
  if (o.actBitwidth) argv.push('--act_bw', String(o.actBitwidth));
  if (o.weightBitwidth) argv.push('--weight_bw', String(o.weightBitwidth));
  return argv;
}

/** Library targets of qnn-model-lib-generator. */
export const QNN_LIB_TARGETS = ['x86_64-linux-clang', 'aarch64-android', 'aarch64-oe-linux-gcc11.2', 'windows-aarch64'] as const;

export function qnnModelLibArgs(o: { cpp: string; bin: string; outDir: string; target: string }): string[] {
  return ['qnn-model-lib-generator', '-c', o.cpp, '-b', o.bin, '-o', o.outDir, '-t', o.target];
}

/** Where qnn-model-lib-generator puts the library: OUT/TARGET/libNAME.so (NAME.dll on Windows). */
export function qnnModelLibPath(outDir: string, target: string, name: string): string {
  return target.startsWith('windows') ? `${outDir}/${target}/${name}.dll` : `${outDir}/${target}/lib${name}.so`;
}

/** UNVERIFIED flag set (not yet run against a real QAIRT); kept in one place. */
export function qnnContextBinaryArgs(o: { backend: string; modelLib: string; binaryFile: string; outDir: string; configFile?: string }): string[] {
  const argv = ['qnn-context-binary-generator', '--backend', o.backend, '--model', o.modelLib, '--binary_file', o.binaryFile, '--output_dir', o.outDir];
  if (o.configFile) argv.push('--config_file', o.configFile);
  return argv;
}

export function qnnNetRunArgs(o: { context: string; backend: string; inputList: string; outDir: string; profiling?: 'basic' | 'detailed' }): string[] {
  const argv = ['qnn-net-run', '--retrieve_context', o.context, '--backend', o.backend, '--input_list', o.inputList, '--output_dir', o.outDir];
  if (o.profiling) argv.push('--profiling_level', o.profiling);
  return argv;
}

/** The HTP backend library name per host OS. */
export function qnnHtpBackend(windows: boolean): string {
  return windows ? 'QnnHtp.dll' : 'libQnnHtp.so';
}

// `2025-04-01 23:50:17,978 - 250 - WARNING - msg` (converter's Python logging format)
const CONVERTER_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ - \d+ - (ERROR|WARNING|INFO|DEBUG) - (.*)$/;
const NO_TRANSLATION = /(?:Node (.+?): )?'?No translation registered for op type onnx_([A-Za-z0-9_]+)\.?/;
const VALIDATE_OP = /backendValidateOpConfig\(\) failed for node `(.+?)` of type `(.+?)` with error code (\d+)/;
const CODED_WARNING = /^([A-Z][A-Z0-9_]+): (.*)$/;
const OP_PATH = /The op: (\S+)/;
const DLOPEN_126 = /dlopen error #?126|error 126\b|is not a valid Win32 application|不是有效的 Win32 应用程序/i;
const DSP_TRANSPORT = /(0x80000406)|Failed to load skel, error: (\d+)/;

/**
 * Reads converter / generator / net-run / runtime output. Recognizes the converter's log lines,
 * unsupported-op KeyErrors (node + op), HTP op validation failures, DLL architecture mismatches
 * (error 126) and the DSP transport warnings of field report 000.
 */
export function parseQnnLog(text: string): ToolDiagnostic[] {
  const out: ToolDiagnostic[] = [];
  const seenUnsupported = new Set<string>();
  logLines(text).forEach((line, index) => {
    const unsupported = NO_TRANSLATION.exec(line);
    if (unsupported) {
      const op = unsupported[2]!;
      const node = unsupported[1];
      // The same failure is usually printed twice (log line, then the KeyError); keep the one with the node.
      const key = op;
      if (seenUnsupported.has(key)) {
        if (node) {
          const previous = out.findIndex((d) => d.code === 'qnn-unsupported-op' && d.op === op && !d.node);
          if (previous >= 0) out[previous] = { ...out[previous]!, node };
        }
        return;
      }
      seenUnsupported.add(key);
      out.push({ severity: 'error', code: 'qnn-unsupported-op', message: `No translation registered for op type onnx_${op}`, line: index, op, ...(node ? { node } : {}) });
      return;
    }
    const validate = VALIDATE_OP.exec(line);
    if (validate) {
      out.push({ severity: 'error', code: `qnn-op-validation-${validate[3]}`, message: line.trim(), node: validate[1]!, op: validate[2]!, line: index });
      return;
    }
    if (DLOPEN_126.test(line)) {
      out.push({ severity: 'error', code: 'dll-architecture-126', message: line.trim(), line: index });
      return;
    }
    const dsp = DSP_TRANSPORT.exec(line);
    if (dsp) {
      out.push({ severity: 'warning', code: dsp[1] ? 'dsp-transport-0x80000406' : `skel-load-${dsp[2]}`, message: line.trim(), line: index });
      return;
    }
    const logged = CONVERTER_LINE.exec(line);
    if (logged && (logged[1] === 'ERROR' || logged[1] === 'WARNING')) {
      const body = logged[2]!;
      const coded = CODED_WARNING.exec(body);
      const node = OP_PATH.exec(body)?.[1];
      out.push({
        severity: logged[1] === 'ERROR' ? 'error' : 'warning',
        code: coded?.[1] ?? `qnn-converter-${logged[1].toLowerCase()}`,
        message: coded?.[2] ?? body,
        line: index,
        ...(node ? { node } : {}),
      });
    }
  });
  return out;
}

/**
 * Per-execution accelerator times (ms) from qnn-net-run's profile: one `QNN accelerator (execute)
 * time : N us` per `Execute Stat`. Falls back to `RPC (execute) time` when the accelerator line is absent.
 */
export function parseQnnNetRunProfile(text: string): number[] {
  const samples: number[] = [];
  let pendingRpc: number | undefined;
  let gotAccelerator = false;
  const flush = () => {
    if (!gotAccelerator && pendingRpc !== undefined) samples.push(pendingRpc);
    pendingRpc = undefined;
    gotAccelerator = false;
  };
  for (const line of logLines(text)) {
    if (/^Execute Stat \d+/.test(line.trim())) {
      flush();
      continue;
    }
    const accel = /^QNN accelerator \(execute\) time\s*:\s*([\d.]+)\s*us/.exec(line.trim());
    if (accel) {
      samples.push(Number(accel[1]) / 1000);
      gotAccelerator = true;
      continue;
    }
    const rpc = /^RPC \(execute\) time\s*:\s*([\d.]+)\s*us/.exec(line.trim());
    if (rpc) pendingRpc = Number(rpc[1]) / 1000;
  }
  flush();
  return samples;
}
