import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { formatMessage, type L10nBundle } from '../../../src/core/l10n';
import { allRuleDocs } from '../../../src/core/python/ruleDocs';
import { REPO_ROOT } from '../repo';

const zh = JSON.parse(readFileSync(path.join(REPO_ROOT, 'l10n/bundle.l10n.zh-cn.json'), 'utf8')) as L10nBundle;

/** docs/rules/<id>.md and docs/rules/zh-cn/<id>.md are the catalog rendered; UPDATE_DOCS=1 rewrites them. */
test('rule documentation pages match the rule catalog in English and Chinese', () => {
  for (const [dir, t] of [['docs/rules', (m: Parameters<typeof formatMessage>[0]) => formatMessage(m)], ['docs/rules/zh-cn', (m: Parameters<typeof formatMessage>[0]) => formatMessage(m, zh)]] as const) {
    for (const doc of allRuleDocs(t)) {
      const file = path.join(REPO_ROOT, dir, `${doc.id}.md`);
      if (process.env.UPDATE_DOCS === '1') {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, doc.markdown);
      }
      assert.equal(readFileSync(file, 'utf8'), doc.markdown, `${dir}/${doc.id}.md is out of date (UPDATE_DOCS=1 node --test out/test/unit/python/ruleDocs.test.js)`);
    }
  }
  assert.match(readFileSync(path.join(REPO_ROOT, 'docs/rules/zh-cn/cuda-device-string.md'), 'utf8'), /昇腾/);
});
