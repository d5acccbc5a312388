/**
 * ANSI colours for remote output in the task terminal, following the npu-log grammar
 * (syntaxes/npu-log.tmLanguage.json): a terminal cannot use TextMate, so the same line classes
 * are mapped to SGR colours here.
 */
const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const GREEN = '\x1b[32m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

export function colorLogLine(line: string): string {
  if (/^E[A-Z0-9]\d{4}:|^ATC run failed|^<E>|^ERROR - | - ERROR - |Error:|error while loading shared libraries|dlopen error/.test(line)) return `${RED}${line}${RESET}`;
  if (/^W[A-Z0-9]\d{4}:|^<W>| - WARNING - |\[WARN(ING)?\]/.test(line)) return `${YELLOW}${line}${RESET}`;
  if (/^ATC run success/.test(line)) return `${GREEN}${line}${RESET}`;
  if (/^ATC start working|^\s+(Possible Cause|Solution|TraceBack)/.test(line)) return `${DIM}${line}${RESET}`;
  return line;
}

/** Splits streamed text into complete lines (coloured) and keeps the unfinished rest for the next chunk. */
export class TerminalLineWriter {
  private rest = '';
  constructor(private readonly write: (text: string) => void) {}

  push(text: string): void {
    const lines = (this.rest + text).split(/\r?\n/);
    this.rest = lines.pop() ?? '';
    for (const line of lines) this.write(colorLogLine(line) + '\r\n');
  }

  flush(): void {
    if (this.rest) this.write(colorLogLine(this.rest) + '\r\n');
    this.rest = '';
  }
}

export const ansi = { RED, YELLOW, GREEN, DIM, RESET };
