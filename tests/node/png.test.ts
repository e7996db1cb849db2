import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, digitGrid, encodePng } from '../../src/cli/png';

// Splits a PNG into its chunks, checking the signature.
function chunks(png: Uint8Array): { type: string; data: Uint8Array; crc: number }[] {
  expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out = [];
  for (let o = 8; o < png.length;) {
    const len = v.getUint32(o);
    const type = String.fromCharCode(...png.subarray(o + 4, o + 8));
    out.push({ type, data: png.subarray(o + 8, o + 8 + len), crc: v.getUint32(o + 8 + len) });
    o += 12 + len;
  }
  return out;
}

describe('PNG writer', () => {
  it('computes the standard CRC-32', () => {
    // The catalogued check value of CRC-32/ISO-HDLC for the ASCII digits 1–9.
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('writes IHDR, IDAT and IEND whose pixels inflate back to the input', () => {
    const w = 3;
    const h = 2;
    const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37) % 256);
    const cs = chunks(encodePng(w, h, rgb));
    expect(cs.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = new DataView(cs[0]!.data.buffer, cs[0]!.data.byteOffset, 13);
    expect([ihdr.getUint32(0), ihdr.getUint32(4), ...cs[0]!.data.subarray(8)]).toEqual([3, 2, 8, 2, 0, 0, 0]);
    // Every PNG ends with the same IEND chunk, CRC AE 42 60 82.
    expect(cs[2]!.crc).toBe(0xae426082);
    for (const c of cs)
      expect(c.crc).toBe(crc32(Uint8Array.from([...new TextEncoder().encode(c.type), ...c.data])));
    const raw = new Uint8Array(inflateSync(cs[1]!.data));
    expect(raw.length).toBe(h * (1 + w * 3));
    for (let y = 0; y < h; y++) {
      expect(raw[y * (1 + w * 3)]).toBe(0); // filter type None
      expect([...raw.subarray(y * (1 + w * 3) + 1, (y + 1) * (1 + w * 3))]).toEqual([
        ...rgb.subarray(y * w * 3, (y + 1) * w * 3),
      ]);
    }
  });

  it('rejects a buffer of the wrong size', () => {
    expect(() => encodePng(2, 2, new Uint8Array(11))).toThrow(/needs 12 RGB bytes, got 11/);
    expect(() => encodePng(0, 2, new Uint8Array(0))).toThrow(/positive integers/);
  });
});

describe('digit grid', () => {
  it('scales pixels from [-1, 1] to grey levels, frames cells and flags them in red', () => {
    const side = 2;
    // Three 2×2 "digits": -1 (black), 1 (white), and a ramp with out-of-range values that clip.
    const images = Float32Array.from([-1, -1, -1, -1, 1, 1, 1, 1, -2, 0, 0.5, 2]);
    const g = digitGrid(images, { cols: 2, scale: 3, frame: 1, side, flagged: [false, true, false] });
    const cell = side * 3 + 2;
    expect([g.width, g.height]).toEqual([2 * cell, 2 * cell]);
    const at = (x: number, y: number) => [
      ...g.rgb.subarray((y * g.width + x) * 3, (y * g.width + x) * 3 + 3),
    ];
    expect(at(0, 0)).toEqual([64, 64, 64]); // plain frame
    expect(at(cell, 0)).toEqual([224, 48, 48]); // flagged frame
    expect(at(cell + cell - 1, cell - 1)).toEqual([224, 48, 48]);
    expect(at(1, 1)).toEqual([0, 0, 0]);
    expect(at(cell + 1 + 5, 1 + 5)).toEqual([255, 255, 255]);
    // Third digit, bottom-left cell: pixel (col, row) of the image covers 3×3 screen pixels.
    const third = (col: number, row: number) => at(1 + 3 * col + 1, cell + 1 + 3 * row + 1);
    expect(third(0, 0)).toEqual([0, 0, 0]); // -2 clipped to -1
    expect(third(1, 0)).toEqual([128, 128, 128]); // 0 → 127.5, rounded
    expect(third(0, 1)).toEqual([191, 191, 191]); // 0.5 → 191.25
    expect(third(1, 1)).toEqual([255, 255, 255]); // 2 clipped to 1
    // The fourth cell of the 2×2 layout is empty: black, no frame.
    expect(at(cell, cell)).toEqual([0, 0, 0]);
  });

  it('rejects a buffer that is not whole images', () => {
    expect(() => digitGrid(new Float32Array(785), { cols: 10 })).toThrow(/whole number of 28×28/);
  });
});
