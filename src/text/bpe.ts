/**
 * A byte-pair-encoding tokenizer (Sennrich, Haddow & Birch 2016), learned from the caption corpus by the
 * code below and stored in the Hugging Face `tokenizer.json` layout, so any library that reads that
 * format gives the same ids (tests/node/tokenizer.test.ts checks @huggingface/tokenizers).
 *
 * Text goes through four fixed stages, the same in `encode` and in the stored JSON:
 *   1. special tokens typed literally ("<end>") are split off first, as Hugging Face tokenizers do;
 *   2. normalise: Unicode NFKC, then lower case ("Seven" and "SEVEN" are "seven");
 *   3. pre-tokenise: split on white space, then punctuation runs apart from the rest, then every digit
 *      alone ("7," -> "7" ","; "42" -> "4" "2");
 *   4. BPE: each piece starts as its characters and the learned merges join neighbours, lowest rank
 *      first. A character the vocabulary lacks (an emoji, "é") becomes its UTF-8 bytes, <0xF0>… (byte
 *      fallback), so every string has an answer and nothing is silently dropped.
 * Then <start> … <end>, cut to the context length (like CLIP's 77, shorter here), padded with <pad>.
 */

export const PAD = '<pad>';
export const START = '<start>';
export const END = '<end>';
export const SPECIAL_TOKENS = [PAD, START, END] as const;

/** The byte-fallback token of byte b: "<0x41>". */
export const byteToken = (b: number) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
const BYTE_TOKEN = /^<0x([0-9A-F]{2})>$/;

/** Characters every tokenizer knows, whatever its corpus: lower-case letters, digits, ASCII punctuation. */
export const BASE_ALPHABET = [
  ...'abcdefghijklmnopqrstuvwxyz0123456789',
  ...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
];

export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

// The same character classes as @huggingface/tokenizers' Punctuation and Digits pre-tokenisers.
const PUNCT = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const PUNCT_SPLIT = new RegExp(`[^${PUNCT}]+|[${PUNCT}]+`, 'gu');
const DIGIT_SPLIT = /[^\d]+|\d/gu;

/** Stage 3: the pieces BPE works on, in order. */
export function preTokenize(normalized: string): string[] {
  const out: string[] = [];
  for (const word of normalized.match(/\S+/g) ?? [])
    for (const p of word.match(PUNCT_SPLIT) ?? []) for (const d of p.match(DIGIT_SPLIT) ?? []) out.push(d);
  return out;
}

/** One step of learning: the pair merged and how often it occurred in the corpus at that point. */
export interface MergeStep {
  pair: [string, string];
  count: number;
}

/**
 * Learn merges from a corpus: count every word (piece), start from characters, and repeatedly merge the
 * most frequent adjacent pair (ties: the pair that sorts first), until `maxMerges` merges or no pair
 * occurs `minCount` times.
 */
export function learnMerges(corpus: Iterable<string>, maxMerges: number, minCount = 2): MergeStep[] {
  const counts = new Map<string, number>();
  for (const text of corpus)
    for (const w of preTokenize(normalize(text))) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts].map(([w, n]) => ({ symbols: Array.from(w), n }));
  const steps: MergeStep[] = [];
  while (steps.length < maxMerges) {
    const pairs = new Map<string, number>();
    for (const { symbols, n } of words)
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = JSON.stringify([symbols[i], symbols[i + 1]]);
        pairs.set(key, (pairs.get(key) ?? 0) + n);
      }
    let best: string | null = null;
    let bestCount = 0;
    for (const [key, c] of pairs)
      if (c > bestCount || (c === bestCount && best !== null && key < best)) [best, bestCount] = [key, c];
    if (best === null || bestCount < minCount) break;
    const [a, b] = JSON.parse(best) as [string, string];
    for (const w of words) w.symbols = mergePair(w.symbols, a, b);
    steps.push({ pair: [a, b], count: bestCount });
  }
  return steps;
}

/** Every adjacent (a, b) in symbols joined, left to right. */
function mergePair(symbols: string[], a: string, b: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (i + 1 < symbols.length && symbols[i] === a && symbols[i + 1] === b) {
      out.push(a + b);
      i++;
    } else out.push(symbols[i]!);
  }
  return out;
}

/** What `encode` returns: ids and their tokens, with what happened on the way. */
export interface Encoding {
  /** contextLength ids: <start>, the tokens, <end>, then <pad>s. */
  ids: number[];
  tokens: string[];
  /** Tokens before padding (<start> and <end> included). */
  length: number;
  /** Tokens cut off to fit the context length (0 when it fits). */
  dropped: number;
  /** Per token: a byte-fallback token, i.e. part of a character the vocabulary lacks. */
  isByte: boolean[];
}

/** The Hugging Face tokenizer.json layout (the parts this tokenizer uses). */
export interface TokenizerJson {
  version: '1.0';
  truncation: { direction: 'Right'; max_length: number; strategy: 'LongestFirst'; stride: 0 };
  padding: null;
  added_tokens: {
    id: number;
    content: string;
    single_word: false;
    lstrip: false;
    rstrip: false;
    normalized: false;
    special: true;
  }[];
  normalizer: { type: 'Sequence'; normalizers: { type: string }[] };
  pre_tokenizer: { type: 'Sequence'; pretokenizers: Record<string, unknown>[] };
  post_processor: Record<string, unknown>;
  decoder: Record<string, unknown>;
  model: {
    type: 'BPE';
    dropout: null;
    unk_token: null;
    continuing_subword_prefix: null;
    end_of_word_suffix: null;
    fuse_unk: false;
    byte_fallback: true;
    ignore_merges: false;
    vocab: Record<string, number>;
    merges: [string, string][];
  };
}

export class BpeTokenizer {
  readonly vocab: string[];
  readonly ids: Map<string, number>;
  readonly merges: [string, string][];
  readonly contextLength: number;
  private readonly ranks: Map<string, number>;
  private readonly cache = new Map<string, string[]>();

  constructor(vocab: string[], merges: [string, string][], contextLength: number) {
    if (!(Number.isInteger(contextLength) && contextLength >= 3))
      throw new Error(`context length ${contextLength}: need at least 3 (<start>, a token, <end>)`);
    this.vocab = vocab;
    this.ids = new Map(vocab.map((t, i) => [t, i]));
    if (this.ids.size !== vocab.length) throw new Error('the vocabulary repeats a token');
    for (const s of SPECIAL_TOKENS) if (!this.ids.has(s)) throw new Error(`the vocabulary lacks ${s}`);
    for (let b = 0; b < 256; b++)
      if (!this.ids.has(byteToken(b))) throw new Error(`the vocabulary lacks the byte token ${byteToken(b)}`);
    this.merges = merges;
    this.ranks = new Map(merges.map((m, i) => [JSON.stringify(m), i]));
    this.contextLength = contextLength;
  }

  /** Learn a tokenizer from a corpus: specials, the 256 byte tokens, the base alphabet, then the merges. */
  static learn(
    corpus: Iterable<string>,
    opts: { maxMerges: number; contextLength: number; minCount?: number },
  ) {
    const steps = learnMerges(corpus, opts.maxMerges, opts.minCount);
    const vocab: string[] = [...SPECIAL_TOKENS];
    for (let b = 0; b < 256; b++) vocab.push(byteToken(b));
    const seen = new Set(vocab);
    const add = (t: string) => {
      if (seen.has(t)) return;
      vocab.push(t);
      seen.add(t);
    };
    BASE_ALPHABET.forEach(add);
    // characters of the corpus beyond the base alphabet (a pair's halves are single characters or merges)
    for (const { pair } of steps) for (const half of pair) if (Array.from(half).length === 1) add(half);
    for (const { pair } of steps) add(pair[0] + pair[1]);
    return {
      tokenizer: new BpeTokenizer(
        vocab,
        steps.map((s) => s.pair),
        opts.contextLength,
      ),
      steps,
    };
  }

  /** BPE of one piece: its characters, joined by the merges in rank order. */
  bpe(piece: string): string[] {
    const hit = this.cache.get(piece);
    if (hit) return hit;
    let symbols = Array.from(piece);
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const r = this.ranks.get(JSON.stringify([symbols[i], symbols[i + 1]]));
        if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
      }
      if (best < 0) break;
      symbols = mergePair(symbols, symbols[best]!, symbols[best + 1]!);
    }
    if (this.cache.size < 10_000) this.cache.set(piece, symbols);
    return symbols;
  }

  /** The tokens of a text, without <start>, <end>, truncation or padding. */
  tokenize(text: string): string[] {
    const out: string[] = [];
    const specials = new RegExp(`(${SPECIAL_TOKENS.map((s) => s.replace(/[<>]/g, '\\$&')).join('|')})`);
    for (const part of text.split(specials)) {
      if ((SPECIAL_TOKENS as readonly string[]).includes(part)) {
        out.push(part);
        continue;
      }
      for (const piece of preTokenize(normalize(part)))
        for (const t of this.bpe(piece)) {
          if (this.ids.has(t)) out.push(t);
          else for (const b of new TextEncoder().encode(t)) out.push(byteToken(b));
        }
    }
    return out;
  }

  encode(text: string): Encoding {
    const body = this.tokenize(text);
    const room = this.contextLength - 2;
    const kept = body.slice(0, room);
    const tokens = [START, ...kept, END];
    const length = tokens.length;
    while (tokens.length < this.contextLength) tokens.push(PAD);
    return {
      ids: tokens.map((t) => this.ids.get(t)!),
      tokens,
      length,
      dropped: Math.max(0, body.length - room),
      isByte: tokens.map((t) => BYTE_TOKEN.test(t)),
    };
  }

  /** Token ids [n·L] of texts (row-major) and the index of each row's <end> token [n]. */
  encodeBatch(texts: readonly string[]): { ids: Int32Array; ends: Int32Array } {
    const L = this.contextLength;
    const ids = new Int32Array(texts.length * L);
    const ends = new Int32Array(texts.length);
    texts.forEach((t, i) => {
      const e = this.encode(t);
      ids.set(e.ids, i * L);
      ends[i] = e.length - 1;
    });
    return { ids, ends };
  }

  /** Text of ids: tokens joined, byte runs decoded as UTF-8, specials left out. */
  decode(ids: readonly number[]): string {
    const out: string[] = [];
    let bytes: number[] = [];
    const flush = () => {
      if (bytes.length) out.push(new TextDecoder().decode(Uint8Array.from(bytes)));
      bytes = [];
    };
    for (const id of ids) {
      const t = this.vocab[id];
      if (t === undefined)
        throw new RangeError(`token id ${id} is outside the vocabulary of ${this.vocab.length}`);
      const m = BYTE_TOKEN.exec(t);
      if (m) bytes.push(parseInt(m[1]!, 16));
      else {
        flush();
        if (!(SPECIAL_TOKENS as readonly string[]).includes(t)) out.push(t);
      }
    }
    flush();
    return out.join('');
  }

  /** The Hugging Face tokenizer.json of this tokenizer. */
  toJSON(): TokenizerJson {
    const special = (s: string) => ({ id: this.ids.get(s)!, type_id: 0 });
    return {
      version: '1.0',
      truncation: { direction: 'Right', max_length: this.contextLength, strategy: 'LongestFirst', stride: 0 },
      padding: null,
      added_tokens: SPECIAL_TOKENS.map((content) => ({
        id: this.ids.get(content)!,
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
      normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] },
      pre_tokenizer: {
        type: 'Sequence',
        pretokenizers: [
          { type: 'WhitespaceSplit' },
          { type: 'Punctuation', behavior: 'Isolated' },
          { type: 'Digits', individual_digits: true },
        ],
      },
      post_processor: {
        type: 'TemplateProcessing',
        single: [
          { SpecialToken: { id: START, type_id: 0 } },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: END, type_id: 0 } },
        ],
        pair: [
          { SpecialToken: { id: START, type_id: 0 } },
          { Sequence: { id: 'A', type_id: 0 } },
          { Sequence: { id: 'B', type_id: 1 } },
          { SpecialToken: { id: END, type_id: 0 } },
        ],
        special_tokens: Object.fromEntries(
          [START, END].map((s) => [s, { id: s, ids: [special(s).id], tokens: [s] }]),
        ),
      },
      decoder: { type: 'Sequence', decoders: [{ type: 'ByteFallback' }, { type: 'Fuse' }] },
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: null,
        end_of_word_suffix: null,
        fuse_unk: false,
        byte_fallback: true,
        ignore_merges: false,
        vocab: Object.fromEntries(this.vocab.map((t, i) => [t, i])),
        merges: this.merges,
      },
    };
  }

  /** A tokenizer from the bytes of its tokenizer.json file (as fetched or read from disk). */
  static fromBytes(bytes: Uint8Array): BpeTokenizer {
    return BpeTokenizer.fromJSON(JSON.parse(new TextDecoder().decode(bytes)) as TokenizerJson);
  }

  /** A tokenizer from its tokenizer.json (the layout toJSON writes), checked. */
  static fromJSON(json: TokenizerJson): BpeTokenizer {
    if (json?.model?.type !== 'BPE' || !json.model.byte_fallback)
      throw new Error('tokenizer.json: not a byte-fallback BPE tokenizer');
    const vocab: string[] = [];
    for (const [t, i] of Object.entries(json.model.vocab)) vocab[i] = t;
    if (
      vocab.length !== Object.keys(json.model.vocab).length ||
      Array.from(vocab).includes(undefined as never)
    )
      throw new Error('tokenizer.json: vocabulary ids are not 0..n-1');
    return new BpeTokenizer(vocab, json.model.merges, json.truncation.max_length);
  }
}
