// The extension with the real vscode-languageclient and the real `mml lsp` (the binary in
// MML_BIN), in a fake VS Code (fake-vscode.js): diagnostics arrive for an open document and
// clear after an edit; hover, go-to-definition, completion and signature help answer through
// the providers the client registers, as VS Code would call them.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Module = require('node:module');
const { test } = require('node:test');
const { createFakeVscode } = require('./fake-vscode.js');

const bin = process.env.MML_BIN;
const fake = createFakeVscode({ 'mml.path': bin });

const load = Module._load;
Module._load = function (request, parent, isMain) {
  return request === 'vscode' ? fake.vscode : load.call(this, request, parent, isMain);
};
const extension = require('../extension.js');

const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };

/** Waits until `check()` returns something truthy, or fails after `ms`. */
async function until(what, check, ms = 15000) {
  const start = Date.now();
  for (;;) {
    const value = check();
    if (value) {
      return value;
    }
    if (Date.now() - start > ms) {
      assert.fail(`timed out waiting for ${what}; the client's log:\n${fake.recorded.output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('the real client and `mml lsp`: diagnostics, clearing, hover, definition, completion, signature help', { skip: !bin && 'set MML_BIN to an mml binary' }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mml-vscode-server-'));
  const file = path.join(dir, 'demo.mml');
  const broken = 'sq(t) = t^2\ny = sq(2) + undefined_name\n';
  fs.writeFileSync(file, broken);
  const doc = fake.openDocument(file, broken);

  await extension.activate({ subscriptions: [] });
  assert.deepEqual(fake.recorded.errors, [], 'the server started without an error message');

  const collection = await until('a diagnostic collection', () => [...fake.recorded.collections.values()][0]);
  const diagnostics = await until('diagnostics for the document', () => {
    const d = collection.get(doc.uri);
    return d && d.length > 0 && d;
  });
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
  assert.match(diagnostics[0].message, /undefined_name/);
  assert.equal(diagnostics[0].severity, fake.vscode.DiagnosticSeverity.Error);
  assert.deepEqual(
    [diagnostics[0].range.start.line, diagnostics[0].range.start.character],
    [1, 12],
    'the diagnostic points at the unknown name',
  );

  fake.changeDocument(doc, 'sq(t) = t^2\ny = sq(2) + sum([1, 2])\n');
  await until('the diagnostics to clear after the fix', () => {
    const d = collection.get(doc.uri);
    return d && d.length === 0;
  });

  const [{ provider: hover }] = await until('a hover provider', () => fake.recorded.providers.hover);
  const answer = await hover.provideHover(doc, new fake.vscode.Position(1, 13), token);
  const text = answer.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
  assert.match(text, /sum\(X, dim = nothing\)/, `hover over sum shows its signature: ${text}`);

  const [{ provider: definition }] = await until('a definition provider', () => fake.recorded.providers.definition);
  const found = await definition.provideDefinition(doc, new fake.vscode.Position(1, 5), token);
  const location = [].concat(found)[0];
  const range = location.targetSelectionRange || location.targetRange || location.range;
  assert.deepEqual([range.start.line, range.start.character], [0, 0], `sq is defined on the first line: ${JSON.stringify(found)}`);

  fake.changeDocument(doc, 'sq(t) = t^2\ny = su\nz = zeros(2, \n');
  const [{ provider: completion }] = await until('a completion provider', () => fake.recorded.providers.completion);
  const items = await completion.provideCompletionItems(doc, new fake.vscode.Position(1, 6), token, { triggerKind: 0 });
  const labels = [].concat(items.items || items).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
  assert.ok(labels.includes('sum'), `completing su offers sum: ${labels.slice(0, 20)}`);

  const [{ provider: signatures }] = await until('a signature help provider', () => fake.recorded.providers.signatureHelp);
  const help = await signatures.provideSignatureHelp(doc, new fake.vscode.Position(2, 13), token, {
    triggerKind: 1,
    isRetrigger: false,
  });
  assert.ok(help && help.signatures.length > 0, 'signature help inside zeros(2, ');
  assert.match(help.signatures[help.activeSignature || 0].label, /^zeros\(/);
  assert.equal(help.activeParameter, 1, 'the second argument is the active one');

  await extension.deactivate();
});
