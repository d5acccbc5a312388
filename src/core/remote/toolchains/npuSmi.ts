/** `npu-smi info`: the version line and one entry per NPU (id, name, health) from its table. */
import { logLines } from './diagnostics';

export interface NpuDevice {
  readonly id: number;
  /** Name column, e.g. 310P3 or 910B; `Ascend` + name is ATC's --soc_version. */
  readonly name: string;
  readonly health: string;
}

export interface NpuSmiInfo {
  readonly version?: string;
  readonly devices: NpuDevice[];
}

/**
 * The table alternates a device row (`| NPU Name | Health | Power Temp ...|`) and a chip row
 * (`| Chip Device | Bus-Id | ...|`) between `+===+` separators; only the first row after a
 * separator or the header pair carries NPU id, name and health.
 */
export function parseNpuSmiInfo(text: string): NpuSmiInfo | undefined {
  const lines = logLines(text);
  const versionLine = lines.find((l) => /npu-smi\s+\S+\s+Version:/.test(l));
  if (!versionLine && !lines.some((l) => /\|\s*NPU\s+Name\s*\|/.test(l))) return undefined;
  const version = /Version:\s*(\S+)/.exec(versionLine ?? '')?.[1];
  const devices: NpuDevice[] = [];
  let expectDevice = false;
  for (const line of lines) {
    if (/^\+[=+-]+\+$/.test(line.trim())) {
      expectDevice = /=/.test(line);
      continue;
    }
    if (!expectDevice || !line.trim().startsWith('|')) continue;
    const cells = line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
    const first = /^(\d+)\s+(\S+)$/.exec(cells[0] ?? '');
    if (first && cells[1]) devices.push({ id: Number(first[1]), name: first[2]!, health: cells[1].split(/\s+/)[0]! });
    expectDevice = false;
  }
  return { ...(version ? { version } : {}), devices };
}

/** ATC's --soc_version for a device name from npu-smi (`310P3` → `Ascend310P3`). */
export function socVersionFor(device: NpuDevice): string {
  return /^Ascend/i.test(device.name) ? device.name : `Ascend${device.name}`;
}
