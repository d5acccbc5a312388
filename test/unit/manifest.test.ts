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

test('every walkthrough page has its zh-cn page, as VS Code finds it: the same code, settings and command names in Chinese', () => {
  // VS Code's Welcome page reads a step's media.markdown "<page>.md" as "<page>.nls.<display language>.md",
  // then "<page>.nls.<language without region>.md", then "<page>.md" (readContentsOfPath in
  // microsoft/vscode src/vs/workbench/contrib/welcomeGettingStarted/browser/gettingStartedDetailsRenderer.ts)
  const nls = (file: string) => JSON.parse(readFileSync(path.join(REPO_ROOT, file), 'utf8')) as Record<string, string>;
  const [en, zh] = [nls('package.nls.json'), nls('package.nls.zh-cn.json')];
  const zhTitle = new Map<string, string>();
  for (const c of manifest.contributes.commands as { title: string }[]) zhTitle.set(en[c.title.slice(1, -1)]!, zh[c.title.slice(1, -1)]!);
  const codeSpans = (text: string) => [...text.matchAll(/`[^`]+`/g)].map((m) => m[0]).sort();
  const pages = (manifest.contributes.walkthroughs as { steps: { id: string; media: { markdown?: string } }[] }[]).flatMap((w) => w.steps).filter((s) => s.media.markdown);
  assert.ok(pages.length >= 8, 'walkthrough pages');
  for (const step of pages) {
    const english = readFileSync(path.join(REPO_ROOT, step.media.markdown!), 'utf8');
    const file = path.join(REPO_ROOT, step.media.markdown!.replace(/\.md$/, '.nls.zh-cn.md'));
    assert.ok(existsSync(file), `${step.id}: no zh-cn page ${path.relative(REPO_ROOT, file)}`);
    const chinese = readFileSync(file, 'utf8');
    assert.match(chinese, /^# \S*[\u4e00-\u9fff]/, `${step.id}: the zh-cn page's heading is not Chinese`);
    assert.ok((chinese.match(/[\u4e00-\u9fff]/g) ?? []).length > 30, `${step.id}: the zh-cn page is not a translation`);
    assert.deepEqual(codeSpans(chinese), codeSpans(english), `${step.id}: the zh-cn page names other code or settings than the English one`);
    // each command the English page names in bold, the Chinese page names by its zh-cn title (as the palette shows it)
    for (const [, title] of english.matchAll(/\*\*NPU: ([^*]+)\*\*/g)) {
      assert.ok(zhTitle.has(title!), `${step.id}: "${title}" is not a command title`);
      assert.ok(chinese.includes(`**NPU: ${zhTitle.get(title!)}**`), `${step.id}: the zh-cn page lacks **NPU: ${zhTitle.get(title!)}**`);
    }
  }
});

test('the README lists every command and setting and shows the two commands', () => {
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/readme.mjs'), '--check'], { stdio: 'pipe' });
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  assert.match(readme, /npm start/);
  assert.match(readme, /npm test/);
  for (const command of manifest.contributes.commands) assert.ok(readme.includes(`\`${command.command}\``), command.command);
});

test('the walkthrough covers the whole path and each step ticks on something that exists', () => {
  const nls = (file: string) => JSON.parse(readFileSync(path.join(REPO_ROOT, file), 'utf8')) as Record<string, string>;
  const [en, zh] = [nls('package.nls.json'), nls('package.nls.zh-cn.json')];
  const commands = new Set(manifest.contributes.commands.map((c: { command: string }) => c.command));
  const settings = new Set((manifest.contributes.configuration as { properties: Record<string, unknown> }[]).flatMap((s) => Object.keys(s.properties)));
  const views = new Set(Object.values<{ id: string }[]>(manifest.contributes.views ?? {}).flat().map((v) => v.id));
  const editors = new Set(manifest.contributes.customEditors.map((e: { viewType: string }) => e.viewType));
  const [walkthrough] = manifest.contributes.walkthroughs;
  assert.deepEqual(walkthrough.steps.map((s: { id: string }) => s.id), ['scan', 'fix', 'report', 'onnx', 'target', 'host', 'compile', 'benchmark']);
  // the welcome page cuts walkthrough titles of about 30 characters
  for (const bundle of [en, zh]) assert.ok(bundle[walkthrough.title.slice(1, -1)]!.length <= 24, bundle[walkthrough.title.slice(1, -1)]);
  for (const step of walkthrough.steps as { id: string; title: string; description: string; completionEvents: string[] }[]) {
    assert.ok(step.completionEvents?.length, `${step.id} never ticks`);
    for (const event of step.completionEvents) {
      const [kind, arg] = [event.slice(0, event.indexOf(':')), event.slice(event.indexOf(':') + 1)];
      if (kind === 'onCommand') assert.ok(commands.has(arg), `${step.id}: ${event} is not a contributed command`);
      else if (kind === 'onSettingChanged') assert.ok(settings.has(arg), `${step.id}: ${event} is not a setting`);
      else if (kind === 'onView') assert.ok(views.has(arg), `${step.id}: ${event} is not a view`);
      else if (kind === 'onContext') assert.match(arg, new RegExp(`activeCustomEditorId == (${[...editors].join('|')})$`), `${step.id}: ${event}`);
      else assert.fail(`${step.id}: ${event}`);
    }
    for (const key of [step.title, step.description]) for (const bundle of [en, zh]) assert.ok(bundle[key.slice(1, -1)], `${key} missing`);
    // the links of the description run commands that exist (or open settings that exist)
    for (const bundle of [en, zh]) {
      for (const [, command, query] of bundle[step.description.slice(1, -1)]!.matchAll(/\(command:([\w.]+)(?:\?([^)]*))?\)/g)) {
        if (command === 'workbench.action.openSettings') assert.ok(settings.has(JSON.parse(decodeURIComponent(query!))[0]), query);
        else assert.ok(commands.has(command), `${step.id}: command:${command}`);
      }
    }
  }
});
