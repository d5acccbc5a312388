import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './repo';

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));

test('the manifest is a complete extension manifest', () => {
  assert.equal(manifest.name, 'npu-porting-assistant');
  assert.equal(manifest.displayName, 'NPU Porting Assistant');
  for (const field of ['publisher', 'license', 'icon', 'repository', 'main', 'engines', 'categories', 'l10n']) assert.ok(manifest[field], `missing ${field}`);
  assert.equal(manifest.bin['npu-port'], './dist/cli.js');
  assert.deepEqual(manifest.extensionKind, ['workspace']);
  assert.ok(!manifest.activationEvents?.includes('*'), 'activation must come from contributions, not "*"');
  assert.ok(existsSync(path.join(REPO_ROOT, manifest.icon)), 'icon file missing');
  const c = manifest.contributes;
  for (const key of ['commands', 'configuration', 'customEditors', 'taskDefinitions', 'problemMatchers', 'languages', 'grammars', 'walkthroughs']) {
    assert.ok(c[key], `contributes.${key} missing`);
  }
});

test('every command is in the NPU category and every setting is npuPort.* with a description', () => {
  for (const command of manifest.contributes.commands) {
    assert.equal(command.category, 'NPU', command.command);
    assert.match(command.command, /^npuPort\.[a-z][A-Za-z]+$/);
  }
  const sections = manifest.contributes.configuration as { id: string; title: string; properties: Record<string, Record<string, unknown>> }[];
  for (const [key, setting] of sections.flatMap((s) => Object.entries(s.properties))) {
    assert.match(key, /^npuPort\./);
    assert.ok(setting.description || setting.markdownDescription, `${key} has no description`);
  }
});

test('settings sections: a localized title each, and an id that prefixes their keys', () => {
  // VS Code's Settings editor shows a setting's category with the id of its section trimmed from the key
  // (1.100: settingKeyToDisplayFormat / trimCategoryForGroup); with the extension id "npu-port.npu-porting-assistant"
  // nothing matched "npuPort.onnx" and the heading read "Npu Port › Onnx".
  const nls = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.nls.json'), 'utf8'));
  const zh = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.nls.zh-cn.json'), 'utf8'));
  const sections = manifest.contributes.configuration as { id: string; title: string; properties: Record<string, unknown> }[];
  assert.ok(Array.isArray(sections) && sections.length > 1);
  for (const section of sections) {
    const key = /^%(.+)%$/.exec(section.title)?.[1];
    assert.ok(key && nls[key] && zh[key], `${section.id}: title ${section.title} localized`);
    assert.match(section.id, /^npuPort\.[a-z]+$/);
    for (const setting of Object.keys(section.properties)) assert.ok(setting.startsWith('npuPort.'), setting);
  }
});

test('grammars and walkthrough media point at files that exist', () => {
  for (const grammar of manifest.contributes.grammars) assert.ok(existsSync(path.join(REPO_ROOT, grammar.path)), grammar.path);
  for (const walkthrough of manifest.contributes.walkthroughs)
    for (const step of walkthrough.steps) {
      const media = step.media.markdown ?? step.media.image;
      assert.ok(existsSync(path.join(REPO_ROOT, media)), media);
    }
});

test('the README lists every command and setting and shows the two commands', () => {
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/readme.mjs'), '--check'], { stdio: 'pipe' });
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  assert.match(readme, /npm start/);
  assert.match(readme, /npm test/);
  for (const command of manifest.contributes.commands) assert.ok(readme.includes(`\`${command.command}\``), command.command);
});
