// The extension itself (activation, status bar, inline suggestions through
// vscode-languageclient, what accepting one tells the server, Explain Selection, next edits)
// under plain Node, with a stand-in `vscode` module (vscode-stub.ts): against the real server,
// against a stand-in server that answers at once and records what it gets (tandem/status,
// tandem.explain, tandem.suggestionOutcome, tandem/nextEdits), and with no server.
//
//   TANDEM_BIN=../../target/release/tandem npm run test:server
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import { Position, Range, Selection, type TextEditor, install, textDocument } from './vscode-stub';

const fake = install();
// Loaded after the stub is in place.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const extension = require('../../extension') as typeof import('../../extension');

const root = path.resolve(__dirname, '..', '..', '..', '..', '..');
const tandem = process.env.TANDEM_BIN ?? path.join(root, 'target', 'release', 'tandem');
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-vscode-ext-'));
process.env.XDG_STATE_HOME = stateDir;
const context = { subscriptions: [] as { dispose(): unknown }[] };

async function until<T>(what: string, seconds: number, f: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const v = f();
    if (v) {
      return v;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Command = { title: string; command: string; arguments: { id: number; outcome: string }[] };
type Items = { insertText: string; range: Range; command?: Command }[];
const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };

/** The inline suggestions VS Code gets at `position` of `doc`. */
async function suggest(doc: unknown, position: Position): Promise<Items> {
  const provider = await until('the inline completion provider', 5, () => fake.inlineProvider);
  const result = (await provider.provideInlineCompletionItems(doc, position, { triggerKind: 0 }, token)) as
    | Items
    | { items: Items };
  return Array.isArray(result) ? result : result.items;
}

/** What VS Code does once the user accepts an inline suggestion: runs its command. */
async function accept(item: Items[number]): Promise<unknown> {
  const command = item.command;
  assert.ok(command, `the suggestion has a command: ${JSON.stringify(item)}`);
  assert.equal(command.command, 'tandem.suggestionOutcome');
  assert.equal(command.arguments.length, 1);
  assert.equal(typeof command.arguments[0].id, 'number');
  assert.equal(command.arguments[0].outcome, 'accepted');
  const run = fake.commands.get(command.command);
  assert.ok(run, `${command.command} is a VS Code command: ${[...fake.commands.keys()].join(', ')}`);
  return run(...command.arguments);
}

afterEach(async () => {
  await extension.deactivate();
  // What VS Code does after deactivating: dispose of what the extension registered.
  for (const s of context.subscriptions.splice(0)) {
    await s.dispose();
  }
  fake.messages.length = 0;
  fake.executed.length = 0;
  fake.activeTextEditor = undefined;
  fake.documents.length = 0;
});

/** The last value the extension gave context key `key`. */
function contextKey(key: string): unknown {
  const set = fake.executed.filter((e) => e.command === 'setContext' && e.args[0] === key);
  return set.at(-1)?.args[1];
}

/** Runs one of the extension's commands, as a keybinding would. */
async function run(command: string): Promise<unknown> {
  const f = fake.commands.get(command);
  assert.ok(f, `${command} is registered`);
  return f();
}

/** The messages the stand-in server recorded in `log`. */
function recorded(log: string): { method: string; params: Record<string, unknown> }[] {
  return fs
    .readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { method: string; params: Record<string, unknown> });
}

function cursor(editor: TextEditor | undefined): string {
  const at = editor?.selection.active;
  return at ? `${at.line}:${at.character}` : 'none';
}

test('no server: an error status and a message saying how to fix it', async () => {
  fake.settings = { path: '/nonexistent/tandem' };
  await extension.activate(context as never);
  assert.equal(fake.statusItem.text, '$(error) tandem');
  assert.match(fake.messages.join('\n'), /"\/nonexistent\/tandem" \(setting tandem\.path\)/);
  assert.deepEqual([...fake.commands.keys()].sort(), [
    'tandem.explainSelection',
    'tandem.nextEdit.accept',
    'tandem.nextEdit.dismiss',
    'tandem.nextEdit.jump',
    'tandem.restart',
    'tandem.showStatus',
  ]);
});

test('the real server: status ready, an inline suggestion, accepting it, no popup items', { timeout: 120_000 }, async () => {
  fake.settings = { path: tandem, 'completion.multiline': 'never' };
  await extension.activate(context as never);
  const seen: string[] = [];
  await until('the status to be ready', 90, () => {
    if (seen.at(-1) !== fake.statusItem.text) {
      seen.push(fake.statusItem.text);
    }
    return fake.statusItem.text === '$(check) tandem';
  });
  assert.match(fake.statusItem.tooltip, /model: qwen/);
  assert.deepEqual(fake.messages, []);

  const doc = textDocument(path.join(stateDir, 'add.py'), 'python', 'def add(a, b):\n    return \n');
  fake.openDocument.fire(doc);
  const items = await suggest(doc, new Position(1, 11));
  assert.equal(items[0].insertText, 'a + b');
  assert.deepEqual(items[0].range, new Range(1, 11, 1, 11));
  // Accepting it runs its command on the server (which answers without an error).
  await accept(items[0]);
  assert.deepEqual(fake.messages, []);

  // The popup fallback stays out of VS Code, where suggestions come inline.
  const popup = await fake.completionProvider?.provideCompletionItems(doc, new Position(1, 11), {}, token);
  assert.equal(popup, undefined);
});

test('a stand-in server: degraded status, explanation panel, an accepted suggestion', { timeout: 30_000 }, async () => {
  const standIn = path.join(root, 'editors', 'fake_server.py');
  const log = path.join(stateDir, 'fake-server.log');
  process.env.FAKE_TANDEM_LOG = log; // the stand-in records what it gets there
  fake.settings = { path: standIn };
  await extension.activate(context as never);
  await until('the degraded status', 10, () => fake.statusItem.text === '$(warning) tandem');
  assert.match(fake.statusItem.tooltip, /remote unreachable; local model only/);
  assert.equal((fake.statusItem.backgroundColor as { id: string }).id, 'statusBarItem.warningBackground');

  const file = path.join(stateDir, 'add.py');
  const doc = textDocument(file, 'python', 'def add(a, b):\n    return a + b\n');
  fake.openDocument.fire(doc);
  fake.show(doc, new Selection(1, 4, 1, 16));
  await fake.commands.get('tandem.explainSelection')?.();
  const preview = fake.executed.find((e) => e.command === 'markdown.showPreviewToSide');
  assert.ok(preview, `preview opened: ${JSON.stringify(fake.executed)}`);
  const panel = String(fake.contentProviders.get('tandem-explain')?.provideTextDocumentContent());
  assert.match(panel, /^# add\.py, line 2\n/);
  assert.match(panel, /returns the sum of \*\*a\*\* and \*\*b\*\* \(1:4-1:16\)/);
  assert.match(panel, /_Explained by fake-model, local model\._ \*\*Degraded\*\*: remote unreachable\./);

  // The server's code action runs `tandem.explain` through the command the language client
  // registers for it: its answer goes to the same panel.
  const serverCommand = await until('the client to register tandem.explain', 5, () => fake.commands.get('tandem.explain'));
  await serverCommand({ uri: String(doc.uri), range: { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } } });
  const again = String(fake.contentProviders.get('tandem-explain')?.provideTextDocumentContent());
  assert.match(again, /^# add\.py, lines 1-2\n/);
  assert.match(again, /\(0:0-2:0\)/);
  assert.deepEqual(fake.messages, []);

  // An accepted suggestion: its command goes to the server as workspace/executeCommand, with
  // the suggestion's id.
  const [item] = await suggest(doc, new Position(1, 16));
  assert.equal(item.insertText, 'a + b');
  await accept(item);
  const sent = recorded(log).filter(
    (m) => m.method === 'workspace/executeCommand' && m.params.command === 'tandem.suggestionOutcome',
  );
  assert.deepEqual(
    sent.map((m) => m.params.arguments),
    [[{ id: item.command?.arguments[0].id, outcome: 'accepted' }]],
  );
  assert.deepEqual(fake.messages, []);
});

test('the real server: next edits after renaming a parameter', { timeout: 180_000 }, async () => {
  fake.settings = { path: tandem };
  await extension.activate(context as never);
  await until('the status to be ready', 90, () => fake.statusItem.text === '$(check) tandem');
  const text = 'def area(width, height):\n    return width * height\n\n\nprint(area(2, 3))\ntotal = area(4, 5)\n';
  const doc = textDocument(path.join(stateDir, 'area.py'), 'python', text);
  fake.openDocument.fire(doc);
  const editor = fake.show(doc);
  // Rename the parameter where `area` is defined.
  doc.edit(new Range(0, 9, 0, 14), 'w');
  await until('the next edit on the use of width', 30, () => editor.highlighted().includes('1:11-1:16'));
  console.log(`next edits shown: ${JSON.stringify(editor.after())}`);
  assert.ok(editor.after().includes('1: → w  Tab to jump'), JSON.stringify(editor.after()));
  assert.equal(contextKey('tandem.nextEditPending'), true);
  assert.equal(contextKey('tandem.nextEditAtCursor'), false);

  // Tab jumps to it, and Tab again accepts it.
  await run('tandem.nextEdit.jump');
  assert.equal(cursor(fake.activeTextEditor), '1:11');
  assert.ok(editor.after().includes('1: → w  Tab to accept'), JSON.stringify(editor.after()));
  assert.equal(contextKey('tandem.nextEditAtCursor'), true);
  assert.equal(await run('tandem.nextEdit.accept'), true);
  assert.equal(doc.getText(), 'def area(w, height):\n    return w * height\n\n\nprint(area(2, 3))\ntotal = area(4, 5)\n');
  assert.equal(contextKey('tandem.nextEditAtCursor'), false);
  // Asked again after the accepted edit: nothing is left to rename.
  await new Promise((r) => setTimeout(r, 2000));
  assert.deepEqual(editor.after().filter((a) => a.includes('→ w')), []);
  assert.deepEqual(fake.messages, []);
});

test('a stand-in server: next edits shown, jumped to across files, accepted, gone stale, dismissed', { timeout: 30_000 }, async () => {
  const standIn = path.join(root, 'editors', 'fake_server.py');
  const log = path.join(stateDir, 'fake-server-next.log');
  process.env.FAKE_TANDEM_LOG = log;
  fake.settings = { path: standIn };
  await extension.activate(context as never);
  await until('the degraded status', 10, () => fake.statusItem.text === '$(warning) tandem');
  const dir = fs.mkdtempSync(path.join(stateDir, 'next-'));
  const area = path.join(dir, 'area.py');
  const uses = path.join(dir, 'uses.py');
  fs.writeFileSync(area, 'def area(width, height):\n    half = width / 2\n    return width * height\n');
  fs.writeFileSync(uses, 'width = 3\nprint(width)\n');
  const doc = textDocument(area, 'python', fs.readFileSync(area, 'utf8'));
  fake.openDocument.fire(doc);
  const editor = fake.show(doc);
  // The stand-in proposes `w` for the other `width` words once the parameter is renamed: two
  // here, two in uses.py (not open).
  doc.edit(new Range(0, 9, 0, 14), 'w');
  await until('next edits', 5, () => editor.highlighted().length === 2);
  assert.deepEqual(editor.highlighted(), ['1:11-1:16', '2:11-2:16']);
  assert.deepEqual(editor.after(), ['1: → w  Tab to jump', '2: → w']);
  assert.equal(contextKey('tandem.nextEditPending'), true);
  assert.equal(contextKey('tandem.nextEditAtCursor'), false);
  const asked = recorded(log).filter((m) => m.method === 'tandem/nextEdits');
  assert.deepEqual(asked.at(-1)?.params, { textDocument: { uri: String(doc.uri), version: 2 } });
  const outcomes = () =>
    recorded(log)
      .filter((m) => m.method === 'tandem/suggestionOutcome')
      .map((m) => `${String(m.params.id)} ${String(m.params.outcome)}`);
  await until('the shown ones reported', 5, () => outcomes().length === 2);
  assert.deepEqual(outcomes(), ['101 shown', '102 shown']);

  // Tab: jump to the first, then accept it.
  await run('tandem.nextEdit.jump');
  assert.equal(cursor(editor), '1:11');
  assert.deepEqual(editor.after(), ['1: → w  Tab to accept', '2: → w']);
  assert.equal(contextKey('tandem.nextEditAtCursor'), true);
  await run('tandem.nextEdit.accept');
  assert.equal(doc.getText(), 'def area(w, height):\n    half = w / 2\n    return width * height\n');
  assert.deepEqual(editor.highlighted(), ['2:11-2:16']);
  await until('the acceptance reported', 5, () => outcomes().includes('101 accepted'));
  await until('the next edits asked again', 5, () => recorded(log).filter((m) => m.method === 'tandem/nextEdits').length > asked.length);

  // Jump twice: the next place here, then uses.py, opened.
  await run('tandem.nextEdit.jump');
  assert.equal(cursor(editor), '2:11');
  await run('tandem.nextEdit.jump');
  const other = fake.activeTextEditor;
  assert.equal(other?.document.fileName, uses);
  assert.equal(cursor(other), '0:0');
  assert.deepEqual(other?.highlighted(), ['0:0-0:5', '1:6-1:11']);
  assert.deepEqual(other?.after(), ['0: → w  Tab to accept', '1: → w']);
  await until('the ones in uses.py reported shown', 5, () => outcomes().includes('104 shown'));
  // Typing over a place makes its proposal stale: it goes at once.
  other?.document.edit(new Range(0, 0, 0, 5), 'height');
  assert.deepEqual(other?.highlighted(), ['1:6-1:11']);
  assert.equal(contextKey('tandem.nextEditAtCursor'), false);

  // Escape: every proposal goes, and the server hears each was dismissed.
  await new Promise((r) => setTimeout(r, 500)); // the answer after the edit
  assert.equal(await run('tandem.nextEdit.dismiss'), true);
  assert.deepEqual(other?.highlighted(), []);
  assert.equal(contextKey('tandem.nextEditPending'), false);
  await until('the dismissals reported', 5, () => outcomes().filter((o) => o.endsWith('dismissed')).length === 2);
  assert.deepEqual(
    outcomes().filter((o) => o.endsWith('dismissed')),
    ['102 dismissed', '104 dismissed'],
  );
  assert.equal(await run('tandem.nextEdit.dismiss'), false);
  assert.equal(await run('tandem.nextEdit.accept'), false);
  assert.deepEqual(fake.messages, []);
});
