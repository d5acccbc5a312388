import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { requote } from '../../../src/core/python/fixes/kit';

// Inside an f-string's replacement field, Python before 3.12 ends the f-string at its own quote: a fix written there
// must use the other quote (fixInvariant.test.ts runs such fixes with Python 3.11).
test('requote writes string literals in a free quote and leaves the rest of the code alone', () => {
  const double = new Set(['"']);
  const single = new Set(["'"]);
  assert.equal(requote('("npu" if hasattr(torch, "npu") else "cuda")', double), "('npu' if hasattr(torch, 'npu') else 'cuda')");
  assert.equal(requote("x.to('npu')", single), 'x.to("npu")');
  assert.equal(requote("x.to('npu')", double), "x.to('npu')", 'a literal already in a free quote stays');
  assert.equal(requote('f"{a}:{b}" + "x"', double), "f'{a}:{b}' + 'x'", 'prefixes and f-strings keep their letters');
  assert.equal(requote('"a\\"b"', double), undefined, 'a backslash: Python before 3.12 rejects it in a replacement field');
  assert.equal(requote('"it\'s"', double), undefined, 'the body holds the other quote');
  assert.equal(requote('"npu"', new Set(['"', "'"])), undefined, 'no quote is free');
  assert.equal(requote('"""doc"""', double), "'''doc'''", 'triple quotes switch as a whole');
  assert.equal(requote('torch.npu.is_available()', new Set(['"', "'"])), 'torch.npu.is_available()', 'code without literals needs no quote');
});
