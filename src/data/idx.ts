/**
 * The IDX file format of MNIST (LeCun et al.): a big-endian header, then raw unsigned bytes.
 * labels: magic 0x00000801, count, then count bytes; images: magic 0x00000803, count, rows, cols,
 * then count*rows*cols bytes. Every size is checked so a corrupt or truncated file fails loudly.
 */

const IDX_LABELS_MAGIC = 0x00000801;
const IDX_IMAGES_MAGIC = 0x00000803;

/** A file that is not what it claims to be; the message says which file and what to do. */
export class DataFormatError extends Error {
  override name = 'DataFormatError';
}

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count*rows*cols bytes, row-major, 0 = background, 255 = ink. */
  pixels: Uint8Array;
}

function u32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, false);
}

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}

export function parseIdxLabels(bytes: Uint8Array, name = 'labels file'): Uint8Array {
  if (bytes.length < 8)
    throw new DataFormatError(`${name}: ${bytes.length} bytes is too short for an IDX header`);
  const magic = u32(bytes, 0);
  if (magic !== IDX_LABELS_MAGIC) {
    throw new DataFormatError(
      `${name}: magic number ${hex(magic)}, expected ${hex(IDX_LABELS_MAGIC)} (IDX labels)`,
    );
  }
  const count = u32(bytes, 4);
  if (bytes.length !== 8 + count) {
    throw new DataFormatError(
      `${name}: header says ${count} labels, so ${8 + count} bytes, but it has ${bytes.length}`,
    );
  }
  const labels = bytes.subarray(8);
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw new DataFormatError(`${name}: label ${labels[bad]} at index ${bad} is not a digit 0-9`);
  return labels;
}

export function parseIdxImages(bytes: Uint8Array, name = 'images file'): IdxImages {
  if (bytes.length < 16)
    throw new DataFormatError(`${name}: ${bytes.length} bytes is too short for an IDX header`);
  const magic = u32(bytes, 0);
  if (magic !== IDX_IMAGES_MAGIC) {
    throw new DataFormatError(
      `${name}: magic number ${hex(magic)}, expected ${hex(IDX_IMAGES_MAGIC)} (IDX images)`,
    );
  }
  const count = u32(bytes, 4);
  const rows = u32(bytes, 8);
  const cols = u32(bytes, 12);
  const expected = 16 + count * rows * cols;
  if (bytes.length !== expected) {
    throw new DataFormatError(
      `${name}: header says ${count} images of ${rows}x${cols}, so ${expected} bytes, but it has ${bytes.length}` +
        (bytes.length < expected ? ' (truncated download?)' : ''),
    );
  }
  return { count, rows, cols, pixels: bytes.subarray(16) };
}
