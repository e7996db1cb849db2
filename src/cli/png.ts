/**
 * A minimal PNG writer for figures made in Node (model cards): 8-bit RGB, one IDAT chunk, filter 0 on
 * every row. Enough for digit grids; nothing here reads PNGs.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO-HDLC, as PNG chunks use) of the bytes. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A PNG file of an RGB image (`rgb` holds width*height*3 bytes, row by row). */
export function encodePng(width: number, height: number, rgb: Uint8Array): Uint8Array {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0))
    throw new Error(`PNG size ${width}×${height}: need positive integers`);
  if (rgb.length !== width * height * 3)
    throw new Error(`PNG ${width}×${height} needs ${width * height * 3} RGB bytes, got ${rgb.length}`);
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, filter method 0, no interlace
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++)
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', new Uint8Array(deflateSync(raw, { level: 9 }))),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface DigitGrid {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** Image arrays end to end (the rows of a figure drawn by digitGrid). */
export function joinImages(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Digits (n*side*side floats in [-1, 1], white on black) laid out `cols` to a row, each scaled up by
 * `scale` and framed `frame` pixels wide: grey for a plain cell, red where `flagged[i]` is set.
 */
export function digitGrid(
  images: Float32Array,
  o: { cols: number; scale?: number; frame?: number; side?: number; flagged?: boolean[] },
): DigitGrid {
  const side = o.side ?? 28;
  const scale = o.scale ?? 2;
  const frame = o.frame ?? 2;
  const n = images.length / (side * side);
  if (!Number.isInteger(n) || n === 0)
    throw new Error(`digitGrid: ${images.length} values is not a whole number of ${side}×${side} images`);
  const cell = side * scale + 2 * frame;
  const rows = Math.ceil(n / o.cols);
  const width = o.cols * cell;
  const height = rows * cell;
  const rgb = new Uint8Array(width * height * 3); // black where no digit is
  const put = (x: number, y: number, r: number, g: number, b: number) => {
    const i = (y * width + x) * 3;
    rgb[i] = r;
    rgb[i + 1] = g;
    rgb[i + 2] = b;
  };
  for (let k = 0; k < n; k++) {
    const x0 = (k % o.cols) * cell;
    const y0 = Math.floor(k / o.cols) * cell;
    const [fr, fg, fb] = o.flagged?.[k] ? [224, 48, 48] : [64, 64, 64];
    for (let y = 0; y < cell; y++)
      for (let x = 0; x < cell; x++) {
        const inner = x >= frame && x < cell - frame && y >= frame && y < cell - frame;
        if (!inner) {
          put(x0 + x, y0 + y, fr, fg, fb);
          continue;
        }
        const px =
          images[k * side * side + Math.floor((y - frame) / scale) * side + Math.floor((x - frame) / scale)]!;
        const g = Math.round(((Math.min(1, Math.max(-1, px)) + 1) / 2) * 255);
        put(x0 + x, y0 + y, g, g, g);
      }
  }
  return { width, height, rgb };
}
