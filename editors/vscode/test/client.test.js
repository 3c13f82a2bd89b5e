// The client's activation code under node, with the `vscode` module and vscode-languageclient's
// LanguageClient replaced by recorders: which server it starts, for which documents, what it
// says when the binary is missing, and that a change of `mml.path` restarts it.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Module = require('node:module');
const { test, beforeEach } = require('node:test');

/** Everything the stubs saw. */
const seen = { clients: [], errors: [], commands: new Map(), configListeners: [], settings: {}, executed: [] };

class FakeLanguageClient {
  constructor(id, name, serverOptions, clientOptions) {
    Object.assign(this, { id, name, serverOptions, clientOptions, started: 0, stopped: 0 });
    seen.clients.push(this);
  }
  async start() {
    this.started += 1;
  }
  async stop() {
    this.stopped += 1;
  }
}

const vscodeApi = {
  workspace: {
    getConfiguration(section) {
      assert.equal(section, 'mml');
      return { get: (key, fallback) => (key in seen.settings ? seen.settings[key] : fallback) };
    },
    onDidChangeConfiguration(listener) {
      seen.configListeners.push(listener);
      return { dispose() {} };
    },
  },
  window: {
    createOutputChannel: (name) => ({ name, lines: [], appendLine(l) { this.lines.push(l); }, dispose() {} }),
    async showErrorMessage(message, ...items) {
      seen.errors.push({ message, items });
      return seen.errorChoice;
    },
  },
  commands: {
    registerCommand(name, fn) {
      seen.commands.set(name, fn);
      return { dispose() {} };
    },
    async executeCommand(...args) {
      seen.executed.push(args);
    },
  },
};

// vscode-languageclient extends a few of VS Code's classes when it loads: any name the
// stub does not define is an empty class.
const vscodeStub = new Proxy(vscodeApi, { get: (api, name) => (name in api ? api[name] : class {}) });

const load = Module._load;
let fakeClient = false;
Module._load = function (request, parent, isMain) {
  if (request === 'vscode') {
    return vscodeStub;
  }
  if (request === 'vscode-languageclient/node' && fakeClient) {
    return { ...load.call(this, request, parent, isMain), LanguageClient: FakeLanguageClient };
  }
  return load.call(this, request, parent, isMain);
};
const real = require('vscode-languageclient/node');
fakeClient = true;
const extension = require('../extension.js');

/** A folder holding an executable `mml` that does nothing. */
function fakeBinDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mml-vscode-test-'));
  fs.writeFileSync(path.join(dir, 'mml'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return dir;
}

const savedPath = process.env.PATH;

beforeEach(async () => {
  await extension.deactivate();
  seen.clients.length = 0;
  seen.errors.length = 0;
  seen.commands.clear();
  seen.configListeners.length = 0;
  seen.executed.length = 0;
  seen.settings = {};
  seen.errorChoice = undefined;
  process.env.PATH = savedPath;
});

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('activate starts `mml lsp` over stdio for MML documents', async () => {
  process.env.PATH = fakeBinDir();
  const context = { subscriptions: [] };
  await extension.activate(context);
  assert.equal(seen.clients.length, 1);
  const [client] = seen.clients;
  assert.equal(client.id, 'mml');
  assert.equal(client.serverOptions.command, 'mml');
  assert.deepEqual(client.serverOptions.args, ['lsp']);
  assert.equal(client.serverOptions.transport, real.TransportKind.stdio);
  assert.ok(client.clientOptions.documentSelector.some((s) => s.language === 'mml' && s.scheme === 'file'));
  assert.ok(client.clientOptions.documentSelector.every((s) => s.language === 'mml'));
  assert.equal(client.started, 1);
  assert.deepEqual(seen.errors, []);
  assert.ok(seen.commands.has('mml.restartServer'));
  assert.ok(context.subscriptions.length >= 3, 'the output channel, the command and the listener are disposed with the extension');
  await extension.deactivate();
  assert.equal(client.stopped, 1);
});

test('a missing binary gives a clear error saying how to install it', async () => {
  process.env.PATH = fs.mkdtempSync(path.join(os.tmpdir(), 'mml-vscode-empty-'));
  seen.errorChoice = 'Open Settings';
  await extension.activate({ subscriptions: [] });
  await settle();
  assert.equal(seen.clients.length, 0, 'no client is started without a binary');
  assert.equal(seen.errors.length, 1);
  const { message, items } = seen.errors[0];
  assert.match(message, /`mml` is not on the PATH/);
  assert.match(message, /cargo install --path \./);
  assert.match(message, /"mml\.path"/);
  assert.deepEqual(items, ['Open Settings']);
  assert.deepEqual(seen.executed, [['workbench.action.openSettings', 'mml.path']]);
});

test('mml.path names the binary; changing it restarts the server', async () => {
  const dir = fakeBinDir();
  seen.settings['path'] = path.join(dir, 'missing-mml');
  await extension.activate({ subscriptions: [] });
  await settle();
  assert.equal(seen.clients.length, 0);
  assert.match(seen.errors[0].message, /missing-mml` does not exist or is not executable/);

  seen.settings['path'] = path.join(dir, 'mml');
  const affects = (section) => section === 'mml.path';
  seen.configListeners.forEach((l) => l({ affectsConfiguration: affects }));
  await extension.deactivate(); // waits for the restart, then stops
  assert.equal(seen.clients.length, 1);
  assert.equal(seen.clients[0].serverOptions.command, path.join(dir, 'mml'));
  assert.equal(seen.clients[0].started, 1);
  assert.equal(seen.clients[0].stopped, 1);
});

test('a relative mml.path is taken from the workspace folder, ~ from the home folder', async () => {
  const dir = fakeBinDir();
  vscodeApi.workspace.workspaceFolders = [{ uri: { fsPath: dir } }];
  seen.settings['path'] = './mml';
  try {
    await extension.activate({ subscriptions: [] });
  } finally {
    delete vscodeApi.workspace.workspaceFolders;
  }
  assert.equal(seen.clients.length, 1);
  assert.equal(seen.clients[0].serverOptions.command, path.join(dir, 'mml'));

  await extension.deactivate();
  seen.settings['path'] = '~/no-such-folder/mml';
  await extension.activate({ subscriptions: [] });
  await settle();
  assert.equal(seen.clients.length, 1, 'no second client');
  assert.ok(seen.errors[0].message.includes(path.join(os.homedir(), 'no-such-folder', 'mml')), seen.errors[0].message);
});

test('a change of another setting leaves the server alone; the restart command restarts it', async () => {
  process.env.PATH = fakeBinDir();
  await extension.activate({ subscriptions: [] });
  seen.configListeners.forEach((l) => l({ affectsConfiguration: (s) => s === 'editor.fontSize' }));
  await settle();
  assert.equal(seen.clients.length, 1);
  await seen.commands.get('mml.restartServer')();
  assert.equal(seen.clients.length, 2);
  assert.equal(seen.clients[0].stopped, 1);
  assert.equal(seen.clients[1].started, 1);
});

test('findExecutable looks along PATH and at paths', () => {
  const dir = fakeBinDir();
  fs.writeFileSync(path.join(dir, 'not-executable'), '', { mode: 0o644 });
  const env = { PATH: ['/nonexistent', dir].join(':') };
  assert.equal(extension.findExecutable('mml', env, 'linux'), path.join(dir, 'mml'));
  assert.equal(extension.findExecutable('not-executable', env, 'linux'), undefined);
  assert.equal(extension.findExecutable('mml', { PATH: '/nonexistent' }, 'linux'), undefined);
  assert.equal(extension.findExecutable(path.join(dir, 'mml'), {}, 'linux'), path.join(dir, 'mml'));
  assert.equal(extension.findExecutable(dir, {}, 'linux'), undefined, 'a folder is not a binary');
});
