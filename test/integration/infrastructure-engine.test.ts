import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { derivedName } from '../../operator/infrastructure/postgres/sql';
import { databasesLike, pgQuery, rolesLike, runRunner, testPgUrl } from './infrastructure-runner';

// The real `pulumi` engine (test/cluster/build-pulumi.sh) running the
// built-in postgres-database program, an inline program with a dynamic
// provider, through the Automation API against a file:// backend and the
// test PostgreSQL: up, up again (nothing to do), a refresh preview before and
// after someone drops the database, a clone from a golden database, destroy.

jest.setTimeout(180_000);

describe('the pulumi engine with the postgres-database program', () => {
  const backendDir = mkdtempSync(join(tmpdir(), 'understudy-pulumi-state-'));
  const backendUrl = pathToFileURL(backendDir).toString();
  const serverUrl = () => testPgUrl();

  it('creates a database and a login role, changes nothing on a second up, sees drift, and destroys both', async () => {
    const stack = 'engine.smoke.0001';
    const name = derivedName(stack);
    const secretConfig = { serverUrl: serverUrl() };
    const up = await runRunner({ action: 'up', stack, backendUrl, secretConfig });
    expect(up.result).toMatchObject({ ok: true, action: 'up', changes: { create: 2 } });
    if (!up.result.ok) throw new Error('unreachable');
    expect(up.result.outputs.database).toEqual({ value: name, secret: false });
    expect(up.result.outputs.password?.secret).toBe(true);
    expect(up.progress).toContain('created database');
    expect(await databasesLike(serverUrl(), name)).toEqual([name]);
    expect(await rolesLike(serverUrl(), name)).toEqual([name]);
    // The preview's URL logs in as the preview's role, into the preview's database.
    const url = String(up.result.outputs.url?.value);
    expect(await pgQuery(url, 'SELECT current_user AS u, current_database() AS d')).toEqual([{ u: name, d: name }]);

    const again = await runRunner({ action: 'up', stack, backendUrl, secretConfig });
    expect(again.result).toMatchObject({ ok: true, changes: { same: 2 } });

    expect((await runRunner({ action: 'drift', stack, backendUrl, secretConfig })).result).toMatchObject({
      ok: true,
      drifted: false,
    });
    await pgQuery(serverUrl(), `DROP DATABASE "${name}"`);
    expect((await runRunner({ action: 'drift', stack, backendUrl, secretConfig })).result).toMatchObject({
      ok: true,
      drifted: true,
    });

    const down = await runRunner({ action: 'destroy', stack, backendUrl, secretConfig });
    expect(down.result).toMatchObject({ ok: true, action: 'destroy' });
    expect(await databasesLike(serverUrl(), name)).toEqual([]);
    expect(await rolesLike(serverUrl(), name)).toEqual([]);
    // The stack is removed from the backend too: nothing of it is left.
    expect(filesNaming(backendDir, stack)).toEqual([]);
  });

  it('clones a golden database with its rows, owned by the preview role', async () => {
    const golden = 'engine_golden';
    await pgQuery(serverUrl(), `DROP DATABASE IF EXISTS ${golden}`);
    await pgQuery(serverUrl(), `CREATE DATABASE ${golden}`);
    const goldenUrl = Object.assign(new URL(serverUrl()), { pathname: `/${golden}` }).toString();
    await pgQuery(
      goldenUrl,
      'CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items SELECT g, md5(g::text) FROM generate_series(1, 1000) g',
    );

    const stack = 'engine.clone.0001';
    const secretConfig = { serverUrl: serverUrl() };
    const up = await runRunner({ action: 'up', stack, backendUrl, secretConfig, config: { template: golden } });
    expect(up.result.ok).toBe(true);
    if (!up.result.ok) throw new Error(up.result.message);
    const url = String(up.result.outputs.url?.value);
    expect(await pgQuery(url, 'SELECT count(*)::int AS n FROM items')).toEqual([{ n: 1000 }]);
    // The preview's role owns the cloned table: it may truncate it, as a DataSeed does.
    await pgQuery(url, 'TRUNCATE items');
    expect(
      (await runRunner({ action: 'destroy', stack, backendUrl, secretConfig, config: { template: golden } })).result.ok,
    ).toBe(true);
    expect(await databasesLike(serverUrl(), derivedName(stack))).toEqual([]);
  });

  it("reports the engine's own message when the program fails", async () => {
    const stack = 'engine.broken.0001';
    const up = await runRunner({
      action: 'up',
      stack,
      backendUrl,
      secretConfig: { serverUrl: serverUrl() },
      config: { template: 'no_such_golden' },
    });
    expect(up.result.ok).toBe(false);
    if (up.result.ok) throw new Error('unreachable');
    expect(up.result.message).toContain('template database "no_such_golden" does not exist');
    // A failed create is not in the state: the role it made first is dropped at once, nothing is left.
    expect(await rolesLike(serverUrl(), derivedName(stack))).toEqual([]);
    expect(
      (
        await runRunner({
          action: 'destroy',
          stack,
          backendUrl,
          secretConfig: { serverUrl: serverUrl() },
          config: { template: 'no_such_golden' },
        })
      ).result.ok,
    ).toBe(true);
  });
});

/** Every file under `dir` whose path names the stack: checkpoints, backups, history, locks (the file bucket leaves empty directories behind). */
function filesNaming(dir: string, stack: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter(
    (path) => path.includes(stack) && statSync(join(dir, path)).isFile(),
  );
}
