// The extension's view of `tandem lsp`, checked against the real server and model: the
// initializationOptions it builds are accepted, the status it derives from `tandem/metrics`
// goes from loading to ready, an inline completion comes back as vscode-languageclient will
// receive it, and running its command (what VS Code does on accepting it) counts it as
// accepted. A small JSON-RPC client over stdio stands in for the language client.
//
//   TANDEM_BIN=../../target/release/tandem npm run test:server
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { findServer } from '../../server';
import { initializationOptions } from '../../settings';
import { type State, fromMetrics } from '../../status';

interface Message {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

class Client {
  private buffer = Buffer.alloc(0);
  private next = 1;
  private readonly pending = new Map<number, (m: Message) => void>();
  readonly notifications: Message[] = [];

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
  }

  private drain(): void {
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) {
        return;
      }
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, end).toString())?.[1]);
      if (this.buffer.length < end + 4 + length) {
        return;
      }
      const message = JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString()) as Message;
      this.buffer = this.buffer.subarray(end + 4 + length);
      if (message.id !== undefined && message.method === undefined) {
        this.pending.get(message.id)?.(message);
        this.pending.delete(message.id);
      } else if (message.id !== undefined) {
        // A request from the server (e.g. window/workDoneProgress/create): accept it.
        this.send({ id: message.id, result: null });
      } else {
        this.notifications.push(message);
      }
    }
  }

  private send(message: object): void {
    const body = JSON.stringify({ jsonrpc: '2.0', ...message });
    this.child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  request(method: string, params?: unknown): Promise<Message> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send(params === undefined ? { id, method } : { id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }
}

const tandem =
  process.env.TANDEM_BIN ?? path.resolve(__dirname, '..', '..', '..', '..', '..', 'target', 'release', 'tandem');
let child: ChildProcessWithoutNullStreams;
let client: Client;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-vscode-'));

before(() => {
  // How the extension finds the binary, given its directory on PATH.
  const found = findServer('', {
    env: { PATH: path.dirname(path.resolve(tandem)) },
    platform: process.platform,
    home: os.homedir(),
    isExecutable: (f) => fs.existsSync(f),
  });
  assert.equal(found, path.resolve(tandem));
  child = spawn(found, ['lsp'], { env: { ...process.env, XDG_STATE_HOME: path.join(dir, 'state') } });
  client = new Client(child);
});

after(async () => {
  await client.request('shutdown');
  client.notify('exit', null);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('settings, status and an inline completion against the real server', { timeout: 120_000 }, async () => {
  const set: Record<string, unknown> = { maxTokens: 24, multiline: 'never', languages: { markdown: false } };
  const init = await client.request('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(dir).href,
    capabilities: { window: { workDoneProgress: true } },
    initializationOptions: initializationOptions((k) => set[k]),
  });
  assert.equal(init.error, undefined);
  const caps = (init.result as { capabilities: Record<string, unknown> }).capabilities;
  assert.ok(caps.inlineCompletionProvider, 'inline completion offered');
  // Listed, so that vscode-languageclient makes it a VS Code command.
  const commands = (caps.executeCommandProvider as { commands?: string[] } | undefined)?.commands ?? [];
  assert.ok(commands.includes('tandem.suggestionOutcome'), `commands: ${commands.join(', ')}`);
  client.notify('initialized', {});

  // The status bar's polling: loading (maybe), then ready.
  const seen: State[] = [];
  for (let i = 0; i < 600 && seen.at(-1) !== 'ready'; i++) {
    const m = await client.request('tandem/metrics');
    assert.equal(m.error, undefined);
    const s = fromMetrics(m.result);
    assert.ok(s, `status from ${JSON.stringify(m.result)}`);
    assert.notEqual(s.state, 'error', s.detail);
    if (seen.at(-1) !== s.state) {
      seen.push(s.state);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(seen.at(-1), 'ready', `states: ${seen.join(', ')}`);
  assert.deepEqual(seen.slice(0, -1).filter((s) => s !== 'loading'), []);

  // No complaint about the settings.
  const errors = client.notifications.filter(
    (n) => n.method === 'window/showMessage' && (n.params as { type: number }).type === 1,
  );
  assert.deepEqual(errors, []);

  const uri = pathToFileURL(path.join(dir, 'add.py')).href;
  client.notify('textDocument/didOpen', {
    textDocument: { uri, languageId: 'python', version: 1, text: 'def add(a, b):\n    return \n' },
  });
  const answer = await client.request('textDocument/inlineCompletion', {
    textDocument: { uri },
    position: { line: 1, character: 11 },
    context: { triggerKind: 1 },
  });
  assert.equal(answer.error, undefined);
  const items = answer.result as { insertText: string; range: unknown; command?: { command: string; arguments: unknown[] } }[];
  assert.equal(items[0].insertText, 'a + b');
  assert.deepEqual(items[0].range, { start: { line: 1, character: 11 }, end: { line: 1, character: 11 } });

  // Accepting it: VS Code runs its command, the language client sends it to the server.
  const command = items[0].command;
  assert.equal(command?.command, 'tandem.suggestionOutcome');
  const { id } = command.arguments[0] as { id: number };
  assert.deepEqual(command.arguments, [{ id, outcome: 'accepted' }]);
  const ran = await client.request('workspace/executeCommand', { command: command.command, arguments: command.arguments });
  assert.equal(ran.error, undefined);
  const m = (await client.request('tandem/metrics')).result as {
    accepted: number;
    recent: { id: number; outcome: string | null }[];
  };
  assert.equal(m.accepted, 1);
  assert.ok(
    m.recent.some((r) => r.id === id && r.outcome === 'accepted'),
    `suggestion ${id} accepted in ${JSON.stringify(m.recent.map((r) => [r.id, r.outcome]))}`,
  );
});
