import { commandWords, testedBlocks } from '../support/doc-blocks';

describe('tested documentation blocks', () => {
  const doc = [
    '# Title',
    '',
    '```sh',
    'not tested',
    '```',
    '<!-- test: local -->',
    '',
    '```sh',
    'echo one',
    'echo two',
    '```',
    'text',
    '<!-- test: operator -->',
    '```sh',
    'understudy operator \\',
    '  --namespace a  # why',
    '```',
    '',
  ].join('\n');

  it('finds marked sh blocks in order, and skips unmarked ones', () => {
    expect(testedBlocks(doc)).toEqual([
      { kind: 'local', line: 8, script: 'echo one\necho two' },
      { kind: 'operator', line: 14, script: 'understudy operator \\\n  --namespace a  # why' },
    ]);
  });

  it('refuses a marker without an sh block, an unknown marker and an unclosed block', () => {
    expect(() => testedBlocks('<!-- test: local -->\n```yaml\na: 1\n```')).toThrow(
      'line 1: a test marker must be followed by a ```sh block',
    );
    expect(() => testedBlocks('<!-- test: remote -->\n```sh\nls\n```')).toThrow('unknown test marker "remote"');
    expect(() => testedBlocks('<!-- test: local -->\n```sh\nls')).toThrow('line 2: the ```sh block is not closed');
  });

  it('splits a one-command block into words, and refuses what it cannot split', () => {
    expect(commandWords('understudy operator \\\n  --namespace a  # why')).toEqual([
      'understudy',
      'operator',
      '--namespace',
      'a',
    ]);
    expect(() => commandWords('a\nb')).toThrow('expected one command, got 2 lines');
    expect(() => commandWords('understudy operator --namespace "$NS"')).toThrow('quote nothing');
  });
});
