import { parentPort, workerData } from 'node:worker_threads';
import { AnalysisBudgetError, analyzeSource, ParserLimitError } from '../python/index';
import { PythonParser } from '../python/parser';
import type { AnalysisOptions } from '../python/types';
import { errorText } from '../errors';

/** Worker of the workspace scan: parses and analyses the files the main thread sends. */
interface Init {
  readonly wasmDir: string;
  readonly options: AnalysisOptions;
}
export interface ScanJob {
  readonly id: number;
  readonly text: string;
  /** This file's options when they differ from the scan's. */
  readonly options?: AnalysisOptions;
  /** Wall time for this file (see analyzeSource). */
  readonly budgetMs?: number;
}

const init = workerData as Init;
const parser = PythonParser.load(init.wasmDir);
parentPort!.on('message', (job: ScanJob) => {
  parser.then(
    (p) => {
      try {
        parentPort!.postMessage({ id: job.id, findings: analyzeSource(p, job.text, job.options ?? init.options, job.budgetMs) });
      } catch (error) {
        if (error instanceof AnalysisBudgetError) return parentPort!.postMessage({ id: job.id, overBudget: error.budgetMs });
        if (error instanceof ParserLimitError) return parentPort!.postMessage({ id: job.id, tooLarge: error.detail });
        parentPort!.postMessage({ id: job.id, error: errorText(error) });
      }
    },
    (error: unknown) => parentPort!.postMessage({ id: job.id, error: errorText(error) }),
  );
});
