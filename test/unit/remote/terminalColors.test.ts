import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { colorLogLine, TerminalLineWriter } from '../../../src/extension/remote/terminalColors';

test('task terminal: log lines coloured like the npu-log grammar, split into CRLF lines across chunks', () => {
  assert.equal(colorLogLine('EZ3003: No supported Ops kernel'), '\x1b[31mEZ3003: No supported Ops kernel\x1b[0m');
  assert.equal(colorLogLine('W11001: Op [Slice_29] does not hit'), '\x1b[33mW11001: Op [Slice_29] does not hit\x1b[0m');
  assert.equal(colorLogLine('ATC run success, welcome to the next use.'), '\x1b[32mATC run success, welcome to the next use.\x1b[0m');
  assert.equal(colorLogLine('plain'), 'plain');
  const out: string[] = [];
  const writer = new TerminalLineWriter((t) => out.push(t));
  writer.push('ATC run su');
  assert.deepEqual(out, []);
  writer.push('ccess\r\nnext');
  writer.flush();
  assert.deepEqual(out, ['\x1b[32mATC run success\x1b[0m\r\n', 'next\r\n']);
});
