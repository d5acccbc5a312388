import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { formatMessage } from '../../../src/core/l10n';
import { parseHostSpec, portError } from '../../../src/core/remote/hosts';

test('parseHostSpec: user@host:port, [ipv6]:port, bare IPv6, ssh:// and plain names', () => {
  assert.deepEqual(parseHostSpec('root@127.0.0.1:2222'), { host: '127.0.0.1', user: 'root', port: 2222 });
  assert.deepEqual(parseHostSpec(' npu-01 '), { host: 'npu-01' });
  assert.deepEqual(parseHostSpec('ma-user@npu-01'), { host: 'npu-01', user: 'ma-user' });
  assert.deepEqual(parseHostSpec('npu-01:22'), { host: 'npu-01', port: 22 });
  assert.deepEqual(parseHostSpec('[::1]:2222'), { host: '::1', port: 2222 });
  assert.deepEqual(parseHostSpec('me@[fe80::1%eth0]'), { host: 'fe80::1%eth0', user: 'me' });
  assert.deepEqual(parseHostSpec('::1'), { host: '::1' });
  assert.deepEqual(parseHostSpec('ssh://a.b@host.example:65535'), { host: 'host.example', user: 'a.b', port: 65535 });
});

test('parseHostSpec: each bad input is refused with a reason', () => {
  const reason = (text: string) => {
    const r = parseHostSpec(text);
    assert.ok('error' in r, `${text} accepted: ${JSON.stringify(r)}`);
    return formatMessage(r.error);
  };
  assert.equal(reason(''), 'A host is required.');
  assert.equal(reason('root@'), 'A host is required.');
  assert.equal(reason('@host'), 'The user name before "@" is empty.');
  assert.equal(reason('host:0'), '"0" is not a port: a number from 1 to 65535.');
  assert.equal(reason('host:70000'), '"70000" is not a port: a number from 1 to 65535.');
  assert.equal(reason('root@host:ssh'), '"ssh" is not a port: a number from 1 to 65535.');
  assert.equal(reason('[::1:22'), '"[::1:22" has no closing "]".');
  assert.equal(reason('my host'), '"my host" is not a host name or IP address.');
  assert.equal(portError('22'), undefined);
  assert.ok(portError('-1'));
});
