import { databaseTarget } from './postgres';

describe('databaseTarget', () => {
  it('is the same for two URLs that reach one database, whoever connects', () => {
    expect(databaseTarget('postgresql://app:secret@DB.internal:5432/shop')).toBe('db.internal:5432/shop');
    expect(databaseTarget('postgres://reader@db.internal/shop?sslmode=require')).toBe('db.internal:5432/shop');
  });

  it('reads the host and port from the query string and defaults the database to the user, as libpq does', () => {
    expect(databaseTarget('postgresql:///shop?host=/var/run/postgresql&port=5433')).toBe(
      '/var/run/postgresql:5433/shop',
    );
    expect(databaseTarget('postgresql://shop@db')).toBe('db:5432/shop');
  });

  it('tells databases of one server apart, and knows nothing of a URL it cannot parse', () => {
    expect(databaseTarget('postgresql://db/shop')).not.toBe(databaseTarget('postgresql://db/shop_staging'));
    expect(databaseTarget('not a url')).toBeUndefined();
  });
});
