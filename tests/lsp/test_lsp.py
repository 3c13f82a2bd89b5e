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
    lsp_client.legend = result.capabilities.semantic_tokens_provider.legend
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


def span(r):
    return (r.start.line, r.start.character, r.end.line, r.end.character)


SCOPES = "x = 1\nf(x) = x + 1\ng(y) = y + x\nx = f(x)\n"


async def test_references_follow_scopes(client: LanguageClient):
    open_doc(client, SCOPES)
    await diagnostics(client)

    async def refs(line, character, include):
        found = await client.text_document_references_async(
            types.ReferenceParams(
                text_document=types.TextDocumentIdentifier(URI),
                position=types.Position(line, character),
                context=types.ReferenceContext(include_declaration=include),
            )
        )
        return None if found is None else [span(l.range) for l in found]

    # The global `x`: read inside `g`, but not `f`'s parameter.
    assert await refs(0, 0, True) == [(0, 0, 0, 1), (2, 11, 2, 12), (3, 0, 3, 1), (3, 6, 3, 7)]
    assert await refs(3, 6, False) == [(2, 11, 2, 12), (3, 0, 3, 1), (3, 6, 3, 7)]
    # The parameter `x` of `f`, from its use.
    assert await refs(1, 7, True) == [(1, 2, 1, 3), (1, 7, 1, 8)]
    assert await refs(1, 7, False) == [(1, 7, 1, 8)]
    # The function `f`, from its call.
    assert await refs(3, 4, True) == [(1, 0, 1, 1), (3, 4, 3, 5)]
    # Hover too.
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(URI), types.Position(1, 7))
    )
    assert hover.contents.value == "`x`: a parameter, on line 2"
    # Go-to-definition agrees: the parameter, not the global.
    target = await client.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(URI), types.Position(1, 7))
    )
    assert span(target.range) == (1, 2, 1, 3)
    # A builtin has no references of the file's own.
    open_doc(client, "y = sin(1)\n", uri="file:///tmp/b.mml")
    await diagnostics(client, "file:///tmp/b.mml")
    found = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier("file:///tmp/b.mml"),
            position=types.Position(0, 5),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert found is None


OUTLINE = "A = eye(2)\n# The loss.\nfn loss(w, b) {\n    inner(z) = z\n    return inner(w) + b\n}\nsq = x -> x ^ 2\nA = 3\n"


async def test_document_symbols_are_a_tree(client: LanguageClient):
    open_doc(client, OUTLINE)
    await diagnostics(client)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(URI))
    )
    got = [(s.name, s.kind, s.detail, span(s.range), span(s.selection_range)) for s in symbols]
    assert got == [
        ("A", types.SymbolKind.Variable, None, (0, 0, 0, 10), (0, 0, 0, 1)),
        ("loss", types.SymbolKind.Function, "loss(w, b)", (2, 0, 5, 1), (2, 3, 2, 7)),
        ("sq", types.SymbolKind.Function, "sq(x)", (6, 0, 6, 15), (6, 0, 6, 2)),
    ]
    inner = symbols[1].children
    assert [(s.name, s.detail, span(s.selection_range)) for s in inner] == [("inner", "inner(z)", (3, 4, 3, 9))]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[MML_BIN, "lsp"]))
async def flat_client(lsp_client: LanguageClient):
    caps = client_capabilities("visual-studio-code")
    caps.text_document.document_symbol.hierarchical_document_symbol_support = False
    await lsp_client.initialize_session(types.InitializeParams(capabilities=caps))
    yield
    await lsp_client.shutdown_session()


async def test_document_symbols_flat_for_a_client_without_trees(flat_client: LanguageClient):
    client = flat_client
    open_doc(client, OUTLINE)
    await diagnostics(client)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(URI))
    )
    got = [(s.name, s.kind, span(s.location.range), s.container_name) for s in symbols]
    assert got == [
        ("A", types.SymbolKind.Variable, (0, 0, 0, 10), None),
        ("loss", types.SymbolKind.Function, (2, 0, 5, 1), None),
        ("inner", types.SymbolKind.Function, (3, 4, 3, 16), "loss"),
        ("sq", types.SymbolKind.Function, (6, 0, 6, 15), None),
    ]


def decode_tokens(client, result, legend, text):
    """The semantic tokens as (line, text, type, modifiers), the text cut out in the
    negotiated encoding."""
    lines = text.split("\n")
    utf8 = client.encoding == types.PositionEncodingKind.Utf8
    out, line, start = [], 0, 0
    data = result.data
    for i in range(0, len(data), 5):
        dl, ds, length, kind, mods = data[i : i + 5]
        line += dl
        start = ds if dl else start + ds
        if utf8:
            piece = lines[line].encode("utf-8")[start : start + length].decode("utf-8")
        else:
            piece = lines[line].encode("utf-16-le")[2 * start : 2 * (start + length)].decode("utf-16-le")
        names = [m for b, m in enumerate(legend.token_modifiers) if mods & (1 << b)]
        out.append((line, piece, legend.token_types[kind], names))
    return out


async def test_semantic_tokens_from_lexer_and_resolver(client: LanguageClient):
    legend = client.legend
    text = (
        "# 😀 top\n"
        "f(x) = x' * 2i + pi\n"
        'θ = [1, 2] # 😀 θ\n'
        'print("😀 {θ .^ 2} and {f(θ).n}", sep = "")\n'
    )
    open_doc(client, text)
    await diagnostics(client)
    result = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(types.TextDocumentIdentifier(URI))
    )
    got = decode_tokens(client, result, legend, text)
    assert got == [
        (0, "# 😀 top", "comment", []),
        (1, "f", "function", ["declaration"]),
        (1, "x", "parameter", ["declaration"]),
        (1, "=", "operator", []),
        (1, "x", "parameter", []),
        (1, "'", "operator", []),
        (1, "*", "operator", []),
        (1, "2i", "number", []),
        (1, "+", "operator", []),
        (1, "pi", "variable", ["readonly", "defaultLibrary"]),
        (2, "θ", "variable", ["declaration"]),
        (2, "=", "operator", []),
        (2, "1", "number", []),
        (2, "2", "number", []),
        (2, "# 😀 θ", "comment", []),
        (3, "print", "function", ["defaultLibrary"]),
        (3, '"😀 ', "string", []),
        (3, "θ", "variable", []),
        (3, ".^", "operator", []),
        (3, "2", "number", []),
        (3, " and ", "string", []),
        (3, "f", "function", []),
        (3, "θ", "variable", []),
        (3, ".", "operator", []),
        (3, "n", "property", []),
        (3, '"', "string", []),
        (3, "sep", "parameter", []),
        (3, "=", "operator", []),
        (3, '""', "string", []),
    ]


RENAME = 'total = 0\nfor k in 1:3 { total += k }\nprint("{total}")\nr = {a = 1}\n'


async def test_rename_edits_every_use_or_refuses_clearly(client: LanguageClient):
    open_doc(client, RENAME)
    await diagnostics(client)
    doc = types.TextDocumentIdentifier(URI)
    prepared = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(doc, types.Position(1, 17))
    )
    assert span(prepared) == (1, 15, 1, 20)
    edit = await client.text_document_rename_async(
        types.RenameParams(doc, types.Position(1, 17), new_name="acc")
    )
    edits = edit.changes[URI]
    assert sorted((span(e.range), e.new_text) for e in edits) == [
        ((0, 0, 0, 5), "acc"),
        ((1, 15, 1, 20), "acc"),
        ((2, 8, 2, 13), "acc"),
    ]

    async def refused(position, new_name):
        with pytest.raises(Exception) as e:
            await client.text_document_rename_async(types.RenameParams(doc, position, new_name=new_name))
        return str(e.value)

    assert "`k` is already a name in this file" in await refused(types.Position(0, 0), "k")
    assert "`sum` is a builtin function: the new name would shadow it" in await refused(types.Position(0, 0), "sum")
    assert "`for` is a keyword, not a name" in await refused(types.Position(0, 0), "for")
    assert "`2x` is not a valid name" in await refused(types.Position(0, 0), "2x")
    assert "`print` is a builtin function and cannot be renamed" in await refused(types.Position(2, 2), "p")
    with pytest.raises(Exception) as e:
        await client.text_document_prepare_rename_async(types.PrepareRenameParams(doc, types.Position(1, 1)))
    assert "`for` is a keyword and cannot be renamed" in str(e.value)


async def test_shape_mismatches_known_without_running(client: LanguageClient):
    open_doc(client, "A = [1, 2; 3, 4]\nB = A * [1, 2, 3]\nC = A + 1 + [10, 20]'\n")
    found = await diagnostics(client)
    assert len(found) == 1, found
    d = found[0]
    assert d.code == "shape-mismatch" and d.severity == types.DiagnosticSeverity.Error
    assert d.message.startswith("shape mismatch in `*`: 2×2 and 3×1\n"), d.message
    assert "columns (2) must equal the right operand's rows (3)" in d.message
    assert span(d.range) == (1, 4, 1, 5)
    assert [(span(r.location.range), r.message) for r in d.related_information] == [((1, 8, 1, 17), "this is 3×1")]
    # Fixed by an edit: cleared.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(1, 13), types.Position(1, 16)), text=""
                )
            ],
        )
    )
    assert list(await diagnostics(client)) == []


async def test_features_follow_an_incremental_edit(client: LanguageClient):
    open_doc(client, SCOPES)
    await diagnostics(client)
    # A line typed at the top, then a name changed in the middle: every position moves.
    for start, end, text in [((0, 0), (0, 0), "# note\n"), ((3, 0), (3, 1), "zz")]:
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=2),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(types.Position(*start), types.Position(*end)), text=text
                    )
                ],
            )
        )
        await diagnostics(client)
    # Now: "# note\nx = 1\nf(x) = x + 1\nzz(y) = y + x\nx = f(x)\n"
    found = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(URI),
            position=types.Position(1, 0),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert [span(l.range) for l in found] == [(1, 0, 1, 1), (3, 12, 3, 13), (4, 0, 4, 1), (4, 6, 4, 7)]
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(URI))
    )
    assert [(s.name, span(s.selection_range)) for s in symbols] == [
        ("x", (1, 0, 1, 1)),
        ("f", (2, 0, 2, 1)),
        ("zz", (3, 0, 3, 2)),
    ]
