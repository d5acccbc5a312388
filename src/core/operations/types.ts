/**
 * What every operation of this folder shares: a request carries an AbortSignal and one progress
 * callback, and a request the operation cannot run as given fails with InvalidRequestError (the CLI
 * prints it as a usage error, the extension shows it), before any work starts.
 */
import { NpuPortError } from '../errors';
import { msg, type Message } from '../l10n';

/** How far a long operation is: what it does now and, when it knows, how much of how much. */
export interface Progress {
  readonly message?: Message;
  readonly done?: number;
  readonly total?: number;
  /** Worth showing even when the face is quiet (each compile of a bisection); else a step for the log. */
  readonly notable?: boolean;
}

/** The one progress callback type of every operation. */
export type OnProgress = (progress: Progress) => void;

/** What every request carries besides its own fields. */
export interface OperationRequest {
  readonly signal?: AbortSignal;
  readonly onProgress?: OnProgress;
}

/** A request an operation refuses as given (an unknown rule, a number out of range, a missing node). */
export class InvalidRequestError extends NpuPortError {}

/** A whole number of at least `min`, or `fallback` when not given; InvalidRequestError names `what` otherwise. */
export function wholeNumber(value: number | undefined, what: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new InvalidRequestError(msg('--{0} needs a whole number of at least {1}.', what, min));
  return value;
}
