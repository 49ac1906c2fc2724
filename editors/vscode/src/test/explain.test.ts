import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeRange, explainArguments, explainMarkdown, parseExplainResult } from '../explain';

const range = { start: { line: 2, character: 4 }, end: { line: 6, character: 0 } };

test('arguments: the document and the range', () => {
  assert.deepEqual(explainArguments('file:///a.py', range), [{ uri: 'file:///a.py', range }]);
  assert.deepEqual(explainArguments('file:///a.py'), [{ uri: 'file:///a.py' }]);
});

test('answers are checked', () => {
  assert.deepEqual(parseExplainResult({ markdown: 'Adds.', model: 'qwen', route: 'local', reason: '', degraded: false }), {
    markdown: 'Adds.',
    model: 'qwen',
    route: 'local',
    reason: '',
    degraded: false,
  });
  assert.deepEqual(parseExplainResult({ markdown: '' }), { markdown: '', model: '', route: '', reason: '', degraded: false });
  assert.throws(() => parseExplainResult(null), /unexpected answer/);
  assert.throws(() => parseExplainResult({ text: 'x' }), /unexpected answer/);
});

test('the panel markdown names the code and where the answer came from', () => {
  const md = explainMarkdown(
    { markdown: 'Adds two numbers.\n', model: 'qwen', route: 'local', reason: '', degraded: false },
    'add.py, line 1',
  );
  assert.equal(md, '# add.py, line 1\n\nAdds two numbers.\n\n---\n\n_Explained by qwen, local model._\n');
  const degraded = explainMarkdown(
    { markdown: 'x', model: 'qwen', route: 'local', reason: 'remote unreachable', degraded: true },
    't',
  );
  assert.match(degraded, /\*\*Degraded\*\*: remote unreachable\./);
  assert.equal(explainMarkdown({ markdown: 'x', model: '', route: '', reason: '', degraded: false }, 't'), '# t\n\nx\n');
});

test('range titles are 1-based and leave out a last line selected at column 0', () => {
  assert.equal(describeRange('/w/src/add.py', range), 'add.py, lines 3-6');
  assert.equal(describeRange('/w/add.py', { start: { line: 0, character: 0 }, end: { line: 0, character: 9 } }), 'add.py, line 1');
  assert.equal(describeRange('/w/add.py'), 'add.py');
});
