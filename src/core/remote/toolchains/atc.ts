/**
 * Huawei CANN `atc` (ONNX → OM): argument arrays and log parsing. Flags and output contract from
 * hicann/ge `api/atc/atc_flags.cc` and `api/atc/main_impl.cc`.
 */
import { logLines, type ToolDiagnostic } from './diagnostics';

export const ATC_PRECISION_MODES = [
  'force_fp16',
  'force_fp32',
  'cube_fp16in_fp32out',
  'allow_mix_precision',
  'allow_fp32_to_fp16',
  'must_keep_origin_dtype',
  'allow_mix_precision_fp16',
  'allow_mix_precision_bf16',
  'allow_fp32_to_bf16',
] as const;

export interface AtcConvertOptions {
  /** Remote path of the ONNX model. */
  readonly model: string;
  /** Remote output path without `.om` (atc appends it). */
  readonly output: string;
  /** e.g. Ascend310P3: "Ascend" + the Name column of `npu-smi info`. */
  readonly socVersion: string;
  /** `name:n,c,h,w;name2:...`; -1 for the dynamic batch axis. */
  readonly inputShape?: string;
  readonly inputFormat?: 'NCHW' | 'NHWC' | 'ND';
  readonly dynamicBatchSizes?: readonly number[];
  readonly precisionMode?: string;
  readonly log?: 'debug' | 'info' | 'warning' | 'error' | 'null';
  /** Extra flags, passed through as given (each one argument). */
  readonly extraArgs?: readonly string[];
}

/** `atc --framework=5 ...` as an argument array (every flag one element; atc takes --flag=value). */
export function atcConvertArgs(o: AtcConvertOptions): string[] {
  const argv = ['atc', '--framework=5', `--model=${o.model}`, `--output=${o.output}`, `--soc_version=${o.socVersion}`];
  if (o.inputShape) argv.push(`--input_shape=${o.inputShape}`);
  if (o.inputFormat) argv.push(`--input_format=${o.inputFormat}`);
  if (o.dynamicBatchSizes?.length) argv.push(`--dynamic_batch_size=${o.dynamicBatchSizes.join(',')}`);
  if (o.precisionMode) argv.push(`--precision_mode=${o.precisionMode}`);
  if (o.log) argv.push(`--log=${o.log}`);
  return [...argv, ...(o.extraArgs ?? [])];
}

/** ATC's operator pre-check only (`--mode=3`), writing its verdicts to `checkReport`. */
export function atcPrecheckArgs(o: { model: string; socVersion: string; checkReport: string; inputShape?: string }): string[] {
  const argv = ['atc', '--mode=3', '--framework=5', `--model=${o.model}`, `--soc_version=${o.socVersion}`, `--check_report=${o.checkReport}`];
  if (o.inputShape) argv.push(`--input_shape=${o.inputShape}`);
  return argv;
}

/** Parses `--dynamic_batch_size` values: positive integers, at least two, no duplicates (ATC's own rule is 2..100 gears). */
export function parseDynamicBatch(text: string): number[] | undefined {
  const values = text.split(',').map((v) => v.trim());
  if (values.length < 2 || values.some((v) => !/^[1-9]\d*$/.test(v))) return undefined;
  const numbers = values.map(Number);
  return new Set(numbers).size === numbers.length ? numbers : undefined;
}

export type AtcOutcome = 'success' | 'failed' | 'unknown';

export interface AtcLog {
  readonly outcome: AtcOutcome;
  readonly diagnostics: ToolDiagnostic[];
}

// Error-manager lines: code, optional `[PID: n] <timestamp> ` (newer CANN), message.
const CODE_LINE = /^([EW][A-Z0-9]\d{4}):\s*(?:\[PID: \d+\] \S+ )?(.*)$/;
const EZ3003 = /No supported Ops kernel and engine are found for \[(.+?)\], optype \[(.+?)\]/;
const E19010 = /No parser is registered for Op \[(.+?), optype \[(.+?)\]\]/;
const OP_IN_BRACKETS = /\bOp \[(.+?)\]/;
const SHARED_LIBRARY = /error while loading shared libraries: (\S+?): (.*)$/;
const PY_MODULE = /^ModuleNotFoundError: (.*)$/;

/** Turns `ai.onnx::23::Div` into `Div` (ATC names ONNX ops with domain and opset). */
function onnxOpName(optype: string): string {
  const parts = optype.split('::');
  return parts[parts.length - 1] ?? optype;
}

/**
 * Reads an atc log (stdout and stderr together). Coded messages keep their indented continuation
 * lines (Possible Cause / Solution / TraceBack) in the message.
 */
export function parseAtcLog(text: string): AtcLog {
  const lines = logLines(text);
  let outcome: AtcOutcome = 'unknown';
  const diagnostics: ToolDiagnostic[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('ATC run success')) outcome = 'success';
    else if (line.startsWith('ATC run failed')) outcome = 'failed';
    const coded = CODE_LINE.exec(line);
    if (coded) {
      const code = coded[1]!;
      let message = coded[2]!.trim();
      const start = i;
      while (i + 1 < lines.length && /^\s+\S/.test(lines[i + 1]!)) message += '\n' + lines[++i]!.trim();
      let node: string | undefined;
      let op: string | undefined;
      const ez = EZ3003.exec(message);
      const e19 = E19010.exec(message);
      if (ez) [node, op] = [ez[1], ez[2]];
      else if (e19) [node, op] = [e19[1], onnxOpName(e19[2]!)];
      else node = OP_IN_BRACKETS.exec(message)?.[1];
      diagnostics.push({ severity: code.startsWith('W') ? 'warning' : 'error', code, message, line: start, ...(node ? { node } : {}), ...(op ? { op } : {}) });
      continue;
    }
    const lib = SHARED_LIBRARY.exec(line);
    if (lib) {
      diagnostics.push({ severity: 'error', code: 'shared-library-missing', message: line.trim(), line: i });
      outcome = 'failed';
      continue;
    }
    if (PY_MODULE.test(line)) diagnostics.push({ severity: 'error', code: 'python-module-missing', message: line.trim(), line: i });
  }
  return { outcome, diagnostics };
}
