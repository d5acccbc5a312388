/** `run`: any program with its arguments on the host, streamed; listed remote files are brought back. */
import * as path from 'node:path';
import { isAbsoluteRemotePath } from '../jobScript';
import { parseAtcLog } from '../toolchains/atc';
import { parseQnnLog } from '../toolchains/qnn';
import { fetchArtifact, remotePath, runTool, withKnowledge } from './common';
import type { RemoteTaskResult, TaskContext } from './types';

export interface RunOptions {
  readonly argv: readonly string[];
  /** Remote files (relative to the work folder, or absolute) to download after a successful run. */
  readonly fetch?: readonly string[];
  readonly outDir: string;
}

export async function runTask(ctx: TaskContext, o: RunOptions): Promise<RemoteTaskResult> {
  const host = ctx.session.host;
  const run = await runTool(ctx, o.argv);
  const tool = path.basename(o.argv[0]!);
  // The output may come from any tool: both parsers read it; known errors apply to either.
  const diagnostics = withKnowledge(tool, [...parseAtcLog(run.log).diagnostics, ...parseQnnLog(run.log)]);
  const artifacts: string[] = [];
  if (run.exitCode === 0) {
    for (const file of o.fetch ?? []) {
      const remote = isAbsoluteRemotePath(file) ? file : remotePath(await ctx.session.workdir(), file);
      artifacts.push(await fetchArtifact(ctx, remote, path.join(o.outDir, path.posix.basename(file.replace(/\\/g, '/')))));
    }
  }
  return { task: 'run', host: host.name, exitCode: run.exitCode === 0 ? 0 : 1, toolExitCode: run.exitCode, diagnostics, artifacts };
}
