/** "This machine" in the extension: the toolchain detected here, as a host the tasks can name (`"host": "local"`). */
import * as path from 'node:path';
import type { HostConfig } from '../../core/remote/hosts';
import { detectThisMachine, LOCAL_HOST_NAME, localHostConfig, type LocalToolchain } from '../../core/remote/local';

let workFolder: string | undefined;

/** Where the local tools write their intermediate files (the extension's global storage). */
export function setLocalWorkFolder(folder: string): void {
  workFolder = folder;
}

export interface ThisMachine {
  readonly host: HostConfig;
  readonly toolchain: LocalToolchain;
}

/** The toolchain found on this machine (Ascend before QNN), or undefined. Detected at each call (a few file checks). */
export function thisMachine(): ThisMachine | undefined {
  const toolchain = detectThisMachine()[0];
  if (!toolchain) return undefined;
  return { host: localHostConfig(toolchain, path.join(workFolder ?? path.resolve('.npu-port'), 'local-work')), toolchain };
}

export function isLocalHostName(name: string | undefined): boolean {
  return name === LOCAL_HOST_NAME;
}
