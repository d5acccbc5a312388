import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { formatMessage, msg, placeholdersOf, resolveLocale } from '../../src/core/l10n';
import { REPO_ROOT } from './repo';

const readJson = (file: string) => JSON.parse(readFileSync(path.join(REPO_ROOT, file), 'utf8')) as Record<string, unknown>;
const text = (value: unknown) => (typeof value === 'string' ? value : (value as { message: string }).message);

test('every runtime string has a zh-cn translation with the same placeholders', () => {
  const en = readJson('l10n/bundle.l10n.json');
  const zh = readJson('l10n/bundle.l10n.zh-cn.json');
  assert.ok(Object.keys(en).length > 0, 'the English bundle is empty');
  const missing = Object.keys(en).filter((k) => !(k in zh));
  assert.deepEqual(missing, [], 'keys missing from l10n/zh-cn/*.json');
  for (const key of Object.keys(en)) {
    assert.deepEqual(placeholdersOf(text(zh[key])), placeholdersOf(text(en[key])), `placeholders differ for ${JSON.stringify(key)}`);
  }
});

test('every manifest string has a zh-cn translation with the same placeholders', () => {
  const en = readJson('package.nls.json');
  const zh = readJson('package.nls.zh-cn.json');
  assert.deepEqual(Object.keys(en).filter((k) => !(k in zh)), [], 'keys missing from package.nls.zh-cn.json');
  assert.deepEqual(Object.keys(zh).filter((k) => !(k in en)), [], 'stale keys in package.nls.zh-cn.json');
  for (const key of Object.keys(en)) assert.deepEqual(placeholdersOf(text(zh[key])), placeholdersOf(text(en[key])), key);
  const manifest = readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8');
  const used = [...manifest.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]!);
  assert.deepEqual(used.filter((k) => !(k in en)), [], 'package.json uses keys missing from package.nls.json');
});

test('the committed bundles match the sources (npm run l10n was run)', () => {
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/l10n.mjs'), '--check'], { cwd: REPO_ROOT, stdio: 'pipe' });
});

test('messages render with and without a bundle', () => {
  const m = msg('Unknown command "{0}".', 'frobnicate');
  assert.equal(formatMessage(m), 'Unknown command "frobnicate".');
  assert.equal(formatMessage(m, { 'Unknown command "{0}".': '未知命令 "{0}"。' }), '未知命令 "frobnicate"。');
  assert.equal(formatMessage(msg('{0} of {1}', 1)), '1 of {1}');
});

test('the CLI language comes from --lang, then LC_ALL, LC_MESSAGES, LANG', () => {
  assert.equal(resolveLocale(undefined, {}), 'en');
  assert.equal(resolveLocale('zh-cn', {}), 'zh-cn');
  assert.equal(resolveLocale('en', { LANG: 'zh_CN.UTF-8' }), 'en');
  assert.equal(resolveLocale(undefined, { LANG: 'zh_CN.UTF-8' }), 'zh-cn');
  assert.equal(resolveLocale(undefined, { LC_ALL: 'C', LANG: 'zh_CN.UTF-8' }), 'en');
  assert.equal(resolveLocale(undefined, { LC_ALL: 'zh_Hans' }), 'zh-cn');
  assert.equal(resolveLocale(undefined, { LANG: 'de_DE.UTF-8' }), 'en');
});
