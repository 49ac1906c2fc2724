import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromMetrics, fromNotification, view } from '../status';

test('tandem/status notifications', () => {
  assert.deepEqual(fromNotification({ state: 'ready', model: 'qwen', detail: 'loaded in 1 s' }), {
    state: 'ready',
    model: 'qwen',
    detail: 'loaded in 1 s',
  });
  assert.deepEqual(fromNotification({ state: 'degraded' }), { state: 'degraded', model: '', detail: '' });
  assert.equal(fromNotification({ state: 'sleepy' }), undefined);
  assert.equal(fromNotification(null), undefined);
  assert.equal(fromNotification('ready'), undefined);
});

test('tandem/metrics states', () => {
  assert.equal(fromMetrics({ state: 'loading' })?.state, 'loading');
  assert.deepEqual(fromMetrics({ state: 'ready', model: 'qwen', requests: 3 }), { state: 'ready', model: 'qwen', detail: '' });
  assert.deepEqual(fromMetrics({ state: 'failed', error: 'no model file' }), { state: 'error', model: '', detail: 'no model file' });
  assert.equal(fromMetrics({}), undefined);
  assert.equal(fromMetrics(undefined), undefined);
});

test('status bar views', () => {
  assert.deepEqual(view({ state: 'loading', model: '', detail: '' }), {
    text: '$(sync~spin) tandem',
    tooltip: 'tandem: loading the model\nClick for details.',
    severity: 'none',
  });
  const ready = view({ state: 'ready', model: 'qwen', detail: '' });
  assert.equal(ready.text, '$(check) tandem');
  assert.match(ready.tooltip, /model: qwen/);
  assert.equal(view({ state: 'degraded', model: '', detail: 'remote down' }).severity, 'warning');
  assert.equal(view({ state: 'error', model: '', detail: 'x' }).severity, 'error');
  assert.match(view({ state: 'error', model: '', detail: 'no model file' }).tooltip, /no model file/);
});
