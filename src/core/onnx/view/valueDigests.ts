/**
 * Digests of the values of a model's weights and constants (the main graph's initializers and the
 * `value` tensors of its Constant nodes), by tensor name, for compare mode: the compact graph the viewer
 * diffs carries types and shapes only, so a weight or constant whose values changed (same type and
 * shape) is found by its digest (src/shared/diff.ts). A tensor that cannot be read (external data
 * missing) gets no digest and is not compared by value; so are all tensors past `maxBytes` read in all.
 */
import { createHash } from 'node:crypto';
import { isDefaultDomain, type Model, type Tensor } from '../model';
import { readTensor } from '../tensor';

export interface ValueDigestOptions {
  readonly signal?: AbortSignal;
  /** Stop reading after this many bytes of tensor data (default 1 GiB): later tensors are not compared. */
  readonly maxBytes?: number;
}

export async function valueDigests(model: Model, options: ValueDigestOptions = {}): Promise<Map<string, string>> {
  const budget = options.maxBytes ?? 1 << 30;
  const tensors: [string, Tensor][] = model.graph.initializers.map((t) => [t.name, t]);
  for (const node of model.graph.nodes) {
    if (node.opType !== 'Constant' || !isDefaultDomain(node.domain) || !node.outputs[0]) continue;
    const value = node.attributes.find((a) => a.name === 'value');
    if (value?.type === 'tensor') tensors.push([node.outputs[0], value.value]);
  }
  const digests = new Map<string, string>();
  let read = 0;
  for (const [name, tensor] of tensors) {
    options.signal?.throwIfAborted();
    if (read + tensor.byteLength > budget) break;
    read += tensor.byteLength;
    let values;
    try {
      values = (await readTensor(model, tensor, { signal: options.signal })).values;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      continue; // unreadable: not compared
    }
    const hash = createHash('sha256').update(`${tensor.elemType}[${tensor.dims.join(',')}]`);
    if (Array.isArray(values)) hash.update(JSON.stringify(values));
    else hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    digests.set(name, hash.digest('base64'));
  }
  return digests;
}
