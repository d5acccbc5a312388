/**
 * onnxruntime-node behind a small surface. The package is loaded with `require` on first use, never when
 * this module loads: the extension ships the native binary per platform, and everything that does not run
 * a model must work without it.
 */
import type * as Ort from 'onnxruntime-node';
import { msg } from '../../l10n';
import type { ElementType } from '../model';
import { RunError } from './errors';
import type { ArrayValue } from './values';
import { errorText } from '../../errors';

let ort: typeof Ort | undefined;

/** The onnxruntime-node module, loaded now. Throws RunError when it is not installed for this platform. */
export function loadOnnxRuntime(): typeof Ort {
  if (!ort) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      ort = require('onnxruntime-node') as typeof Ort;
    } catch (error) {
      throw new RunError(msg('onnxruntime-node cannot be loaded on this platform: {0}', errorText(error)), { cause: error });
    }
  }
  return ort;
}

const ORT_TYPES: Partial<Record<ElementType, Ort.Tensor.Type>> = {
  float: 'float32', double: 'float64', int8: 'int8', uint8: 'uint8', int16: 'int16', uint16: 'uint16', int32: 'int32',
  uint32: 'uint32', int64: 'int64', uint64: 'uint64', bool: 'bool', string: 'string', float16: 'float16',
};
const ELEMENT_TYPES = new Map<string, ElementType>(Object.entries(ORT_TYPES).map(([k, v]) => [v!, k as ElementType]));

export interface SessionOptions {
  /** Graph optimizations: 'all' for timing, 'disabled' for probes that read every intermediate value. */
  readonly optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Threads inside one operator (default: onnxruntime's choice). */
  readonly intraOpThreads?: number;
}

/** An inference session over model bytes or a file. */
export class InferenceSession {
  private constructor(private readonly session: Ort.InferenceSession) {}

  static async create(model: Uint8Array | string, options: SessionOptions = {}): Promise<InferenceSession> {
    const runtime = loadOnnxRuntime();
    const sessionOptions: Ort.InferenceSession.SessionOptions = {
      // Errors reach the caller as RunError; onnxruntime's own log would only repeat them on stderr.
      logSeverityLevel: 4,
      graphOptimizationLevel: options.optimization ?? 'all',
      ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
    };
    try {
      const session = typeof model === 'string'
        ? await runtime.InferenceSession.create(model, sessionOptions)
        : await runtime.InferenceSession.create(model, sessionOptions);
      return new InferenceSession(session);
    } catch (error) {
      throw new RunError(msg('onnxruntime cannot load the model: {0}', firstLine(error)), { cause: error });
    }
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Runs once; `outputs` defaults to every graph output. */
  async run(feeds: Readonly<Record<string, ArrayValue>>, outputs?: readonly string[]): Promise<Record<string, ArrayValue>> {
    const runtime = loadOnnxRuntime();
    const ortFeeds: Record<string, Ort.Tensor> = {};
    for (const [name, value] of Object.entries(feeds)) {
      if (!this.session.inputNames.includes(name)) continue;
      const type = ORT_TYPES[value.elemType];
      if (!type) throw new RunError(msg('Input "{0}" has element type {1}, which onnxruntime-node cannot take.', name, value.elemType));
      ortFeeds[name] = new runtime.Tensor(type, value.data as Ort.Tensor.DataType, value.dims as number[]);
    }
    for (const name of this.session.inputNames) {
      if (!ortFeeds[name]) throw new RunError(msg('No value given for model input "{0}".', name));
    }
    let results: Ort.InferenceSession.ReturnType;
    try {
      results = outputs ? await this.session.run(ortFeeds, outputs as string[]) : await this.session.run(ortFeeds);
    } catch (error) {
      throw new RunError(msg('Inference failed: {0}', firstLine(error)), { cause: error });
    }
    const out: Record<string, ArrayValue> = {};
    for (const [name, tensor] of Object.entries(results)) {
      out[name] = { elemType: ELEMENT_TYPES.get(tensor.type) ?? 'undefined', dims: [...tensor.dims], data: tensor.data as ArrayValue['data'] };
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function firstLine(error: unknown): string {
  const text = errorText(error);
  return text.split('\n')[0]!.slice(0, 500);
}
