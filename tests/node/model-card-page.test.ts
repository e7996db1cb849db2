// Model cards as pages: the build renders each models/<id>/README.md to card.html, which the lessons link.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cardPage } from '../../scripts/vite-plugin-models';
import { modelCardPage, SHIPPED_MODELS } from '../../src/nets/registry';

describe('model card pages', () => {
  it('render Markdown (headings, tables, images) into a standalone page with a way back', () => {
    const html = cardPage(
      '# A card\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![samples](samples.png)\n\n<script>x()</script>',
      'm',
    );
    expect(html).toContain('<h1>A card</h1>');
    expect(html).toContain('<td>1</td>');
    expect(html).toContain('<img src="samples.png" alt="samples">');
    expect(html).toContain('<title>Model card: m · Diffusion Lab</title>');
    expect(html).toContain('href="../../"');
    // raw HTML in a card is shown as text, never run
    expect(html).not.toContain('<script>');
  });

  it('exists for every shipped model with a card, at the address the lessons link', () => {
    for (const m of Object.values(SHIPPED_MODELS)) {
      expect(modelCardPage(m)).toBe(`models/${m.id}/card.html`);
      const page = cardPage(readFileSync(`models/${m.id}/README.md`, 'utf8'), m.id);
      expect(page, m.id).toMatch(/<h1>[^<]+<\/h1>/);
    }
  });
});
