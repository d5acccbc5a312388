/**
 * The one definition of a remote task's options. The manifest's `taskDefinitions` (checked against
 * it by a unit test), the task provider (tasks.json), the CLI's flags and the core request all come
 * from this table, so an option means the same wherever it is given.
 *
 * A task definition in tasks.json names options by `key` with JSON values (numbers, arrays, objects);
 * the CLI names them by `--flag` with strings. `taskOptions` reads either into the request's fields.
 */
import { msg } from '../../l10n';
import { parseDynamicBatch } from '../toolchains/atc';
import type { BisectTaskOptions } from './bisect';
import { RemoteTaskRequestError, type RemoteTaskRequest } from './execute';
import type { RemoteTaskKind } from './types';

export type TaskOptionValue =
  /** Text passed on as is. */
  | 'string'
  /** A local file or folder, resolved against the workspace folder or the current folder. */
  | 'path'
  | 'positiveInt'
  /** A whole number ≥ 0. */
  | 'wholeNumber'
  /** Batch sizes for ATC's dynamic batch: "1,2,4,8" or [1, 2, 4, 8]. */
  | 'batchSizes'
  /** Repeatable text (CLI: the flag given several times; JSON: an array of strings). */
  | 'strings'
  /** Sizes of symbolic dimensions (CLI: NAME=N, repeatable; JSON: an object of numbers). */
  | 'dims';

export interface TaskOption {
  /** Property in tasks.json and field of the request (the compiler checks that the request has it). */
  readonly key: keyof TaskOptionFields | keyof NonNullable<TaskOptionFields['bisect']>;
  /** The CLI's flag, without the dashes. */
  readonly flag: string;
  readonly value: TaskOptionValue;
  /** One of these exact values, when the option is a choice. */
  readonly choices?: readonly string[];
  readonly tasks: readonly RemoteTaskKind[];
  /** Where the request keeps it: at the top, or in the bisection's own options. */
  readonly place: 'request' | 'bisect';
}

export const TASK_OPTIONS: readonly TaskOption[] = [
  { key: 'soc', flag: 'soc', value: 'string', tasks: ['convert', 'precheck', 'bisect'], place: 'request' },
  { key: 'inputShape', flag: 'input-shape', value: 'string', tasks: ['convert', 'precheck'], place: 'request' },
  { key: 'dynamicBatch', flag: 'dynamic-batch', value: 'batchSizes', tasks: ['convert'], place: 'request' },
  { key: 'precision', flag: 'precision', value: 'string', tasks: ['convert'], place: 'request' },
  { key: 'quantInputList', flag: 'quant-input-list', value: 'string', tasks: ['convert'], place: 'request' },
  { key: 'qnnTarget', flag: 'qnn-target', value: 'string', tasks: ['convert', 'bisect'], place: 'request' },
  { key: 'loop', flag: 'loop', value: 'positiveInt', tasks: ['benchmark'], place: 'request' },
  { key: 'batch', flag: 'batch', value: 'positiveInt', tasks: ['benchmark'], place: 'request' },
  { key: 'tool', flag: 'tool', value: 'string', choices: ['msame', 'ais_bench'], tasks: ['benchmark'], place: 'request' },
  { key: 'inputList', flag: 'input-list', value: 'string', tasks: ['benchmark'], place: 'request' },
  { key: 'cpuOnnx', flag: 'cpu-onnx', value: 'path', tasks: ['benchmark'], place: 'request' },
  { key: 'outDir', flag: 'out-dir', value: 'path', tasks: ['precheck', 'convert', 'benchmark', 'run'], place: 'request' },
  { key: 'fetch', flag: 'fetch', value: 'strings', tasks: ['run'], place: 'request' },
  { key: 'profile', flag: 'profile', value: 'string', tasks: ['bisect'], place: 'bisect' },
  { key: 'record', flag: 'record', value: 'path', tasks: ['bisect'], place: 'bisect' },
  { key: 'depth', flag: 'depth', value: 'positiveInt', tasks: ['bisect'], place: 'bisect' },
  { key: 'maxCompiles', flag: 'max-compiles', value: 'positiveInt', tasks: ['bisect'], place: 'bisect' },
  { key: 'jobs', flag: 'jobs', value: 'positiveInt', tasks: ['bisect'], place: 'bisect' },
  { key: 'dims', flag: 'dim', value: 'dims', tasks: ['bisect'], place: 'bisect' },
  { key: 'seed', flag: 'seed', value: 'wholeNumber', tasks: ['bisect'], place: 'bisect' },
];

/**
 * Task definition properties that are not options of the table: which task, which host, the model
 * (the CLI's positional argument) and `run`'s program with its arguments (the CLI's words after `--`).
 */
export const TASK_DEFINITION_BASE = ['task', 'host', 'model', 'args'] as const;

/** The request fields that the options set (the bisection's under `bisect`). */
export type TaskOptionFields = Partial<Omit<RemoteTaskRequest, 'task' | 'host' | 'model' | 'argv' | 'bisect'>> & {
  readonly bisect?: Partial<Omit<BisectTaskOptions, 'model' | 'soc' | 'qnnTarget' | 'projectDir'>>;
};

/**
 * Reads the options given for `task` (by key from tasks.json, or by flag from the CLI) into request
 * fields. Throws RemoteTaskRequestError naming the option in the form it was given (`--loop` or
 * `loop`) when a value is wrong or the task does not take the option.
 */
export function taskOptions(task: RemoteTaskKind, given: Readonly<Record<string, unknown>>, how: 'flag' | 'key', resolvePath: (p: string) => string): TaskOptionFields {
  const top: Record<string, unknown> = {};
  const bisect: Record<string, unknown> = {};
  for (const option of TASK_OPTIONS) {
    const name = how === 'flag' ? option.flag : option.key;
    const raw = given[name];
    if (raw === undefined) continue;
    const shown = how === 'flag' ? `--${option.flag}` : option.key;
    if (!option.tasks.includes(task)) throw new RemoteTaskRequestError(msg('{0} is only for {1}.', shown, option.tasks.join(', ')));
    (option.place === 'bisect' ? bisect : top)[option.key] = optionValue(option, raw, shown, resolvePath);
  }
  return { ...top, ...(Object.keys(bisect).length ? { bisect } : {}) } as TaskOptionFields;
}

function optionValue(option: TaskOption, raw: unknown, shown: string, resolvePath: (p: string) => string): unknown {
  const text = (value: unknown): string => {
    if (typeof value !== 'string') throw new RemoteTaskRequestError(msg('{0} takes text.', shown));
    return value;
  };
  const number = (value: unknown, min: number): number => {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min) {
      throw new RemoteTaskRequestError(min > 0 ? msg('{0} must be a positive integer.', shown) : msg('{0} needs a whole number.', shown));
    }
    return n;
  };
  switch (option.value) {
    case 'string': {
      const value = text(raw);
      if (option.choices && !option.choices.includes(value)) throw new RemoteTaskRequestError(msg('{0} must be {1}.', shown, option.choices.join(' or ')));
      return value;
    }
    case 'path':
      return resolvePath(text(raw));
    case 'positiveInt':
      return number(raw, 1);
    case 'wholeNumber':
      return number(raw, 0);
    case 'batchSizes': {
      const sizes = Array.isArray(raw) ? parseDynamicBatch(raw.map(String).join(',')) : parseDynamicBatch(text(raw));
      if (!sizes) throw new RemoteTaskRequestError(msg('{0} takes at least two different positive sizes, for example 1,2,4,8.', shown));
      return sizes;
    }
    case 'strings': {
      const list = Array.isArray(raw) ? raw : [raw];
      return list.map(text);
    }
    case 'dims': {
      const dims: Record<string, number> = {};
      if (Array.isArray(raw)) {
        for (const item of raw) {
          const m = /^([^=]+)=(\d+)$/.exec(text(item));
          if (!m) throw new RemoteTaskRequestError(msg('{0} takes NAME=N; got "{1}".', shown, String(item)));
          dims[m[1]!] = Number(m[2]);
        }
      } else if (raw && typeof raw === 'object') {
        for (const [name, size] of Object.entries(raw)) dims[name] = number(size, 0);
      } else {
        throw new RemoteTaskRequestError(msg('{0} takes NAME=N; got "{1}".', shown, String(raw)));
      }
      return dims;
    }
  }
}
