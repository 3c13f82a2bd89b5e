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

/// `editors/vim/syntax/mml.vim`.
pub fn vim_syntax(lib: &Library) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\" Vim syntax for MML ({HEADER}).");
    let _ = writeln!(out, "if exists(\"b:current_syntax\")\n  finish\nendif\n");
    let _ = writeln!(out, "syn keyword mmlKeyword {}", KEYWORDS.join(" "));
    for chunk in names(lib).chunks(12) {
        let _ = writeln!(out, "syn keyword mmlBuiltin {}", chunk.join(" "));
    }
    let consts: Vec<&str> = lib.constants.iter().map(|c| c.name).collect();
    let _ = writeln!(out, "syn keyword mmlConstant {}", consts.join(" "));
    out.push_str(
        "syn match mmlNumber \"\\<\\d[0-9_]*\\(\\.\\d*\\)\\=\\([eE][+-]\\=\\d\\+\\)\\=\"\n\
         syn match mmlNumber \"\\.\\d\\+\\([eE][+-]\\=\\d\\+\\)\\=\"\n\
         syn region mmlInterp contained start=\"{\" end=\"}\"\n\
         syn region mmlString start=+\"+ skip=+\\\\.+ end=+\"+ contains=mmlInterp\n\
         syn match mmlComment \"#.*$\"\n\
         syn match mmlOperator \"[-+*/\\\\^'<>=!:]\\|\\.\\*\\|\\./\\|\\.\\^\\|->\"\n\n\
         hi def link mmlKeyword Keyword\n\
         hi def link mmlBuiltin Function\n\
         hi def link mmlConstant Constant\n\
         hi def link mmlNumber Number\n\
         hi def link mmlString String\n\
         hi def link mmlInterp Special\n\
         hi def link mmlComment Comment\n\
         hi def link mmlOperator Operator\n\n\
         let b:current_syntax = \"mml\"\n",
    );
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
