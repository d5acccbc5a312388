// Converts the committed official schema onnx-ml.proto into protobufjs JSON (onnx-ml.json), which the
// decoder loads with protobufjs/light at first use: field numbers always come from the .proto, never by hand.
// usage: node src/core/onnx/proto/generate.mjs [--check]   (--check: exit 1 when onnx-ml.json is stale)
import protobuf from 'protobufjs';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export function protoToJson() {
  const source = readFileSync(join(here, 'onnx-ml.proto'), 'utf8');
  const root = protobuf.parse(source, { keepCase: true, alternateCommentMode: false }).root;
  return JSON.stringify(root.toJSON({ keepComments: false }), null, 1) + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = protoToJson();
  const target = join(here, 'onnx-ml.json');
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (process.argv.includes('--check')) {
    if (current !== text) {
      process.stderr.write('src/core/onnx/proto/onnx-ml.json is stale: run node src/core/onnx/proto/generate.mjs\n');
      process.exit(1);
    }
  } else if (current !== text) writeFileSync(target, text);
}
