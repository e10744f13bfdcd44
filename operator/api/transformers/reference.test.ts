import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderTransformerReference } from './reference';
import { TRANSFORMERS } from './registry';

describe('transformer reference', () => {
  const rendered = renderTransformerReference();

  it('is what docs/transformers.md holds (run `npx tsx tools/transformer-reference.ts` after changing a transformer)', () => {
    expect(readFileSync(resolve(__dirname, '../../../docs/transformers.md'), 'utf8')).toBe(rendered);
  });

  it('documents every transformer with its parameters, defaults and injectivity', () => {
    for (const def of TRANSFORMERS.all()) expect(rendered).toContain(`## \`${def.name}\`\n\n${def.description}`);
    expect(rendered).toContain('| `days` | integer 1–36500 | `30` | Largest shift in days, either way. |');
    expect(rendered).toContain('| `value` | string or whole number | required |');
    expect(rendered).toContain('- **Injective:** when params.length is 16 or more');
  });
});
