// Next edits in VS Code: once edits of the active document settle, asks the server for the
// other edits they imply (`tandem/nextEdits`), shows each proposed place in its editor (the place
// highlighted, the replacement after its line, and "Tab to jump" / "Tab to accept" after the one
// Tab acts on), and jumps to, accepts (as a WorkspaceEdit) or dismisses them. Context keys for
// the keybindings: `tandem.nextEditPending` (there are proposals) and `tandem.nextEditAtCursor`
// (the cursor is on one). What became of each proposal goes to the server with
// `tandem/suggestionOutcome` (shown, accepted, dismissed).
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  type LspRange,
  NEXT_EDITS_METHOD,
  type NextEdit,
  type Place,
  hint,
  label,
  nextPlace,
  parseNextEdits,
  placeAt,
  placeToAccept,
  shiftRange,
} from './nextEdits';

/** Milliseconds after the last change before asking (the server also waits for the document to settle). */
export const NEXT_EDIT_DEBOUNCE_MS = 150;
const METHOD_NOT_FOUND = -32601;

/** A proposal as the extension keeps it: its range follows the edits of its document. */
interface Proposal {
  edit: NextEdit;
  /** The target document, and its key (`uri.toString()`). */
  uri: vscode.Uri;
  key: string;
  range: LspRange;
  client: LanguageClient;
}

export interface NextEditsOptions {
  /** The running language client. */
  client: () => LanguageClient | undefined;
  /** Whether next edits are on (setting `tandem.nextEdits.enabled`). */
  enabled: () => boolean;
  /** Whether tandem serves `doc`. */
  serves: (doc: vscode.TextDocument) => boolean;
}

function toRange(r: LspRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export class NextEdits implements vscode.Disposable {
  private proposals: Proposal[] = [];
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private pending: vscode.CancellationTokenSource | undefined;
  private readonly unsupported = new WeakSet<LanguageClient>();
  private readonly shown = new Set<number>();
  private readonly dismissed = new Set<number>();
  private readonly context = new Map<string, boolean>();
  private readonly place: vscode.TextEditorDecorationType;
  private readonly after: vscode.TextEditorDecorationType;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly options: NextEditsOptions) {
    this.place = vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor('diffEditor.removedTextBackground'),
      borderRadius: '2px',
    });
    this.after = vscode.window.createTextEditorDecorationType({
      after: { color: new vscode.ThemeColor('editorGhostText.foreground'), fontStyle: 'italic', margin: '0 0 0 1.5em' },
    });
    this.subscriptions = [
      this.place,
      this.after,
      vscode.workspace.onDidChangeTextDocument((e) => this.changed(e)),
      vscode.window.onDidChangeTextEditorSelection(() => this.render()),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.render()),
    ];
  }

  /** The proposals now, best first, with their current ranges (for tests). */
  list(): { id: number; uri: string; range: LspRange; newText: string; kind: string; reason: string }[] {
    return this.proposals.map((p) => ({
      id: p.edit.id,
      uri: p.key,
      range: p.range,
      newText: p.edit.newText,
      kind: p.edit.kind,
      reason: p.edit.reason,
    }));
  }

  private changed(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0) {
      return;
    }
    const key = e.document.uri.toString();
    let stale = false;
    this.proposals = this.proposals.filter((p) => {
      if (p.key !== key) {
        return true;
      }
      let range: LspRange | undefined = p.range;
      for (const c of e.contentChanges) {
        range = range && shiftRange(range, { range: c.range, text: c.text });
      }
      if (!range) {
        stale = true;
        return false;
      }
      p.range = range;
      return true;
    });
    if (stale || this.proposals.some((p) => p.key === key)) {
      this.render();
    }
    if (vscode.window.activeTextEditor?.document === e.document) {
      this.schedule(e.document);
    }
  }

  private schedule(doc: vscode.TextDocument): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.request(doc);
    }, NEXT_EDIT_DEBOUNCE_MS);
  }

  private cancelPending(): void {
    this.seq++; // an answer on its way is dropped
    this.pending?.cancel();
    this.pending?.dispose();
    this.pending = undefined;
  }

  /** Asks for the next edits of `doc`; the answer replaces the proposals unless `doc` changed in between. */
  async request(doc: vscode.TextDocument): Promise<void> {
    const client = this.options.client();
    if (!client?.isRunning() || this.unsupported.has(client) || !this.options.enabled() || !this.options.serves(doc)) {
      return;
    }
    this.cancelPending();
    const seq = this.seq;
    const version = doc.version;
    const tokens = new vscode.CancellationTokenSource();
    this.pending = tokens;
    try {
      const result = await client.sendRequest(
        NEXT_EDITS_METHOD,
        { textDocument: { uri: client.code2ProtocolConverter.asUri(doc.uri), version } },
        tokens.token,
      );
      if (seq !== this.seq || doc.version !== version) {
        return;
      }
      this.set(parseNextEdits(result), client);
    } catch (e) {
      if ((e as { code?: number }).code === METHOD_NOT_FOUND) {
        this.unsupported.add(client); // a server without next edits
      } else if (seq === this.seq) {
        client.outputChannel.appendLine(`tandem: next edits failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    } finally {
      if (this.pending === tokens) {
        this.pending = undefined;
      }
      tokens.dispose();
    }
  }

  private set(edits: NextEdit[], client: LanguageClient): void {
    this.proposals = edits
      .filter((e) => !this.dismissed.has(e.id))
      .map((edit) => {
        const uri = client.protocol2CodeConverter.asUri(edit.uri);
        return { edit, uri, key: uri.toString(), range: edit.range, client };
      });
    this.render();
  }

  private places(): Place[] {
    return this.proposals.map((p) => ({ uri: p.key, range: p.range }));
  }

  private here(editor: vscode.TextEditor): { uri: string; position: { line: number; character: number } } {
    const at = editor.selection.active;
    return { uri: editor.document.uri.toString(), position: { line: at.line, character: at.character } };
  }

  private setContext(key: string, value: boolean): void {
    if (this.context.get(key) !== value) {
      this.context.set(key, value);
      void vscode.commands.executeCommand('setContext', key, value);
    }
  }

  private report(p: Proposal, outcome: 'shown' | 'accepted' | 'dismissed'): void {
    if (p.client.isRunning()) {
      void p.client.sendNotification('tandem/suggestionOutcome', { id: p.edit.id, outcome });
    }
  }

  /** Draws the proposals in the visible editors and sets the context keys. */
  render(): void {
    const active = vscode.window.activeTextEditor;
    const places = this.places();
    const here = active && this.here(active);
    const at = here && placeAt(places, here);
    const target = at ?? (here ? nextPlace(places, here) : undefined);
    const editors = new Set(vscode.window.visibleTextEditors);
    if (active) {
      editors.add(active);
    }
    for (const editor of editors) {
      const key = editor.document.uri.toString();
      const lines = editor.document.lineCount;
      const mine = this.proposals
        .map((p, i) => ({ p, i }))
        .filter(({ p }) => p.key === key && p.range.end.line < lines);
      editor.setDecorations(
        this.place,
        mine.map(({ p }) => ({ range: toRange(p.range), hoverMessage: `tandem: ${p.edit.reason || p.edit.kind}` })),
      );
      editor.setDecorations(
        this.after,
        mine.map(({ p, i }) => {
          const end = editor.document.lineAt(p.range.start.line).range.end;
          const text = editor === active && i === target ? `${label(p.edit.newText)}  ${hint(i === at)}` : label(p.edit.newText);
          return { range: new vscode.Range(end, end), renderOptions: { after: { contentText: text } } };
        }),
      );
      for (const { p } of mine) {
        if (!this.shown.has(p.edit.id)) {
          this.shown.add(p.edit.id);
          this.report(p, 'shown');
        }
      }
    }
    this.setContext('tandem.nextEditPending', this.proposals.length > 0);
    this.setContext('tandem.nextEditAtCursor', at !== undefined);
  }

  /** Moves the cursor to the next proposed place, opening its document when it is another one. */
  async jump(): Promise<boolean> {
    const active = vscode.window.activeTextEditor;
    const i = active ? nextPlace(this.places(), this.here(active)) : this.proposals.length > 0 ? 0 : undefined;
    if (i === undefined) {
      return false;
    }
    const p = this.proposals[i];
    let editor = active;
    if (!editor || editor.document.uri.toString() !== p.key) {
      const doc = await vscode.workspace.openTextDocument(p.uri);
      editor = await vscode.window.showTextDocument(doc);
    }
    const start = new vscode.Position(p.range.start.line, p.range.start.character);
    editor.selection = new vscode.Selection(start, start);
    editor.revealRange(new vscode.Range(start, start), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    this.render();
    return true;
  }

  /** Applies the proposal at the cursor (or the nearest on its line) and tells the server it was accepted. */
  async accept(): Promise<boolean> {
    const editor = vscode.window.activeTextEditor;
    const i = editor && placeToAccept(this.places(), this.here(editor));
    if (!editor || i === undefined) {
      return false;
    }
    const [p] = this.proposals.splice(i, 1);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(p.uri, toRange(p.range), p.edit.newText);
    if (!(await vscode.workspace.applyEdit(edit))) {
      this.proposals.splice(i, 0, p);
      void vscode.window.showErrorMessage('tandem: the next edit could not be applied.');
      this.render();
      return false;
    }
    this.report(p, 'accepted');
    const start = new vscode.Position(p.range.start.line, p.range.start.character);
    editor.selection = new vscode.Selection(start, start);
    // The other proposals followed the edit; it asks the server again for them, re-anchored.
    this.render();
    return true;
  }

  /** Dismisses every proposal: they go, and the server hears each was dismissed. */
  dismiss(): boolean {
    this.cancelPending();
    if (this.proposals.length === 0) {
      return false;
    }
    for (const p of this.proposals) {
      this.dismissed.add(p.edit.id);
      this.report(p, 'dismissed');
    }
    this.proposals = [];
    this.render();
    return true;
  }

  dispose(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.cancelPending();
    this.proposals = [];
    this.setContext('tandem.nextEditPending', false);
    this.setContext('tandem.nextEditAtCursor', false);
    this.subscriptions.forEach((s) => s.dispose());
  }
}
