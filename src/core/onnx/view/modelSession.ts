/**
 * One opened model, shared by every viewer panel, the diagnostics and the commands for that file:
 * the decode runs once, check results are cached per target. No vscode import.
 */
import { checkModel, type CheckResult } from '../check';
import { openModel } from '../decode';
import type { Model, Tensor } from '../model';
import { walkGraphs } from '../model';
import { readTensor } from '../tensor';
import { inferShapes, type ShapeInference } from '../shapes';
import type { TargetProfile } from '../targets/profile';
import type { TensorValues } from '../../../shared/graph';

export class ModelSession {
  private model: Promise<Model> | undefined;
  private readonly results = new Map<string, CheckResult>();
  private shapeInference: Promise<ShapeInference> | undefined;
  private readonly abort = new AbortController();

  constructor(readonly file: string) {}

  load(): Promise<Model> {
    this.model ??= openModel(this.file, { signal: this.abort.signal });
    return this.model;
  }

  /** Forgets the decoded model (the file changed on disk). */
  reset(): void {
    this.model = undefined;
    this.shapeInference = undefined;
    this.results.clear();
  }

  /** Shapes and element types of the main graph's values, declared or inferred (./shapes.ts), once per model. */
  shapes(): Promise<ShapeInference> {
    this.shapeInference ??= this.load().then((model) => inferShapes(model, { signal: this.abort.signal }));
    return this.shapeInference;
  }

  async check(profile: TargetProfile): Promise<CheckResult> {
    const key = `${profile.kind}:${profile.id}:${profile.file ?? ''}`;
    const cached = this.results.get(key);
    if (cached) return cached;
    const result = checkModel(await this.load(), profile, { signal: this.abort.signal });
    this.results.set(key, result);
    return result;
  }

  /** The first `count` values of an initializer (or Constant value) and min/max/mean over what was read. */
  async tensorValues(name: string, count: number): Promise<TensorValues> {
    const model = await this.load();
    const tensor = findTensor(model, name);
    if (!tensor) throw new Error(`no tensor named ${name}`);
    // statistics over the whole tensor when it is small enough to read quickly, else over a prefix
    const statsLimit = Math.min(tensor.elementCount, 4 * 1024 * 1024);
    const values = await readTensor(model, tensor, { limit: Math.max(count, statsLimit), signal: this.abort.signal });
    const all = values.values;
    const first: (number | string)[] = [];
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let n = 0;
    for (let i = 0; i < all.length; i++) {
      const raw = (all as ArrayLike<unknown>)[i];
      const numeric = typeof raw === 'bigint' ? Number(raw) : typeof raw === 'number' ? raw : NaN;
      if (i < count) first.push(typeof raw === 'bigint' ? raw.toString() : typeof raw === 'number' ? raw : String(raw));
      if (Number.isFinite(numeric)) {
        if (numeric < min) min = numeric;
        if (numeric > max) max = numeric;
        sum += numeric;
        n++;
      }
    }
    return {
      tensor: name, dtype: tensor.elemType, count: tensor.elementCount, first,
      ...(n ? { min, max, mean: sum / n } : {}),
    };
  }

  dispose(): void {
    this.abort.abort();
  }
}

function findTensor(model: Model, name: string): Tensor | undefined {
  for (const graph of walkGraphs(model.graph)) {
    const init = graph.initializers.find((t) => t.name === name);
    if (init) return init;
  }
  return undefined;
}
