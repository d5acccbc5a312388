/** A problem a remote tool reported, taken from its log: what the faces turn into diagnostics. */
export type ToolSeverity = 'error' | 'warning' | 'info';

export interface ToolDiagnostic {
  readonly severity: ToolSeverity;
  /** The tool's own code (E10001, EZ3003, W11001, WARNING_CAST_TYPE, ...) or ours for uncoded messages. */
  readonly code: string;
  /** The tool's message text (English, as the tool printed it). */
  readonly message: string;
  /** ONNX node name the message is about, when the log names one. */
  readonly node?: string;
  /** Operator type, when the log names one. */
  readonly op?: string;
  /** 0-based line in the log where the message starts. */
  readonly line: number;
}

/** Splits a log into lines without the terminators (CRLF from Windows hosts too). */
export function logLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
