import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const source = fs.readFileSync(path.join(root, 'src', 'extension.ts'), 'utf8');

test('the entry point is built', () => {
  assert.ok(fs.existsSync(path.join(root, pkg.main)), pkg.main);
});

test('every contributed command is registered by the extension', () => {
  for (const { command } of pkg.contributes.commands) {
    assert.ok(source.includes(`registerCommand('${command}'`), `${command} is not registered`);
  }
});

test("no command of ours clashes with the server's (registered by the language client)", () => {
  const ours = pkg.contributes.commands.map((c: { command: string }) => c.command);
  for (const server of ['tandem.explain', 'tandem.suggestionOutcome']) {
    assert.ok(!ours.includes(server), server);
    assert.ok(!source.includes(`registerCommand('${server}'`), server);
  }
});

test('keybindings and menus name known commands', () => {
  const ours = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));
  const used = [
    ...pkg.contributes.keybindings.map((k: { command: string }) => k.command),
    ...pkg.contributes.menus['editor/context'].map((m: { command: string }) => m.command),
  ];
  for (const command of used) {
    assert.ok(ours.has(command) || command.startsWith('editor.action.inlineSuggest.'), command);
  }
});

test('Tab and Escape act on next edits only when no suggestion, snippet or selection wants them', () => {
  const bindings = pkg.contributes.keybindings.filter((k: { command: string }) => k.command.startsWith('tandem.nextEdit.'));
  assert.deepEqual(
    bindings.map((k: { command: string; key: string }) => `${k.key} ${k.command}`),
    ['tab tandem.nextEdit.accept', 'tab tandem.nextEdit.jump', 'escape tandem.nextEdit.dismiss'],
  );
  for (const { command, when } of bindings) {
    for (const guard of ['!suggestWidgetVisible', '!inlineSuggestionVisible', '!inSnippetMode', '!editorHasMultipleSelections', 'editorTextFocus']) {
      assert.ok(when.split(' && ').includes(guard), `${command}: ${guard}`);
    }
  }
  const when = (command: string) => bindings.find((k: { command: string }) => k.command === command).when.split(' && ');
  assert.ok(when('tandem.nextEdit.accept').includes('tandem.nextEditAtCursor'));
  assert.ok(when('tandem.nextEdit.jump').includes('tandem.nextEditPending'));
  assert.ok(when('tandem.nextEdit.jump').includes('!tandem.nextEditAtCursor'));
  assert.ok(when('tandem.nextEdit.dismiss').includes('tandem.nextEditPending'));
});
