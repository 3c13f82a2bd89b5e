//! Files generated from the builtin table and the keyword list: the reference manual and
//! the editor grammars. A test regenerates them and fails when a committed copy is stale.

use std::fmt::Write as _;

use mml_lang::{KEYWORDS, OPERATORS};
use mml_runtime::{Category, Library};

const HEADER: &str = "generated from the builtin table by `cargo test`; do not edit";

/// `docs/reference.md`: every builtin and constant, grouped by category.
pub fn reference_markdown(lib: &Library) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# MML reference\n\n<!-- {HEADER} -->\n");
    let mut cats: Vec<Category> = lib.builtins.iter().map(|b| b.category).collect();
    cats.sort();
    cats.dedup();
    for cat in cats {
        let _ = writeln!(out, "## {}\n", cat.title());
        let mut items: Vec<_> = lib.builtins.iter().filter(|b| b.category == cat).collect();
        items.sort_by_key(|b| b.name);
        for b in items {
            let _ = writeln!(out, "### `{}`\n", b.signature());
            let _ = writeln!(out, "{}\n", unindent(b.doc).trim());
        }
    }
    let _ = writeln!(out, "## Constants\n");
    for c in lib.constants {
        let _ = writeln!(out, "### `{}`\n\n{}\n", c.name, unindent(c.doc).trim());
    }
    out
}

fn unindent(doc: &str) -> String {
    doc.lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n")
}

fn names(lib: &Library) -> Vec<&'static str> {
    let mut v: Vec<&str> = lib.builtins.iter().map(|b| b.name).collect();
    v.sort_unstable();
    v
}

/// `editors/vim/syntax/mml.vim`: Vim and Neovim highlighting. It follows the lexer
/// (`lang/src/token.rs`): `'` is only ever the transpose, numbers need a digit after the `.`
/// (`2.*A` is `2 .* A`), a trailing `i` makes an imaginary literal, and strings hold escapes
/// and `{expr}` interpolations.
pub fn vim_syntax(lib: &Library) -> String {
    // Reserved words that name values rather than structure.
    const BOOLEANS: &[&str] = &["true", "false"];
    const VALUE_WORDS: &[&str] = &["nothing"];
    let mut out = String::new();
    let _ = writeln!(out, "\" Vim syntax file for MML ({HEADER}).");
    out.push_str(
        "\" Language: MML\n\
         if exists(\"b:current_syntax\")\n  finish\nendif\n\
         let s:cpo_save = &cpo\n\
         set cpo&vim\n\n\
         syn case match\n\
         \" Strings may span lines.\n\
         syn sync fromstart\n\
         syn spell notoplevel\n\n\
         \" Operators come first: where two items match at the same place the later one wins,\n\
         \" so `.5` is a number and `.*` an operator.\n",
    );
    let mut ops: Vec<&str> = OPERATORS.iter().copied().filter(|o| !matches!(*o, "'" | "." | "," | ";")).collect();
    ops.retain(|o| !o.chars().all(|c| "()[]{}".contains(c)));
    // Vim's `\|` takes the first alternative that matches, so longer operators go first.
    ops.sort_by_key(|o| std::cmp::Reverse(o.len()));
    let ops: Vec<String> = ops.iter().map(|o| o.replace('\\', "\\\\")).collect();
    let _ = writeln!(out, "syn match mmlOperator \"\\V{}\"", ops.join("\\|"));
    out.push_str(
        "\" `'` after an operand is the transpose (`A'`, `v'*w`); it never opens a string.\n\
         syn match mmlTranspose \"'\"\n\
         \" A `'` where no operand comes before it (`print('hi')`) is the lexer's single-quoted string,\n\
         \" an error (\"strings use double quotes\"): shown as one, never as a string.\n\
         syn match mmlQuoteError +\\%(\\%(\\k\\|[)\\]}'\"]\\)\\s*\\)\\@<!'[^']*'+\n\n",
    );
    let control: Vec<&str> =
        KEYWORDS.iter().copied().filter(|k| !BOOLEANS.contains(k) && !VALUE_WORDS.contains(k)).collect();
    let _ = writeln!(out, "syn keyword mmlKeyword {}", control.join(" "));
    let booleans: Vec<&str> = KEYWORDS.iter().copied().filter(|k| BOOLEANS.contains(k)).collect();
    let _ = writeln!(out, "syn keyword mmlBoolean {}", booleans.join(" "));
    let mut consts: Vec<&str> = KEYWORDS.iter().copied().filter(|k| VALUE_WORDS.contains(k)).collect();
    consts.extend(lib.constants.iter().map(|c| c.name));
    let _ = writeln!(out, "syn keyword mmlConstant {}", consts.join(" "));
    for chunk in names(lib).chunks(12) {
        let _ = writeln!(out, "syn keyword mmlBuiltin {}", chunk.join(" "));
    }
    out.push_str(concat!(
        "\" The name in `fn name(...)` and in a one-line definition `name(x, y) = ...`.\n",
        "syn match mmlFunction \"\\%(\\<fn\\s\\+\\)\\@<=\\k\\+\"\n",
        "syn match mmlFunction \"^\\s*\\zs\\k\\+\\ze([^()]*)\\s*=\\%([^=]\\|$\\)\"\n\n",
        "\" Numbers: `1`, `2.5`, `.5`, `1e-3`, `1_000`; imaginary numbers `2i`, `0.5i`, `1e3i`.\n",
        "syn match mmlNumber \"\\<\\d[0-9_]*\\%(\\.\\d[0-9_]*\\)\\=\\%([eE][+-]\\=\\d[0-9_]*\\)\\=\"\n",
        "syn match mmlNumber \"\\.\\d[0-9_]*\\%([eE][+-]\\=\\d[0-9_]*\\)\\=\"\n",
        "syn match mmlImaginary \"\\<\\d[0-9_]*\\%(\\.\\d[0-9_]*\\)\\=\\%([eE][+-]\\=\\d[0-9_]*\\)\\=i\"\n",
        "syn match mmlImaginary \"\\.\\d[0-9_]*\\%([eE][+-]\\=\\d[0-9_]*\\)\\=i\"\n\n",
        "\" Strings: double quotes only; escapes \\n \\t \\r \\0 \\\" \\\\ \\{ \\}; `{expr}` interpolates.\n",
        "syn cluster mmlExpr contains=mmlOperator,mmlTranspose,mmlKeyword,mmlBoolean,mmlConstant,mmlBuiltin,mmlNumber,mmlImaginary,mmlInterpBraces\n",
        "syn region mmlString start=+\"+ skip=+\\\\.+ end=+\"+ keepend contains=mmlEscapeError,mmlEscape,mmlInterp,mmlInterpError,@Spell\n",
        "syn match mmlEscapeError contained +\\\\.+\n",
        "syn match mmlEscape contained +\\\\[ntr0\"\\\\{}]+\n",
        "syn match mmlInterpError contained +}+\n",
        "syn region mmlInterp contained matchgroup=mmlInterpDelim start=+{+ end=+}+ contains=@mmlExpr\n",
        "syn region mmlInterpBraces contained transparent start=+{+ end=+}+ contains=@mmlExpr\n\n",
        "syn keyword mmlTodo contained TODO FIXME XXX NOTE\n",
        "syn match mmlComment \"#.*$\" contains=mmlTodo,@Spell\n\n",
        "hi def link mmlKeyword Keyword\n",
        "hi def link mmlBoolean Boolean\n",
        "hi def link mmlConstant Constant\n",
        "hi def link mmlBuiltin Function\n",
        "hi def link mmlFunction Function\n",
        "hi def link mmlNumber Number\n",
        "hi def link mmlImaginary Number\n",
        "hi def link mmlString String\n",
        "hi def link mmlEscape SpecialChar\n",
        "hi def link mmlEscapeError Error\n",
        "hi def link mmlInterpDelim Delimiter\n",
        "hi def link mmlInterpError Error\n",
        "hi def link mmlComment Comment\n",
        "hi def link mmlTodo Todo\n",
        "hi def link mmlOperator Operator\n",
        "hi def link mmlTranspose Operator\n",
        "hi def link mmlQuoteError Error\n\n",
        "let b:current_syntax = \"mml\"\n",
        "let &cpo = s:cpo_save\n",
        "unlet s:cpo_save\n",
    ));
    out
}

/// `editors/vscode/syntaxes/mml.tmLanguage.json`: a TextMate grammar (VS Code, Sublime,
/// GitHub's highlighter).
pub fn textmate_grammar(lib: &Library) -> String {
    let alt = |v: &[&str]| v.join("|");
    let ops: Vec<String> = OPERATORS.iter().map(|o| regex_escape(o)).collect();
    let ops: Vec<&str> = ops.iter().map(String::as_str).collect();
    let consts: Vec<&str> = lib.constants.iter().map(|c| c.name).collect();
    format!(
        r##"{{
  "$comment": "{HEADER}",
  "name": "MML",
  "scopeName": "source.mml",
  "fileTypes": ["mml"],
  "patterns": [
    {{ "name": "comment.line.number-sign.mml", "match": "#.*$" }},
    {{
      "name": "string.quoted.double.mml",
      "begin": "\"",
      "end": "\"",
      "patterns": [
        {{ "name": "constant.character.escape.mml", "match": "\\\\." }},
        {{ "name": "meta.interpolation.mml", "begin": "\\{{", "end": "\\}}", "patterns": [{{ "include": "$self" }}] }}
      ]
    }},
    {{ "name": "keyword.control.mml", "match": "\\b({keywords})\\b" }},
    {{ "name": "support.function.builtin.mml", "match": "\\b({builtins})\\b" }},
    {{ "name": "constant.language.mml", "match": "\\b({consts})\\b" }},
    {{ "name": "constant.numeric.mml", "match": "\\b\\d[0-9_]*(\\.\\d*)?([eE][+-]?\\d+)?|\\.\\d+([eE][+-]?\\d+)?" }},
    {{ "name": "keyword.operator.mml", "match": "{ops}" }}
  ]
}}
"##,
        keywords = alt(KEYWORDS),
        builtins = alt(&names(lib)),
        consts = alt(&consts),
        ops = json_escape(&alt(&ops)),
    )
}

/// `editors/emacs/mml-mode-words.el`: the keywords, builtins and constants that `mml-mode.el`
/// highlights, as Emacs Lisp lists of strings.
pub fn emacs_keywords(lib: &Library) -> String {
    let mut out = String::new();
    out.push_str(";;; mml-mode-words.el --- MML words for mml-mode  -*- lexical-binding: t -*-\n\n");
    let _ = writeln!(out, ";; This file is {HEADER}.\n");
    out.push_str(
        ";;; Commentary:\n\n;; The keywords, builtin functions and constants of MML, for `mml-mode'.\n\n;;; Code:\n\n",
    );
    let consts: Vec<&str> = lib.constants.iter().map(|c| c.name).collect();
    elisp_strings(&mut out, "mml-mode-keywords", "The keywords of MML.", KEYWORDS);
    elisp_strings(&mut out, "mml-mode-builtins", "The builtin functions of MML.", &names(lib));
    elisp_strings(&mut out, "mml-mode-constants", "The named constants of MML.", &consts);
    out.push_str("(provide 'mml-mode-words)\n;;; mml-mode-words.el ends here\n");
    out
}

/// A `defconst` of a list of strings, wrapped to 80 columns.
fn elisp_strings(out: &mut String, name: &str, doc: &str, words: &[&str]) {
    let _ = write!(out, "(defconst {name}\n  '(");
    let mut column = 4;
    for (i, w) in words.iter().enumerate() {
        let item = format!("\"{}\"", w.replace('\\', "\\\\").replace('"', "\\\""));
        if i > 0 && column + 1 + item.len() > 78 {
            out.push_str("\n    ");
            column = 4;
        } else if i > 0 {
            out.push(' ');
            column += 1;
        }
        column += item.len();
        out.push_str(&item);
    }
    let _ = writeln!(out, ")\n  \"{doc}\")\n");
}

fn regex_escape(s: &str) -> String {
    s.chars().map(|c| if "\\^$.|?*+()[]{}".contains(c) { format!("\\{c}") } else { c.to_string() }).collect()
}

fn json_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// `docs/from-numpy-and-octave.md`: the hand-written side-by-side preamble, then the table of
/// foreign names (`crate::foreign::FOREIGN`).
pub fn foreign_markdown() -> String {
    let mut out = String::from(include_str!("foreign_preamble.md"));
    out.push_str("| name | from | MML | example |\n|---|---|---|---|\n");
    let cell = |s: &str| s.replace('|', "\\|");
    for f in crate::foreign::FOREIGN {
        let _ = writeln!(out, "| `{}` | {} | {} | `{}` |", f.name, f.from, cell(f.mml), cell(f.example));
    }
    out
}
