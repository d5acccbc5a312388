/**
 * The map of the user actions: each operation of this folder (one module, one function), the CLI
 * commands and the VS Code commands that offer it. test/unit/operations.test.ts holds this table
 * against the code: every module here is listed, every face that offers an action imports its
 * operation, every command of `npu-port --help` and of the manifest is listed (or is an editor-only
 * command below), and no listed command is missing from them.
 */
export interface OperationEntry {
  /** The module in src/core/operations (without .ts); it exports the operation function. */
  readonly module: string;
  /** `npu-port` commands (`scan`, `onnx check`, `remote convert`) that run it. */
  readonly cli: readonly string[];
  /** VS Code commands (package.json contributes.commands) that run it; `viewer` for the ONNX viewer's own requests. */
  readonly extension: readonly string[];
}

export const OPERATIONS: readonly OperationEntry[] = [
  { module: 'scan', cli: ['scan'], extension: ['npuPort.scanWorkspace'] },
  { module: 'fix', cli: ['scan'], extension: ['npuPort.fixAllInWorkspace'] },
  { module: 'report', cli: ['scan'], extension: ['npuPort.generateMigrationReport', 'npuPort.saveMigrationReport'] },
  { module: 'checkModel', cli: ['onnx check'], extension: ['npuPort.checkOnnxModel'] },
  { module: 'listTargets', cli: ['onnx targets'], extension: ['npuPort.checkOnnxModel', 'viewer'] },
  { module: 'modelInfo', cli: ['onnx info'], extension: [] },
  { module: 'modelText', cli: ['onnx text'], extension: ['npuPort.openOnnxAsText'] },
  { module: 'viewGraph', cli: [], extension: ['viewer', 'npuPort.revealOnnxNode', 'npuPort.compareOnnxModels'] },
  { module: 'whitelist', cli: ['onnx whitelist'], extension: [] },
  { module: 'extractPart', cli: ['onnx extract'], extension: ['viewer'] },
  { module: 'split', cli: ['onnx split'], extension: [] },
  { module: 'rewrite', cli: ['onnx rewrite'], extension: ['viewer'] },
  { module: 'bisect', cli: ['onnx bisect'], extension: [] },
  { module: 'runOnCpu', cli: ['onnx run'], extension: ['npuPort.runOnnxOnCpu'] },
  { module: 'compare', cli: ['compare'], extension: [] },
  {
    module: 'remoteTask',
    cli: ['remote doctor', 'remote precheck', 'remote convert', 'remote benchmark', 'remote run', 'remote bisect'],
    extension: ['npuPort.remoteConvert', 'npuPort.remotePrecheck', 'npuPort.remoteDoctor', 'npuPort.remoteBisect'],
  },
];

/** VS Code commands that are editor plumbing, not an action the CLI could offer: why each needs no operation. */
export const EDITOR_ONLY_COMMANDS: Readonly<Record<string, string>> = {
  'npuPort.fixAllInFile': 'the code actions of the open document (its unsaved text), applied as one undoable edit',
  'npuPort.showRuleDocs': 'opens a rule page of docs/rules in the Markdown preview',
  'npuPort.goToPytorchSource': 'opens the editor at the source of a viewer node (core/sourceLinks)',
  'npuPort.showLog': 'shows the output channel',
  'npuPort.addRemoteHost': 'edits the npuPort.hosts setting',
  'npuPort.selectRemoteHost': 'sets the default host of the tasks',
  'npuPort.forgetRemoteSecrets': 'clears the editor\'s secret storage',
  'npuPort.showBenchmarkResults': 'opens a results file in the results view',
};
