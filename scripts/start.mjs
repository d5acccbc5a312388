// `npm start`: from a fresh clone, installs what is missing, builds, and opens VS Code in the browser
// (code-server on 127.0.0.1) with this extension loaded and the demo workspace examples/.
// Ctrl+C stops everything. Options: PORT=8080 npm start  (default: a free port)
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT, build, ensureCodeServer, ensureNodeModules } from './bootstrap.mjs';

ensureNodeModules();
ensureCodeServer();
build();
const require = createRequire(import.meta.url);
const { startCodeServer, workbenchUrl } = require(join(ROOT, 'out', 'test', 'harness', 'codeServer.js'));

// The test harness's settings are quiet (no welcome page); a newcomer gets the Welcome page with the
// "Port to an NPU" walkthrough.
const settings = { 'workbench.startupEditor': 'welcomePage', 'workbench.welcomePage.walkthroughs.openOnInstall': true, 'workbench.tips.enabled': true };
const server = await startCodeServer({ port: process.env.PORT ? Number(process.env.PORT) : undefined, settings });
const url = workbenchUrl(server, { folder: join(ROOT, 'examples'), extensionDevelopmentPath: ROOT });
process.stdout.write(`\nNPU Porting Assistant is running in VS Code (started in ${server.startMs} ms).\nOpen this address in a browser:\n\n  ${url}\n\nPress Ctrl+C to stop.\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nstopping VS Code ...\n');
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.process.on('exit', (code) => {
  if (!stopping) {
    process.stderr.write(`VS Code server exited unexpectedly (${code}).\n${server.output().slice(-2000)}\n`);
    process.exit(1);
  }
});
