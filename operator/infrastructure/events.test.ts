import { describeEvent, engineFailureMessage, MAX_MESSAGE } from './events';

const meta = (op: string) => ({
  op,
  urn: 'urn:pulumi:s::p::pulumi-nodejs:dynamic:Resource::database',
  type: 'pulumi-nodejs:dynamic:Resource',
});

describe('engine events', () => {
  it('tells resource steps, failures and the summary, not the stack itself or planning', () => {
    expect(describeEvent({ resourcePreEvent: { metadata: meta('create') } })).toBe('creating database');
    expect(describeEvent({ resOutputsEvent: { metadata: meta('delete') } })).toBe('deleted database');
    expect(describeEvent({ resourcePreEvent: { metadata: meta('create'), planning: true } })).toBeUndefined();
    expect(
      describeEvent({ resourcePreEvent: { metadata: { ...meta('create'), type: 'pulumi:pulumi:Stack' } } }),
    ).toBeUndefined();
    expect(describeEvent({ resourcePreEvent: { metadata: meta('same') } })).toBeUndefined();
    expect(describeEvent({ resOpFailedEvent: { metadata: meta('create') } })).toBe('failed to create database');
    expect(describeEvent({ summaryEvent: { resourceChanges: { create: 2, same: 0 }, durationSeconds: 3 } })).toBe(
      'done in 3s: 2 create',
    );
  });

  it("prefers the engine's error diagnostics, strips colours, bounds the length", () => {
    expect(
      engineFailureMessage(['\u001b[31merror: template database "x" does not exist\u001b[0m\n'], new Error('exit 255')),
    ).toBe('error: template database "x" does not exist');
    expect(engineFailureMessage([], new Error('exit status 255'))).toBe('exit status 255');
    expect(engineFailureMessage(['x'.repeat(5000)], undefined)).toHaveLength(MAX_MESSAGE);
  });
});
