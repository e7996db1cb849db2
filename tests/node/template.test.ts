// Model cards are Markdown templates filled from data (src/cli/template.ts): a missing or unused value fails.
import { describe, expect, it } from 'vitest';
import { cardTemplate, renderTemplate } from '../../src/cli/template';

describe('card templates', () => {
  it('fills every field, and refuses a missing or an unused value', () => {
    expect(renderTemplate('FID {{fid}} at {{ steps }} steps', { fid: 7.09, steps: '1,000' })).toBe(
      'FID 7.09 at 1,000 steps',
    );
    expect(() => renderTemplate('FID {{fid}}', {})).toThrow('the template needs a value for {{fid}}');
    expect(() => renderTemplate('FID {{fid}}', { fid: 1, stale: 2 })).toThrow(
      'values the template never uses: stale',
    );
  });

  it('the shipped cards name their figures as fields, not as numbers in the prose', () => {
    for (const name of ['ddpm.md', 'autoencoder.md', 'latent.md']) {
      const t = cardTemplate(name);
      expect(t).toMatch(/\{\{\w+\}\}/);
      // the quality target's numbers come from QUALITY_TARGET, never typed into the template
      expect(t).not.toMatch(/\b85%|> 0\.9\b/);
    }
  });
});
