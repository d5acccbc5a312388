import * as path from 'node:path';

/** The repository root, from out/test/unit (compiled) or test/unit (sources). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', ...(path.basename(path.resolve(__dirname, '..', '..')) === 'out' ? ['..'] : []));
