// Draws the extension's icon (media/icon.png, 128×128 RGBA): three cache blocks stacked on a dark
// rounded square with a green check — "a connector that passes". Written as a script so the icon
// is reproducible without an image editor: `node scripts/make-icon.mjs`.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, deflateSync } from "node:zlib";

const SIZE = 128;
const SAMPLES = 4; // 4×4 supersampling for smooth edges

/** Signed distance from (x, y) to a rounded rectangle (negative inside). */
function roundRect(x, y, x0, y0, x1, y1, r) {
  const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
  const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
  return Math.hypot(dx, dy) - r;
}

/** Distance from (x, y) to the segment (ax, ay)–(bx, by). */
function segment(x, y, ax, ay, bx, by) {
  const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  return Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay)));
}

/** Shapes, back to front: [inside(x, y), [r, g, b]]. */
const shapes = [
  [(x, y) => roundRect(x, y, 4, 4, 124, 124, 22) <= 0, [0x1f, 0x3b, 0x73]],
  [(x, y) => roundRect(x, y, 22, 24, 90, 44, 6) <= 0, [0x4f, 0x8c, 0xff]],
  [(x, y) => roundRect(x, y, 22, 54, 90, 74, 6) <= 0, [0x6f, 0xa3, 0xff]],
  [(x, y) => roundRect(x, y, 22, 84, 90, 104, 6) <= 0, [0x9c, 0xc2, 0xff]],
  [(x, y) => Math.min(segment(x, y, 80, 78, 94, 94), segment(x, y, 94, 94, 114, 58)) <= 6, [0x39, 0xd9, 0x8a]],
];

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let py = 0; py < SIZE; py++) {
  raw[py * (SIZE * 4 + 1)] = 0; // filter: none
  for (let px = 0; px < SIZE; px++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const x = px + (sx + 0.5) / SAMPLES;
        const y = py + (sy + 0.5) / SAMPLES;
        let colour = null;
        for (const [inside, rgb] of shapes) if (inside(x, y)) colour = rgb;
        if (colour) {
          acc[0] += colour[0];
          acc[1] += colour[1];
          acc[2] += colour[2];
          acc[3] += 1;
        }
      }
    }
    const o = py * (SIZE * 4 + 1) + 1 + px * 4;
    const n = acc[3];
    raw[o] = n ? Math.round(acc[0] / n) : 0;
    raw[o + 1] = n ? Math.round(acc[1] / n) : 0;
    raw[o + 2] = n ? Math.round(acc[2] / n) : 0;
    raw[o + 3] = Math.round((255 * n) / (SAMPLES * SAMPLES));
  }
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // colour type RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk("IHDR", header),
  chunk("IDAT", deflateSync(raw, { level: 9 })),
  chunk("IEND", Buffer.alloc(0)),
]);
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "media", "icon.png");
writeFileSync(out, png);
console.log(`${path.relative(process.cwd(), out)}: ${png.length} bytes`);
