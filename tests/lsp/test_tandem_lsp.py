"""`tandem lsp` end to end: the built binary over stdio, driven by pytest-lsp (a third-party
LSP client), with the real default model.

Run by scripts/test; by hand: `target/pyenv/bin/pytest tests/lsp` after `cargo build --release`.
"""

import asyncio
import os
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = pathlib.Path(__file__).resolve().parents[2]
TANDEM = os.environ.get("TANDEM_BIN", str(ROOT / "target" / "release" / "tandem"))
STATE = ROOT / "target" / "lsp-e2e-state"


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[TANDEM, "lsp"],
        server_env={**os.environ, "XDG_STATE_HOME": str(STATE)},
    )
)
async def client(lsp_client: LanguageClient, tmp_path):
    params = types.InitializeParams(
        capabilities=types.ClientCapabilities(
            general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16]),
            window=types.WindowClientCapabilities(work_done_progress=True),
        ),
        root_uri=tmp_path.as_uri(),
    )
    result = await lsp_client.initialize_session(params)
    assert result.capabilities.inline_completion_provider
    lsp_client.root = tmp_path
    yield
    await lsp_client.shutdown_session()


async def wait_ready(client):
    for _ in range(600):
        state = await client.protocol.send_request_async("tandem/metrics", None)
        if state.state == "ready":
            return
        assert state.state == "loading", state
        await asyncio.sleep(0.1)
    raise AssertionError("the model did not load in 60 s")


def open_doc(client, name, text, language="python"):
    uri = (client.root / name).as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
        )
    )
    return uri


async def inline(client, uri, line, character):
    return await client.text_document_inline_completion_async(
        types.InlineCompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
            context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Invoked),
        )
    )


@pytest.mark.asyncio
async def test_inline_completion_of_a_return_statement(client: LanguageClient):
    await wait_ready(client)
    uri = open_doc(client, "add.py", "def add(a, b):\n    return \n")
    result = await inline(client, uri, 1, 11)
    items = result if isinstance(result, list) else result.items
    assert items[0].insert_text == "a + b"
    assert items[0].range.start == types.Position(line=1, character=11)
    # Progress was reported while loading.
    assert any(kind == "end" for kind in progress_kinds(client)), client.progress_reports


@pytest.mark.asyncio
async def test_typing_through_the_suggestion_reuses_it_and_edits_apply(client: LanguageClient):
    await wait_ready(client)
    uri = open_doc(client, "add.py", "def add(a, b):\n    return \n")
    first = await inline(client, uri, 1, 11)
    assert first[0].insert_text == "a + b"
    # The user types "a " (incremental change), then asks again: the rest comes from reuse.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(line=1, character=11), end=types.Position(line=1, character=11)),
                    text="a ",
                )
            ],
        )
    )
    second = await inline(client, uri, 1, 13)
    assert second[0].insert_text == "+ b"
    metrics = await client.protocol.send_request_async("tandem/metrics", None)
    assert metrics.reuse_hits == 1
    assert metrics.model_calls == 1


@pytest.mark.asyncio
async def test_where_the_cursor_rests_the_prompt_is_evaluated_before_the_first_request(client: LanguageClient):
    await wait_ready(client)
    above = "".join(f"def scale_{i}(x):\n    return x * {i}\n\n\n" for i in range(30))
    uri = open_doc(client, "many.py", above + "def add(a, b):\n    return \n")
    line = 30 * 4 + 1
    rest = {"textDocument": {"uri": uri}, "position": {"line": line, "character": 11}}
    client.protocol.notify("tandem/cursorRest", rest)
    for _ in range(600):
        metrics = await client.protocol.send_request_async("tandem/metrics", None)
        if metrics.warmups >= 1:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the place was not warmed in 60 s")
    assert metrics.model_calls == 0
    result = await inline(client, uri, line, 11)
    assert result[0].insert_text == "a + b"
    metrics = await client.protocol.send_request_async("tandem/metrics", None)
    record = metrics.recent[-1]
    assert record.source == "model"
    # The warm-up left the whole prompt in the cache: only its last token is evaluated again.
    assert record.prompt_tokens > 100
    assert (record.evaluated_tokens, record.reused_tokens) == (1, record.prompt_tokens - 1)


@pytest.mark.asyncio
async def test_utf16_positions_with_non_ascii_text(client: LanguageClient):
    # This test is about positions: whatever the model's confidence, the suggestion is shown.
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"completion": {"aggressiveness": "high"}})
    )
    await wait_ready(client)
    text = 'def greet(name):\n    """Say hé to 😀 name."""\n    return "hé " + \n'
    uri = open_doc(client, "greet.py", text)
    line = text.split("\n")[2]
    result = await inline(client, uri, 2, len(line.encode("utf-16-le")) // 2 - 1)
    assert result, "no suggestion"
    assert "name" in result[0].insert_text


def progress_kinds(client):
    kinds = []
    for values in client.progress_reports.values():
        for v in values:
            kinds.append(getattr(v, "kind", None))
    return kinds


def change(client, uri, version, line, start, end, text):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=line, character=start), end=types.Position(line=line, character=end)
                    ),
                    text=text,
                )
            ],
        )
    )


@pytest.mark.asyncio
async def test_next_edits_follow_a_signature_change_to_another_file_and_a_rename_in_scope(client: LanguageClient):
    (client.root / "app").mkdir()
    (client.root / "app" / "main.py").write_text("from geo import area\n\nprint(area(2, 3))\nx = area(4, height=5)\n")
    geo = "def area(width, height):\n    return width * height\n"
    (client.root / "geo.py").write_text(geo)
    await wait_ready(client)
    for _ in range(100):  # the index is built in the background once the model is ready
        uri = open_doc(client, "geo.py", geo)
        change(client, uri, 2, 0, 9, 22, "width")  # "width, height" -> "width"
        result = await client.protocol.send_request_async("tandem/nextEdits", {"textDocument": {"uri": uri}})
        if result.edits:
            break
        client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
        await asyncio.sleep(0.1)
    main = (client.root / "app" / "main.py").as_uri()
    got = [(e.uri, e.range.start.line, e.range.start.character, e.range.end.character, e.newText, e.kind) for e in result.edits]
    assert got == [(main, 2, 12, 15, "", "signature"), (main, 3, 10, 20, "", "signature")], got
    assert all(isinstance(e.id, int) and e.reason for e in result.edits)

    # Renaming the parameter: its use in the body, nowhere else.
    change(client, uri, 3, 0, 9, 14, "w")
    result = await client.protocol.send_request_async("tandem/nextEdits", {"textDocument": {"uri": uri}})
    assert [(e.uri, e.range.start.line, e.newText, e.kind) for e in result.edits] == [(uri, 1, "w", "rename")]
    # The same proposal in the shape next-edit clients read, and as the inline completion on its line.
    copilot = await client.protocol.send_request_async(
        "textDocument/copilotInlineEdit",
        {"textDocument": {"uri": uri, "version": 3}, "position": {"line": 0, "character": 0}},
    )
    assert [(e.text, e.range.start.line, e.textDocument.uri, e.command.command) for e in copilot.edits] == [
        ("w", 1, uri, "tandem.suggestionOutcome")
    ]
    items = await inline(client, uri, 1, 4)
    assert [(i.insert_text, i.range.start.character, i.range.end.character) for i in items] == [("w", 11, 16)]
    # Applied by the client, it is accepted, and nothing more is proposed.
    change(client, uri, 4, 1, 11, 16, "w")
    result = await client.protocol.send_request_async("tandem/nextEdits", {"textDocument": {"uri": uri}})
    assert result.edits == []
