// Regenerates the command and setting tables of README.md from package.json and package.nls.json,
// between the <!-- commands --> and <!-- settings --> markers. --check: exit 1 if README is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './bootstrap.mjs';

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const nls = JSON.parse(readFileSync(join(ROOT, 'package.nls.json'), 'utf8'));
const text = (s) => (s ?? '').replace(/^%(.+)%$/, (_, key) => nls[key] ?? s).replace(/\n/g, ' ').replace(/\|/g, '\\|');

const hidden = new Set((manifest.contributes.menus?.commandPalette ?? []).filter((m) => m.when === 'false').map((m) => m.command));
const commands = [
  '| Command | Id |',
  '|---|---|',
  ...manifest.contributes.commands.filter((c) => !hidden.has(c.command)).map((c) => `| ${c.category ? `${c.category}: ` : ''}${text(c.title)} | \`${c.command}\` |`),
].join('\n');
const settings = [
  '| Setting | Default | Description |',
  '|---|---|---|',
  ...[manifest.contributes.configuration].flat().flatMap((section) => Object.entries(section.properties)).map(
    ([key, p]) => `| \`${key}\` | \`${JSON.stringify(p.default)}\` | ${text(p.markdownDescription ?? p.description)}${p.enum ? ` Values: ${p.enum.map((v) => `\`${v}\``).join(', ')}.` : ''} |`,
  ),
].join('\n');

const file = join(ROOT, 'README.md');
const current = readFileSync(file, 'utf8');
const replace = (source, marker, body) =>
  source.replace(new RegExp(`(<!-- ${marker} -->)[\\s\\S]*?(<!-- /${marker} -->)`), (_, open, close) => `${open}\n${body}\n${close}`);
const next = replace(replace(current, 'commands', commands), 'settings', settings);
if (process.argv.includes('--check')) {
  if (next !== current) {
    process.stderr.write('README.md command/setting tables are out of date: run node scripts/readme.mjs\n');
    process.exit(1);
  }
} else if (next !== current) writeFileSync(file, next);
