//! `mml lsp`: a language server over stdio (LSP 3.17), on rust-analyzer's `lsp-server`, which
//! reads and answers messages strictly in order, so an edit is never overtaken by a request.
//!
//! Each open document is analysed once per change ([`mml_ide::Analysis`]: parse, resolve
//! with every name recorded, shape checks), and every request reads that analysis. A change
//! of one range re-parses only the statements it touched when the text parsed cleanly
//! ([`mml_ide::Analysis::edited`]).
//!
//! What it answers: diagnostics on open and change (the parser's, the resolver's and the shape
//! mismatches known without running: exactly what `mml check` reports, with help and notes in
//! the message and secondary labels as related information), hover (a builtin's, constant's
//! or keyword's documentation, or the signature and comment of a function the file defines),
//! completion and signature help (from the shared `mml-ide` layer), go-to-definition and
//! references by the resolver's scopes (the declaration is a parameter, a function's name or a
//! variable's first assignment; `includeDeclaration` leaves it out or in), rename with
//! `prepareRename` (refused with a `RequestFailed` error and a message on builtins, keywords,
//! fields, invalid or already-used names, and while the file has syntax errors), the outline
//! (`documentSymbol`: a tree when the client supports one, else a flat list) and semantic tokens
//! (`semanticTokens/full`, legend [`mml_ide::analysis::TOKEN_TYPES`] and `TOKEN_MODIFIERS`).
//! Positions are counted in UTF-8 when the client offers it, else in UTF-16. A handler that
//! panics is answered with an internal error and the server goes on.

mod document;

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::process::ExitCode;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, GotoDefinition, HoverRequest, PrepareRenameRequest, References, Rename,
    Request as _, SemanticTokensFullRequest, SignatureHelpRequest,
};
use lsp_types::TextDocumentPositionParams;
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionOptions, CompletionParams, CompletionResponse, CompletionTextEdit,
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DocumentSymbol, DocumentSymbolParams,
    DocumentSymbolResponse, Documentation, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents,
    HoverParams, HoverProviderCapability, InitializeParams, Location, MarkupContent, MarkupKind, NumberOrString, OneOf,
    ParameterInformation, ParameterLabel, PositionEncodingKind, PrepareRenameResponse, PublishDiagnosticsParams,
    ReferenceParams, RenameOptions, RenameParams, SemanticToken, SemanticTokenModifier, SemanticTokenType,
    SemanticTokens, SemanticTokensFullOptions, SemanticTokensLegend, SemanticTokensOptions, SemanticTokensParams,
    SemanticTokensResult, SemanticTokensServerCapabilities, ServerCapabilities, ServerInfo, SignatureHelp,
    SignatureHelpOptions, SignatureHelpParams, SignatureInformation, SymbolInformation, SymbolKind,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri, WorkspaceEdit,
};
use mml_ide::analysis::{Symbol, TOKEN_MODIFIERS, TOKEN_TYPES};
use mml_ide::{Analysis, ItemKind, Names};
use mml_runtime::Session;

use document::{Document, Encoding};

/// `mml lsp`.
pub fn main() -> ExitCode {
    let (connection, threads) = Connection::stdio();
    let result = serve(&connection);
    drop(connection);
    let joined = threads.join().map_err(|e| e.to_string());
    match (result, joined) {
        (Ok(()), Ok(())) => ExitCode::SUCCESS,
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("mml lsp: {e}");
            ExitCode::from(1)
        }
    }
}

fn serve(connection: &Connection) -> Result<(), String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let offered = params.capabilities.general.and_then(|g| g.position_encodings).unwrap_or_default();
    let encoding = if offered.contains(&PositionEncodingKind::UTF8) { Encoding::Utf8 } else { Encoding::Utf16 };
    let hierarchical = params
        .capabilities
        .text_document
        .as_ref()
        .and_then(|t| t.document_symbol.as_ref())
        .and_then(|d| d.hierarchical_document_symbol_support)
        .unwrap_or(false);
    let capabilities = ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::INCREMENTAL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: SemanticTokensLegend {
                    token_types: TOKEN_TYPES.iter().map(|t| SemanticTokenType::new(t)).collect(),
                    token_modifiers: TOKEN_MODIFIERS.iter().map(|m| SemanticTokenModifier::new(m)).collect(),
                },
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                ..Default::default()
            },
        )),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_string()]),
            ..Default::default()
        }),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(vec!["(".to_string(), ",".to_string()]),
            ..Default::default()
        }),
        ..Default::default()
    };
    let result = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": ServerInfo { name: "mml".to_string(), version: Some(env!("CARGO_PKG_VERSION").to_string()) },
    });
    connection.initialize_finish(id, result).map_err(|e| e.to_string())?;
    let mut server = Server { encoding, hierarchical, docs: HashMap::new(), session: new_session() };
    for message in &connection.receiver {
        match message {
            Message::Request(req) => {
                if connection.handle_shutdown(&req).map_err(|e| e.to_string())? {
                    return Ok(());
                }
                let id = req.id.clone();
                let response = match std::panic::catch_unwind(AssertUnwindSafe(|| server.request(req))) {
                    Ok(r) => r,
                    Err(_) => Response::new_err(id, ErrorCode::InternalError as i32, "internal error".to_string()),
                };
                send(connection, Message::Response(response));
            }
            Message::Notification(n) => {
                let out = std::panic::catch_unwind(AssertUnwindSafe(|| server.notification(n))).unwrap_or_default();
                for m in out {
                    send(connection, Message::Notification(m));
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn send(connection: &Connection, message: Message) {
    if connection.sender.send(message).is_err() {
        eprintln!("mml lsp: the client has gone");
    }
}

fn new_session() -> Session {
    Session::new(mml_stdlib::library(), Box::new(|_| {}))
}

struct Server {
    encoding: Encoding,
    /// Whether the client takes a tree of document symbols.
    hierarchical: bool,
    docs: HashMap<Uri, Open>,
    /// A session that never runs code: it holds the library for help and completion.
    session: Session,
}

/// An open document and its analysis, made again on every change.
struct Open {
    doc: Document,
    analysis: Analysis,
}

impl Open {
    fn new(doc: Document) -> Open {
        let analysis = Analysis::new(mml_stdlib::library(), doc.text());
        Open { doc, analysis }
    }
}

/// A failed request's answer: an error the client shows (`message`).
fn refuse(message: String) -> lsp_server::ResponseError {
    lsp_server::ResponseError { code: ErrorCode::RequestFailed as i32, message, data: None }
}

impl Server {
    fn notification(&mut self, n: Notification) -> Vec<Notification> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                let uri = p.text_document.uri;
                self.docs.insert(uri.clone(), Open::new(Document::new(p.text_document.text)));
                vec![self.diagnostics(&uri)]
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                let uri = p.text_document.uri;
                let Some(open) = self.docs.remove(&uri) else { return Vec::new() };
                let mut doc = open.doc;
                let single = p.content_changes.len() == 1;
                let mut edit = None;
                for change in p.content_changes {
                    edit = doc.apply(change.range, &change.text, self.encoding);
                }
                // One edit of a range (typing): only the statements it touched are re-read.
                let open = match edit.filter(|_| single) {
                    Some(edit) => {
                        let analysis = open.analysis.edited(mml_stdlib::library(), doc.text(), edit);
                        Open { doc, analysis }
                    }
                    None => Open::new(doc),
                };
                self.docs.insert(uri.clone(), open);
                vec![self.diagnostics(&uri)]
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                self.docs.remove(&p.text_document.uri);
                // Clear what the editor shows for a closed file.
                vec![publish(p.text_document.uri, Vec::new())]
            }
            _ => Vec::new(),
        }
    }

    /// The diagnostics of a document: what `mml check` reports.
    fn diagnostics(&self, uri: &Uri) -> Notification {
        let Some(Open { doc, analysis }) = self.docs.get(uri) else { return publish(uri.clone(), Vec::new()) };
        let mut out = Vec::new();
        for d in &analysis.diagnostics {
            let primary = d.labels.iter().find(|l| l.primary).or(d.labels.first());
            let range = primary.map_or_else(
                || doc.range(0, 0, self.encoding),
                |l| doc.range(l.span.start as usize, l.span.end as usize, self.encoding),
            );
            let mut message = d.message.clone();
            for h in &d.help {
                message.push_str(&format!("\nhelp: {h}"));
            }
            for note in &d.notes {
                message.push_str(&format!("\nnote: {note}"));
            }
            let related: Vec<DiagnosticRelatedInformation> = d
                .labels
                .iter()
                .filter(|l| !std::ptr::eq(*l, primary.unwrap_or(*l)) || primary.is_none())
                .filter(|l| !l.message.is_empty())
                .map(|l| DiagnosticRelatedInformation {
                    location: Location {
                        uri: uri.clone(),
                        range: doc.range(l.span.start as usize, l.span.end as usize, self.encoding),
                    },
                    message: l.message.clone(),
                })
                .collect();
            if let Some(l) = primary.filter(|l| !l.message.is_empty()) {
                message.push_str(&format!("\n{}", l.message));
            }
            out.push(Diagnostic {
                range,
                severity: Some(match d.severity {
                    mml_lang::Severity::Error => DiagnosticSeverity::ERROR,
                    mml_lang::Severity::Warning => DiagnosticSeverity::WARNING,
                }),
                code: Some(NumberOrString::String(d.code.to_string())),
                source: Some("mml".to_string()),
                message,
                related_information: (!related.is_empty()).then_some(related),
                ..Default::default()
            });
        }
        publish(uri.clone(), out)
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let result = match req.method.as_str() {
            HoverRequest::METHOD => {
                serde_json::from_value::<HoverParams>(req.params).map(|p| serde_json::to_value(self.hover(p)))
            }
            Completion::METHOD => {
                serde_json::from_value::<CompletionParams>(req.params).map(|p| serde_json::to_value(self.complete(p)))
            }
            GotoDefinition::METHOD => serde_json::from_value::<GotoDefinitionParams>(req.params)
                .map(|p| serde_json::to_value(self.definition(p))),
            SignatureHelpRequest::METHOD => serde_json::from_value::<SignatureHelpParams>(req.params)
                .map(|p| serde_json::to_value(self.signature_help(p))),
            References::METHOD => {
                serde_json::from_value::<ReferenceParams>(req.params).map(|p| serde_json::to_value(self.references(p)))
            }
            DocumentSymbolRequest::METHOD => serde_json::from_value::<DocumentSymbolParams>(req.params)
                .map(|p| serde_json::to_value(self.document_symbols(p))),
            SemanticTokensFullRequest::METHOD => serde_json::from_value::<SemanticTokensParams>(req.params)
                .map(|p| serde_json::to_value(self.semantic_tokens(p))),
            PrepareRenameRequest::METHOD => match serde_json::from_value::<TextDocumentPositionParams>(req.params) {
                Ok(p) => match self.prepare_rename(p) {
                    Ok(r) => Ok(serde_json::to_value(r)),
                    Err(e) => return Response { id, result: None, error: Some(e) },
                },
                Err(e) => Err(e),
            },
            Rename::METHOD => match serde_json::from_value::<RenameParams>(req.params) {
                Ok(p) => match self.rename(p) {
                    Ok(r) => Ok(serde_json::to_value(r)),
                    Err(e) => return Response { id, result: None, error: Some(e) },
                },
                Err(e) => Err(e),
            },
            other => {
                return Response::new_err(id, ErrorCode::MethodNotFound as i32, format!("`{other}` is not supported"))
            }
        };
        match result {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err(e)) | Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string()),
        }
    }

    /// An open document, its analysis and a position's byte offset in it.
    fn open_at(&self, pp: &TextDocumentPositionParams) -> Option<(&Open, usize)> {
        let open = self.docs.get(&pp.text_document.uri)?;
        let offset = open.doc.offset(pp.position, self.encoding);
        Some((open, offset))
    }

    fn location(&self, uri: &Uri, doc: &Document, span: mml_lang::Span) -> Location {
        Location { uri: uri.clone(), range: doc.range(span.start as usize, span.end as usize, self.encoding) }
    }

    fn references(&self, p: ReferenceParams) -> Option<Vec<Location>> {
        let pp = &p.text_document_position;
        let (open, offset) = self.open_at(pp)?;
        let spans = open.analysis.references(offset, p.context.include_declaration)?;
        let ranges = open.doc.ranges(spans.iter().map(|s| (s.start as usize, s.end as usize)), self.encoding);
        Some(ranges.into_iter().map(|range| Location { uri: pp.text_document.uri.clone(), range }).collect())
    }

    fn prepare_rename(
        &self,
        p: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>, lsp_server::ResponseError> {
        let Some((open, offset)) = self.open_at(&p) else { return Ok(None) };
        let span = open.analysis.prepare_rename(open.doc.text(), offset).map_err(refuse)?;
        let range = open.doc.range(span.start as usize, span.end as usize, self.encoding);
        Ok(Some(PrepareRenameResponse::Range(range)))
    }

    // `WorkspaceEdit` is keyed by `Uri`, whose cached parts clippy takes for mutability.
    #[allow(clippy::mutable_key_type)]
    fn rename(&self, p: RenameParams) -> Result<Option<WorkspaceEdit>, lsp_server::ResponseError> {
        let pp = &p.text_document_position;
        let Some((open, offset)) = self.open_at(pp) else { return Ok(None) };
        let spans =
            open.analysis.rename(self.session.library(), open.doc.text(), offset, &p.new_name).map_err(refuse)?;
        let edits = open
            .doc
            .ranges(spans.iter().map(|s| (s.start as usize, s.end as usize)), self.encoding)
            .into_iter()
            .map(|range| TextEdit { range, new_text: p.new_name.clone() })
            .collect();
        let changes = HashMap::from([(pp.text_document.uri.clone(), edits)]);
        Ok(Some(WorkspaceEdit { changes: Some(changes), ..Default::default() }))
    }

    fn document_symbols(&self, p: DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
        let open = self.docs.get(&p.text_document.uri)?;
        let symbols = open.analysis.symbols();
        let range = |(s, e): (usize, usize)| open.doc.range(s, e, self.encoding);
        let kind = |s: &Symbol| if s.function { SymbolKind::FUNCTION } else { SymbolKind::VARIABLE };
        if self.hierarchical {
            #[allow(deprecated)]
            fn tree(s: Symbol, range: &dyn Fn((usize, usize)) -> lsp_types::Range) -> DocumentSymbol {
                DocumentSymbol {
                    kind: if s.function { SymbolKind::FUNCTION } else { SymbolKind::VARIABLE },
                    detail: (!s.detail.is_empty()).then(|| s.detail.clone()),
                    tags: None,
                    deprecated: None,
                    range: range(s.range),
                    selection_range: range(s.selection),
                    children: (!s.children.is_empty())
                        .then(|| s.children.into_iter().map(|c| tree(c, range)).collect()),
                    name: s.name,
                }
            }
            return Some(DocumentSymbolResponse::Nested(symbols.into_iter().map(|s| tree(s, &range)).collect()));
        }
        // A flat list: nested functions follow their parent, which they name as container.
        let mut flat = Vec::new();
        let mut stack: Vec<(Symbol, Option<String>)> = symbols.into_iter().rev().map(|s| (s, None)).collect();
        while let Some((mut s, container)) = stack.pop() {
            let children = std::mem::take(&mut s.children);
            stack.extend(children.into_iter().rev().map(|c| (c, Some(s.name.clone()))));
            #[allow(deprecated)]
            flat.push(SymbolInformation {
                name: s.name.clone(),
                kind: kind(&s),
                tags: None,
                deprecated: None,
                location: Location { uri: p.text_document.uri.clone(), range: range(s.range) },
                container_name: container,
            });
        }
        Some(DocumentSymbolResponse::Flat(flat))
    }

    fn semantic_tokens(&self, p: SemanticTokensParams) -> Option<SemanticTokensResult> {
        let open = self.docs.get(&p.text_document.uri)?;
        let mut data = Vec::new();
        let (mut line, mut character) = (0, 0);
        let highlights = open.analysis.highlights(open.doc.text());
        let ranges = open.doc.ranges(highlights.iter().map(|h| (h.start, h.end)), self.encoding);
        for (h, r) in highlights.iter().zip(ranges) {
            let (start, end) = (r.start, r.end);
            // Pieces come in order; one that did not would be left out rather than misplaced.
            let Some(delta_line) = start.line.checked_sub(line) else { continue };
            let delta_start = match delta_line {
                0 => match start.character.checked_sub(character) {
                    Some(d) => d,
                    None => continue,
                },
                _ => start.character,
            };
            data.push(SemanticToken {
                delta_line,
                delta_start,
                length: end.character.saturating_sub(start.character),
                token_type: h.kind as u32,
                token_modifiers_bitset: h.modifiers,
            });
            (line, character) = (start.line, start.character);
        }
        Some(SemanticTokensResult::Tokens(SemanticTokens { result_id: None, data }))
    }

    /// The document and the name at a position in it (byte range).
    fn name_at(&self, pp: &TextDocumentPositionParams) -> Option<(&Document, usize, usize)> {
        let doc = &self.docs.get(&pp.text_document.uri)?.doc;
        let (start, end) = doc.word_at(doc.offset(pp.position, self.encoding))?;
        Some((doc, start, end))
    }

    fn hover(&self, p: HoverParams) -> Option<Hover> {
        let pp = &p.text_document_position_params;
        let (doc, start, end) = self.name_at(pp)?;
        let word = &doc.text()[start..end];
        // A function's parameters and locals, by the resolver's scopes.
        if let Some((open, offset)) = self.open_at(pp) {
            if let Some(d) = open.analysis.declaration_at(offset) {
                if let mml_runtime::names::Target::Local { .. } = d.target {
                    let line = doc.position(d.span.start as usize, self.encoding).line + 1;
                    let what = match d.role {
                        mml_runtime::names::Role::Parameter => "a parameter, on line",
                        mml_runtime::names::Role::Function => "a function, defined on line",
                        mml_runtime::names::Role::LoopVar => "a loop variable, on line",
                        _ => "a local variable, first assigned on line",
                    };
                    return Some(Hover {
                        contents: HoverContents::Markup(MarkupContent {
                            kind: MarkupKind::Markdown,
                            value: format!("`{word}`: {what} {line}"),
                        }),
                        range: Some(doc.range(start, end, self.encoding)),
                    });
                }
            }
        }
        let defined = mml_ide::symbols::definitions(doc.text());
        // A name the document defines shadows a builtin of the same name.
        let markdown = match defined.iter().find(|d| d.name == word) {
            Some(d) => {
                let line = doc.position(d.start, self.encoding).line + 1;
                match &d.signature {
                    Some(sig) => format!("```mml\n{sig}\n```\n\n{}\n\ndefined on line {line}", d.doc),
                    None => format!("`{word}`: a variable, first assigned on line {line}"),
                }
            }
            None => mml_ide::help_markdown(&self.session, word)?,
        };
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: markdown }),
            range: Some(doc.range(start, end, self.encoding)),
        })
    }

    fn definition(&self, p: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
        let pp = p.text_document_position_params;
        let (open, offset) = self.open_at(&pp)?;
        if let Some(span) = open.analysis.definition(offset) {
            return Some(GotoDefinitionResponse::Scalar(self.location(&pp.text_document.uri, &open.doc, span)));
        }
        let (doc, start, end) = self.name_at(&pp)?;
        let word = &doc.text()[start..end];
        let d = mml_ide::symbols::definitions(doc.text()).into_iter().find(|d| d.name == word)?;
        let range = doc.range(d.start, d.end, self.encoding);
        Some(GotoDefinitionResponse::Scalar(Location { uri: pp.text_document.uri, range }))
    }

    fn complete(&self, p: CompletionParams) -> Option<CompletionResponse> {
        let pp = p.text_document_position;
        let doc = &self.docs.get(&pp.text_document.uri)?.doc;
        let offset = doc.offset(pp.position, self.encoding);
        let names = Names::of(&self.session).with_definitions(mml_ide::symbols::definitions(doc.text()));
        let found = mml_ide::complete(&names, doc.text(), offset);
        let range = doc.range(found.start, found.end, self.encoding);
        let items = found
            .items
            .into_iter()
            .map(|i| CompletionItem {
                kind: Some(match i.kind {
                    ItemKind::Parameter => CompletionItemKind::VARIABLE,
                    ItemKind::Field => CompletionItemKind::FIELD,
                    ItemKind::Variable => CompletionItemKind::VARIABLE,
                    ItemKind::Builtin => CompletionItemKind::FUNCTION,
                    ItemKind::Constant => CompletionItemKind::CONSTANT,
                    ItemKind::Keyword => CompletionItemKind::KEYWORD,
                    ItemKind::Command => CompletionItemKind::TEXT,
                }),
                detail: (!i.detail.is_empty()).then(|| i.detail.clone()),
                documentation: (!i.summary.is_empty()).then(|| Documentation::String(i.summary.clone())),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit { range, new_text: i.insert.clone() })),
                label: i.label,
                ..Default::default()
            })
            .collect();
        Some(CompletionResponse::Array(items))
    }

    fn signature_help(&self, p: SignatureHelpParams) -> Option<SignatureHelp> {
        let pp = p.text_document_position_params;
        let doc = &self.docs.get(&pp.text_document.uri)?.doc;
        let offset = doc.offset(pp.position, self.encoding);
        let call = mml_ide::enclosing_call(doc.text(), offset)?;
        let (signature, summary, count) = match self.session.builtin(&call.name) {
            Some(b) => (b.signature(), b.summary().to_string(), b.params.len()),
            None => {
                let d = mml_ide::symbols::definitions(doc.text()).into_iter().find(|d| d.name == call.name)?;
                let sig = d.signature?;
                let count = sig.matches(", ").count() + usize::from(!sig.ends_with("()"));
                (sig, d.doc, count)
            }
        };
        // Each parameter's label as an offset range into the signature (UTF-16 units).
        let mut params = Vec::new();
        let mut at = signature.find('(').map_or(0, |i| i + 1);
        for piece in signature[at..signature.len() - 1].split(", ") {
            let start = mml_ide::text::utf16_of_byte(&signature, at);
            let end = mml_ide::text::utf16_of_byte(&signature, at + piece.len());
            params.push(ParameterInformation {
                label: ParameterLabel::LabelOffsets([start as u32, end as u32]),
                documentation: None,
            });
            at += piece.len() + 2;
        }
        let active = call.active.min(count.saturating_sub(1));
        Some(SignatureHelp {
            signatures: vec![SignatureInformation {
                label: signature,
                documentation: (!summary.is_empty()).then_some(Documentation::String(summary)),
                parameters: Some(params),
                active_parameter: Some(active as u32),
            }],
            active_signature: Some(0),
            active_parameter: Some(active as u32),
        })
    }
}

fn publish(uri: Uri, diagnostics: Vec<Diagnostic>) -> Notification {
    let params = PublishDiagnosticsParams { uri, diagnostics, version: None };
    Notification::new(PublishDiagnostics::METHOD.to_string(), params)
}
