import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { bytesText, displayWidth, padEndDisplay } from '../../../src/cli/format';
import { REPO_ROOT } from '../repo';

test('displayWidth: East Asian Wide and fullwidth characters take two columns, combining marks none', () => {
  assert.equal(displayWidth('Opsets'), 6);
  assert.equal(displayWidth('算子集'), 6);
  assert.equal(displayWidth('IR 版本'), 7);
  assert.equal(displayWidth('（）：'), 6, 'fullwidth punctuation');
  assert.equal(displayWidth('한국어'), 6, 'Hangul');
  assert.equal(displayWidth('e\u0301'), 1, 'e + combining acute');
  assert.equal(displayWidth('𠀀'), 2, 'CJK Extension B, outside the BMP');
  assert.equal(padEndDisplay('模型', 8), '模型    ');
  assert.equal(padEndDisplay('Model', 8), 'Model   ');
  assert.equal(padEndDisplay('超长的标签', 4), '超长的标签', 'never cut');
});

test('bytesText', () => {
  assert.equal(bytesText(512), '512 B');
  assert.equal(bytesText(1.2 * 1024 * 1024), '1.20 MiB');
  assert.equal(bytesText(18.7 * 1024 * 1024), '18.7 MiB');
});

test('onnx info in Chinese: the values start in one column whatever the label width', async () => {
  let out = '';
  const code = await main(['--lang', 'zh-cn', 'onnx', 'info', path.join(REPO_ROOT, 'examples', 'models', 'decoder.onnx')], {
    env: {}, cwd: REPO_ROOT, stdout: (s) => (out += s), stderr: () => undefined, signal: new AbortController().signal,
  });
  assert.equal(code, 0);
  // The first seven lines are "label  value" rows; the value starts where the first run of 2+ spaces ends.
  const rows = out.split('\n').slice(0, 7);
  const columns = rows.map((line) => {
    const m = /^(.*?\S) {2,}(?=\S)/.exec(line);
    assert.ok(m, `a label and a value: ${line}`);
    return displayWidth(m[0]);
  });
  assert.ok(rows.some((line) => /[\u4e00-\u9fff]/.test(line.split('  ')[0]!)), 'Chinese labels');
  assert.equal(new Set(columns).size, 1, `values start at one column: ${JSON.stringify(rows)}`);
});
