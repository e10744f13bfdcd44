import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runRunner } from './infrastructure-runner';

// An image program: an image built FROM the operator's adds a Node module at
// /program, which the runner loads and runs as an inline program, handing it
// the runner's own @pulumi/pulumi. In a cluster the Job runs that image; here
// the runner runs a module from a temporary directory (kwok runs no images),
// with the real engine and a file:// backend.

jest.setTimeout(120_000);

function programModule(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'understudy-image-program-'));
  writeFileSync(join(dir, 'index.js'), source);
  return dir;
}

describe('an image program', () => {
  const backendUrl = pathToFileURL(mkdtempSync(join(tmpdir(), 'understudy-image-state-'))).toString();

  it("runs the image's module with the stack's configuration, and its outputs keep their secrecy", async () => {
    const module = programModule(`
      module.exports = (pulumi) => {
        const config = new pulumi.Config();
        return { greeting: 'hello ' + config.require('who'), token: config.requireSecret('token'), stack: pulumi.getStack() };
      };
    `);
    const request = {
      stack: 'image.prog.0001',
      backendUrl,
      program: 'image' as const,
      programModule: module,
      config: { who: 'preview' },
      secretConfig: { token: 's3cr3t' },
    };
    const up = await runRunner({ action: 'up', ...request });
    expect(up.result).toMatchObject({ ok: true, action: 'up' });
    if (!up.result.ok) throw new Error('unreachable');
    expect(up.result.outputs).toEqual({
      greeting: { value: 'hello preview', secret: false },
      token: { value: 's3cr3t', secret: true },
      stack: { value: 'image.prog.0001', secret: false },
    });
    const down = await runRunner({ action: 'destroy', ...request });
    expect(down.result).toMatchObject({ ok: true, action: 'destroy' });
  });

  it('fails naming the module when it exports no program, or cannot be loaded', async () => {
    const empty = programModule('module.exports = { notAProgram: 1 };');
    const none = await runRunner({
      action: 'up',
      stack: 'image.prog.0002',
      backendUrl,
      program: 'image',
      programModule: empty,
    });
    expect(none.result).toMatchObject({ ok: false });
    expect(!none.result.ok && none.result.message).toContain(`the image's program ${empty} exports no function`);

    const missing = join(tmpdir(), 'understudy-no-such-program');
    const gone = await runRunner({
      action: 'up',
      stack: 'image.prog.0003',
      backendUrl,
      program: 'image',
      programModule: missing,
    });
    expect(!gone.result.ok && gone.result.message).toContain(`the image's program ${missing} could not be loaded`);
  });
});
