import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

// fengari is a Lua 5.3 VM in JavaScript: the health script runs here as Argo
// CD's gopher-lua would run it, with the object bound to the global `obj`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fengari = require('fengari') as FengariModule;

interface FengariModule {
  lua: Record<string, (...args: unknown[]) => unknown> & { LUA_OK: number };
  lauxlib: Record<string, (...args: unknown[]) => unknown>;
  lualib: { luaL_openlibs: (L: unknown) => void };
  to_luastring: (s: string) => Uint8Array;
  to_jsstring: (s: Uint8Array) => string;
}

const dir = resolve(__dirname, '../../examples/argocd');
const script = readFileSync(resolve(dir, 'health.lua'), 'utf8');

/** Writes a JSON value as a Lua table constructor, which is how the object reaches the script. */
function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `{${value.map(luaLiteral).join(',')}}`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `[${JSON.stringify(k)}]=${luaLiteral(v)}`).join(',')}}`;
}

function health(obj: unknown): { status: string; message?: string } {
  const { lua, lauxlib, lualib, to_luastring, to_jsstring } = fengari;
  const L = lauxlib.luaL_newstate!();
  lualib.luaL_openlibs(L);
  const program = `obj = ${luaLiteral(obj)}\nlocal function check()\n${script}\nend\nlocal hs = check()\nreturn hs.status, hs.message`;
  if (lauxlib.luaL_dostring!(L, to_luastring(program)) !== lua.LUA_OK) {
    throw new Error(to_jsstring(lua.lua_tostring!(L, -1) as Uint8Array));
  }
  const status = to_jsstring(lua.lua_tostring!(L, -2) as Uint8Array);
  const message = lua.lua_isnil!(L, -1) ? undefined : to_jsstring(lua.lua_tostring!(L, -1) as Uint8Array);
  return { status, message };
}

const cond = (type: string, status: string, message = `${type} is ${status}`) => ({ type, status, reason: 'Test', message, lastTransitionTime: '2026-01-01T00:00:00Z' });
const obj = (status: unknown, generation = 2) => ({ metadata: { name: 'x', generation }, status });

describe('Argo CD health check', () => {
  it('is embedded unchanged for every kind in the argocd-cm patch', () => {
    const patch = parse(readFileSync(resolve(dir, 'argocd-cm-patch.yaml'), 'utf8')) as { data: Record<string, string> };
    for (const kind of ['Baseline', 'StagingEnvironment', 'DataSeed', 'ParityCheck']) {
      expect(patch.data[`resource.customizations.health.understudy.dev_${kind}`]).toBe(script);
    }
  });

  it('waits for the operator before saying anything', () => {
    expect(health(obj(undefined)).status).toBe('Progressing');
    expect(health(obj({ observedGeneration: 1, conditions: [cond('Ready', 'True')] })).status).toBe('Progressing');
  });

  it('maps kstatus conditions to Argo CD health', () => {
    expect(health(obj({ observedGeneration: 2, conditions: [cond('Ready', 'True', 'all 8 services available')] }))).toEqual({ status: 'Healthy', message: 'all 8 services available' });
    expect(health(obj({ observedGeneration: 2, conditions: [cond('Ready', 'False'), cond('Stalled', 'True', 'spec.scale.replicas: must be above 0')] }))).toEqual({
      status: 'Degraded',
      message: 'spec.scale.replicas: must be above 0',
    });
    expect(health(obj({ observedGeneration: 2, conditions: [cond('Ready', 'False'), cond('Reconciling', 'True')] })).status).toBe('Progressing');
    expect(health(obj({ observedGeneration: 2, phase: 'Suspended', conditions: [cond('Ready', 'True')] })).status).toBe('Suspended');
    expect(health(obj({ observedGeneration: 2, phase: 'Failed', conditions: [cond('Ready', 'False', 'seed failed')] }))).toEqual({ status: 'Degraded', message: 'seed failed' });
  });

  it('reports a Baseline the operator cannot read as Degraded, so the admin\'s Application shows it', () => {
    const status = { observedGeneration: 2, conditions: [cond('Ready', 'False', 'no read access'), cond('Stalled', 'True', 'the operator may not list secrets in namespace shop')] };
    expect(health(obj(status))).toEqual({ status: 'Degraded', message: 'the operator may not list secrets in namespace shop' });
  });

  it('reports a ParityCheck that found drift as Degraded although it ran', () => {
    const status = { observedGeneration: 2, conditions: [cond('Ready', 'True'), cond('InParity', 'False', '3 findings')] };
    expect(health(obj(status))).toEqual({ status: 'Degraded', message: '3 findings' });
  });
});
