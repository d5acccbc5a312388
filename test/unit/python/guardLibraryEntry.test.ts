import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Finding } from '../../../src/core/python/types';
import { findingsOf } from './parser';

/**
 * Guard-aware severity (issue 14, part 4) for optional CUDA-only libraries: code that runs only where the program chose
 * the library is information. A plain switch whose branch imports the library's entry point in another package
 * (`from transformers import BitsAndBytesConfig`) beside another path selects it (FastChat); a function that asserts
 * the library's check on entry runs only with it (ms-swift's `assert is_unsloth_available()`).
 */

const lines = (...l: string[]) => l.join('\n') + '\n';
const bnb = (findings: readonly Finding[]) => findings.filter((f) => f.rule === 'bitsandbytes').map((f) => `${f.range.start.line + 1} ${f.severity}`);

test('FastChat: a switch whose branch imports BitsAndBytesConfig, beside another path, selects bitsandbytes', async () => {
  const src = lines(
    'def load_model(cpu_offloading, load_8bit, kwargs):',
    '    if cpu_offloading:',
    '        # raises an error on incompatible platforms',
    '        from transformers import BitsAndBytesConfig',
    '        kwargs["quantization_config"] = BitsAndBytesConfig(',
    '            load_in_8bit_fp32_cpu_offload=cpu_offloading',
    '        )',
    '    elif load_8bit:',
    '        kwargs["compress"] = True',
    '    return kwargs',
    'def load_quantized(quantize, kwargs):',
    '    if quantize:',
    '        from diffusers import (',
    '            AutoModel,',
    '            BitsAndBytesConfig,',
    '        )',
    '        kwargs["quantization_config"] = BitsAndBytesConfig(load_in_4bit=True)',
    '    else:',
    '        kwargs["torch_dtype"] = "auto"',
    '    return kwargs',
  );
  assert.deepEqual(bnb(await findingsOf(src)), ['5 info', '17 info']);
});

test('counter-tests: BitsAndBytesConfig under a switch without another path, or imported at the top, stays an error', async () => {
  const src = lines(
    'from transformers import BitsAndBytesConfig',
    'def load_model(cpu_offloading, load_8bit, kwargs):',
    '    if cpu_offloading:',
    '        kwargs["quantization_config"] = BitsAndBytesConfig(load_in_8bit=True)',
    '    elif load_8bit:',
    '        kwargs["compress"] = True',
    '    return kwargs',
    'def always(quantize, kwargs):',
    '    if quantize:',
    '        from transformers import BitsAndBytesConfig',
    '        kwargs["quantization_config"] = BitsAndBytesConfig(load_in_4bit=True)',
    '    return kwargs',
  );
  assert.deepEqual(bnb(await findingsOf(src)), ['4 error', '11 error']);
});

test('ms-swift: a function that asserts a CUDA-only library on entry runs only with it', async () => {
  const src = lines(
    'from swift.utils import is_unsloth_available, is_xformers_available',
    'def load_by_unsloth(args):',
    '    """Load model by unsloth"""',
    "    assert is_unsloth_available(), 'please install unsloth if using `use_unsloth=True`: `pip install unsloth`'",
    '    from unsloth import FastLanguageModel as UnslothModel',
    '    return UnslothModel.from_pretrained(',
    '        model_name=args.model_dir,',
    '        load_in_4bit=args.quant_bits == 4,',
    '    )',
    'def load_with_xformers(model_cls, path):',
    '    if not is_xformers_available():',
    '        raise ImportError("xformers is required")',
    '    return model_cls.from_pretrained(path, load_in_8bit=True)',
  );
  assert.deepEqual(bnb(await findingsOf(src)), ['8 info', '13 info']);
});

test('counter-tests: an assert of something else, a library check later in the body, a check that only warns', async () => {
  const src = lines(
    'from swift.utils import is_unsloth_available',
    'def load(args):',
    '    assert args.model_dir, "no model"',
    '    return Model.from_pretrained(args.model_dir, load_in_4bit=args.quant_bits == 4)',
    'def load_late(args):',
    '    model = Model.from_pretrained(args.model_dir, load_in_8bit=True)',
    '    assert is_unsloth_available()',
    '    return model',
    'def load_warned(args):',
    '    if not is_unsloth_available():',
    '        logger.warning("unsloth missing")',
    '    return Model.from_pretrained(args.model_dir, load_in_8bit=True)',
  );
  assert.deepEqual(bnb(await findingsOf(src)), ['4 error', '6 error', '12 error']);
});
