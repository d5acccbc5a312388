/**
 * Inputs and outputs as .npy files in a folder, one file per tensor, named after the tensor with every
 * character other than letters, digits, '.', '_' and '-' replaced by '_' ("/mask_decoder/Add_output_0" →
 * "_mask_decoder_Add_output_0.npy"). The same rule reads what `npu-port onnx run` wrote and what a
 * device run saved.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { msg } from '../../l10n';
import { writeFileAtomic } from '../../fs';
import type { ValueInfo } from '../model';
import { RunError } from './errors';
import { decodeNpy, encodeNpy } from './npy';
import type { ArrayValue } from './values';
import { errorText } from '../../errors';

export function npyFileName(tensorName: string): string {
  return `${tensorName.replace(/[^A-Za-z0-9._-]/g, '_')}.npy`;
}

/** Values for the given inputs from `dir`; inputs without a file are left out (the caller generates them). */
export async function readInputDir(dir: string, inputs: readonly ValueInfo[]): Promise<Record<string, ArrayValue>> {
  const out: Record<string, ArrayValue> = {};
  let entries: string[];
  try {
    entries = await fsp.readdir(dir);
  } catch (error) {
    throw new RunError(msg('Cannot read the input folder {0}: {1}', dir, errorText(error)), { file: dir, cause: error });
  }
  for (const input of inputs) {
    const file = npyFileName(input.name);
    if (!entries.includes(file)) continue;
    const full = path.join(dir, file);
    const value = decodeNpy(await fsp.readFile(full), full);
    const type = input.type?.kind === 'tensor' ? input.type.elemType : undefined;
    if (type && type !== value.elemType) {
      throw new RunError(msg('{0} holds {1} values; input "{2}" takes {3}.', full, value.elemType, input.name, type), { file: full });
    }
    out[input.name] = value;
  }
  return out;
}

/** Every .npy file of a folder, by tensor-file name without ".npy" (or one .npy file by its base name). */
export async function readNpyValues(location: string): Promise<Record<string, ArrayValue>> {
  const stat = await fsp.stat(location).catch((error: unknown) => {
    throw new RunError(msg('Cannot read {0}: {1}', location, errorText(error)), { file: location, cause: error });
  });
  const files = stat.isDirectory()
    ? (await fsp.readdir(location)).filter((f) => f.endsWith('.npy')).sort().map((f) => path.join(location, f))
    : [location];
  const out: Record<string, ArrayValue> = {};
  for (const file of files) out[path.basename(file, '.npy')] = decodeNpy(await fsp.readFile(file), file);
  return out;
}

/** Writes each value as DIR/<tensor>.npy (atomically); returns the files written. */
export async function writeOutputDir(dir: string, values: Readonly<Record<string, ArrayValue>>, signal?: AbortSignal): Promise<string[]> {
  await fsp.mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    const file = path.join(dir, npyFileName(name));
    await writeFileAtomic(file, encodeNpy(value), signal ? { signal } : {});
    written.push(file);
  }
  return written;
}
