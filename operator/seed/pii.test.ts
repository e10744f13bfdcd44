import { cardNumber } from '../api/transformers/card-number';
import { defineTransformer, NO_PARAMS } from '../api/transformers/definition';
import { TRANSFORMERS } from '../api/transformers/registry';
import { PII_KINDS } from './model';
import { DEFAULT_TRANSFORM, suggestionsByKind } from './pii';

describe('PII suggestions', () => {
  it('come from the transformer definitions, one per kind of personal column', () => {
    expect(Object.keys(DEFAULT_TRANSFORM).sort()).toEqual([...PII_KINDS].sort());
    expect(DEFAULT_TRANSFORM.dateOfBirth).toEqual({ transform: 'dateShift', params: { days: 180 } });
    expect(DEFAULT_TRANSFORM.address).toEqual({ transform: 'street' });
    expect(DEFAULT_TRANSFORM.secret).toEqual({ transform: 'hash' });
  });

  it('refuse a kind suggested twice, an unknown kind and a kind without a suggestion', () => {
    const all = TRANSFORMERS.all();
    const twin = defineTransformer({
      name: 'pan',
      description: 'x',
      params: NO_PARAMS,
      injective: false,
      leak: { scan: false, rowCheck: 'never' },
      suggestedFor: [{ kind: 'cardNumber' }],
    });
    expect(() => suggestionsByKind([...all, twin])).toThrow(
      'personal kind cardNumber has two suggested transformers: cardNumber and pan',
    );
    const odd = defineTransformer({
      name: 'odd',
      description: 'x',
      params: NO_PARAMS,
      injective: false,
      leak: { scan: false, rowCheck: 'never' },
      suggestedFor: [{ kind: 'shoeSize' }],
    });
    expect(() => suggestionsByKind([...all, odd])).toThrow('shoeSize, which is not a kind of personal column');
    expect(() => suggestionsByKind(all.filter((d) => d !== cardNumber))).toThrow(
      'no transformer is suggested for cardNumber',
    );
  });
});
