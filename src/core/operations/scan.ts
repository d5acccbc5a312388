/**
 * The user action "scan for CUDA-specific code" (`npu-port scan`, NPU: Scan Workspace): the workspace
 * walk and analysis of core/workspace/scan, with the request checked and the defaults decided here.
 */
import { msg } from '../l10n';
import { FIX_STYLES, type AnalysisOptions } from '../python/types';
import { scanWorkspace, type ScanOptions, type ScanResult } from '../workspace/scan';
import { InvalidRequestError, type OperationRequest } from './types';

/** Files larger than this many KiB are skipped unless the request says otherwise. */
export const DEFAULT_MAX_FILE_SIZE_KB = 2048;

export interface ScanRequest extends OperationRequest, Omit<ScanOptions, 'signal' | 'onProgress' | 'maxFileSizeKB' | 'gitignore'> {
  /** Folders and files to scan (absolute). */
  readonly roots: readonly string[];
  /** Skip larger files (default DEFAULT_MAX_FILE_SIZE_KB). */
  readonly maxFileSizeKB?: number;
  /** Respect .gitignore (default true). */
  readonly gitignore?: boolean;
}

/** Throws InvalidRequestError for a fix style or device module name the fixes cannot write. */
export function checkAnalysisOptions(analysis: Pick<AnalysisOptions, 'style' | 'deviceModule'>): void {
  if (!FIX_STYLES.includes(analysis.style)) throw new InvalidRequestError(msg('Unknown fix style "{0}": use deviceManager, torchNpu or transferToNpu.', String(analysis.style)));
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(analysis.deviceModule)) throw new InvalidRequestError(msg('"{0}" is not a Python module name.', analysis.deviceModule));
}

/**
 * Throws InvalidRequestError for a request the scan cannot run as given. It reads no file, so a face checks
 * the request with it before it resolves the paths to scan or reads target profiles.
 */
export function checkScanRequest(request: { readonly analysis: Pick<AnalysisOptions, 'style' | 'deviceModule'>; readonly maxFileSizeKB?: number }): void {
  checkAnalysisOptions(request.analysis);
  const { maxFileSizeKB = DEFAULT_MAX_FILE_SIZE_KB } = request;
  if (!Number.isFinite(maxFileSizeKB) || maxFileSizeKB <= 0) throw new InvalidRequestError(msg('--max-file-size-kb needs a positive number.'));
}

export async function scan(request: ScanRequest): Promise<ScanResult> {
  checkScanRequest(request);
  const { roots, onProgress, maxFileSizeKB = DEFAULT_MAX_FILE_SIZE_KB, gitignore = true, ...options } = request;
  return scanWorkspace(roots, {
    ...options,
    maxFileSizeKB,
    gitignore,
    ...(onProgress ? { onProgress: (done: number, total: number) => onProgress({ done, total }) } : {}),
  });
}
