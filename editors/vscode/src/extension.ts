// tandem for VS Code: starts `tandem lsp` and lets vscode-languageclient turn its LSP 3.18
// inline completions into VS Code inline suggestions. Adds a status bar item, an "Explain
// Selection" command whose markdown answer opens in a preview panel, next edits (the other
// edits an edit implies, shown where they go: Tab jumps to one and accepts it, Escape dismisses
// them; nextEditsView.ts), and maps settings to the server's initializationOptions.
//
// Accepted suggestions reach the server, which tunes what it shows from how often they are
// taken, without code here: each item carries the command `tandem.suggestionOutcome` (with the
// suggestion's id), vscode-languageclient passes it on as the VS Code item's command and
// registers every command the server lists (executeCommandProvider) as a VS Code command that
// sends `workspace/executeCommand`, and VS Code runs an item's command once the item is accepted
// (Tab, or an accept-word / accept-line that takes its last part). VS Code's stable API tells an
// extension nothing of suggestions dismissed or partly accepted, so neither is reported.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  ResponseError,
  type ServerOptions,
  State as ClientState,
} from 'vscode-languageclient/node';
import { EXPLAIN_COMMAND, type Range, describeRange, explainArguments, explainMarkdown, parseExplainResult } from './explain';
import { findServer, notFoundMessage } from './server';
import { completionSettings, initializationOptions, type Lookup } from './settings';
import { type Status, fromMetrics, fromNotification, view } from './status';
import { reportCursorRest } from './rest';
import { NextEdits } from './nextEditsView';

const EXPLAIN_URI = vscode.Uri.parse('tandem-explain:/Explanation.md');
const METHOD_NOT_FOUND = -32601;

let client: LanguageClient | undefined;
let statusItem: vscode.StatusBarItem;
let status: Status = { state: 'stopped', model: '', detail: '' };
let hasStatusNotifications = false;
let poll: NodeJS.Timeout | undefined;

/** The markdown of the last explanation, served to the preview panel. */
class Explanations implements vscode.TextDocumentContentProvider {
  private text = '';
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(text: string): void {
    this.text = text;
    this.changed.fire(EXPLAIN_URI);
  }

  provideTextDocumentContent(): string {
    return this.text;
  }
}

const explanations = new Explanations();

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('tandem');
}

/** Only the settings the user set, so the server's own config file and defaults apply otherwise. */
const userSetting: Lookup = (key) => {
  const i = config().inspect(`completion.${key}`);
  return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
};

function setStatus(s: Status): void {
  status = s;
  const v = view(s);
  statusItem.text = v.text;
  statusItem.tooltip = v.tooltip;
  statusItem.backgroundColor =
    v.severity === 'none'
      ? undefined
      : new vscode.ThemeColor(v.severity === 'error' ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
  statusItem.show();
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function documentSelector(): LanguageClientOptions['documentSelector'] {
  const languages = config().get<string[]>('languages', ['*']);
  const schemes = ['file', 'untitled'];
  if (languages.includes('*')) {
    return schemes.map((scheme) => ({ scheme }));
  }
  return languages.flatMap((language) => schemes.map((scheme) => ({ scheme, language })));
}

/** Until the server sends `tandem/status`, asks `tandem/metrics` whether the model is loaded. */
function pollStatus(): void {
  stopPolling();
  const started = Date.now();
  poll = setInterval(() => {
    if (!client?.isRunning() || hasStatusNotifications || Date.now() - started > 300_000) {
      stopPolling();
      return;
    }
    client.sendRequest('tandem/metrics').then(
      (m) => {
        const s = fromMetrics(m);
        if (s && !hasStatusNotifications) {
          setStatus(s);
          if (s.state !== 'loading') {
            stopPolling();
          }
        }
      },
      () => undefined,
    );
  }, 500);
}

function stopPolling(): void {
  if (poll) {
    clearInterval(poll);
    poll = undefined;
  }
}

async function start(): Promise<void> {
  const configured = config().get<string>('path', '');
  const command = findServer(configured, { env: process.env, platform: process.platform, home: os.homedir(), isExecutable });
  if (!command) {
    const message = notFoundMessage(configured);
    setStatus({ state: 'error', model: '', detail: message });
    // Not awaited: activation must not wait for the user to close the message.
    void vscode.window.showErrorMessage(message, 'Open Settings').then((pick) => {
      if (pick) {
        void vscode.commands.executeCommand('workbench.action.openSettings', 'tandem.path');
      }
    });
    return;
  }
  const serverOptions: ServerOptions = { command, args: ['lsp'] };
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(),
    initializationOptions: initializationOptions(userSetting),
    outputChannelName: 'tandem',
    middleware: {
      // Suggestions come inline; the server's one-item popup fallback would repeat them.
      provideCompletionItem: () => undefined,
      // The server's "Explain with tandem" code action runs the command through the client:
      // show its answer too. Other commands (`tandem.suggestionOutcome`) just go to the server.
      executeCommand: async (cmd, args, next) => {
        const result = await next(cmd, args);
        if (cmd === EXPLAIN_COMMAND) {
          await showExplanation(result, args[0]);
        }
        return result;
      },
    },
  };
  const c = new LanguageClient('tandem', 'tandem', serverOptions, clientOptions);
  client = c;
  hasStatusNotifications = false;
  c.onNotification('tandem/status', (params: unknown) => {
    const s = fromNotification(params);
    if (s) {
      hasStatusNotifications = true;
      setStatus(s);
    }
  });
  c.onDidChangeState((e) => {
    if (client !== c) {
      return;
    }
    if (e.newState === ClientState.Running && !hasStatusNotifications) {
      // Started, or restarted by the client after a crash: the model loads again.
      setStatus({ state: 'loading', model: '', detail: 'loading the model' });
      pollStatus();
    } else if (e.newState === ClientState.Stopped) {
      stopPolling();
      setStatus({ state: 'stopped', model: status.model, detail: 'the server stopped; run "tandem: Restart Server"' });
    }
  });
  setStatus({ state: 'starting', model: '', detail: command });
  try {
    await c.start();
  } catch (e) {
    const message = `tandem: could not start ${command} lsp: ${e instanceof Error ? e.message : String(e)}`;
    setStatus({ state: 'error', model: '', detail: message });
    void vscode.window.showErrorMessage(message);
  }
}

async function stop(): Promise<void> {
  stopPolling();
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop();
    } catch {
      // Already gone.
    }
  }
}

async function showExplanation(result: unknown, arg: unknown): Promise<void> {
  const a = (typeof arg === 'object' && arg !== null ? arg : {}) as { uri?: string; range?: Range };
  const file = a.uri ? vscode.Uri.parse(a.uri).path : 'selection';
  explanations.set(explainMarkdown(parseExplainResult(result), describeRange(file, a.range)));
  try {
    await vscode.commands.executeCommand('markdown.showPreviewToSide', EXPLAIN_URI);
  } catch {
    // No markdown preview (the built-in extension is disabled): show the markdown source.
    const doc = await vscode.workspace.openTextDocument(EXPLAIN_URI);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }
}

async function explainSelection(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('tandem: open a file and select the code to explain.');
    return;
  }
  const c = client;
  if (!c?.isRunning()) {
    void vscode.window.showErrorMessage('tandem: the server is not running (see the tandem status bar item).');
    return;
  }
  const selection = editor.selection;
  const range = selection.isEmpty ? editor.document.lineAt(selection.active.line).range : selection;
  const args = explainArguments(c.code2ProtocolConverter.asUri(editor.document.uri), c.code2ProtocolConverter.asRange(range));
  let cancelled = false;
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'tandem: explaining…', cancellable: true },
      (_, token) => {
        token.onCancellationRequested(() => (cancelled = true));
        return c.sendRequest(ExecuteCommandRequest.type, { command: EXPLAIN_COMMAND, arguments: args }, token);
      },
    );
    if (!cancelled) {
      await showExplanation(result, args[0]);
    }
  } catch (e) {
    if (cancelled) {
      return;
    }
    if (e instanceof ResponseError && e.code === METHOD_NOT_FOUND) {
      void vscode.window.showErrorMessage('tandem: this tandem has no explain command; update tandem.');
    } else {
      void vscode.window.showErrorMessage(`tandem: explain failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

async function showStatus(): Promise<void> {
  const v = view(status);
  let summary = v.tooltip.replace(/\nClick for details\.$/, '').replace(/\n/g, ' · ');
  if (client?.isRunning()) {
    try {
      const m = (await client.sendRequest('tandem/metrics')) as Record<string, unknown>;
      if (typeof m.requests === 'number') {
        summary += ` · ${m.requests} requests, ${String(m.model_calls)} model calls, p50 ${String(m.latency_p50_ms)} ms, p95 ${String(m.latency_p95_ms)} ms`;
      }
    } catch {
      // The summary without metrics.
    }
  }
  const pick = await vscode.window.showInformationMessage(summary, 'Show Log', 'Restart Server');
  if (pick === 'Show Log') {
    client?.outputChannel.show(true);
  } else if (pick === 'Restart Server') {
    await vscode.commands.executeCommand('tandem.restart');
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const nextEdits = new NextEdits({
    client: () => client,
    enabled: () => config().get<boolean>('nextEdits.enabled', true),
    serves: (doc) => vscode.languages.match((documentSelector() ?? []) as vscode.DocumentSelector, doc) > 0,
  });
  statusItem = vscode.window.createStatusBarItem('tandem.status', vscode.StatusBarAlignment.Right, 100);
  statusItem.name = 'tandem';
  statusItem.command = 'tandem.showStatus';
  context.subscriptions.push(
    statusItem,
    vscode.workspace.registerTextDocumentContentProvider(EXPLAIN_URI.scheme, explanations),
    vscode.commands.registerCommand('tandem.explainSelection', explainSelection),
    vscode.commands.registerCommand('tandem.showStatus', showStatus),
    vscode.commands.registerCommand('tandem.restart', async () => {
      await stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('tandem.path') || e.affectsConfiguration('tandem.languages')) {
        const pick = await vscode.window.showInformationMessage('tandem: restart the server to apply the change?', 'Restart');
        if (pick) {
          await vscode.commands.executeCommand('tandem.restart');
        }
      } else if (e.affectsConfiguration('tandem.completion') && client?.isRunning()) {
        await client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { completion: completionSettings(userSetting) },
        });
      }
    }),
    reportCursorRest(() => client),
    nextEdits,
    vscode.commands.registerCommand('tandem.nextEdit.jump', () => nextEdits.jump()),
    vscode.commands.registerCommand('tandem.nextEdit.accept', () => nextEdits.accept()),
    vscode.commands.registerCommand('tandem.nextEdit.dismiss', () => nextEdits.dismiss()),
    { dispose: () => void stop() },
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}
