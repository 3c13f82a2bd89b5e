// Tokenizes files with the extension's grammar through vscode-textmate and vscode-oniguruma
// (what VS Code uses) and prints each token as a line `file TAB line TAB start TAB end TAB
// scopes`, with 0-based lines and UTF-16 columns. tests/it/editor_vscode.rs compares them with
// MML's lexer.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

async function main(files) {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const grammarFile = path.join(__dirname, '..', 'syntaxes', 'mml.tmLanguage.json');
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(grammarFile, 'utf8'), grammarFile),
  });
  const grammar = await registry.loadGrammar('source.mml');
  const out = [];
  for (const file of files) {
    let stack = vsctm.INITIAL;
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, n) => {
        const result = grammar.tokenizeLine(line.replace(/\r$/, ''), stack);
        for (const t of result.tokens) {
          out.push(`${file}\t${n}\t${t.startIndex}\t${t.endIndex}\t${t.scopes.join(' ')}\n`);
        }
        stack = result.ruleStack;
      });
  }
  process.stdout.write(out.join(''));
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exit(1);
});
