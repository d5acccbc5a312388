/**
 * Knowledge base of known tool errors: error codes and messages seen in field reports 000, 001 and
 * 004 (docs/field-reports.md) and in public vendor documentation and issue reports, each with an
 * explanation and a concrete fix, as Messages.
 */
import { msg, type Message } from '../l10n';
import type { ToolDiagnostic } from './toolchains/diagnostics';

export interface KnownError {
  readonly id: string;
  readonly explanation: Message;
  readonly fix: Message;
}

interface Entry {
  readonly id: string;
  readonly test: (d: ToolDiagnostic) => boolean;
  readonly explain: (d: ToolDiagnostic) => KnownError;
}

const byCode = (code: string) => (d: ToolDiagnostic) => d.code === code;
const entry = (id: string, test: Entry['test'], explanation: (d: ToolDiagnostic) => Message, fix: (d: ToolDiagnostic) => Message): Entry => ({
  id,
  test,
  explain: (d) => ({ id, explanation: explanation(d), fix: fix(d) }),
});

/** QNN API error codes (QnnCommon.h) as they appear in runtime messages. */
const QNN_API_CODES: Record<string, string> = {
  '1000': 'QNN_COMMON_ERROR_NOT_SUPPORTED',
  '1002': 'QNN_COMMON_ERROR_MEM_ALLOC',
  '1003': 'QNN_COMMON_ERROR_SYSTEM',
  '1004': 'QNN_COMMON_ERROR_INVALID_ARGUMENT',
  '1005': 'QNN_COMMON_ERROR_OPERATION_NOT_PERMITTED',
  '1006': 'QNN_COMMON_ERROR_PLATFORM_NOT_SUPPORTED',
  '1007': 'QNN_COMMON_ERROR_SYSTEM_COMMUNICATION',
  '1008': 'QNN_COMMON_ERROR_INCOMPATIBLE_BINARIES',
  '1009': 'QNN_COMMON_ERROR_LOADING_BINARIES',
  '1010': 'QNN_COMMON_ERROR_RESOURCE_UNAVAILABLE',
  '1011': 'QNN_COMMON_ERROR_SYSTEM_COMMUNICATION_FATAL',
};

export function qnnApiErrorName(code: string): string | undefined {
  return QNN_API_CODES[code];
}

const ENTRIES: Entry[] = [
  entry(
    'atc-no-kernel',
    byCode('EZ3003'),
    (d) => msg('No operator information library of this CANN version has a kernel for operator type {0} (node {1}) on this SoC, so ATC cannot build the graph.', d.op ?? '?', d.node ?? '?'),
    () => msg('Check that the OPP component of CANN is installed (it comes with the toolkit); otherwise replace the operator before conversion (export it as supported standard ops, or rewrite the model part), or request support for this operator type from Huawei.'),
  ),
  entry(
    'atc-no-parser',
    byCode('E19010'),
    (d) => msg('The ONNX parser of this CANN version has no mapping for {0} at the opset the model uses: the model was exported with a newer opset than this CANN supports.', d.op ?? '?'),
    () => msg('Export the model again with a lower opset (torch.onnx.export(..., opset_version=11 to 17, as your CANN release notes list)), or upgrade CANN.'),
  ),
  entry(
    'atc-invalid-parameter',
    byCode('E10001'),
    () => msg('A parameter of the atc command has an invalid value.'),
    () => msg('Compare the value with `atc --help` for this CANN version: --soc_version must be "Ascend" + the Name shown by npu-smi info (e.g. Ascend310P3), --input_shape must name real model inputs.'),
  ),
  entry(
    'atc-required-parameter',
    byCode('E10007'),
    () => msg('A required atc parameter is missing (for ONNX models --framework=5 is required).'),
    () => msg('Add the missing parameter; for ONNX: --framework=5 --model=... --output=... --soc_version=....'),
  ),
  entry(
    'atc-name-not-found',
    byCode('E10016'),
    () => msg('A node or input name given in a parameter (--input_shape, --out_nodes, ...) does not exist in the model.'),
    () => msg('Use the exact input and node names of the model (open it in the ONNX viewer); names are case-sensitive.'),
  ),
  entry(
    'atc-empty-parameter',
    byCode('E10054'),
    () => msg('A required atc parameter is empty, often because a value with spaces or semicolons was not quoted.'),
    () => msg('Pass every value as one argument (the remote task quotes them for you); check that the model path exists on the host.'),
  ),
  entry(
    'atc-unknown',
    byCode('E19999'),
    () => msg('ATC reported an internal error without a specific code.'),
    () => msg('Run again with --log=debug and read the plog files under ~/ascend/log on the host; the lines before E19999 usually name the failing step.'),
  ),
  entry(
    'atc-low-priority-op',
    byCode('W11001'),
    (d) => msg('Operator {0} is not in the high-priority operator information library; the model converts, but this operator may run slower (for example on the AI CPU).', d.node ?? '?'),
    () => msg('No action needed for correctness. For speed, check whether a different op type, data type or shape for this node is supported by the AI Core.'),
  ),
  entry(
    'atc-te-import',
    byCode('E40000'),
    () => msg('The Python environment of the CANN toolkit is broken: a standard module cannot be imported (for example _struct), so the TBE compiler fails to start.'),
    () => msg('Use the Python the toolkit was installed for (same version), source set_env.sh in the same shell, and reinstall the toolkit Python packages if needed.'),
  ),
  entry(
    'python-module-missing',
    byCode('python-module-missing'),
    () => msg('A Python module the tool needs is missing in the Python environment that runs it.'),
    () => msg('Check which python3 the environment set-up puts first on PATH and install the module there (or fix the broken interpreter).'),
  ),
  entry(
    'ascend-driver-library',
    (d) => d.code === 'shared-library-missing' && /libascend_hal\.so/.test(d.message),
    () => msg('libascend_hal.so (from the NPU driver) is not on the library path, so atc cannot start.'),
    () => msg('Source the CANN set_env.sh in the host set-up, and add the toolkit devlib folder (…/ascend-toolkit/latest/<arch>-linux/devlib/) to LD_LIBRARY_PATH when the driver is not installed on this machine.'),
  ),
  entry(
    'shared-library-missing',
    byCode('shared-library-missing'),
    () => msg('A shared library the tool needs is not on the library path.'),
    () => msg('Source the toolkit environment script in the host set-up (CANN set_env.sh, QAIRT envsetup.sh) so that LD_LIBRARY_PATH includes its libraries.'),
  ),
  entry(
    'qnn-unsupported-op',
    byCode('qnn-unsupported-op'),
    (d) =>
      d.node
        ? msg('qnn-onnx-converter has no translation for ONNX operator {0} (node {1}): QNN does not support it.', d.op ?? '?', d.node)
        : msg('qnn-onnx-converter has no translation for ONNX operator {0}: QNN does not support it.', d.op ?? '?'),
    (d) =>
      d.op?.toLowerCase() === 'dynamicquantizelinear'
        ? msg('Do not quantize dynamically in ONNX (onnxruntime quantize_dynamic); give the float model and let QNN quantize it with --input_list calibration data.')
        : msg('Replace or remove the operator before conversion (export it as supported ops), or provide it as a QNN custom op package.'),
  ),
  entry(
    'qnn-htp-op-validation',
    (d) => d.code.startsWith('qnn-op-validation-'),
    (d) => msg('The HTP backend rejected node {0} of type {1} during op validation (error {2}): this op with these data types, shapes or parameters cannot run on the NPU.', d.node ?? '?', d.op ?? '?', d.code.slice('qnn-op-validation-'.length)),
    () => msg('Quantize the model (HTP runs 8/16-bit integer and FP16 ops), change the unsupported parameter, or let this part run on the CPU.'),
  ),
  entry(
    'qnn-cast-type',
    byCode('WARNING_CAST_TYPE'),
    (d) => msg('Non-numeric Cast at {0}: the converter evaluates it at conversion time.', d.node ?? '?'),
    () => msg('Usually harmless; if results differ, make the cast numeric or move it out of the graph.'),
  ),
  entry(
    'dll-architecture-126',
    byCode('dll-architecture-126'),
    () => msg('Windows error 126 while loading the QNN DLLs: a DLL could not be loaded, typically because its architecture does not match the process (x64 Python on a Snapdragon ARM64 PC loading aarch64 DLLs), or a dependent DLL is not found.'),
    () => msg('For x64 (emulated) Python on ARM64 Windows use the bridge DLLs from QAIRT lib\\arm64x-windows-msvc; for native ARM64 Python use lib\\aarch64-windows-msvc. Put that folder first on PATH and register it with os.add_dll_directory() before importing the QNN bindings.'),
  ),
  entry(
    'dsp-transport',
    byCode('dsp-transport-0x80000406'),
    () => msg('The traditional DSP transport could not open a session (0x80000406); QNN then switches to the HTP user driver path. Not fatal if "HTP user driver is loaded" follows.'),
    () => msg('Update the NPU driver to the version required by your QAIRT release; if inference works, the warning can be ignored.'),
  ),
  entry(
    'skel-load',
    (d) => d.code.startsWith('skel-load-'),
    (d) => {
      const code = d.code.slice('skel-load-'.length);
      return msg('The HTP skeleton library failed to load (error {0}, {1}).', code, qnnApiErrorName(code) ?? '?');
    },
    () => msg('Make sure the driver and the QAIRT skel libraries (libQnnHtpV*Skel) match the NPU generation; a fallback to the user driver path is normal on Windows on Snapdragon.'),
  ),
];

/** The knowledge-base entry for a diagnostic, if any. */
export function explainDiagnostic(d: ToolDiagnostic): KnownError | undefined {
  return ENTRIES.find((e) => e.test(d))?.explain(d);
}

/** Ids of all entries (for documentation and tests). */
export const KNOWN_ERROR_IDS: readonly string[] = ENTRIES.map((e) => e.id);
