/**
 * Latency statistics of a benchmark, as the field reports computed them by hand with numpy: mean, population
 * standard deviation (np.std, ddof=0), min, max and percentiles with linear interpolation
 * (np.percentile's default), and throughput = batch × 1000 / mean latency (ms).
 */
import { percentile, type LatencyStats } from '../../shared/results';

// The type and the percentile rule are shared with the results webview (browser-safe).
export { percentile, type LatencyStats };

export function latencyStats(samplesMs: readonly number[], batch = 1): LatencyStats | undefined {
  if (samplesMs.length === 0 || samplesMs.some((s) => !Number.isFinite(s) || s < 0)) return undefined;
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const n = sorted.length;
  // Two-pass (mean, then squared deviations) for numerical stability.
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return {
    count: n,
    mean,
    std,
    min: sorted[0]!,
    max: sorted[n - 1]!,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    throughput: mean > 0 ? (batch * 1000) / mean : 0,
  };
}
