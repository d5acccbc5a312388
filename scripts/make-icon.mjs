// Draws media/icon.png (128x128): a chip with pins, and an arrow from a "GPU" square into it.
// Node built-ins only; run once when the design changes: node scripts/make-icon.mjs
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const size = 128;
const pixels = new Uint8Array(size * size * 4);
const set = (x, y, [r, g, b, a]) => {
  if (x < 0 || y < 0 || x >= size || y >= size) return;
  const i = (y * size + x) * 4;
  pixels.set([r, g, b, a], i);
};
const rect = (x0, y0, x1, y1, color, radius = 0) => {
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const dx = Math.max(x0 + radius - x - 0.5, 0, x + 0.5 - (x1 - radius));
      const dy = Math.max(y0 + radius - y - 0.5, 0, y + 0.5 - (y1 - radius));
      if (dx * dx + dy * dy <= radius * radius) set(x, y, color);
    }
};
const chip = [196, 30, 58, 255]; // Ascend red
const core = [255, 255, 255, 255];
const pin = [120, 120, 120, 255];
for (let i = 0; i < 5; i++) {
  const p = 38 + i * 13;
  rect(p, 14, p + 6, 28, pin);
  rect(p, 100, p + 6, 114, pin);
  rect(14, p, 28, p + 6, pin);
  rect(100, p, 114, p + 6, pin);
}
rect(26, 26, 102, 102, chip, 10);
rect(44, 44, 84, 84, core, 6);
rect(52, 60, 76, 68, chip); // arrow shaft
for (let k = 0; k < 12; k++) rect(72 + k, 52 + k, 73 + k, 76 - k, chip); // arrow head

const raw = Buffer.alloc((size * 4 + 1) * size);
for (let y = 0; y < size; y++) {
  raw[y * (size * 4 + 1)] = 0;
  Buffer.from(pixels.buffer, y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
}
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type), data]);
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc(body));
  return Buffer.concat([len, body, sum]);
};
const header = Buffer.alloc(13);
header.writeUInt32BE(size, 0);
header.writeUInt32BE(size, 4);
header.set([8, 6, 0, 0, 0], 8);
const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
writeFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'media', 'icon.png'), png);
