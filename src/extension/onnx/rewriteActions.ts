/**
 * Rewrite quick actions of the viewer: which rules apply to a highlighted node, and running one. The
 * run verifies the rewritten model against the original with onnxruntime on seeded random inputs (the
 * core's rewriteModel), says by how much the outputs differ when it refuses, shows the measured error of
 * approximate rules before anything is kept, and saves an accepted result as a NEW model file (atomic
 * write; never over the opened model) that then opens in the viewer.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../../core/fs';
import type { Model } from '../../core/onnx/model';
import type { OutputComparison } from '../../core/onnx/run/compare';
import { encodeModel } from '../../core/onnx/transform/encode';
import { RewriteFinder, rulesForOffer, type NodeRewrite } from '../../core/onnx/transform/rewrite/forNode';
import { refusalReasons, type RuleReport } from '../../core/onnx/transform/rewrite/rewrite';
import { rewrite, type RewriteOperationResult } from '../../core/operations/rewrite';
import type { RewriteOffer, RewriteOutcome, RewriteScope } from '../../shared/protocol';
import { errorMessage, t } from '../l10n';
import { getLog } from '../log';
import { generatedInputBudget } from '../results/cpuRun';
import type { OnnxServices } from './services';
import { askSymbolicDims } from './symbolicDims';
import { VIEW_TYPE } from './viewerProvider';
/** Seed of the verification inputs (the same for every run, so a figure can be reproduced with the CLI's --seed). */
const VERIFY_SEED = 1;

const finders = new WeakMap<Model, RewriteFinder>();

function finderFor(model: Model): RewriteFinder {
  let finder = finders.get(model);
  if (!finder) finders.set(model, (finder = new RewriteFinder(model)));
  return finder;
}

/** The rewrite rules that apply to a node of the model, labelled for the properties panel. */
export async function rewriteOffers(services: OnnxServices, uri: vscode.Uri, node: string): Promise<RewriteOffer[]> {
  const model = await services.session(uri).load();
  return finderFor(model).forNode(node).map((offer) => ({
    rule: offer.rule, label: t(offer.summary), exact: offer.exact, matching: offer.matching, perNode: offer.perNode, needsStaticShapes: offer.needsStaticShapes,
  }));
}

function figure(c: OutputComparison): string {
  const iou = c.iou !== undefined ? vscode.l10n.t(', mask IoU {0}', c.iou.toFixed(4)) : '';
  return vscode.l10n.t('{0}: max abs error {1}, cosine {2}{3}', c.name, formatError(c.maxAbsError), c.cosine.toFixed(6), iou);
}

function formatError(e: number): string {
  if (e === 0 || !Number.isFinite(e)) return String(e);
  return e < 1e-3 ? e.toExponential(2) : e.toPrecision(3);
}

function opsText(report: RuleReport): string {
  return Object.entries(report.ops).map(([op, n]) => `${op} ${n.before}→${n.after}`).join(', ');
}


/**
 * Runs `rule` (offered for `node`) on the model: verification, the refusal or the measured error, the
 * save dialog (`NAME.rewritten.onnx` next to the model), the atomic write, and the new model in the viewer.
 */
export async function runRewrite(services: OnnxServices, uri: vscode.Uri, node: string, rule: string, scope: RewriteScope): Promise<RewriteOutcome> {
  const model = await services.session(uri).load();
  const offer: NodeRewrite | undefined = finderFor(model).forNode(node).find((o) => o.rule === rule);
  if (!offer) {
    const text = vscode.l10n.t('The rewrite {0} does not apply to {1}.', rule, node);
    void vscode.window.showWarningMessage(text);
    return { status: 'unchanged', lines: [text] };
  }
  // seeded random inputs need sizes for symbolic dimensions; with static-shape rules they become the model's shapes
  const dims = await askSymbolicDims(model, vscode.l10n.t('Rewrite {0}', rule), offer.needsStaticShapes
    ? vscode.l10n.t('This rewrite needs fixed input shapes: sizes of the symbolic input dimensions, kept in the rewritten model (NAME=N, comma separated)')
    : vscode.l10n.t('Sizes of the symbolic input dimensions for the verification run (NAME=N, comma separated)'));
  if (!dims) return { status: 'cancelled', lines: [] };
  const rules = rulesForOffer(offer);
  let result: RewriteOperationResult;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Rewriting with {0}', rule), cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const subscription = token.onCancellationRequested(() => abort.abort());
        try {
          progress.report({ message: vscode.l10n.t('running the original and the rewritten model in onnxruntime…') });
          const nodes = scope === 'node' && offer.perNode ? { nodes: [node] } : {};
          return await rewrite({ model, rules: rules.map((r) => r.id), fixInputShapes: false, encode: false, dims, ...nodes, random: { seed: VERIFY_SEED, dims, maxBytes: generatedInputBudget() }, signal: abort.signal });
        } finally {
          subscription.dispose();
        }
      },
    );
  } catch (error) {
    if ((error as { name?: unknown } | undefined)?.name === 'AbortError') return { status: 'cancelled', lines: [vscode.l10n.t('Cancelled.')] };
    const text = errorMessage(error);
    getLog().error(`onnx rewrite ${rule}: ${text}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('Cannot rewrite with {0}: {1}', rule, text));
    return { status: 'refused', lines: [text] };
  }
  const report = result.reports.find((r) => r.rule === rule)!;
  const figures = report.comparisons.map(figure);
  const notes = report.notes.map(t);
  if (report.status === 'unchanged') {
    const text = vscode.l10n.t('{0} changed nothing in this model.', rule);
    void vscode.window.showInformationMessage([text, ...notes].join(' '));
    return { status: 'unchanged', lines: [text, ...notes] };
  }
  if (report.status === 'refused') {
    const reasons = refusalReasons(report).map(t);
    const text = vscode.l10n.t('{0} refused: the rewritten model\'s outputs differ from the original\'s beyond tolerance (atol {1}, rtol {2}).', rule, report.tolerance.atol, report.tolerance.rtol);
    void vscode.window.showErrorMessage([text, ...reasons].join(' '));
    return { status: 'refused', lines: [text, ...reasons, ...figures, ...notes] };
  }
  const verified = vscode.l10n.t('Verified against the original on seeded random inputs (seed {0}):', VERIFY_SEED);
  if (!report.exact) {
    // approximate rules change numerics: the user sees the measured error before anything is kept
    const keep = vscode.l10n.t('Save Rewritten Model…');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} changes numerics. Keep the rewritten model?', rule),
      { modal: true, detail: [verified, ...figures].join('\n') },
      keep,
    );
    if (choice !== keep) return { status: 'cancelled', lines: [verified, ...figures] };
  }
  const target = await askTarget(uri);
  if (!target) return { status: 'cancelled', lines: [verified, ...figures] };
  try {
    await writeFileAtomic(target.fsPath, await encodeModel(result.model));
  } catch (error) {
    const text = errorMessage(error);
    void vscode.window.showErrorMessage(vscode.l10n.t('Cannot save {0}: {1}', path.basename(target.fsPath), text));
    return { status: 'refused', lines: [text] };
  }
  const file = path.basename(target.fsPath);
  const ops = opsText(report);
  const summary = vscode.l10n.t('Saved {0}: {1} rewrote {2} node(s){3}.', file, rule, report.changed, ops ? ` (${ops})` : '');
  const shapes = offer.needsStaticShapes ? [vscode.l10n.t('Its inputs have the fixed shapes {0}.', Object.entries(dims).map(([d, n]) => `${d}=${n}`).join(', '))] : [];
  await vscode.commands.executeCommand('vscode.openWith', target, VIEW_TYPE);
  const compare = vscode.l10n.t('Compare with Original');
  void vscode.window.showInformationMessage([summary, ...shapes, verified, figures.join('; ')].join(' '), compare).then((choice) => {
    if (choice === compare) void vscode.commands.executeCommand('npuPort.compareOnnxModels', uri, [uri, target]);
  });
  return { status: 'applied', file, lines: [summary, ...shapes, verified, ...figures, ...notes] };
}

/** The save dialog, defaulting to NAME.rewritten.onnx next to the model; the opened model itself is never the target. */
async function askTarget(uri: vscode.Uri): Promise<vscode.Uri | undefined> {
  const base = path.basename(uri.fsPath, '.onnx');
  let suggested = vscode.Uri.joinPath(uri, '..', `${base}.rewritten.onnx`);
  for (;;) {
    const target = await vscode.window.showSaveDialog({ defaultUri: suggested, filters: { ONNX: ['onnx'] }, saveLabel: vscode.l10n.t('Save Rewritten Model') });
    if (!target) return undefined;
    if (path.resolve(target.fsPath) !== path.resolve(uri.fsPath)) return target;
    void vscode.window.showWarningMessage(vscode.l10n.t('The rewritten model is saved as a new file, not over the open model; choose another name.'));
    suggested = vscode.Uri.joinPath(uri, '..', `${base}.rewritten.onnx`);
  }
}
