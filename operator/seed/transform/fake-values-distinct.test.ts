import fc from 'fast-check';
import { SeededHash } from '../keyed';
import { cardNumber, iban, isIbanValid, isLuhnValid } from './fake-values';

// Fake card numbers and IBANs depend on their input: they used to be one
// constant per key, so 3,000 production cards became one (and a UNIQUE column failed).
describe('card numbers and IBANs are keyed by their input', () => {
  it('gives distinct inputs distinct, valid values', () => {
    const k = new SeededHash(1);
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[0-9]{16}$/), { minLength: 50, maxLength: 50 }), (inputs) => {
        const cards = inputs.map((v) => cardNumber(k, v));
        const ibans = inputs.map((v) => iban(k, v));
        expect(new Set(cards).size).toBeGreaterThanOrEqual(49);
        expect(new Set(ibans).size).toBeGreaterThanOrEqual(49);
        for (const c of cards) expect(isLuhnValid(c) && c.length === 16).toBe(true);
        for (const i of ibans) expect(isIbanValid(i) && i.length === 22).toBe(true);
        expect(cardNumber(k, inputs[0]!)).toBe(cards[0]);
      }),
      { numRuns: 20 },
    );
  });
});
