// A stand-in for the `vscode` module, enough to run the extension and vscode-languageclient
// under plain Node: the parts the tests look at are small real implementations that record what
// happens (status bar, messages, commands, providers, documents and their edits, editors, their
// selections and decorations); everything else is a permissive proxy that accepts any call.
import * as fs from 'node:fs';
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
  readonly event = (f: (e: T) => void, thisArg?: unknown): typeof disposable => {
    const g = thisArg === undefined ? f : f.bind(thisArg);
    this.listeners.push(g);
    return { dispose: () => void (this.listeners = this.listeners.filter((h) => h !== g)) };
  };
  fire(e: T): void {
    [...this.listeners].forEach((f) => f(e));
  }
  dispose(): void {}
}

export class CancellationTokenSource {
  private cancelled = false;
  private readonly emitter = new EventEmitter<void>();
  readonly token = {
    isCancellationRequested: false,
    onCancellationRequested: this.emitter.event,
  };
  cancel(): void {
    if (!this.cancelled) {
      this.cancelled = true;
      this.token.isCancellationRequested = true;
      this.emitter.fire();
    }
  }
  dispose(): void {}
}

/** The edits of a WorkspaceEdit (replacements only). */
export class WorkspaceEdit {
  readonly edits: { uri: Uri; range: Range; newText: string }[] = [];
  replace(uri: Uri, range: Range, newText: string): void {
    this.edits.push({ uri, range, newText });
  }
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

/** A text document as VS Code hands it to the language client, which edits change (`edit`). */
export class TextDocument {
  version = 1;
  readonly isClosed = false;
  readonly isUntitled = false;
  readonly uri: Uri;
  constructor(
    readonly fileName: string,
    readonly languageId: string,
    private text: string,
  ) {
    this.uri = Uri.file(fileName);
  }
  private get lines(): string[] {
    return this.text.split('\n');
  }
  get lineCount(): number {
    return this.lines.length;
  }
  getText(range?: Range): string {
    return range ? this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end)) : this.text;
  }
  lineAt(n: number): { text: string; range: Range } {
    const line = this.lines[n];
    return { text: line, range: new Range(n, 0, n, line.length) };
  }
  offsetAt(p: Position): number {
    const lines = this.lines;
    let offset = 0;
    for (let i = 0; i < p.line && i < lines.length; i++) {
      offset += lines[i].length + 1;
    }
    return offset + Math.min(p.character, lines[p.line]?.length ?? 0);
  }
  /** Replaces `range` with `text` as typing would, and tells the listeners (the language client, the extension). */
  edit(range: Range, text: string): void {
    const start = this.offsetAt(range.start);
    const end = this.offsetAt(range.end);
    this.text = this.text.slice(0, start) + text + this.text.slice(end);
    this.version++;
    fake?.changeDocument.fire({
      document: this,
      contentChanges: [{ range, rangeOffset: start, rangeLength: end - start, text }],
      reason: undefined,
    });
  }
}

export function textDocument(file: string, languageId: string, text: string): TextDocument {
  return new TextDocument(file, languageId, text);
}

type Decoration = { range: Range; hoverMessage?: string; renderOptions?: { after?: { contentText?: string } } };

/** A decoration type: its options, as created. */
export class DecorationType {
  constructor(readonly options: Record<string, unknown>) {}
  dispose(): void {}
}

/** A text editor: its selection (setting it tells the listeners) and its decorations. */
export class TextEditor {
  readonly decorations = new Map<DecorationType, Decoration[]>();
  private current: Selection;
  constructor(
    readonly document: TextDocument,
    selection = new Selection(0, 0, 0, 0),
  ) {
    this.current = selection;
  }
  get selection(): Selection {
    return this.current;
  }
  set selection(s: Selection) {
    this.current = s;
    fake?.selectionChange.fire({ textEditor: this, selections: [s] });
  }
  get selections(): Selection[] {
    return [this.current];
  }
  setDecorations(type: DecorationType, decorations: Decoration[]): void {
    this.decorations.set(type, decorations);
  }
  revealRange(): void {}
  /** The text shown after lines (`after` decorations): `line: text`. */
  after(): string[] {
    const out: string[] = [];
    for (const [type, list] of this.decorations) {
      if (type.options.after) {
        out.push(...list.map((d) => `${d.range.start.line}: ${d.renderOptions?.after?.contentText ?? ''}`));
      }
    }
    return out;
  }
  /** The ranges highlighted (decorations without `after`): `line:character-line:character`. */
  highlighted(): string[] {
    const out: string[] = [];
    for (const [type, list] of this.decorations) {
      if (!type.options.after) {
        out.push(...list.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`));
      }
    }
    return out;
  }
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
  readonly changeDocument = new EventEmitter<unknown>();
  readonly selectionChange = new EventEmitter<unknown>();
  readonly activeEditorChange = new EventEmitter<unknown>();
  /** The documents opened through `workspace.openTextDocument`. */
  readonly documents: TextDocument[] = [];
  activeTextEditor: TextEditor | undefined;

  /** Shows `doc` in the active editor (a new one), as `window.showTextDocument` does. */
  show(doc: TextDocument, selection?: Selection): TextEditor {
    const editor = new TextEditor(doc, selection);
    this.activeTextEditor = editor;
    this.activeEditorChange.fire(editor);
    return editor;
  }

  /** The document of `uri` the editor has, or the file read and opened. */
  open(uri: Uri): TextDocument {
    const open = [...this.documents, this.activeTextEditor?.document].find((d) => d?.uri.toString() === uri.toString());
    if (open) {
      return open;
    }
    const doc = new TextDocument(uri.fsPath, 'python', fs.readFileSync(uri.fsPath, 'utf8'));
    this.documents.push(doc);
    this.openDocument.fire(doc);
    return doc;
  }

  module(): unknown {
    return anything('vscode', {
      version: '1.95.0',
      Position,
      Range,
      Selection,
      Uri,
      EventEmitter,
      CancellationTokenSource,
      WorkspaceEdit,
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
        get visibleTextEditors() {
          return fake?.activeTextEditor ? [fake.activeTextEditor] : [];
        },
        onDidChangeTextEditorSelection: this.selectionChange.event,
        onDidChangeActiveTextEditor: this.activeEditorChange.event,
        onDidChangeVisibleTextEditors: this.activeEditorChange.event,
        createTextEditorDecorationType: (options: Record<string, unknown>) => new DecorationType(options),
        showTextDocument: async (doc: TextDocument) => this.show(doc),
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
        onDidChangeTextDocument: this.changeDocument.event,
        openTextDocument: async (uri: Uri) => this.open(uri),
        applyEdit: async (edit: WorkspaceEdit) => {
          for (const e of edit.edits) {
            this.open(e.uri).edit(e.range, e.newText);
          }
          return true;
        },
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
