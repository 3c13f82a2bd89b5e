// language-configuration.json read the way VS Code reads it (a string pattern is
// `new RegExp(pattern)`, an object `new RegExp(pattern, flags)`), checked against MML lines.
'use strict';

const assert = require('node:assert/strict');
const { test } = require('node:test');
const config = require('../language-configuration.json');
const pkg = require('../package.json');

function regex(value) {
  return typeof value === 'string' ? new RegExp(value) : new RegExp(value.pattern, value.flags);
}

test('package.json wires the language, the grammar and the configuration together', () => {
  const [language] = pkg.contributes.languages;
  assert.equal(language.id, 'mml');
  assert.deepEqual(language.extensions, ['.mml']);
  assert.equal(language.configuration, './language-configuration.json');
  const [grammar] = pkg.contributes.grammars;
  assert.equal(grammar.language, 'mml');
  assert.equal(grammar.scopeName, 'source.mml');
  assert.equal(require(`../${grammar.path}`).scopeName, 'source.mml');
  assert.deepEqual(pkg.activationEvents, ['onLanguage:mml']);
  assert.equal(pkg.contributes.configuration.properties['mml.path'].default, 'mml');
  assert.equal(require.resolve(`../${pkg.main}`), require.resolve('../extension.js'));
});

test('# starts a line comment; brackets are () [] {}', () => {
  assert.equal(config.comments.lineComment, '#');
  assert.equal(config.comments.blockComment, undefined);
  assert.deepEqual(new Set(config.brackets.map((b) => b.join(''))), new Set(['()', '[]', '{}']));
});

test("' is never auto-closed nor used to surround: it is the transpose", () => {
  assert.ok(config.autoClosingPairs.every((p) => p.open !== "'" && p.close !== "'"));
  assert.ok(config.surroundingPairs.every(([open, close]) => open !== "'" && close !== "'"));
  const quote = config.autoClosingPairs.find((p) => p.open === '"');
  assert.equal(quote.close, '"');
  assert.ok(quote.notIn.includes('string'), 'no closing " is added inside a string (where " ends it)');
  const brace = config.autoClosingPairs.find((p) => p.open === '{');
  assert.ok(!brace.notIn.includes('string'), '{ closes inside strings too: it starts an interpolation');
  for (const open of ['(', '[', '{']) {
    assert.ok(config.autoClosingPairs.some((p) => p.open === open), `${open} is auto-closed`);
  }
});

test('indentation grows after an open {, [ or ( and shrinks on a closing one', () => {
  const increase = regex(config.indentationRules.increaseIndentPattern);
  const decrease = regex(config.indentationRules.decreaseIndentPattern);
  for (const line of [
    'fn f(x) {',
    'for k in 1:n {',
    '    if x > 0 {   # positive',
    '} else {',
    'A = [',
    'y = f(',
    'print("{x}", {',
    "v = w' * [",
  ]) {
    assert.match(line, increase, line);
  }
  for (const line of [
    'x = 1',
    'if x { y }',
    's = "{"',
    'print("a {b}")',
    '# {',
    'x = 1  # {',
    'A = [1, 2]',
  ]) {
    assert.doesNotMatch(line, increase, line);
  }
  for (const line of ['}', '    }', '} else {', ']', ')']) {
    assert.match(line, decrease, line);
  }
  for (const line of ['x = {1}', '    y = 2']) {
    assert.doesNotMatch(line, decrease, line);
  }
});

test('a word is an MML name or a number literal', () => {
  const word = regex(config.wordPattern);
  const words = (text) => text.match(new RegExp(word.source, word.flags + 'g'));
  assert.deepEqual(words("θ_1 = grad_f(x2)'"), ['θ_1', 'grad_f', 'x2']);
  assert.deepEqual(words('z = 1.5e-3 + 2i .* .5'), ['z', '1.5e-3', '2i', '.5']);
  assert.deepEqual(words('r.x_max'), ['r', 'x_max']);
  assert.deepEqual(words('A[end]'), ['A', 'end']);
});
