import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Environment, findServer, notFoundMessage } from '../server';

function env(files: string[], extra: Partial<Environment> = {}): Environment {
  return {
    env: { PATH: '/usr/local/bin:/usr/bin' },
    platform: 'linux',
    home: '/home/u',
    isExecutable: (f) => files.includes(f),
    ...extra,
  };
}

test('found on PATH, first directory first', () => {
  assert.equal(findServer('', env(['/usr/bin/tandem', '/usr/local/bin/tandem'])), '/usr/local/bin/tandem');
});

test('falls back to ~/.cargo/bin', () => {
  assert.equal(findServer('', env(['/home/u/.cargo/bin/tandem'])), '/home/u/.cargo/bin/tandem');
});

test('nothing found', () => {
  assert.equal(findServer('', env([])), undefined);
});

test('a configured path is used as is, with ~ expanded', () => {
  assert.equal(findServer('/opt/tandem/bin/tandem', env(['/opt/tandem/bin/tandem'])), '/opt/tandem/bin/tandem');
  assert.equal(findServer('~/bin/tandem', env(['/home/u/bin/tandem'])), '/home/u/bin/tandem');
  // A configured path that does not exist is not replaced by one on PATH.
  assert.equal(findServer('/nope/tandem', env(['/usr/bin/tandem'])), undefined);
});

test('a configured bare name is looked up on PATH', () => {
  assert.equal(findServer('tandem-dev', env(['/usr/bin/tandem-dev'])), '/usr/bin/tandem-dev');
});

test('Windows: ; separated PATH and .exe', () => {
  const e = env(['C:\\tools/tandem.exe'], { env: { Path: 'C:\\x;C:\\tools' }, platform: 'win32' });
  assert.equal(findServer('', e), 'C:\\tools/tandem.exe');
});

test('the not-found message says how to fix it', () => {
  assert.match(notFoundMessage(''), /not found on PATH/);
  assert.match(notFoundMessage(''), /tandem\.path/);
  assert.match(notFoundMessage('/x/tandem'), /"\/x\/tandem" \(setting tandem\.path\)/);
});
