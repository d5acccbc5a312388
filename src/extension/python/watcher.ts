import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { mayHaveFindings } from '../../core/python/analyze';
import { analyzeSource } from '../../core/python/index';
import { analyzeRequirements, isRequirementsFile } from '../../core/dependencies/requirements';
import { readText } from '../../core/workspace/scan';
import { globMatcher, isGitIgnored } from '../../core/workspace/walk';
import type { Finding } from '../../core/python/types';
import { getLog } from '../log';
import type { PythonAnalysis } from './analysis';
import { readSettings } from './settings';
import { errorText } from '../../core/errors';

/** Files whose findings the watcher keeps current (the same set the workspace scan reads, minus .cu sources). */
export const WATCHED_GLOB = '**/{*.py,*.pyi,requirements*.txt,pyproject.toml}';
/** Quiet time after the last change before a batch is analysed (a git checkout writes many files at once). */
export const RESCAN_DELAY_MS = 300;


/**
 * Re-analyses closed files when they change on disk (git checkout, a formatter, another tool): a
 * FileSystemWatcher over Python and requirements files, debounced. Files open in an editor are left to
 * the live analysis; npuPort.exclude / files.exclude, .gitignore and npuPort.scan.maxFileSizeKB are
 * respected as by the workspace scan; a deleted file loses its diagnostics.
 */
export class PythonFileWatcher implements vscode.Disposable {
  private readonly watcher: vscode.FileSystemWatcher;
  private readonly pending = new Map<string, { uri: vscode.Uri; deleted: boolean }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly analysis: PythonAnalysis) {
    this.watcher = vscode.workspace.createFileSystemWatcher(WATCHED_GLOB);
    this.watcher.onDidCreate((uri) => this.schedule(uri, false));
    this.watcher.onDidChange((uri) => this.schedule(uri, false));
    this.watcher.onDidDelete((uri) => this.schedule(uri, true));
  }

  private schedule(uri: vscode.Uri, deleted: boolean): void {
    if (uri.scheme !== 'file') return;
    this.pending.set(uri.toString(), { uri, deleted });
    // requirements_npu.txt appearing or going changes what its sibling requirements files report
    if (path.basename(uri.fsPath).toLowerCase() === 'requirements_npu.txt') void this.scheduleSiblings(uri);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const batch = [...this.pending.values()];
      this.pending.clear();
      this.running = this.running.then(() => this.process(batch));
    }, RESCAN_DELAY_MS);
  }

  private async scheduleSiblings(npu: vscode.Uri): Promise<void> {
    try {
      for (const name of await fsp.readdir(path.dirname(npu.fsPath))) {
        if (isRequirementsFile(name) && name.endsWith('.txt')) this.schedule(vscode.Uri.file(path.join(path.dirname(npu.fsPath), name)), false);
      }
    } catch {
      // the folder went away: nothing to re-check
    }
  }

  /** Resolves when every change seen so far has been analysed (tests). */
  async idle(): Promise<void> {
    while (this.timer || this.pending.size) await new Promise((r) => setTimeout(r, RESCAN_DELAY_MS));
    await this.running;
  }

  private async process(batch: readonly { uri: vscode.Uri; deleted: boolean }[]): Promise<void> {
    const parser = await this.analysis.whenParserLoaded();
    if (!parser) return;
    for (const { uri, deleted } of batch) {
      if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) continue; // analysed live
      try {
        if (deleted || !this.included(uri) || (await isGitIgnored(vscode.workspace.getWorkspaceFolder(uri)!.uri.fsPath, uri.fsPath))) {
          this.analysis.forgetScanned(uri);
          continue;
        }
        const findings = await this.analyzeFile(uri, parser);
        if (findings === undefined) this.analysis.forgetScanned(uri);
        else this.analysis.setScanned(uri, findings);
      } catch (error) {
        getLog().warn(`re-analysis of ${uri.fsPath} after a change on disk failed: ${errorText(error)}`);
      }
      await new Promise((r) => setImmediate(r)); // keep the extension host responsive during a large checkout
    }
  }

  /** Outside npuPort.exclude / files.exclude (globs relative to the workspace folder). */
  private included(uri: vscode.Uri): boolean {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return false;
    const parts = path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep);
    const excluded = globMatcher(readSettings(uri).exclude);
    // as the workspace scan does: a matching folder excludes everything under it
    for (let i = 1; i <= parts.length; i++) {
      if (excluded(parts.slice(0, i).join('/'))) return false;
    }
    return true;
  }

  /** Findings of the file as it is on disk; undefined when it cannot be analysed (too large, binary, not UTF-8, gone). */
  private async analyzeFile(uri: vscode.Uri, parser: NonNullable<PythonAnalysis['loadedParser']>): Promise<readonly Finding[] | undefined> {
    const settings = readSettings(uri);
    const text = await readText(uri.fsPath, settings.maxFileSizeKB, []);
    if (text === undefined) return undefined;
    const name = path.basename(uri.fsPath);
    if (/\.pyi?$/i.test(name)) {
      const options = this.analysis.optionsFor(uri);
      // with the options: findings that depend on the target (ONNX export, bfloat16) have words of their own
      return mayHaveFindings(text, options) ? analyzeSource(parser, text, options) : [];
    }
    if (!isRequirementsFile(name)) return undefined;
    const sibling = path.join(path.dirname(uri.fsPath), 'requirements_npu.txt');
    const hasSibling = await fsp.stat(sibling).then(() => true, () => false);
    return analyzeRequirements(text, uri.fsPath, settings.analysis, hasSibling);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.watcher.dispose();
  }
}
