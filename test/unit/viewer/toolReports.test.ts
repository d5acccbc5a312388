import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseAtcCheckResult, parseCsv, parseMsitResultCsv, ToolReportError } from '../../../src/core/onnx/toolReports';

test('ATC pre-check report: failed ops are unsupported with their causes; warnings unverified; passes skipped', () => {
  // the layout PreChecker::Save writes (hicann/ge parser/parser/common/pre_checker.cc)
  const report = JSON.stringify({
    name: 'edgesam', result: 'failed', total: 4, pass: 2, fail: 2,
    op: [
      { name: '/mask_decoder/Erf', type: 'Erf', result: 'success' },
      { name: '/prompt_encoder/Sin', type: 'SinX', result: 'failed', cause: [{ code: 1, message: 'The type is not supported.' }] },
      { name: 'dup', type: 'Relu', result: 'failed', cause: [{ code: 9, message: 'The name is repeated in the graph.' }] },
      { name: '/odd', type: 'Abs', result: 'success', cause: [{ code: 100, message: 'a warning' }, { code: 0, message: 'note' }] },
    ],
  });
  assert.deepEqual(parseAtcCheckResult(report), [
    { name: '/prompt_encoder/Sin', op: 'SinX', status: 'unsupported', reasons: [{ code: 'atc-precheck-1', message: 'The type is not supported.' }] },
    { name: 'dup', op: 'Relu', status: 'unsupported', reasons: [{ code: 'atc-precheck-9', message: 'The name is repeated in the graph.' }] },
    { name: '/odd', op: 'Abs', status: 'unverified', reasons: [{ code: 'atc-precheck-100', message: 'a warning' }] },
  ]);
  assert.deepEqual(parseAtcCheckResult('{"name":"m","result":"success","total":0,"pass":0,"fail":0}'), []);
  assert.throws(() => parseAtcCheckResult('{oops'), ToolReportError);
  assert.throws(() => parseAtcCheckResult('{"op": 3}'), ToolReportError);
});

test('msit analyze result.csv: FALSE rows become unsupported, details split into reasons', () => {
  const csv = [
    'ori_op_name,ori_op_type,op_name,op_type,soc_type,engine,is_supported,details',
    'Reshape_46,Reshape,,Reshape,Ascend310,AICORE,TRUE,',
    'Conv_52,Convx,,,Ascend310,UNKNOWN,FALSE,No Op registered for Convx with domain_version of 11;Op is unsupported.',
    '"/a,b/Gather",Gather,,,Ascend310,AICPU,FALSE,"input ""indices"" is int64"',
  ].join('\r\n');
  assert.deepEqual(parseMsitResultCsv('\uFEFF' + csv), [
    { name: 'Conv_52', op: 'Convx', status: 'unsupported', reasons: [
      { code: 'msit-unknown', message: 'No Op registered for Convx with domain_version of 11' },
      { code: 'msit-unknown', message: 'Op is unsupported.' }] },
    { name: '/a,b/Gather', op: 'Gather', status: 'unsupported', reasons: [{ code: 'msit-aicpu', message: 'input "indices" is int64' }] },
  ]);
  assert.throws(() => parseMsitResultCsv('a,b\n1,2\n'), ToolReportError);
});

test('CSV: quotes, escaped quotes, line breaks inside quotes', () => {
  assert.deepEqual(parseCsv('a,"b ""c""",d\n"x\ny",2,\n'), [['a', 'b "c"', 'd'], ['x\ny', '2', '']]);
});
