import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMPLETION_KEYS, completionSettings, initializationOptions } from '../settings';

test('only the settings a user set are sent, under the server names', () => {
  const set: Record<string, unknown> = { debounceMs: 120, multiline: 'never', languages: { markdown: false }, enabled: false };
  assert.deepEqual(initializationOptions((k) => set[k]), {
    completion: { debounce_ms: 120, multiline: 'never', languages: { markdown: false }, enabled: false },
  });
});

test('nothing set sends an empty object', () => {
  assert.deepEqual(initializationOptions(() => undefined), { completion: {} });
});

test('every server setting has a VS Code setting', () => {
  const server = Object.values(COMPLETION_KEYS).sort();
  assert.deepEqual(server, [
    'debounce_ms',
    'enabled',
    'languages',
    'max_tokens',
    'multiline',
    'next_edit_delay_ms',
    'popup_wait_ms',
    'prefix_tokens',
    'suffix_tokens',
    'time_budget_ms',
  ]);
});

test('the package.json declares each completion setting', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
  const props = Object.keys(pkg.contributes.configuration.properties);
  for (const key of Object.keys(COMPLETION_KEYS)) {
    assert.ok(props.includes(`tandem.completion.${key}`), `tandem.completion.${key} missing`);
  }
  assert.deepEqual(completionSettings((k) => (k === 'maxTokens' ? 0 : undefined)), { max_tokens: 0 });
});
