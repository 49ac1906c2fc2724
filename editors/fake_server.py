#!/usr/bin/env python3
"""A stand-in for `tandem lsp` that answers at once, for testing the editor clients' explain,
status, suggestion-outcome and next-edit paths against the server contract (`tandem.explain`,
`tandem/status`, `tandem.suggestionOutcome`, `tandem/suggestionOutcome`, `tandem/nextEdits`)
without the model. Used by editors/nvim/test/contract.lua, the VS Code extension's integration
test and editors/emacs/test/tandem-test.el.

It records every message's method and params to the file named by FAKE_TANDEM_LOG (one JSON
object a line), offers `tandem.explain` and `tandem.suggestionOutcome`, reports `tandem/status`
loading then degraded, answers `tandem.explain` with markdown naming the range it got, suggests
`a + b` inline (a second late when the document contains "slow"; a block after a line ending in
"# block"), each suggestion with a new id (1, 2, ...) in its `tandem.suggestionOutcome` command,
answers `tandem/nextEdits` (about any document) once an open document has `def area(w,`: a
rename proposal (`w`) for each other `width` word in it and in `uses.py` next to it (the editor's
copy when it is open, else the file), each with an id from 101 on that stays with its place, none
that was reported accepted or dismissed; and exits with code 7 when a configuration change asks it to
(`{"completion": {"crash": true}}`).
"""

import json
import os
import re
import sys
import threading
from urllib.parse import unquote, urlparse

lock = threading.Lock()
documents = {}
suggestions = 0
# Next edits: the id of each proposed place (uri, line, character), and the ids reported
# accepted or dismissed.
places = {}
done = set()


def read():
    length = None
    while True:
        line = sys.stdin.buffer.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            break
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    return json.loads(sys.stdin.buffer.read(length))


def send(message):
    body = json.dumps(message).encode()
    with lock:
        sys.stdout.buffer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        sys.stdout.buffer.flush()


def log(message):
    path = os.environ.get("FAKE_TANDEM_LOG")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"method": message.get("method"), "params": message.get("params")}) + "\n")


def apply(text, change):
    """Applies one LSP content change (ASCII text assumed: characters are bytes)."""
    if "range" not in change:
        return change["text"]
    lines = text.split("\n")

    def offset(p):
        return sum(len(line) + 1 for line in lines[: p["line"]]) + p["character"]

    r = change["range"]
    return text[: offset(r["start"])] + change["text"] + text[offset(r["end"]) :]


def next_edits():
    """The canned `tandem/nextEdits` answer: after `width` was renamed to `w` in
    `def area(w, ...)`, the other `width` words of that document and of `uses.py` next to it."""
    edited = [u for u, text in documents.items() if "def area(w," in text]
    if not edited:
        return []
    uri = edited[-1]
    targets = [uri]
    if uri.startswith("file://"):
        path = os.path.join(os.path.dirname(unquote(urlparse(uri).path)), "uses.py")
        targets.append("file://" + path)
    edits = []
    for target in targets:
        text = documents.get(target)
        if text is None:
            path = unquote(urlparse(target).path)
            text = open(path).read() if os.path.exists(path) else ""
        for n, line in enumerate(text.split("\n")):
            if line.startswith("def area("):
                continue
            for m in re.finditer(r"\bwidth\b", line):
                key = (target, n, m.start())
                places.setdefault(key, 101 + len(places))
                if places[key] in done:
                    continue
                edits.append({
                    "id": places[key], "uri": target,
                    "range": {"start": {"line": n, "character": m.start()},
                              "end": {"line": n, "character": m.end()}},
                    "newText": "w", "kind": "rename", "reason": "width was renamed to w",
                    "confidence": 0.9 if target == uri else 0.8,
                })
    return edits


def status(state, detail):
    send({"jsonrpc": "2.0", "method": "tandem/status",
          "params": {"state": state, "model": "fake-model", "detail": detail}})


def main():
    global suggestions
    while True:
        message = read()
        if message is None:
            return
        log(message)
        method, id_ = message.get("method"), message.get("id")
        if method == "initialize":
            send({"jsonrpc": "2.0", "id": id_, "result": {
                "capabilities": {
                    "textDocumentSync": 2,
                    "inlineCompletionProvider": True,
                    "executeCommandProvider": {"commands": ["tandem.explain", "tandem.suggestionOutcome"]},
                },
                "serverInfo": {"name": "fake-tandem"},
            }})
        elif method == "initialized":
            status("loading", "loading the model")
            status("degraded", "remote unreachable; local model only")
        elif method == "workspace/executeCommand" and message["params"]["command"] == "tandem.suggestionOutcome":
            send({"jsonrpc": "2.0", "id": id_, "result": None})
        elif method == "workspace/executeCommand":
            arg = (message["params"].get("arguments") or [{}])[0]
            r = arg.get("range") or {}
            start, end = r.get("start", {}), r.get("end", {})
            text = "`add` returns the sum of **a** and **b** (%s:%s-%s:%s)." % (
                start.get("line"), start.get("character"), end.get("line"), end.get("character"))
            send({"jsonrpc": "2.0", "id": id_, "result": {
                "markdown": text, "model": "fake-model", "route": "local",
                "reason": "remote unreachable", "degraded": True}})
        elif method == "textDocument/didOpen":
            doc = message["params"]["textDocument"]
            documents[doc["uri"]] = doc["text"]
        elif method == "textDocument/didChange":
            uri = message["params"]["textDocument"]["uri"]
            for change in message["params"]["contentChanges"]:
                documents[uri] = apply(documents.get(uri, ""), change)
        elif method == "textDocument/inlineCompletion":
            pos = message["params"]["position"]
            text = documents.get(message["params"]["textDocument"]["uri"], "")
            line = text.split("\n")[pos["line"]] if pos["line"] < len(text.split("\n")) else ""
            suggestion = "\n    x = 1\n    y = 2" if line.endswith("# block") else "a + b"
            suggestions += 1
            command = {"title": "tandem: suggestion accepted", "command": "tandem.suggestionOutcome",
                       "arguments": [{"id": suggestions, "outcome": "accepted"}]}
            reply = {"jsonrpc": "2.0", "id": id_, "result": {"items": [
                {"insertText": suggestion, "range": {"start": pos, "end": pos}, "command": command}]}}
            if "slow" in text:
                # A model call that takes a while: the editor may have moved on by then.
                threading.Timer(1.0, send, [reply]).start()
            else:
                send(reply)
        elif method == "tandem/nextEdits":
            send({"jsonrpc": "2.0", "id": id_, "result": {"edits": next_edits()}})
        elif method == "tandem/suggestionOutcome":
            if message["params"].get("outcome") in ("accepted", "dismissed"):
                done.add(message["params"].get("id"))
        elif method == "workspace/didChangeConfiguration":
            if message["params"]["settings"]["completion"].get("crash"):
                sys.exit(7)
        elif method == "shutdown":
            send({"jsonrpc": "2.0", "id": id_, "result": None})
        elif method == "exit":
            return
        elif id_ is not None:
            send({"jsonrpc": "2.0", "id": id_, "error": {"code": -32601, "message": "no " + str(method)}})


if __name__ == "__main__":
    main()
