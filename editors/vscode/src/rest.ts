// Tells the server where the cursor came to rest (`tandem/cursorRest`), so that it evaluates that
// place's prompt while the model is idle and the first suggestion there comes sooner.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

/** How long the cursor must stay on a new line before its place is reported, in milliseconds. */
export const REST_MS = 250;

/** Reports each new line the cursor comes to rest on, through the running client. */
export function reportCursorRest(getClient: () => LanguageClient | undefined): vscode.Disposable {
  let timer: NodeJS.Timeout | undefined;
  let last = '';
  const report = (editor: vscode.TextEditor) => {
    const client = getClient();
    const doc = editor.document;
    if (!client?.isRunning() || doc.uri.scheme !== 'file') {
      return;
    }
    const at = editor.selection.active;
    const place = `${doc.uri.toString()}:${at.line}`;
    if (place === last) {
      return;
    }
    last = place;
    void client.sendNotification('tandem/cursorRest', {
      textDocument: { uri: client.code2ProtocolConverter.asUri(doc.uri) },
      position: { line: at.line, character: at.character },
    });
  };
  const moved = vscode.window.onDidChangeTextEditorSelection((e) => {
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(() => report(e.textEditor), REST_MS);
  });
  return {
    dispose: () => {
      if (timer) {
        clearTimeout(timer);
      }
      moved.dispose();
    },
  };
}
