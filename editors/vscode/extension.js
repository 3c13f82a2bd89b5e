// The MML extension's client: starts `mml lsp` (the binary named by the `mml.path` setting)
// for MML documents through vscode-languageclient, and starts it again when the setting
// changes. Plain JavaScript, so that the extension needs no build step.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

const INSTALL_HINT =
  'Install MML with `cargo install --path .` in a checkout of MML (it puts `mml` in ~/.cargo/bin), ' +
  'then put that folder on the PATH or set "mml.path" to the full path of the `mml` binary.';

/** The client while the server runs. */
let client;
/** The one output channel, kept across restarts. */
let output;
/** Restarts run one after another, never interleaved. */
let pending = Promise.resolve();

/**
 * The `mml.path` setting: a name to look up on the PATH, or a path (a leading `~` is the home
 * folder; a relative path is taken from the first workspace folder).
 */
function configuredCommand() {
  const value = vscode.workspace.getConfiguration('mml').get('path', 'mml');
  const command = typeof value === 'string' && value.trim() !== '' ? value.trim() : 'mml';
  if (command === '~' || command.startsWith('~/') || command.startsWith('~\\')) {
    return path.join(os.homedir(), command.slice(1));
  }
  const folders = vscode.workspace.workspaceFolders;
  if (/[\\/]/.test(command) && !path.isAbsolute(command) && folders && folders.length > 0) {
    return path.join(folders[0].uri.fsPath, command);
  }
  return command;
}

function isExecutableFile(file, platform) {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Where `command` would be run from: itself when it names a file (it contains a path
 * separator), else the first match on `PATH` (with `PATHEXT` on Windows). `undefined` when
 * there is no such executable file.
 */
function findExecutable(command, env = process.env, platform = process.platform) {
  const separators = platform === 'win32' ? /[\\/]/ : /\//;
  if (separators.test(command)) {
    const file = path.resolve(command);
    return isExecutableFile(file, platform) ? file : undefined;
  }
  const exts = platform === 'win32' ? ['', ...(env.PATHEXT || '.EXE;.CMD;.BAT').split(';')] : [''];
  const dirs = (env.PATH || env.Path || '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  for (const dir of dirs) {
    for (const ext of exts) {
      const file = path.join(dir, command + ext);
      if (isExecutableFile(file, platform)) {
        return file;
      }
    }
  }
  return undefined;
}

/** The message shown when the binary cannot be found. */
function missingBinaryMessage(command) {
  const where = /[\\/]/.test(command) ? `\`${command}\` does not exist or is not executable` : `\`${command}\` is not on the PATH`;
  return `MML: cannot start the language server: ${where}. ${INSTALL_HINT}`;
}

async function showError(message) {
  const choice = await vscode.window.showErrorMessage(message, 'Open Settings');
  if (choice === 'Open Settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'mml.path');
  }
}

/** The options that start `COMMAND lsp` over stdio. */
function serverOptions(command) {
  return { command, args: ['lsp'], transport: TransportKind.stdio };
}

/** The documents the server handles: MML files, saved or not. */
const documentSelector = [
  { scheme: 'file', language: 'mml' },
  { scheme: 'untitled', language: 'mml' },
];

async function startClient() {
  const command = configuredCommand();
  if (!findExecutable(command)) {
    output.appendLine(missingBinaryMessage(command));
    void showError(missingBinaryMessage(command));
    return;
  }
  const next = new LanguageClient('mml', 'MML', serverOptions(command), {
    documentSelector,
    outputChannel: output,
  });
  try {
    await next.start();
    client = next;
  } catch (err) {
    const message = `MML: \`${command} lsp\` did not start: ${err && err.message ? err.message : err}. ${INSTALL_HINT}`;
    output.appendLine(message);
    void showError(message);
  }
}

async function stopClient() {
  const old = client;
  client = undefined;
  if (old) {
    try {
      await old.stop();
    } catch (err) {
      output.appendLine(`MML: the language server did not stop cleanly: ${err && err.message ? err.message : err}`);
    }
  }
}

/** Stops the server if it runs and starts it again with the current settings. */
function restart() {
  pending = pending.then(stopClient).then(startClient);
  return pending;
}

function activate(context) {
  output = vscode.window.createOutputChannel('MML');
  context.subscriptions.push(output);
  context.subscriptions.push(vscode.commands.registerCommand('mml.restartServer', restart));
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('mml.path')) {
        void restart();
      }
    }),
  );
  pending = pending.then(startClient);
  return pending;
}

function deactivate() {
  pending = pending.then(stopClient);
  return pending;
}

module.exports = { activate, deactivate, findExecutable, missingBinaryMessage, serverOptions, documentSelector };
