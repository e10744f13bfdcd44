import fc from 'fast-check';
import { createDatabase, derivedName, MAX_IDENTIFIER_BYTES, previewUrl, quoteIdent, quoteLiteral } from './sql';

describe('postgres-database SQL', () => {
  it('quotes any identifier so that it reads back as exactly one quoted name', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !s.includes('\0')),
        (name) => {
          const quoted = quoteIdent(name);
          expect(quoted.startsWith('"') && quoted.endsWith('"')).toBe(true);
          // Inside, every quote is doubled: no way out of the identifier.
          expect(quoted.slice(1, -1).replace(/""/g, '')).not.toContain('"');
          expect(quoted.slice(1, -1).replace(/""/g, '"')).toBe(name);
        },
      ),
    );
  });

  it('refuses identifiers PostgreSQL would truncate or that hold NUL', () => {
    expect(() => quoteIdent('a'.repeat(64))).toThrow('longer than 63 bytes');
    expect(() => quoteIdent('')).toThrow('empty');
    expect(() => quoteIdent('a\0b')).toThrow('NUL');
  });

  it('escapes literals, backslashes included', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral('a\\b')).toBe("E'a\\\\b'");
  });

  it('derives short, distinct, [a-z0-9_] names from stack names', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 120 }), fc.string({ minLength: 1, maxLength: 120 }), (a, b) => {
        const name = derivedName(a);
        expect(name).toMatch(/^pv_[a-z0-9_]*_[0-9a-f]{10}$/);
        expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_IDENTIFIER_BYTES);
        if (a !== b) expect(derivedName(b)).not.toBe(name);
      }),
    );
    expect(derivedName('previews.pr-1234.0a1b2c3d4e5f')).toMatch(/^pv_previews_pr_1234_0a1b2c3d4e5f_[0-9a-f]{10}$/);
  });

  it('clones with FILE_COPY and quotes every name', () => {
    expect(createDatabase({ database: 'pv_a', role: 'pv_a', template: 'gold"en', marker: 'm' })).toBe(
      'CREATE DATABASE "pv_a" OWNER "pv_a" TEMPLATE "gold""en" STRATEGY FILE_COPY',
    );
    expect(createDatabase({ database: 'pv_a', role: 'pv_a', marker: 'm' })).toBe('CREATE DATABASE "pv_a" OWNER "pv_a"');
  });

  it("builds the preview URL from the server URL with the preview's role, password and database", () => {
    expect(
      previewUrl(
        'postgresql://admin:secret@db.example:6432/postgres?sslmode=require',
        { database: 'pv_x', role: 'pv_x' },
        'p/w@',
      ),
    ).toBe('postgresql://pv_x:p%2Fw%40@db.example:6432/pv_x?sslmode=require');
  });
});
