import type { Node, Tree } from 'web-tree-sitter';
import { NpuPortError } from '../errors';
import { msg, type Message } from '../l10n';
import { ruleInfo, type RuleId } from './catalog';
import type { RuleContext } from './context';
import { isEntryScript } from './entry';
import { importLayout, type ImportLayout } from './fixes/imports';
import { FixKit, hasNpuPresent } from './fixes/kit';
import { DeviceFlow } from './flow';
import { NodeLocator, parentOf } from './parents';
import { checkString } from './rules/devices';
import { checkLibraryImport, libraryOf, LIBRARY_MODULES } from './rules/libraries';
import { checkName, fixesInGuardedCode } from './rules/names';
import { chipOf, hasBf16 } from './rules/chips';
import { checkOnnxExport, mayHaveExportFindings } from './rules/onnxExport';
import { ImportTable } from './symbols';
import { cudaGuardOf, inAnnotation, inNpuFallback, inOptionalImport, inSkipCondition, nodeAt, onlyDecidesSkips, redundantBranch, selectionWithoutNpuGuard } from './guards';
import { callOfArgument, excerpt, rangeOf, type Span } from './syntax';
import { LineIndex } from './text';
import type { AnalysisOptions, Finding, Fix, RelatedLocation, Severity } from './types';

/**
 * Words every finding contains somewhere in its source text (imports included: a name bound to
 * torch.cuda.* is imported with "cuda" in the import). The analysis looks at the syntax tree only
 * around these hits, so a file without any of them has no findings; the workspace scan uses the
 * same pattern to skip files without parsing them.
 */
const DEVICE_INDEX_SOURCE = String.raw`\bdevice\s*=\s*(?:\d|[\w.]*(?:rank|gpu|device_id)\b|[A-Za-z_]\b|int\s*\()`;
export const CANDIDATE_SOURCE = String.raw`cuda|CUDA|cudnn|nccl|NCCL|flash_att|xformers|apex|bitsandbytes|BitsAndBytes|load_in_[48]bit|triton|jit|torch_dtype|device_ids|current_device|MULTI_GPU|is_torch_bf16_gpu_available|enable_fused_normalization|\bnum_gpus\b|get_gpu_ids|["']GPU["']|HybridAdam|MM(?:Distributed)?DataParallel|torch\.compile\b|\.to\s*\(|${DEVICE_INDEX_SOURCE}`;
const ALWAYS = /cuda|CUDA|cudnn|nccl|NCCL|flash_att|xformers|apex|bitsandbytes|BitsAndBytes|load_in_[48]bit|triton|torch_dtype|device_ids|current_device|MULTI_GPU|is_torch_bf16_gpu_available|enable_fused_normalization|\bnum_gpus\b|get_gpu_ids|["']GPU["']|HybridAdam|MM(?:Distributed)?DataParallel|torch\.compile\b/;
/** Words that are findings only for some targets: bfloat16 on Ascend chips without it. */
const BF16_SOURCE = 'bfloat16';
const TO_INDEX = /\.to\s*\(\s*(?:#[^\n]*\n\s*)*(?:\d|[\w.]*(?:rank|gpu|device_id))/i;
/** `device=0`, `device=local_rank`, `device=i`, `device = int(...)`: a device that may be an integer (a CUDA index). */
const DEVICE_INDEX = new RegExp(DEVICE_INDEX_SOURCE);

/**
 * True when a file may contain a finding: cheap and safe (a superset of what the rules report).
 * torch.jit.script needs both words (also through `from torch.jit import script`); integer devices
 * need `.to(` followed by a number or a rank-like name.
 */
export function mayHaveFindings(text: string, options?: AnalysisOptions): boolean {
  return ALWAYS.test(text) || (text.includes('jit') && text.includes('script')) || TO_INDEX.test(text) || DEVICE_INDEX.test(text) || (lacksBf16(options) && text.includes(BF16_SOURCE)) || mayHaveExportFindings(text, options?.onnxTarget);
}

function lacksBf16(options: AnalysisOptions | undefined): boolean {
  const chip = chipOf(options?.onnxTarget);
  return chip !== undefined && !hasBf16(chip);
}

const IGNORE_FILE = /^#\s*npu-port:\s*ignore-file\b/m;
const IGNORE = /#\s*npu-port:\s*ignore(?:\[([^\]]*)\])?/;
const MAX_SYNTAX_ERRORS = 100;

export interface AnalyzeInput {
  readonly tree: Tree;
  readonly text: string;
  readonly lines?: LineIndex;
  readonly options: AnalysisOptions;
  /** The file's imports from the previous analysis, moved with the edits (incremental re-analysis). */
  readonly imports?: ImportTable;
  /** Only report constructs touching this offset range (incremental re-analysis). */
  readonly within?: { readonly start: number; readonly end: number };
  /**
   * Device literals outside `within` to look at again (incremental re-analysis): their findings depend
   * on code elsewhere in the file (data flow), which the edit may have changed.
   */
  readonly recheck?: readonly { readonly start: number; readonly end: number }[];
  /** Receives the literals whose finding depends on data flow (see recheck). */
  readonly flowDependent?: { start: number; end: number }[];
  /** Receives the names the data-flow searches looked up (an edit that touches none of them cannot change their answers). */
  readonly flowNames?: Set<string>;
  /** Where fixes insert imports, when the caller knows it is unchanged (incremental re-analysis). */
  readonly layout?: ImportLayout;
  /** Wall time the analysis may take (ms): past it, AnalysisBudgetError instead of a very long wait. */
  readonly budgetMs?: number;
}

/** The analysis of one file ran past its time budget (AnalyzeInput.budgetMs); the file is skipped. */
export class AnalysisBudgetError extends NpuPortError {
  constructor(readonly budgetMs: number) {
    super(tooComplex(budgetMs));
  }
}

/** The message of a file skipped for its analysis time (also sent back by the scan's workers). */
export function tooComplex(budgetMs: number): Message {
  return msg('Skipped: too complex to analyse within {0} s', Math.round(budgetMs / 100) / 10);
}

/** Runs every rule over a parsed Python file. Positions are 0-based, columns in UTF-16 code units. */
export function analyzePython(input: AnalyzeInput): Finding[] {
  const { tree, text, options } = input;
  if (IGNORE_FILE.test(text.slice(0, 2000))) return [];
  const lines = input.lines ?? new LineIndex(text);
  const imports = input.imports ?? new ImportTable(tree, text);
  const kit = new FixKit(lines, input.layout ?? importLayout(tree, imports, lines), options, options.style !== 'transferToNpu' || (options.entryScript ?? isEntryScript(text)));
  const findings: Finding[] = [];
  /** The nodes of findings the guards' pass looks at again (foldIntoGuards). */
  const nodes = new Map<Finding, Node>();
  /** Devices chosen beside another path, kept at their severity (guardedSeverity): foldDeviceSelections looks at them. */
  const choices = new Set<Finding>();
  const seen = new Set<string>();
  // a plain property: an accessor in this literal gave every analysis its own hidden class (+20 MB peak in the scan)
  const flow = new DeviceFlow(tree, text, imports);
  // the CUDA arms that torchNpu fixes keep beside their NPU form (guards.ts): already ported
  const keptCudaArms = hasNpuPresent(text);

  const ctx: RuleContext = {
    text,
    lines,
    tree,
    imports,
    kit,
    flow,
    dependsOnFlow(literal) {
      input.flowDependent?.push({ start: literal.startIndex, end: literal.endIndex });
    },
    transferToNpu: options.runsUnderTransferToNpu === true || imports.hasModuleImport('torch_npu.contrib.transfer_to_npu'),
    usesDiffusers: imports.importsFrom('diffusers'),
    ...(options.defaultTarget ? { unchosenChip: chipOf(options.onnxTarget) } : { chip: chipOf(options.onnxTarget) }),
    report(node, rule, message, fixes, severity) {
      const key = `${rule}:${node.startIndex}:${node.endIndex}`;
      if (seen.has(key)) return;
      seen.add(key);
      if (keptCudaArms) {
        const at = nodeAt(tree, node);
        if (at && inNpuFallback(at)) return;
      }
      const at = GUARDED_RULES.has(rule) || rule === 'torch-cuda-api' ? nodeAt(tree, node) : null;
      let chosen = false;
      const finding = makeFinding(lines, options, node, rule, message, fixesInGuardedCode(ctx, node, fixes).filter((f) => kit.writable(f)), at ? guardedSeverity(ctx, at, rule, severity, () => (chosen = true)) : severity);
      if (!finding) return;
      findings.push(finding);
      if (at) nodes.set(finding, at);
      if (chosen) choices.add(finding);
    },
  };

  const start = input.within?.start ?? 0;
  const end = input.within?.end ?? text.length;
  const aliases = imports.localsUnder(['torch.cuda', 'torch.backends', 'torch.utils.cpp_extension', 'torch.jit', 'torch.distributed.is_nccl_available', ...LIBRARY_MODULES]);
  const pattern = candidatePattern(lacksBf16(options) ? [...aliases, BF16_SOURCE] : aliases);
  const root = tree.rootNode;
  const visited = new Set<number>();
  const locator = new NodeLocator(tree);
  const deadline = input.budgetMs === undefined ? Infinity : performance.now() + input.budgetMs;
  let candidates = 0;
  try {
    for (const range of [{ start, end }, ...(input.recheck ?? [])]) {
      pattern.lastIndex = range.start;
      for (let m = pattern.exec(text); m && m.index <= range.end; m = pattern.exec(text)) {
        if ((candidates++ & 63) === 0 && performance.now() >= deadline) throw new AnalysisBudgetError(input.budgetMs!);
        const at = m[0].startsWith('.') ? m.index + 1 : m.index;
        const node = locator.at(at);
        if (visited.has(node.id)) continue;
        visited.add(node.id);
        dispatch(ctx, node);
      }
    }
  } finally {
    locator.delete();
  }
  for (const info of imports.imports) {
    if (info.node.endIndex >= start && info.node.startIndex <= end) checkLibraryImport(ctx, info);
  }
  if (options.onnxTarget) checkOnnxExport(ctx, options.onnxTarget, start, end);
  if (input.flowNames) for (const name of flow.names) input.flowNames.add(name);
  if (root.hasError) collectSyntaxErrors(root, start, end, (node, message) => ctx.report(node, 'syntax-error', message, []));
  if (nodes.size) foldIntoGuards(findings, nodes, options);
  foldIntoTritonImport(findings, tree, imports, lines, options);
  if (choices.size) foldDeviceSelections(findings, choices, nodes, lines, options);
  return findings.sort((a, b) => a.startIndex - b.startIndex || a.endIndex - b.endIndex);
}

function dispatch(ctx: RuleContext, node: Node): void {
  switch (node.type) {
    case 'string_content':
    case 'string_start':
    case 'string_end':
    case 'escape_sequence':
      if (parentOf(node)?.type === 'string') checkString(ctx, parentOf(node)!);
      return;
    case 'string':
      checkString(ctx, node);
      return;
    case 'identifier':
      checkName(ctx, node);
      return;
    default:
      return;
  }
}

let lastPattern: { key: string; pattern: RegExp } | undefined;

/** The candidate words plus the file's aliases of CUDA APIs (the last one is reused: keystrokes keep the imports). */
function candidatePattern(aliases: readonly string[]): RegExp {
  const key = aliases.join(' ');
  if (lastPattern?.key !== key) {
    lastPattern = { key, pattern: new RegExp(aliases.length ? `${CANDIDATE_SOURCE}|\\b(?:${aliases.map(escape).join('|')})\\b` : CANDIDATE_SOURCE, 'g') };
  }
  return lastPattern.pattern;
}

function escape(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const ignoreComments = new WeakMap<LineIndex, Map<number, RegExpExecArray | null>>();

/** The `# npu-port: ignore[...]` comment of a line, looked for once per line (a long line has many findings). */
function ignoreComment(lines: LineIndex, line: number): RegExpExecArray | null {
  let known = ignoreComments.get(lines);
  if (!known) ignoreComments.set(lines, (known = new Map()));
  let found = known.get(line);
  if (found === undefined) known.set(line, (found = IGNORE.exec(lines.lineText(line))));
  return found;
}

/** Rules whose findings inside a CUDA-only branch with another path are information (see guards.ts). */
const GUARDED_RULES = new Set<RuleId>([
  'cuda-device-string', 'cuda-tensor-method', 'torch-cuda-api', 'cuda-generator', 'cuda-amp', 'cudnn-backend', 'flash-attn', 'xformers',
  'apex', 'bitsandbytes', 'triton', 'nccl-backend', 'safetensors-device', 'cuda-device-index', 'fixed-dtype', 'cuda-env-var', 'cuda-only-check', 'ray-gpu-resource',
]);
/** True for a rule whose findings are information where the code has another path (the workspace scan's optional modules too). */
export function isGuardedRule(rule: string): boolean {
  return GUARDED_RULES.has(rule as RuleId);
}

/** Where a device string is the device chosen for the program (not used by a call): it stays what it is inside a guard. */
const CHOICE_PARENTS = new Set(['assignment', 'return_statement', 'default_parameter', 'typed_default_parameter', 'expression_list', 'pair', 'conditional_expression']);
const LIBRARY_RULES = new Set<RuleId>(['flash-attn', 'xformers', 'apex', 'bitsandbytes', 'triton']);

function isDeviceChoice(ctx: RuleContext, at: Node, rule: RuleId): boolean {
  if (rule !== 'cuda-device-string') return false;
  let parent = parentOf(at);
  while (parent?.type === 'parenthesized_expression') parent = parentOf(parent);
  if (parent === null || !CHOICE_PARENTS.has(parent.type)) return false;
  if (parent.type !== 'assignment') return true;
  ctx.dependsOnFlow(at); // the answer depends on the name's reads elsewhere in the function (incremental re-analysis)
  return !onlyQueriesCuda(ctx, parent.childForFieldName('left'));
}

/**
 * `device = torch.device("cuda")` in a function, read only as an argument of torch.cuda.* calls
 * (`torch.cuda.get_device_capability(device)`): a device for asking CUDA, not the program's device.
 */
function onlyQueriesCuda(ctx: RuleContext, target: Node | null): boolean {
  const reads = target ? ctx.flow.localReads(target) : undefined;
  return reads !== undefined && reads.length > 0 && reads.every((read) => {
    const fn = callOfArgument(read)?.call.childForFieldName('function');
    return fn !== undefined && fn !== null && (ctx.imports.qualify(fn)?.startsWith('torch.cuda.') ?? false);
  });
}

/**
 * A finding at warning or error that is redundant is information (guards.ts, redundantBranch): inside a branch
 * that runs only on CUDA where the code already has another path (else / elif / the ternary's other arm / code
 * after a branch that returns), in a dispatch that has an NPU branch, behind a CUDA-only library's switch, or an
 * optional library import (try / except ImportError with a fallback), or a type annotation (guards.ts, inAnnotation). A device string that is itself the chosen
 * device keeps its severity beside a CPU-only path: there the port adds the NPU choice (not a local device that only
 * torch.cuda.* queries read).
 */
function guardedSeverity(ctx: RuleContext, at: Node, rule: RuleId, severity: Severity | undefined, keptChoice?: () => void): Severity | undefined {
  if (!GUARDED_RULES.has(rule)) return severity;
  const effective = severity ?? ruleInfo(rule)!.severity;
  if (effective !== 'error' && effective !== 'warning') return severity;
  if (LIBRARY_RULES.has(rule) && inOptionalImport(at)) return 'info';
  if (inAnnotation(at) || (rule === 'torch-cuda-api' && (inSkipCondition(at) || onlyDecidesSkips(ctx.tree, ctx.text, at)))) return 'info';
  const reason = redundantBranch(at);
  if (!reason) return severity;
  if (reason === 'alternative' && isDeviceChoice(ctx, at, rule)) {
    keptChoice?.();
    return severity;
  }
  return 'info';
}

/** Messages of guards that a CUDA-only branch without another path folds into (see foldIntoGuards). */
const GUARD_KEYS = {
  available: '{0} as a guard: the accelerator branch never runs on an NPU host',
  blocked: '{0} as a guard: the accelerator branch never runs on an NPU host; not converted, because the branch uses {1}, which has no NPU counterpart in this fix style',
  comparison: 'Comparison with the CUDA device type "{0}" is never true on an NPU',
};
const MAX_SKIPPED = 3;

/**
 * A CUDA-only branch without another path: an NPU host skips it. Its findings are one porting point, the
 * guard's: they become information pointing at the guard, and the guard's finding becomes (at least) a
 * warning that names what an NPU host skips (`... which skips torch.cuda.manual_seed_all(seed) (line 5)`),
 * pointing at each. Without a guard finding to fold into (a `use_cuda` flag), the findings keep their severity.
 * Severities the user set per rule (npuPort.rules) stay as set.
 */
function foldIntoGuards(findings: Finding[], nodes: ReadonlyMap<Finding, Node>, options: AnalysisOptions): void {
  const guardFindings = findings.filter((f) => f.rule === 'torch-cuda-api' || f.rule === 'cuda-device-string');
  const skipped = new Map<Finding, Finding[]>();
  const guardOf = new Map<Finding, Finding>();
  /** The guard finding of each guard condition (by node id), looked for once per guard. */
  const foldable = new Map<number, Finding | undefined>();
  for (const [finding, at] of nodes) {
    if (!GUARDED_RULES.has(finding.rule as RuleId) || (finding.severity !== 'error' && finding.severity !== 'warning') || options.rules?.[finding.rule]) continue;
    // a branch with another path keeps what guardedSeverity decided (a device choice beside a CPU path stays)
    if (redundantBranch(at)) continue;
    const guard = cudaGuardOf(at);
    if (!guard) continue;
    if (!foldable.has(guard.id)) foldable.set(guard.id, guardFindings.find((g) => g.startIndex >= guard.startIndex && g.endIndex <= guard.endIndex && Object.values(GUARD_KEYS).includes(g.message.key)));
    const folded = foldable.get(guard.id);
    if (!folded || folded === finding) continue;
    guardOf.set(finding, folded);
    skipped.set(folded, [...(skipped.get(folded) ?? []), finding]);
  }
  if (!skipped.size) return;
  const replaced = new Map<Finding, Finding>();
  for (const [guard, body] of skipped) {
    const more = body.length > MAX_SKIPPED ? ', …' : '';
    const names = body.slice(0, MAX_SKIPPED).map((f) => f.original).join(', ') + more;
    const at = [...new Set(body.map((f) => f.range.start.line + 1))].slice(0, MAX_SKIPPED).join(', ') + more;
    const [a0 = '', a1 = ''] = guard.message.args.map(String);
    const message = guard.message.key === GUARD_KEYS.available
      ? msg('{0} as a guard: the accelerator branch never runs on an NPU host, which skips {1} (line {2})', a0, names, at)
      : guard.message.key === GUARD_KEYS.blocked
        ? msg('{0} as a guard: the accelerator branch never runs on an NPU host, which skips {1} (line {2}); not converted, because the branch uses {3}, which has no NPU counterpart in this fix style', a0, names, at, a1)
        : msg('Comparison with the CUDA device type "{0}" is never true on an NPU: an NPU host skips {1} (line {2})', a0, names, at);
    const severity = options.rules?.[guard.rule] || guard.severity === 'error' ? guard.severity : 'warning';
    const related = body.map((f) => relatedTo(f, msg('Skipped on an NPU host: {0}', f.original)));
    replaced.set(guard, { ...guard, severity, message, related: [...(guard.related ?? []), ...related] });
  }
  for (const [finding, guard] of guardOf) {
    replaced.set(finding, { ...finding, severity: 'info', related: [...(finding.related ?? []), relatedTo(guard, msg('The guard of this CUDA-only branch: an NPU host skips the branch'))] });
  }
  for (let i = 0; i < findings.length; i++) findings[i] = replaced.get(findings[i]!) ?? findings[i]!;
}

/**
 * Triton code in a module that imports Triton unconditionally (a module-level `import triton` /
 * `from triton import ...`, not in an if or a function; in a module-level try only when every handler of the try
 * raises again, as whisper's triton_ops.py does: the module does not load without Triton): every other Triton use of the module (a kernel's first
 * decorator, host-side helpers such as `triton.next_power_of_2(N)` or `triton.cdiv(...)` in a launch grid) runs only
 * where that import succeeded, so the porting decision is the module's dependency, which the import's finding reports
 * at warning (Atlas A2 / A3: triton-ascend, with its grid limits) or error (no Triton on the target): install
 * triton-ascend, or guard the import and give the module a fallback. Those uses become information naming the import,
 * with a related place at it (torchtitan's fused RMSNorm: the port guarded the import and kept both kernels).
 * Not folded: a module whose Triton imports are all guarded, optional or inside functions (its uses keep their
 * severity), an import line whose finding `# npu-port: ignore` removes, and a Triton severity the user set.
 * Decided from the import table alone (not from the import's finding), so a partial re-analysis that does not
 * re-read the import gives the same answer (an edit of a top-level import re-analyses the whole file).
 */
function foldIntoTritonImport(findings: Finding[], tree: Tree, imports: ImportTable, lines: LineIndex, options: AnalysisOptions): void {
  if (options.rules?.triton || !findings.some((f) => f.rule === 'triton' && (f.severity === 'error' || f.severity === 'warning'))) return;
  const anchor = imports.imports.find((info) => {
    if (libraryOf(info.module) !== 'triton' || !(info.topLevel || inRaisingTry(tree, info.node))) return false;
    const ignore = ignoreComment(lines, lines.positionAt(info.node.startIndex).line);
    return !ignore || (ignore[1] !== undefined && !ignore[1].split(',').map((s) => s.trim()).includes('triton'));
  });
  if (!anchor) return;
  const importLines = imports.imports.filter((info) => libraryOf(info.module) === 'triton');
  const line = lines.positionAt(anchor.node.startIndex).line;
  const related: RelatedLocation = {
    range: { start: lines.positionAt(anchor.node.startIndex), end: lines.positionAt(anchor.node.endIndex) },
    startIndex: anchor.node.startIndex,
    endIndex: anchor.node.endIndex,
    message: msg('This module imports Triton here, unconditionally: its Triton code is ported with this import'),
  };
  for (let i = 0; i < findings.length; i++) {
    const f = findings[i]!;
    if (f.rule !== 'triton' || (f.severity !== 'error' && f.severity !== 'warning')) continue;
    if (importLines.some((info) => f.startIndex >= info.node.startIndex && f.endIndex <= info.node.endIndex)) continue;
    findings[i] = { ...f, severity: 'info', message: msg('{0} runs only where this module\'s unconditional Triton import (line {1}) succeeds: reported at that import', f.original, line + 1), related: [...(f.related ?? []), related] };
  }
}

/** An import statement in the body of a module-level try whose every except clause only raises (the module does not load without it). */
function inRaisingTry(tree: Tree, span: Span): boolean {
  let statement = nodeAt(tree, span);
  while (statement && statement.type !== 'import_statement' && statement.type !== 'import_from_statement') statement = parentOf(statement);
  const block = statement && parentOf(statement);
  const tryStatement = block?.type === 'block' ? parentOf(block) : null;
  if (tryStatement?.type !== 'try_statement' || tryStatement.childForFieldName('body')?.id !== block!.id || parentOf(tryStatement)?.type !== 'module') return false;
  const handlers = tryStatement.namedChildren.filter((c): c is Node => c?.type === 'except_clause');
  return handlers.length > 0 && handlers.every((c) => {
    const body = c.namedChildren.find((b) => b?.type === 'block');
    const statements = body?.namedChildren.filter((st): st is Node => st !== null && st.type !== 'comment') ?? [];
    return statements.length > 0 && statements.every((st) => st.type === 'raise_statement');
  });
}

/**
 * A device selection without an NPU branch (guards.ts, selectionWithoutNpuGuard: a CUDA test choosing between the
 * CUDA device and another path, no branch naming the NPU) is one porting point, its test's: a port adds the NPU branch
 * there, and the CUDA device stays right for a CUDA host. The devices it selects (kept at their severity by
 * guardedSeverity: beside a CPU-only path they are the program's device) become information pointing at the test, and
 * the test's finding becomes (at least) a warning that says an NPU host takes the other path, pointing at each. A test
 * of an if / elif without a finding of its own (a flag: `IS_CUDA_AVAILABLE`, `use_cuda`, mmengine's
 * `is_cuda_available()`) gets one (cuda-device-string); a conditional expression whose test has none (`"cuda" if
 * torch.cuda.is_available() else "cpu"`, `'cuda' if use_cuda else 'cpu'`) is already reported once, at its device string,
 * for the whole expression (rules/devices.ts), and stays so; a test whose own finding is of another kind (`torch.cuda.device_count() > 0`, already a warning or error) keeps its
 * message and gains the pointers. Fixes stay where they were (the device's on its information finding: Fix All applies
 * those too). Severities the user set per rule (npuPort.rules) stay as set, and so do devices whose test is an info
 * finding of another kind.
 */
function foldDeviceSelections(findings: Finding[], choices: ReadonlySet<Finding>, nodes: ReadonlyMap<Finding, Node>, lines: LineIndex, options: AnalysisOptions): void {
  const selections = new Map<number, { guard: Node; devices: Finding[] }>();
  for (const finding of choices) {
    if (options.rules?.[finding.rule]) continue;
    const guard = selectionWithoutNpuGuard(nodes.get(finding)!);
    if (!guard) continue;
    const entry = selections.get(guard.id) ?? { guard, devices: [] };
    entry.devices.push(finding);
    selections.set(guard.id, entry);
  }
  const replaced = new Map<Finding, Finding>();
  const added: Finding[] = [];
  for (const { guard, devices } of selections.values()) {
    const inTest = findings.filter((g) => g.startIndex >= guard.startIndex && g.endIndex <= guard.endIndex);
    const names = devices.slice(0, MAX_SKIPPED).map((f) => f.original).join(', ') + (devices.length > MAX_SKIPPED ? ', …' : '');
    const at = [...new Set(devices.map((f) => f.range.start.line + 1))].slice(0, MAX_SKIPPED).join(', ') + (devices.length > MAX_SKIPPED ? ', …' : '');
    const test = excerpt(guard.text, 60);
    const related = devices.map((f) => relatedTo(f, msg('Selected on a CUDA host: {0}', f.original)));
    let target = inTest.find((g) => Object.values(GUARD_KEYS).includes(g.message.key));
    if (target) {
      const message = target.message.key === GUARD_KEYS.blocked
        ? msg('{0} selects the device with no NPU branch: an NPU host takes the other path instead of {1} (line {2}); not converted, because the branch uses {3}, which has no NPU counterpart in this fix style', test, names, at, String(target.message.args[1] ?? ''))
        : msg('{0} selects the device with no NPU branch: an NPU host takes the other path instead of {1} (line {2})', test, names, at);
      const severity = options.rules?.[target.rule] || target.severity === 'error' ? target.severity : 'warning';
      replaced.set(target, { ...target, severity, message, related: [...(target.related ?? []), ...related] });
    } else if (inTest.length === 0 && parentOf(guard)?.type !== 'conditional_expression') {
      target = makeFinding(lines, options, guard, 'cuda-device-string', msg('{0} selects the device with no NPU branch: an NPU host takes the other path instead of {1} (line {2})', test, names, at), [], 'warning');
      if (!target) continue;
      added.push({ ...target, related });
    } else {
      target = inTest.find((g) => g.severity === 'error' || g.severity === 'warning');
      if (!target) continue;
      replaced.set(target, { ...target, related: [...(target.related ?? []), ...related] });
    }
    for (const f of devices) replaced.set(f, { ...f, severity: 'info', related: [...(f.related ?? []), relatedTo(target, msg('The test of this device selection: an NPU host takes its other path; add the NPU branch there'))] });
  }
  for (let i = 0; i < findings.length; i++) findings[i] = replaced.get(findings[i]!) ?? findings[i]!;
  findings.push(...added);
}

function relatedTo(f: Finding, message: Message): RelatedLocation {
  return { range: f.range, startIndex: f.startIndex, endIndex: f.endIndex, message };
}

function makeFinding(lines: LineIndex, options: AnalysisOptions, node: Span, rule: RuleId, message: Message, fixes: readonly Fix[], severity?: Severity): Finding | undefined {
  const setting = options.rules?.[rule];
  if (setting === 'off') return undefined;
  const range = rangeOf(node);
  const ignore = ignoreComment(lines, range.start.line);
  if (ignore && (!ignore[1] || ignore[1].split(',').map((s) => s.trim()).includes(rule))) return undefined;
  return {
    rule,
    severity: setting ?? severity ?? ruleInfo(rule)!.severity,
    range,
    startIndex: node.startIndex,
    endIndex: node.endIndex,
    message,
    original: excerpt(node.text),
    fixes,
  };
}

/** ERROR and MISSING nodes touching [start, end]; only subtrees with errors are entered, child by child. */
function collectSyntaxErrors(node: Node, start: number, end: number, report: (node: Node, message: Message) => void, budget = { left: MAX_SYNTAX_ERRORS }): void {
  if (budget.left <= 0) return;
  if (node.isMissing) {
    budget.left--;
    report(node, msg('Syntax error: missing "{0}"', node.type));
    return;
  }
  if (node.isError) {
    budget.left--;
    report(node, msg('Syntax error: this part of the file does not parse'));
    return;
  }
  // child(i), not nextSibling: nextSibling skips zero-width MISSING nodes.
  for (let i = 0, count = node.childCount; i < count; i++) {
    const child = node.child(i);
    if (!child || child.endIndex < start) continue;
    if (child.startIndex > end) break;
    if (child.hasError || child.isMissing) collectSyntaxErrors(child, start, end, report, budget);
  }
}
