/**
 * Why a file opened as an ONNX model is not one, in the user's terms: empty, a text file, a model cut
 * short (with how much of it is there), or something else that does not decode. The CLI's input errors
 * (src/cli/errors.ts) and the ONNX viewer's error page say the same sentences.
 */
import { promises as fsp } from 'node:fs';
import { msg, type Message } from '../l10n';
import { bytesText } from '../output';
import { OnnxDecodeError } from './errors';

/** What is wrong with the file; `size` is the file's size in bytes, `needs` what its own length fields promise. */
export type ModelFileProblem =
  | { readonly kind: 'empty' }
  | { readonly kind: 'text' }
  | { readonly kind: 'truncated'; readonly size: number; readonly needs: number }
  | { readonly kind: 'damaged'; readonly detail: Message };

/** The first bytes read as text: UTF-8 with no control characters other than tab, line feed, form feed and carriage return. */
export function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return false;
  // A multi-byte character may be cut at the end of the sample.
  let end = head.length;
  for (let back = 0; back < 3 && end > 0 && (head[end - 1]! & 0xc0) === 0x80; back++) end--;
  if (end > 0 && head[end - 1]! >= 0xc0) end--;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex
  return !/[\x00-\x08\x0b\x0e-\x1f\x7f]/.test(text);
}

async function head(file: string, bytes: number): Promise<Buffer> {
  const handle = await fsp.open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Field 1 (ir_version) as a varint: the first bytes of every ONNX model that onnx, PyTorch and onnxruntime write. */
const IR_VERSION_TAG = 0x08;

/**
 * The problem of `file` (`size` bytes) given the error its decode failed with; undefined when the error
 * is not about this file's bytes (a missing external-data file, a cancel, a file-system error).
 */
export async function modelFileProblem(file: string, size: number, error: unknown): Promise<ModelFileProblem | undefined> {
  if (size === 0) return { kind: 'empty' };
  if (!(error instanceof OnnxDecodeError) || error.file !== file || error.offset === undefined) return undefined;
  const start = await head(file, 4096);
  if (looksLikeText(start)) return { kind: 'text' };
  if (error.needs !== undefined && error.needs > size && start[0] === IR_VERSION_TAG) return { kind: 'truncated', size, needs: error.needs };
  return { kind: 'damaged', detail: error.detail };
}

/** The sentence for a problem of the file the user named as `shown` (a path as given, or a file name). */
export function modelFileProblemMessage(shown: string, problem: ModelFileProblem, translate: (m: Message) => string): Message {
  switch (problem.kind) {
    case 'empty': return msg('{0} is empty (0 bytes): it is not an ONNX model.', shown);
    case 'text': return msg('{0} is not an ONNX model: it is a text file.', shown);
    case 'truncated': return msg('{0} is truncated: the file has {1} of {2} or more (copy or download it again).', shown, bytesText(problem.size), bytesText(problem.needs));
    case 'damaged': return msg('{0} is not an ONNX model, or it is damaged: {1}', shown, translate(problem.detail));
  }
}
