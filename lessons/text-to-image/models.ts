/** The lesson's page-side model: the tokenizer (tokens are shown as the prompt is typed). */
import { fetchBytes } from '../../src/data/fetch-bytes';
import { modelFile, SHIPPED_MODELS } from '../../src/nets/registry';
import { BpeTokenizer } from '../../src/text/bpe';

let tokenizer: Promise<BpeTokenizer> | null = null;

/** The shipped tokenizer, fetched once from the page's own origin. */
export function shippedTokenizer(): Promise<BpeTokenizer> {
  tokenizer ??= fetchBytes(
    new URL(modelFile(SHIPPED_MODELS.tokenizerMnist, 'tokenizer'), document.baseURI).href,
  ).then((b) => BpeTokenizer.fromBytes(b));
  tokenizer.catch(() => (tokenizer = null));
  return tokenizer;
}
