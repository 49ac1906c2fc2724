#!/usr/bin/env python3
"""A stand-in for `tandem lsp` that answers at once, for testing the editor clients' explain,
status and suggestion-outcome paths against the server contract (`tandem.explain`,
`tandem/status`, `tandem.suggestionOutcome`, `tandem/suggestionOutcome`) without the model.
Used by editors/nvim/test/contract.lua and the VS Code extension's integration test.

It records every message's method and params to the file named by FAKE_TANDEM_LOG (one JSON
object a line), offers `tandem.explain` and `tandem.suggestionOutcome`, reports `tandem/status`
loading then degraded, answers `tandem.explain` with markdown naming the range it got, suggests
`a + b` inline (a second late when the document contains "slow"; a block after a line ending in
"# block"), each suggestion with a new id (1, 2, ...) in its `tandem.suggestionOutcome` command,
and exits with code 7 when a configuration change asks it to (`{"completion": {"crash": true}}`).
"""

import json
import os
import sys
import threading

lock = threading.Lock()
documents = {}
suggestions = 0


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
