// A stand-in for the `vscode` module, enough to run the extension and vscode-languageclient
// under plain Node: the parts the tests look at are small real implementations that record what
// happens (status bar, messages, commands, providers, documents); everything else is a
// permissive proxy that accepts any call.
import Module from 'node:module';

type Fn = (...args: unknown[]) => unknown;

/** A value that is every function and every object: calls, `new` and property reads all work. */
function anything(name: string, overrides: Record<string | symbol, unknown> = {}): unknown {
  return new Proxy(function () {}, {
    get(_, p) {
      if (p in overrides) {
        return overrides[p];
      }
      if (p === 'then') {
        return undefined; // not a promise
      }
      if (p === Symbol.iterator) {
        return function* () {};
      }
      if (p === Symbol.toPrimitive) {
        return () => name;
      }
      return anything(`${name}.${String(p)}`);
    },
    apply: () => anything(`${name}()`),
    construct: () => anything(`new ${name}`) as object,
  });
}

const disposable = { dispose(): void {} };

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: number | Position, b: number | Position, c?: number, d?: number) {
    this.start = a instanceof Position ? a : new Position(a, b as number);
    this.end = b instanceof Position ? b : new Position(c as number, d as number);
  }
  get isEmpty(): boolean {
    return this.start.line === this.end.line && this.start.character === this.end.character;
  }
}

export class Selection extends Range {
  get active(): Position {
    return this.end;
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static parse(s: string): Uri {
    const i = s.indexOf(':');
    return new Uri(s.slice(0, i), s.slice(i + 1).replace(/^\/\//, ''));
  }
  static file(p: string): Uri {
    return new Uri('file', p);
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return this.scheme === 'file' ? `file://${this.path}` : `${this.scheme}:${this.path}`;
  }
}

class EventEmitter<T> {
  private listeners: ((e: T) => void)[] = [];
  readonly event = (f: (e: T) => void): typeof disposable => {
    this.listeners.push(f);
    return disposable;
  };
  fire(e: T): void {
    this.listeners.forEach((f) => f(e));
  }
  dispose(): void {}
}

export class InlineCompletionItem {
  constructor(
    readonly insertText: string,
    readonly range?: Range,
    readonly command?: unknown,
  ) {}
}

export class InlineCompletionList {
  constructor(readonly items: InlineCompletionItem[]) {}
}

/** A text document as VS Code hands it to the language client. */
export function textDocument(file: string, languageId: string, text: string): Record<string, unknown> {
  const lines = text.split('\n');
  return {
    uri: Uri.file(file),
    fileName: file,
    languageId,
    version: 1,
    isClosed: false,
    isUntitled: false,
    lineCount: lines.length,
    getText: () => text,
    lineAt: (n: number) => ({ text: lines[n], range: new Range(n, 0, n, lines[n].length) }),
  };
}

/** What the extension did, for the tests to look at, and knobs for them to turn. */
export class Fake {
  settings: Record<string, unknown> = {};
  readonly statusItem = { text: '', tooltip: '', backgroundColor: undefined as unknown, show(): void {}, dispose(): void {} };
  readonly messages: string[] = [];
  readonly commands = new Map<string, Fn>();
  readonly executed: { command: string; args: unknown[] }[] = [];
  readonly contentProviders = new Map<string, { provideTextDocumentContent: Fn }>();
  inlineProvider: { provideInlineCompletionItems: Fn } | undefined;
  completionProvider: { provideCompletionItems: Fn } | undefined;
  readonly openDocument = new EventEmitter<unknown>();
  activeTextEditor: unknown;

  module(): unknown {
    return anything('vscode', {
      version: '1.95.0',
      Position,
      Range,
      Selection,
      Uri,
      EventEmitter,
      InlineCompletionItem,
      InlineCompletionList,
      InlineCompletionTriggerKind: { Invoke: 0, Automatic: 1 },
      ThemeColor: class {
        constructor(readonly id: string) {}
      },
      CancellationError: class extends Error {},
      env: anything('env', { appName: 'Visual Studio Code', language: 'en', machineId: 'm', sessionId: 's', uiKind: 1 }),
      window: anything('window', {
        createStatusBarItem: () => this.statusItem,
        showErrorMessage: (m: string) => this.say(m),
        showInformationMessage: (m: string) => this.say(m),
        showWarningMessage: (m: string) => this.say(m),
        withProgress: (_: unknown, task: Fn) =>
          task({ report(): void {} }, { isCancellationRequested: false, onCancellationRequested: () => disposable }),
        get activeTextEditor() {
          return fake?.activeTextEditor;
        },
      }),
      commands: anything('commands', {
        registerCommand: (id: string, f: Fn) => {
          this.commands.set(id, f);
          // A stopped client's commands go with it.
          return { dispose: () => this.commands.get(id) === f && this.commands.delete(id) };
        },
        executeCommand: async (command: string, ...args: unknown[]) => {
          this.executed.push({ command, args });
          return this.commands.get(command)?.(...args);
        },
      }),
      languages: anything('languages', {
        match: () => 10,
        registerInlineCompletionItemProvider: (_: unknown, p: { provideInlineCompletionItems: Fn }) => {
          this.inlineProvider = p;
          return { dispose: () => this.inlineProvider === p && (this.inlineProvider = undefined) };
        },
        registerCompletionItemProvider: (_: unknown, p: { provideCompletionItems: Fn }) => {
          this.completionProvider = p;
          return disposable;
        },
      }),
      workspace: anything('workspace', {
        getConfiguration: () => ({
          get: (k: string, d: unknown) => this.settings[k] ?? d,
          inspect: (k: string) => (k in this.settings ? { globalValue: this.settings[k] } : undefined),
        }),
        registerTextDocumentContentProvider: (scheme: string, p: { provideTextDocumentContent: Fn }) => {
          this.contentProviders.set(scheme, p);
          return disposable;
        },
        onDidOpenTextDocument: this.openDocument.event,
        textDocuments: [],
        workspaceFolders: undefined,
      }),
    });
  }

  private say(m: string): Promise<undefined> {
    this.messages.push(m);
    return Promise.resolve(undefined);
  }
}

let fake: Fake | undefined;

/** Makes `require('vscode')` return the fake (one per process: the extension keeps the module
 * it loaded); returns it. */
export function install(): Fake {
  if (fake) {
    return fake;
  }
  fake = new Fake();
  const m = Module as unknown as { _resolveFilename: Fn; _cache: Record<string, unknown> };
  const resolve = m._resolveFilename;
  m._resolveFilename = function (this: unknown, request: unknown, ...rest: unknown[]) {
    return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
  };
  m._cache['vscode'] = { id: 'vscode', filename: 'vscode', loaded: true, exports: fake.module() };
  return fake;
}
