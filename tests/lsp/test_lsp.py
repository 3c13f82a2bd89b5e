"""`mml lsp` through a real LSP client (pygls, via pytest-lsp), with the capabilities that
VS Code, Neovim and Emacs announce."""

import os

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

MML_BIN = os.environ["MML_BIN"]
URI = "file:///tmp/example.mml"

PROFILES = ["visual-studio-code", "neovim", "emacs"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[MML_BIN, "lsp"]), params=PROFILES)
async def client(request, lsp_client: LanguageClient):
    caps = client_capabilities(request.param)
    result = await lsp_client.initialize_session(types.InitializeParams(capabilities=caps))
    lsp_client.encoding = result.capabilities.position_encoding
    yield
    await lsp_client.shutdown_session()


def open_doc(client, text, uri=URI):
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="mml", version=1, text=text))
    )


async def diagnostics(client, uri=URI):
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return client.diagnostics[uri]


async def test_diagnostics_appear_and_clear(client: LanguageClient):
    open_doc(client, "A = [1, 2; 3, 4]\nx = linspce(0, 1)\n")
    found = await diagnostics(client)
    assert len(found) == 1
    d = found[0]
    assert d.code == "unknown-name" and d.source == "mml"
    assert "linspce" in d.message and "linspace" in d.message, d.message
    assert (d.range.start.line, d.range.start.character, d.range.end.character) == (1, 4, 11)
    # An incremental edit fixes it; the diagnostic is cleared.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(1, 4), types.Position(1, 11)), text="linspace"
                )
            ],
        )
    )
    assert list(await diagnostics(client)) == []


async def test_syntax_habits_show_one_diagnostic_with_help(client: LanguageClient):
    open_doc(client, "A = eye(2)\nB = A\nC = A @ B\n")
    found = await diagnostics(client)
    assert len(found) == 1 and "A * B" in found[0].message, found


async def test_positions_on_lines_with_theta_and_emoji(client: LanguageClient):
    open_doc(client, "θ = 1 # 😀\ny = 😀 + θ\n")
    found = await diagnostics(client)
    assert found, "the emoji is not a name"
    start = found[0].range.start
    # The emoji starts at the same place in both encodings; what follows it does not.
    assert (start.line, start.character) == (1, 4)
    width = 4 if client.encoding == types.PositionEncodingKind.Utf8 else 2
    assert found[0].range.end.character - start.character in (width, 0), found[0].range
    open_doc(client, "θ = 1\nzz = θ + linspace(0, 1)\n", uri="file:///tmp/theta.mml")
    await diagnostics(client, "file:///tmp/theta.mml")
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier("file:///tmp/theta.mml"), types.Position(1, 12))
    )
    assert hover is not None and "linspace(a, b, n = 100)" in hover.contents.value
    # `θ` is one UTF-16 unit but two UTF-8 bytes.
    shift = 1 if client.encoding == types.PositionEncodingKind.Utf8 else 0
    assert (hover.range.start.character, hover.range.end.character) == (9 + shift, 17 + shift)


async def test_hover_shows_the_builtin_documentation(client: LanguageClient):
    open_doc(client, "v = linspace(0, 1, 5)\n")
    await diagnostics(client)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(URI), types.Position(0, 6))
    )
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert hover.contents.value.startswith("```mml\nlinspace(a, b, n = 100)\n```")
    var = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(URI), types.Position(0, 0))
    )
    assert var.contents.value == "`v`: a variable, first assigned on line 1"
    blank = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(URI), types.Position(0, 2))
    )
    assert blank is None


async def test_completion_and_signature_help(client: LanguageClient):
    open_doc(client, "y = linsp\nz = linspace(0, 1, \n")
    await diagnostics(client)
    result = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(URI), types.Position(0, 9))
    )
    items = result if isinstance(result, list) else result.items
    item = next(i for i in items if i.label == "linspace")
    assert item.kind == types.CompletionItemKind.Function and item.detail == "linspace(a, b, n = 100)"
    assert item.text_edit.new_text == "linspace" and item.text_edit.range.start.character == 4
    help = await client.text_document_signature_help_async(
        types.SignatureHelpParams(types.TextDocumentIdentifier(URI), types.Position(1, 19))
    )
    sig = help.signatures[0]
    assert sig.label == "linspace(a, b, n = 100)" and help.active_parameter == 2
    start, end = sig.parameters[2].label
    assert sig.label[start:end] == "n = 100"


async def test_unknown_requests_get_an_error_not_a_crash(client: LanguageClient):
    with pytest.raises(Exception):
        await client.protocol.send_request_async("textDocument/frobnicate", {})
    open_doc(client, "x = 1\n")
    assert list(await diagnostics(client)) == []


async def test_the_files_own_functions_and_variables(client: LanguageClient):
    text = "# The squared error of a fit.\nloss(w, b) = sum((w - b) .^ 2)\nweights = [1, 2]\nl = loss(weigh\n"
    open_doc(client, text)
    await diagnostics(client)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(URI), types.Position(3, 5))
    )
    assert hover.contents.value.startswith("```mml\nloss(w, b)\n```\n\nThe squared error of a fit.")
    target = await client.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(URI), types.Position(3, 6))
    )
    assert (target.range.start.line, target.range.start.character, target.range.end.character) == (1, 0, 4)
    result = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(URI), types.Position(3, 14))
    )
    items = result if isinstance(result, list) else result.items
    assert "weights" in [i.label for i in items]
    help = await client.text_document_signature_help_async(
        types.SignatureHelpParams(types.TextDocumentIdentifier(URI), types.Position(3, 14))
    )
    assert help.signatures[0].label == "loss(w, b)" and help.active_parameter == 0
