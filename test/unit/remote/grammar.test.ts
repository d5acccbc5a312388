import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { REPO_ROOT } from '../repo';

async function loadGrammar(): Promise<textmate.IGrammar> {
  const wasm = readFileSync(path.join(REPO_ROOT, 'node_modules/vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async () => textmate.parseRawGrammar(readFileSync(path.join(REPO_ROOT, 'syntaxes/npu-log.tmLanguage.json'), 'utf8'), 'npu-log.tmLanguage.json'),
  });
  return (await registry.loadGrammar('text.log.npu'))!;
}

function scopesOf(grammar: textmate.IGrammar, line: string, text: string): string[] {
  const { tokens } = grammar.tokenizeLine(line, textmate.INITIAL);
  const start = line.indexOf(text);
  return tokens.find((t) => t.startIndex <= start && start < t.endIndex)?.scopes ?? [];
}

test('the npu-log grammar colours error codes, op names, outcomes and QNN levels (verbatim log lines)', async () => {
  const g = await loadGrammar();
  const ez = 'EZ3003: No supported Ops kernel and engine are found for [AddDsl], optype [AddDsl].';
  assert.ok(scopesOf(g, ez, 'EZ3003').includes('invalid.illegal.error-code.npu-log'));
  assert.ok(scopesOf(g, ez, 'AddDsl').includes('entity.name.function.op.npu-log'));
  const e10007 = 'E10007: [PID: 10490] 2025-03-18-09:02:18.501.341 [--framework] is required.';
  assert.ok(scopesOf(g, e10007, '[PID').includes('comment.line.pid.npu-log'));
  const w = 'W11001: Op [Slice_29] does not hit the high-priority operator information library, which might result in compromised performance.';
  assert.ok(scopesOf(g, w, 'W11001').includes('markup.changed.warning-code.npu-log'));
  assert.ok(scopesOf(g, 'ATC run success, welcome to the next use.', 'ATC').includes('markup.inserted.npu-log'));
  assert.ok(scopesOf(g, "ATC run failed, Please check the detail log, Try 'atc --help' for more information", 'failed').includes('markup.deleted.npu-log'));
  assert.ok(scopesOf(g, '<E> DspTransport.openSession qnn_open failed, 0x80000406, prio 100', 'Dsp').includes('invalid.illegal.npu-log'));
  const conv = '2025-04-01 23:50:17,978 - 250 - WARNING - WARNING_CAST_TYPE: Only numerical type cast is supported.';
  assert.ok(scopesOf(g, conv, 'WARNING - ').includes('markup.changed.level.npu-log'));
  assert.ok(scopesOf(g, 'Inference average time: 105.417100 ms', '105').includes('constant.numeric.npu-log'));
  assert.deepEqual(scopesOf(g, 'plain text', 'plain'), ['text.log.npu']);
});
