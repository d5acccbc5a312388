/**
 * A PartCompiler from a command line: each part is written to a temporary .onnx file whose path is in
 * the environment variable NPU_PORT_PART, and the command runs through the system shell (sh -c, or
 * cmd /c on Windows). Exit code 0 means the part compiled. The command can be a local toolchain
 * (`atc --model=$NPU_PORT_PART --framework=5 --soc_version=Ascend310P3 --output=parts/part`) or a
 * wrapper that compiles on a remote host.
 */
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CompileVerdict, PartCompiler } from './bisect';

const MAX_OUTPUT = 64 * 1024;

/**
 * The line of a compile log worth showing: the first with an error code (ATC's EZ3003, E19999 ...), else
 * the first that says error/unsupported/failed, else the last non-empty one.
 */
export function complaintOf(log: string): string | undefined {
  const lines = log.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  return lines.find((l) => /\bE[A-Z]?\d{4,5}\b/.test(l))
    ?? lines.find((l) => /\b(error|unsupported|not supported|failed)\b/i.test(l))
    ?? lines[lines.length - 1];
}

export function commandCompiler(command: string, options: { cwd?: string; timeoutMs?: number } = {}): PartCompiler {
  return async (model, label, signal): Promise<CompileVerdict> => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'npu-port-part-'));
    const file = path.join(dir, 'part.onnx');
    try {
      await fsp.writeFile(file, model);
      const shell = process.platform === 'win32' ? ['cmd.exe', ['/d', '/s', '/c', command]] as const : ['/bin/sh', ['-c', command]] as const;
      const child = spawn(shell[0], [...shell[1]], {
        cwd: options.cwd, env: { ...process.env, NPU_PORT_PART: file, NPU_PORT_PART_LABEL: label }, stdio: ['ignore', 'pipe', 'pipe'],
        detached: process.platform !== 'win32',
      });
      let log = '';
      const take = (chunk: Buffer) => { if (log.length < MAX_OUTPUT) log += chunk.toString('utf8'); };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      const kill = () => {
        try {
          if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGTERM');
          else child.kill();
        } catch { /* already gone */ }
      };
      signal?.addEventListener('abort', kill, { once: true });
      const timer = options.timeoutMs ? setTimeout(kill, options.timeoutMs) : undefined;
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (c) => resolve(c));
      });
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', kill);
      signal?.throwIfAborted();
      const complaint = complaintOf(log);
      return code === 0 ? { ok: true } : { ok: false, ...(complaint ? { message: complaint } : { message: `exit code ${code}` }) };
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  };
}
