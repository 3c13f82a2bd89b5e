// Just enough of VS Code's `vscode` module for vscode-languageclient to run outside VS Code:
// documents, diagnostic collections, the provider registrations (recorded so that a test can
// call them as VS Code would), and the value classes that the protocol converters build.
// Any other member is a no-op that returns a disposable.
'use strict';

const path = require('node:path');

const disposable = () => ({ dispose() {} });

class EventEmitter {
  constructor() {
    this.listeners = new Set();
    this.event = (listener, thisArg) => {
      const bound = thisArg ? listener.bind(thisArg) : listener;
      this.listeners.add(bound);
      return { dispose: () => this.listeners.delete(bound) };
    };
  }
  fire(value) {
    for (const l of [...this.listeners]) l(value);
  }
  dispose() {
    this.listeners.clear();
  }
}

class Uri {
  constructor(scheme, fsPath) {
    this.scheme = scheme;
    this.fsPath = fsPath;
    this.path = fsPath;
    this.authority = '';
    this.query = '';
    this.fragment = '';
  }
  static file(p) {
    return new Uri('file', path.resolve(p));
  }
  static parse(s) {
    const url = new URL(s);
    return new Uri(url.protocol.replace(/:$/, ''), decodeURIComponent(url.pathname));
  }
  toString() {
    return this.scheme === 'file' ? `file://${encodeURI(this.fsPath)}` : `${this.scheme}:${this.fsPath}`;
  }
  toJSON() {
    return this.toString();
  }
  with() {
    return this;
  }
}

class Position {
  constructor(line, character) {
    Object.assign(this, { line, character });
  }
}

class Range {
  constructor(a, b, c, d) {
    if (typeof a === 'number') {
      this.start = new Position(a, b);
      this.end = new Position(c, d);
    } else {
      this.start = a;
      this.end = b;
    }
  }
}

class Diagnostic {
  constructor(range, message, severity) {
    Object.assign(this, { range, message, severity });
  }
}

class MarkdownString {
  constructor(value = '') {
    this.value = value;
  }
  appendMarkdown(text) {
    this.value += text;
    return this;
  }
  appendText(text) {
    this.value += text;
    return this;
  }
  appendCodeblock(code, language = '') {
    this.value += `\n\`\`\`${language}\n${code}\n\`\`\`\n`;
    return this;
  }
}

class Value {
  constructor(...args) {
    this.args = args;
  }
}

const classes = {
  EventEmitter,
  Uri,
  Position,
  Range,
  Diagnostic,
  MarkdownString,
  Disposable: class {
    constructor(fn) {
      this.dispose = fn || (() => {});
    }
    static from(...items) {
      return { dispose: () => items.forEach((i) => i && i.dispose && i.dispose()) };
    }
  },
  Location: class {
    constructor(uri, range) {
      Object.assign(this, { uri, range });
    }
  },
  DiagnosticRelatedInformation: class {
    constructor(location, message) {
      Object.assign(this, { location, message });
    }
  },
  Hover: class {
    constructor(contents, range) {
      this.contents = Array.isArray(contents) ? contents : [contents];
      this.range = range;
    }
  },
  CompletionItem: class {
    constructor(label, kind) {
      Object.assign(this, { label, kind });
    }
  },
  CompletionList: class {
    constructor(items = [], isIncomplete = false) {
      Object.assign(this, { items, isIncomplete });
    }
  },
  SignatureHelp: class {
    constructor() {
      this.signatures = [];
    }
  },
  SignatureInformation: class {
    constructor(label, documentation) {
      Object.assign(this, { label, documentation, parameters: [] });
    }
  },
  ParameterInformation: class {
    constructor(label, documentation) {
      Object.assign(this, { label, documentation });
    }
  },
  CancellationTokenSource: class {
    constructor() {
      this.token = { isCancellationRequested: false, onCancellationRequested: () => disposable() };
    }
    cancel() {
      this.token.isCancellationRequested = true;
    }
    dispose() {}
  },
};

const enums = {
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  DiagnosticTag: { Unnecessary: 1, Deprecated: 2 },
  CompletionTriggerKind: { Invoke: 0, TriggerCharacter: 1, TriggerForIncompleteCompletions: 2 },
  SignatureHelpTriggerKind: { Invoke: 1, TriggerCharacter: 2, ContentChange: 3 },
  CompletionItemKind: new Proxy({}, { get: (_, k) => k }),
  SymbolKind: new Proxy({}, { get: (_, k) => k }),
  TextDocumentSaveReason: { Manual: 1, AfterDelay: 2, FocusOut: 3 },
  TextDocumentChangeReason: { Undo: 1, Redo: 2 },
  UIKind: { Desktop: 1, Web: 2 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  NotebookCellKind: { Markup: 1, Code: 2 },
  EndOfLine: { LF: 1, CRLF: 2 },
};

/** A fake VS Code; `settings` answers `getConfiguration('mml').get(...)`. */
function createFakeVscode(settings = {}) {
  const recorded = { providers: {}, errors: [], collections: new Map(), output: [] };
  const opened = new EventEmitter();
  const changed = new EventEmitter();
  const closed = new EventEmitter();
  const textDocuments = [];

  /** A namespace whose unknown members are no-ops returning disposables. */
  const namespace = (members) =>
    new Proxy(members, {
      get: (obj, key) => (key in obj ? obj[key] : typeof key === 'string' ? () => disposable() : undefined),
    });

  const record = (kind) => (selector, provider, ...rest) => {
    (recorded.providers[kind] = recorded.providers[kind] || []).push({ selector, provider, rest });
    return disposable();
  };

  const matches = (selector, doc) =>
    [].concat(selector).some((f) =>
      typeof f === 'string'
        ? f === doc.languageId
        : (!f.language || f.language === doc.languageId) && (!f.scheme || f.scheme === doc.uri.scheme),
    );

  const languages = namespace({
    match: (selector, doc) => (matches(selector, doc) ? 10 : 0),
    createDiagnosticCollection(name) {
      const entries = new Map();
      const onSet = new EventEmitter();
      const collection = {
        name,
        set(uri, diagnostics) {
          if (Array.isArray(uri)) {
            uri.forEach(([u, d]) => collection.set(u, d));
            return;
          }
          entries.set(uri.toString(), diagnostics || []);
          onSet.fire({ uri: uri.toString(), diagnostics: diagnostics || [] });
        },
        get: (uri) => entries.get(uri.toString()),
        delete: (uri) => entries.delete(uri.toString()),
        clear: () => entries.clear(),
        forEach: (fn) => entries.forEach((d, u) => fn(Uri.parse(u), d, collection)),
        has: (uri) => entries.has(uri.toString()),
        dispose() {},
        onSet: onSet.event,
      };
      recorded.collections.set(name, collection);
      return collection;
    },
    registerHoverProvider: record('hover'),
    registerCompletionItemProvider: record('completion'),
    registerSignatureHelpProvider: record('signatureHelp'),
    registerDefinitionProvider: record('definition'),
  });

  const workspace = namespace({
    textDocuments,
    notebookDocuments: [],
    workspaceFolders: undefined,
    getConfiguration: (section) => ({
      get: (key, fallback) => {
        const full = section ? `${section}.${key}` : key;
        return full in settings ? settings[full] : fallback;
      },
      has: () => false,
      inspect: () => undefined,
      update: async () => {},
    }),
    onDidOpenTextDocument: opened.event,
    onDidChangeTextDocument: changed.event,
    onDidCloseTextDocument: closed.event,
    getWorkspaceFolder: () => undefined,
  });

  const output = (name) =>
    namespace({
      name,
      append: (t) => recorded.output.push(t),
      appendLine: (t) => recorded.output.push(`${t}\n`),
      replace: (t) => recorded.output.push(t),
      show() {},
      hide() {},
      clear() {},
      dispose() {},
    });

  const window = namespace({
    createOutputChannel: output,
    showErrorMessage: async (message) => {
      recorded.errors.push(message);
      return undefined;
    },
    showWarningMessage: async () => undefined,
    showInformationMessage: async () => undefined,
    activeTextEditor: undefined,
    visibleTextEditors: [],
    tabGroups: { all: [] },
  });

  /** Opens `text` as an MML document, as VS Code does when a file is opened. */
  function openDocument(file, text) {
    const lines = () => doc.text.split('\n');
    const doc = {
      uri: Uri.file(file),
      fileName: path.resolve(file),
      languageId: 'mml',
      version: 1,
      text,
      isClosed: false,
      isDirty: false,
      isUntitled: false,
      eol: 1,
      getText: () => doc.text,
      get lineCount() {
        return lines().length;
      },
      lineAt: (n) => ({ text: lines()[typeof n === 'number' ? n : n.line] }),
      offsetAt: (pos) =>
        lines()
          .slice(0, pos.line)
          .reduce((sum, l) => sum + l.length + 1, 0) + pos.character,
    };
    textDocuments.push(doc);
    opened.fire(doc);
    return doc;
  }

  /** Replaces the whole text of `doc`, as an edit in VS Code does. */
  function changeDocument(doc, text) {
    const old = doc.text;
    const end = old.split('\n');
    const range = new Range(0, 0, end.length - 1, end[end.length - 1].length);
    doc.text = text;
    doc.version += 1;
    changed.fire({
      document: doc,
      contentChanges: [{ range, rangeOffset: 0, rangeLength: old.length, text }],
      reason: undefined,
    });
  }

  const api = {
    ...classes,
    ...enums,
    version: '1.82.0',
    env: namespace({ appName: 'fake-vscode', language: 'en', uiKind: 1, machineId: 'test', sessionId: 'test' }),
    extensions: namespace({ all: [] }),
    commands: namespace({ executeCommand: async () => undefined }),
    workspace,
    languages,
    window,
  };
  const vscode = new Proxy(api, { get: (obj, key) => (key in obj ? obj[key] : Value) });
  return { vscode, recorded, openDocument, changeDocument };
}

module.exports = { createFakeVscode };
