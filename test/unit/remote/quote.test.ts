import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  powerShellEncodedCommand,
  powerShellLiteral,
  prepareLegacyNativeArgument,
  quotePosix,
  quotePowerShell,
  QuoteError,
} from '../../../src/core/remote/quote';
import { powerShellJob } from '../../../src/core/remote/jobScript';

/** Names that break naive quoting; `SENTINEL` is replaced by a path whose creation would prove injection. */
const HOSTILE = [
  'model with spaces.onnx',
  "it's.onnx",
  'double"quote.onnx',
  '$(touch SENTINEL)',
  '`touch SENTINEL`',
  'a; touch SENTINEL',
  'line1\nline2',
  'trailing newline\\\nslash\\',
  'ideographic\u3000space\\',
  'nl\nend\\',
  'tab\there',
  '模型 量化.onnx',
  'résumé—ü.onnx',
  '',
  '*',
  '~',
  '-n',
  '=x',
  '$HOME',
  '${HOME}',
  '!!',
  'back\\slash\\',
  "'",
  "''",
  '\\\'"',
  'a|b&c>d<e',
  '#comment',
  '\u2018curly\u2019 \u201Aquotes\u201B',
  '@(1,2) $env:PATH',
];

function withSentinel(run: (sentinel: string) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'quote-'));
  const sentinel = path.join(dir, 'injected');
  try {
    run(sentinel);
    assert.equal(existsSync(sentinel), false, 'a quoted argument ran a command');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PRINT_ARGV = 'process.stdout.write(JSON.stringify(process.argv.slice(1)))';

for (const shell of ['/bin/sh', '/bin/bash']) {
  test(`POSIX quoting: hostile arguments reach the program intact through ${shell}`, { skip: !existsSync(shell) }, () => {
    withSentinel((sentinel) => {
      const args = HOSTILE.map((a) => a.replace('SENTINEL', sentinel));
      const line = quotePosix([process.execPath, '-e', PRINT_ARGV, ...args]);
      const out = execFileSync(shell, ['-c', line], { encoding: 'utf8' });
      assert.deepEqual(JSON.parse(out), args);
    });
  });
}

test('POSIX quoting: safe words stay bare, the rest is single-quoted', () => {
  assert.equal(quotePosix(['atc', '--framework=5', '--model=/a/b.onnx']), 'atc --framework=5 --model=/a/b.onnx');
  assert.equal(quotePosix(['echo', "it's", '', 'a b']), `echo 'it'\\''s' '' 'a b'`);
  assert.equal(quotePosix(['echo', '=x']), `echo '=x'`);
  assert.throws(() => quotePosix([]), QuoteError);
  assert.throws(() => quotePosix(['echo', 'a\0b']), QuoteError);
});

// ---- PowerShell: pwsh is not installed here (apt has no `powershell` package), so the test parses
// the produced command with the rules of the PowerShell language specification (verbatim strings)
// and of Windows PowerShell 5.1's legacy native argument passing + the MSVC command line split.

const SINGLE_QUOTE = /['\u2018\u2019\u201A\u201B]/;

/** Parses `& 'a' 'b' ...` as PowerShell does: returns the string values of the literals. */
function parsePowerShellInvocation(command: string): string[] {
  assert.ok(command.startsWith('& '), 'invocation operator first');
  const values: string[] = [];
  let i = 2;
  while (i < command.length) {
    assert.match(command[i]!, SINGLE_QUOTE, `expected a verbatim string at ${i} in ${JSON.stringify(command)}`);
    i++;
    let value = '';
    for (;;) {
      assert.ok(i < command.length, 'unterminated verbatim string');
      const c = command[i]!;
      if (SINGLE_QUOTE.test(c)) {
        if (i + 1 < command.length && SINGLE_QUOTE.test(command[i + 1]!)) {
          value += command[i + 1];
          i += 2;
          continue;
        }
        i++;
        break;
      }
      value += c;
      i++;
    }
    values.push(value);
    if (i < command.length) {
      assert.equal(command[i], ' ', 'literals are separated by one space (no operator between them)');
      i++;
    }
  }
  return values;
}

/** Windows PowerShell 5.1 NativeCommandParameterBinder.NeedQuotes: whitespace outside unescaped double quotes. */
function legacyNeedsQuotes(arg: string): boolean {
  let quotes = 0;
  let afterBackslash = false;
  for (const c of arg) {
    if (c === '"' && !afterBackslash) quotes++;
    else if (/[\s\u0085]/.test(c) && c !== '\uFEFF' && quotes % 2 === 0) return true;
    afterBackslash = c === '\\';
  }
  return false;
}

/** CommandLineToArgvW / MSVC rules for the part after the program name. */
function splitMsvcCommandLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let arg = '';
    let inQuotes = false;
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (c === '\\') {
        let n = 0;
        while (line[i] === '\\') {
          n++;
          i++;
        }
        if (line[i] === '"') {
          arg += '\\'.repeat(Math.floor(n / 2));
          if (n % 2 === 1) arg += '"';
          else inQuotes = !inQuotes;
        } else {
          arg += '\\'.repeat(n);
          i--;
        }
        continue;
      }
      if (c === '"') {
        if (inQuotes && line[i + 1] === '"') {
          arg += '"';
          i++;
        } else inQuotes = !inQuotes;
        continue;
      }
      if (!inQuotes && (c === ' ' || c === '\t')) break;
      arg += c;
    }
    out.push(arg);
  }
  return out;
}

test('PowerShell quoting: every element is one verbatim literal with the original text', () => {
  const argv = ['C:\\Program Files\\tool.exe', ...HOSTILE];
  const values = parsePowerShellInvocation(quotePowerShell(argv));
  assert.equal(values.length, argv.length);
  assert.equal(values[0], argv[0]);
  values.slice(1).forEach((v, i) => assert.equal(v, prepareLegacyNativeArgument(HOSTILE[i]!)));
});

test('PowerShell quoting: a native program started by Windows PowerShell 5.1 receives the original arguments', () => {
  const values = parsePowerShellInvocation(quotePowerShell(['tool.exe', ...HOSTILE])).slice(1);
  const commandLine = values.map((v) => (legacyNeedsQuotes(v) ? `"${v}"` : v)).join(' ');
  assert.deepEqual(splitMsvcCommandLine(commandLine), HOSTILE);
});

test('PowerShell literals: quotes (ASCII and typographic) are doubled, nothing else changes', () => {
  assert.equal(powerShellLiteral("it's"), "'it''s'");
  assert.equal(powerShellLiteral('\u2019'), "'\u2019\u2019'");
  assert.equal(powerShellLiteral('$(Get-Item) `n; "x"'), `'$(Get-Item) \`n; "x"'`);
  assert.equal(prepareLegacyNativeArgument('a b\\'), 'a b\\\\');
  assert.equal(prepareLegacyNativeArgument('x\\"y'), 'x\\\\\\"y');
  assert.equal(prepareLegacyNativeArgument('nospace\\'), 'nospace\\');
});

test('PowerShell scripts travel as -EncodedCommand in UTF-16LE base64', () => {
  const script = "& 'tool.exe' '模型.onnx'";
  const line = powerShellEncodedCommand(script);
  const encoded = line.split(' ').pop()!;
  assert.match(line, /^powershell -NoProfile -NonInteractive -EncodedCommand [A-Za-z0-9+/=]+$/);
  assert.equal(Buffer.from(encoded, 'base64').toString('utf16le'), script);
});

test('PowerShell jobs: the encoded script announces its PID, runs the set-up, then the quoted program', () => {
  const line = powerShellJob(quotePowerShell(['qnn-net-run', '--input_list', "in put's.txt"]), "& 'C:\\Qualcomm\\AIStack\\QAIRT\\2.38.0.250901\\bin\\envsetup.ps1'", 'C:/work');
  const script = Buffer.from(line.split(' ').pop()!, 'base64').toString('utf16le');
  const lines = script.split('\n');
  assert.match(lines[0]!, /NPU_PORT_PGID=\$PID/);
  assert.ok(lines.includes("Set-Location -LiteralPath 'C:/work'"));
  assert.ok(lines.some((l) => l.startsWith('try { & ') && l.includes('envsetup.ps1')));
  assert.deepEqual(parsePowerShellInvocation(lines[lines.length - 2]!), ['qnn-net-run', '--input_list', "in put's.txt"]);
  assert.equal(lines[lines.length - 1], 'exit $LASTEXITCODE');
});
