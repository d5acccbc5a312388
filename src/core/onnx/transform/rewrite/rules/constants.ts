/** New constant tensors for rewrites: named after the node they serve, held in memory until encoded. */
import type { ElementType } from '../../../model';
import type { GraphEditor } from '../../editor';
import { makeTensor } from '../../payload';
import { floatToHalf } from '../../payload';

export function int64Initializer(editor: GraphEditor, base: string, values: readonly (number | bigint)[], dims: readonly number[] = [values.length]): string {
  const name = editor.freshName(base);
  editor.addInitializer(makeTensor(name, 'int64', dims, BigInt64Array.from(values, (v) => BigInt(v))));
  return name;
}

/** A scalar (dims []) of a floating-point type, for arithmetic with values of that type. */
export function floatScalar(editor: GraphEditor, base: string, type: ElementType, value: number): string {
  const name = editor.freshName(base);
  const data = type === 'double' ? Float64Array.of(value) : type === 'float16' ? Uint16Array.of(floatToHalf(value)) : Float32Array.of(value);
  editor.addInitializer(makeTensor(name, type, [], data));
  return name;
}

export const FLOAT_TYPES: ReadonlySet<ElementType> = new Set(['float', 'float16', 'double']);
