import { statusEqual } from './status';

describe('statusEqual', () => {
  it('ignores key order and undefined members, not values', () => {
    expect(statusEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(statusEqual({ a: 1, gone: undefined }, { a: 1 })).toBe(true);
    expect(statusEqual(undefined, {})).toBe(true);
    expect(statusEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(statusEqual({ a: 1 }, { a: '1' })).toBe(false);
  });
});
