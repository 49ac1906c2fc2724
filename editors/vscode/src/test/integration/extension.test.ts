// The extension itself (activation, status bar, inline suggestions through
// vscode-languageclient, what accepting one tells the server, Explain Selection) under plain
// Node, with a stand-in `vscode` module (vscode-stub.ts): against the real server, against a
// stand-in server that answers at once and records what it gets (tandem/status, tandem.explain,
// tandem.suggestionOutcome), and with no server.
//
//   TANDEM_BIN=../../target/release/tandem npm run test:server
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import { Position, Range, Selection, install, textDocument } from './vscode-stub';

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
  fake.messages.length = 0;
  fake.executed.length = 0;
});

test('no server: an error status and a message saying how to fix it', async () => {
  fake.settings = { path: '/nonexistent/tandem' };
  await extension.activate(context as never);
  assert.equal(fake.statusItem.text, '$(error) tandem');
  assert.match(fake.messages.join('\n'), /"\/nonexistent\/tandem" \(setting tandem\.path\)/);
  assert.deepEqual([...fake.commands.keys()].sort(), ['tandem.explainSelection', 'tandem.restart', 'tandem.showStatus']);
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
  fake.activeTextEditor = { document: doc, selection: new Selection(1, 4, 1, 16) };
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
  const sent = fs
    .readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { method: string; params: { command?: string; arguments?: unknown } })
    .filter((m) => m.method === 'workspace/executeCommand' && m.params.command === 'tandem.suggestionOutcome');
  assert.deepEqual(
    sent.map((m) => m.params.arguments),
    [[{ id: item.command?.arguments[0].id, outcome: 'accepted' }]],
  );
  assert.deepEqual(fake.messages, []);
});
