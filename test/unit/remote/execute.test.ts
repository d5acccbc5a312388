import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseHosts } from '../../../src/core/remote/hosts';
import { executeRemoteTask, RemoteTaskRequestError, UntrustedWorkspaceError } from '../../../src/core/remote/tasks/execute';

const [ascend, qnn] = parseHosts([
  { name: 'a', host: '127.0.0.1', kind: 'ascend' },
  { name: 'q', host: '127.0.0.1', kind: 'qnn-windows' },
]);

test('an untrusted workspace runs no remote task and never connects', async () => {
  let connected = false;
  await assert.rejects(
    executeRemoteTask({ task: 'doctor', host: ascend! }, {
      workspaceTrusted: false,
      session: async () => {
        connected = true;
        throw new Error('must not connect');
      },
      onOutput: () => undefined,
    }),
    (e: unknown) => e instanceof UntrustedWorkspaceError && /untrusted workspace/.test(e.message) && e.host === 'a',
  );
  assert.equal(connected, false);
});

test('bad requests are refused before connecting', async () => {
  const deps = { workspaceTrusted: true, session: async () => assert.fail('must not connect'), onOutput: () => undefined };
  await assert.rejects(executeRemoteTask({ task: 'convert', host: ascend! }, deps), RemoteTaskRequestError);
  await assert.rejects(executeRemoteTask({ task: 'run', host: ascend!, argv: [] }, deps), RemoteTaskRequestError);
  await assert.rejects(executeRemoteTask({ task: 'precheck', host: qnn!, model: '/m.onnx' }, deps), /needs an Ascend host/);
});

test('hosts: defaults, validation messages and ~/.ssh/config suggestions', async () => {
  const { parseSshConfig } = await import('../../../src/core/remote/hosts.js');
  assert.deepEqual([ascend!.port, ascend!.shell, ascend!.workdir, qnn!.shell], [22, 'posix', 'npu-port', 'powershell']);
  assert.throws(() => parseHosts([{ name: 'x', host: 'h', kind: 'gpu' }]), /"kind" must be ascend, qnn-windows or qnn-linux/);
  assert.throws(() => parseHosts([{ name: 'x', host: 'h', port: 70000 }]), /"port" must be a port number/);
  assert.throws(() => parseHosts([{ name: 'x' }]), /"host" is required/);
  assert.throws(() => parseHosts([{ name: 'x', host: 'h' }, { name: 'x', host: 'h2' }]), /defined twice/);
  assert.deepEqual(
    parseSshConfig('Host *\n  User nobody\nHost npu-box ai-pc\n  HostName=10.0.0.5\n  Port 2222\n  User "ma yun"\n  IdentityFile ~/.ssh/id_npu\nMatch host x\n  User y\n'),
    [
      { alias: 'npu-box', hostName: '10.0.0.5', port: 2222, user: 'ma yun', identityFile: '~/.ssh/id_npu' },
      { alias: 'ai-pc', hostName: '10.0.0.5', port: 2222, user: 'ma yun', identityFile: '~/.ssh/id_npu' },
    ],
  );
});

test('doctor: the QNN DLL folder must match the Python architecture (field report 000: error 126)', async () => {
  const { windowsDllChecks, expectedQnnLibFolder, qairtVersionFromRoot } = await import('../../../src/core/remote/tasks/doctor.js');
  assert.equal(expectedQnnLibFolder('ARM64', 'AMD64'), 'arm64x-windows-msvc');
  assert.equal(expectedQnnLibFolder('ARM64', 'ARM64'), 'aarch64-windows-msvc');
  assert.equal(expectedQnnLibFolder('AMD64', 'AMD64'), 'x86_64-windows-msvc');
  const root = 'C:\\Qualcomm\\AIStack\\QAIRT\\2.38.0.250901';
  assert.equal(qairtVersionFromRoot(root), '2.38.0.250901');
  const mismatch = windowsDllChecks('ARM64', 'AMD64', `C:\\Windows;${root}\\lib\\aarch64-windows-msvc;${root}\\lib\\arm64x-windows-msvc`);
  const dll = mismatch.find((c) => c.id === 'qnn-dll-arch')!;
  assert.equal(dll.status, 'fail');
  assert.deepEqual(dll.message.args, ['aarch64-windows-msvc', 'AMD64', 'ARM64', 'arm64x-windows-msvc']);
  assert.equal(dll.fix?.args[0], 'arm64x-windows-msvc');
  assert.equal(windowsDllChecks('ARM64', 'AMD64', `${root}\\lib\\arm64x-windows-msvc\\`).find((c) => c.id === 'qnn-dll-arch')?.status, 'ok');
  assert.equal(windowsDllChecks('ARM64', 'ARM64', 'C:\\Windows').find((c) => c.id === 'qnn-dll-arch')?.status, 'fail');
});
