import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { latencyStats, percentile } from '../../../src/core/benchmark/stats';
import { explainDiagnostic } from '../../../src/core/remote/knownErrors';
import { parseAisBench, parseMsame } from '../../../src/core/remote/toolchains/ascendBench';
import { atcConvertArgs, atcPrecheckArgs, parseAtcLog, parseDynamicBatch } from '../../../src/core/remote/toolchains/atc';
import { parseNpuSmiInfo, socVersionFor } from '../../../src/core/remote/toolchains/npuSmi';
import { parseQnnLog, parseQnnNetRunProfile, qnnConverterArgs } from '../../../src/core/remote/toolchains/qnn';

// Log excerpts below are verbatim from the sources cited in shared data toolchains.md.

test('atc argv: framework 5, flags as single --flag=value elements', () => {
  assert.deepEqual(
    atcConvertArgs({ model: 'w/m 1.onnx', output: 'w/m 1', socVersion: 'Ascend310P3', inputShape: 'images:-1,3,224,224', dynamicBatchSizes: [1, 2, 4, 8], precisionMode: 'allow_mix_precision' }),
    ['atc', '--framework=5', '--model=w/m 1.onnx', '--output=w/m 1', '--soc_version=Ascend310P3', '--input_shape=images:-1,3,224,224', '--dynamic_batch_size=1,2,4,8', '--precision_mode=allow_mix_precision'],
  );
  assert.deepEqual(atcPrecheckArgs({ model: 'm.onnx', socVersion: 'Ascend910B', checkReport: 'out/check_result.json' }), [
    'atc', '--mode=3', '--framework=5', '--model=m.onnx', '--soc_version=Ascend910B', '--check_report=out/check_result.json',
  ]);
  assert.deepEqual(parseDynamicBatch('1,2,4,8'), [1, 2, 4, 8]);
  assert.equal(parseDynamicBatch('1'), undefined);
  assert.equal(parseDynamicBatch('1,0'), undefined);
  assert.equal(parseDynamicBatch('2,2'), undefined);
});

test('atc log: EZ3003 (Ascend/samples#11) gives node and op with the continuation lines', () => {
  const log = [
    'ATC start working now, please wait for a moment.',
    "ATC run failed, Please check the detail log, Try 'atc --help' for more information",
    'EZ3003: No supported Ops kernel and engine are found for [AddDsl], optype [AddDsl].',
    '        Possible Cause: The operator is not supported by the system. Therefore, no hit is found in any operator information library.',
    '        Solution: 1. Check that the OPP component is installed properly. 2. Submit an issue to request for the support of this operator type.',
    '        TraceBack (most recent call last):',
    '        build graph failed, graph id:0, ret:-1[FUNC:BuildModel][FILE:ge_generator.cc][LINE:148',
  ].join('\n');
  const parsed = parseAtcLog(log);
  assert.equal(parsed.outcome, 'failed');
  assert.equal(parsed.diagnostics.length, 1);
  const [d] = parsed.diagnostics;
  assert.deepEqual([d!.severity, d!.code, d!.node, d!.op, d!.line], ['error', 'EZ3003', 'AddDsl', 'AddDsl', 2]);
  assert.match(d!.message, /Possible Cause: The operator is not supported/);
  assert.equal(explainDiagnostic(d!)?.id, 'atc-no-kernel');
});

test('atc log: E10007 with the newer [PID] prefix, E10054, E19010 opset, W11001 after success', () => {
  const e10007 = parseAtcLog(
    "ATC run failed, Please check the detail log, Try 'atc --help' for more information\nE10007: [PID: 10490] 2025-03-18-09:02:18.501.341 [--framework] is required. The value must be [0(Caffe) or 1(MindSpore) or 3(TensorFlow) or 5(Onnx)].\n",
  );
  assert.equal(e10007.diagnostics[0]?.code, 'E10007');
  assert.match(e10007.diagnostics[0]!.message, /^\[--framework\] is required/);
  const e10054 = parseAtcLog(
    'ATC start working now, please wait for a moment.\nATC run failed, Please check the detail log, Try \'atc --help\' for more information\nE10054: The requied parameter [--model] for ATC is empty. Another possible reason is that the value of some parameter is not enclosed by quotation marks ("").\n',
  );
  assert.equal(explainDiagnostic(e10054.diagnostics[0]!)?.id, 'atc-empty-parameter');
  const e19010 = parseAtcLog('E19010: No parser is registered for Op [model1 div node, optype [ai.onnx::23::Div]]。');
  assert.deepEqual([e19010.diagnostics[0]?.node, e19010.diagnostics[0]?.op], ['model1 div node', 'Div']);
  assert.equal(explainDiagnostic(e19010.diagnostics[0]!)?.id, 'atc-no-parser');
  const warn = parseAtcLog(
    'ATC start working now, please wait for a moment.\nATC run success, welcome to the next use.\nW11001: Op [Slice_29] does not hit the high-priority operator information library, which might result in compromised performance.\n',
  );
  assert.equal(warn.outcome, 'success');
  assert.deepEqual([warn.diagnostics[0]?.severity, warn.diagnostics[0]?.code, warn.diagnostics[0]?.node], ['warning', 'W11001', 'Slice_29']);
});

test('atc log: missing libascend_hal.so and a broken toolkit Python', () => {
  const hal = parseAtcLog('/home/user/Ascend/ascend-toolkit/8.0.0/x86_64-linux/bin/atc.bin: error while loading shared libraries: libascend_hal.so: cannot open shared object file: No such file or directory');
  assert.equal(hal.outcome, 'failed');
  assert.equal(explainDiagnostic(hal.diagnostics[0]!)?.id, 'ascend-driver-library');
  const py = parseAtcLog("ModuleNotFoundError: No module named '_struct'\nATC run failed, Please check the detail log, Try 'atc --help' for more information\nE40000: Failed to import te.platform.log_util.\n");
  assert.deepEqual(py.diagnostics.map((d) => d.code), ['python-module-missing', 'E40000']);
  assert.equal(explainDiagnostic(py.diagnostics[1]!)?.id, 'atc-te-import');
});

test('QNN logs: unsupported op with node, HTP op validation, cast warning, error 126, DSP warnings', () => {
  const converter = parseQnnLog(
    [
      '2025-04-01 23:50:17,978 - 250 - WARNING - WARNING_CAST_TYPE: Only numerical type cast is supported. The op: /layers.7/attn/core/Cast_14 will be interpreted at conversion time',
      "ERROR - Node image_QuantizeLinear: 'No translation registered for op type onnx_dynamicquantizelinear.'",
      "KeyError: 'No translation registered for op type onnx_dynamicquantizelinear.'",
      "KeyError: 'No translation registered for op type onnx_isnan.'",
    ].join('\n'),
  );
  assert.deepEqual(
    converter.map((d) => [d.severity, d.code, d.node, d.op]),
    [
      ['warning', 'WARNING_CAST_TYPE', '/layers.7/attn/core/Cast_14', undefined],
      ['error', 'qnn-unsupported-op', 'image_QuantizeLinear', 'dynamicquantizelinear'],
      ['error', 'qnn-unsupported-op', undefined, 'isnan'],
    ],
  );
  assert.match(explainDiagnostic(converter[1]!)!.fix.key, /--input_list/);
  const htp = parseQnnLog('QNN.backendValidateOpConfig() failed for node `Conv_token_260` of type `Conv2d` with error code 3110');
  assert.deepEqual([htp[0]?.node, htp[0]?.op, htp[0]?.code], ['Conv_token_260', 'Conv2d', 'qnn-op-validation-3110']);
  assert.equal(explainDiagnostic(htp[0]!)?.id, 'qnn-htp-op-validation');
  const seed000 = parseQnnLog(
    [
      '<E> DspTransport.openSession qnn_open failed, 0x80000406, prio 100',
      '<W> Failed to load skel, error: 1002',
      '<W> HTP user driver is loaded. Switched to user driver path',
      'RuntimeError: dlopen error #126 loading QnnHtp.dll',
    ].join('\n'),
  );
  assert.deepEqual(seed000.map((d) => d.code), ['dsp-transport-0x80000406', 'skel-load-1002', 'dll-architecture-126']);
  assert.deepEqual(explainDiagnostic(seed000[1]!)?.explanation.args, ['1002', 'QNN_COMMON_ERROR_MEM_ALLOC']);
  assert.equal(explainDiagnostic(seed000[2]!)?.id, 'dll-architecture-126');
});

test('qnn-net-run profile: one accelerator time per Execute Stat', () => {
  const profile = 'Execute Stats:\nExecute Stat 1\nNumber of HVX threads used : 4 count\nRPC (execute) time : 2717302 us\nQNN accelerator (execute) time : 2714698 us\nAccelerator (execute) time (cycles) : 454266408 cycles\n';
  assert.deepEqual(parseQnnNetRunProfile(profile), [2714.698]);
  assert.deepEqual(parseQnnNetRunProfile('Execute Stat 1\nRPC (execute) time : 1500 us\nExecute Stat 2\nRPC (execute) time : 2500 us\n'), [1.5, 2.5]);
  assert.deepEqual(qnnConverterArgs({ model: 'a b.onnx', outputCpp: 'o/a.cpp', inputList: 'list.txt' }), ['qnn-onnx-converter', '--input_network', 'a b.onnx', '--output_path', 'o/a.cpp', '--input_list', 'list.txt']);
});

test('msame per-run lines: every run time is kept, and they agree with msame\'s own averages', () => {
  // msame --loop 10 (Ascend ModelZoo StarGAN_v2 README), trimmed to the lines the parser reads
  const runs = ['105.365', '105.487', '105.386', '105.419', '105.323', '105.42', '105.423', '105.461', '105.383', '105.504'];
  const log = runs.map((t) => `[INFO] model execute success\nInference time: ${t}ms\n`).join('') + 'Inference average time: 105.417100 ms\nInference average time without first time: 105.422889 ms\n';
  const parsed = parseMsame(log)!;
  assert.deepEqual(parsed.samples, runs.map(Number));
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum(parsed.samples!) / 10 - parsed.mean!) < 1e-6);
  assert.ok(Math.abs(sum(parsed.samples!.slice(1)) / 9 - parsed.meanWithoutFirst!) < 1e-6);
  assert.equal(parseMsame('Inference average time: 1.5 ms\n')?.samples, undefined);
});

test('msame (both layouts) and ais_bench summaries', () => {
  assert.deepEqual(parseMsame('Inference average time: 105.417100 ms\nInference average time without first time: 105.422889 ms\n'), { mean: 105.4171, meanWithoutFirst: 105.422889 });
  assert.deepEqual(parseMsame('Inference average time : 2.41 ms'), { mean: 2.41 });
  assert.equal(parseMsame('nothing'), undefined);
  const ais = parseAisBench(
    '[INFO] -----------------Performance Summary------------------\n[INFO] NPU_compute_time (ms): min = 2.4560000896453857, max = 2.4560000896453857, mean = 2.4560000896453857, median = 2.4560000896453857, percentile(99%) = 2.4560000896453857\n[INFO] throughput 1000*batchsize.mean(1)/NPU_compute_time.mean(2.4560000896453857): 407.16610891670894\n',
  );
  assert.equal(ais?.mean, 2.4560000896453857);
  assert.equal(ais?.throughput, 407.16610891670894);
});

test('npu-smi info: version, devices and the soc version for ATC', () => {
  const info = parseNpuSmiInfo(
    [
      '+------------------------------------------------------------------------------+',
      '| npu-smi 21.0.3.1                     Version: 21.0.3.1                       |',
      '+-------------------+-----------------+----------------------------------------+',
      '| NPU     Name      | Health          | Power(W)          Temp(C)              |',
      '| Chip    Device    | Bus-Id          | AICore(%)         Memory-Usage(MB)     |',
      '+===================+=================+========================================+',
      '| 0       310P3     | OK              | 12.8              45                   |',
      '| 0       0         | 0000:01:00.0    | 0                 1496 / 21527         |',
      '+===================+=================+========================================+',
      '| 1       310P3     | Warning         | 12.1              44                   |',
      '| 0       1         | 0000:02:00.0    | 0                 1496 / 21527         |',
      '+===================+=================+========================================+',
    ].join('\n'),
  );
  assert.equal(info?.version, '21.0.3.1');
  assert.deepEqual(info?.devices, [
    { id: 0, name: '310P3', health: 'OK' },
    { id: 1, name: '310P3', health: 'Warning' },
  ]);
  assert.equal(socVersionFor(info!.devices[0]!), 'Ascend310P3');
  assert.equal(parseNpuSmiInfo('bash: npu-smi: command not found'), undefined);
});

test('latency statistics match numpy (mean, std ddof=0, linear percentiles) and throughput', () => {
  // numpy: a = [1..10]; a.mean()=5.5, a.std()=2.8722813232690143, np.percentile(a,[50,95,99]) = [5.5, 9.55, 9.91]
  const s = latencyStats([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 4)!;
  assert.equal(s.mean, 5.5);
  assert.ok(Math.abs(s.std - 2.8722813232690143) < 1e-12);
  assert.deepEqual([s.min, s.max, s.p50], [1, 10, 5.5]);
  assert.ok(Math.abs(s.p95 - 9.55) < 1e-12 && Math.abs(s.p99 - 9.91) < 1e-12);
  assert.ok(Math.abs(s.throughput - 4000 / 5.5) < 1e-9);
  assert.equal(percentile([3], 99), 3);
  assert.equal(latencyStats([]), undefined);
  assert.equal(latencyStats([1, NaN]), undefined);
});

test('tool messages are tied to the model nodes: names looked up, op types spelled as in the model', async () => {
  const { openModel } = await import('../../../src/core/onnx/decode.js');
  const { mapDiagnosticsToModel } = await import('../../../src/core/remote/mapToModel.js');
  const { tinyOnnxModel } = await import('./tinyModel.js');
  const model = await openModel(tinyOnnxModel());
  const atc = parseAtcLog('EZ3003: No supported Ops kernel and engine are found for [AddDsl], optype [AddDsl].').diagnostics;
  const qnn = parseQnnLog("KeyError: 'No translation registered for op type onnx_relu.'\nQNN.backendValidateOpConfig() failed for node `Relu.1` of type `Relu` with error code 3110");
  const mapped = mapDiagnosticsToModel(model, [...atc, ...qnn]);
  assert.deepEqual(mapped.map((d) => [d.code, d.node, d.op]), [
    ['EZ3003', 'AddDsl', 'AddDsl'], // node AddDsl is an Add: ATC's own op name is kept
    ['qnn-unsupported-op', 'Relu_1', 'Relu'], // the only Relu of the model
    ['qnn-op-validation-3110', 'Relu_1', 'Relu'], // `Relu.1` as the tool printed it
  ]);
});
