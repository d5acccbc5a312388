import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseWebviewMessage, type WebviewToHost } from '../../../src/shared/protocol';
import { parseResultsWebviewMessage } from '../../../src/shared/results';
import { parseResponseMessage, parseTypedMessage, routeWebviewMessage } from '../../../src/shared/webviewMessages';

// One routine answers both webviews; these run it with each view's real parser.

test('a request is answered once, with its id and the handler\'s result', async () => {
  const routed = await routeWebviewMessage({ type: 'tensorValues', requestId: 9, tensor: 'w', count: 4 }, parseWebviewMessage, () => ({ values: [1, 2] }));
  assert.equal(routed.kind, 'handled');
  assert.deepEqual(routed.kind === 'handled' && routed.response, { type: 'response', requestId: 9, ok: true, result: { values: [1, 2] } });
});

test('a request whose handler throws gets an error response with the described text', async () => {
  const routed = await routeWebviewMessage({ type: 'runCpu', requestId: 4 }, parseResultsWebviewMessage, () => { throw new Error('boom'); }, (e) => `said: ${(e as Error).message}`);
  assert.equal(routed.kind, 'failed');
  assert.deepEqual(routed.kind === 'failed' && routed.response, { type: 'response', requestId: 4, ok: false, error: 'said: boom' });
});

test('a message that is not a request gets no response, handled or failed', async () => {
  const handled = await routeWebviewMessage({ type: 'selection', node: 'n' }, parseWebviewMessage, () => 'ignored');
  assert.equal(handled.kind, 'handled');
  assert.equal(handled.kind === 'handled' && handled.response, undefined);
  const failed = await routeWebviewMessage({ type: 'compile' }, parseWebviewMessage, async () => { throw new Error('no host'); });
  assert.equal(failed.kind, 'failed');
  assert.equal(failed.kind === 'failed' && failed.response, undefined);
  assert.equal(failed.kind === 'failed' && failed.errorText, 'no host');
});

test('an invalid message never reaches the handler, and its claimed type is bounded for the log', async () => {
  let calls = 0;
  const handle = (_m: WebviewToHost) => { calls++; };
  for (const raw of [null, 'ready', { type: 'rewrite', requestId: 1, node: 'n', rule: 'Bad Rule', scope: 'node' }, { type: 'x'.repeat(500) }]) {
    const routed = await routeWebviewMessage(raw, parseWebviewMessage, handle);
    assert.equal(routed.kind, 'invalid');
    assert.ok(routed.kind === 'invalid' && routed.type.length <= 65);
  }
  assert.equal(calls, 0);
  // the results view's parser, through the same routine: its buttons' actions must carry an id now
  assert.equal((await routeWebviewMessage({ type: 'runCpu' }, parseResultsWebviewMessage, () => { calls++; })).kind, 'invalid');
  assert.equal(calls, 0);
});

test('responses and host messages are told apart in the webview', () => {
  assert.deepEqual(parseResponseMessage({ type: 'response', requestId: 2, ok: true, result: 5 }), { type: 'response', requestId: 2, ok: true, result: 5 });
  assert.deepEqual(parseResponseMessage({ type: 'response', requestId: 2, ok: false, error: 'e' }), { type: 'response', requestId: 2, ok: false, error: 'e' });
  for (const raw of [{ type: 'response', requestId: -1, ok: true }, { type: 'response', requestId: 1 }, { type: 'response', requestId: 1, ok: false, error: 3 }, { type: 'graph' }, null]) {
    assert.equal(parseResponseMessage(raw), undefined);
  }
  assert.deepEqual(parseTypedMessage({ type: 'graph', x: 1 }), { type: 'graph', x: 1 });
  assert.equal(parseTypedMessage({ type: 'response', requestId: 1, ok: true }), undefined);
  assert.equal(parseTypedMessage([]), undefined);
});
