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
/// GitHub's highlighter). It follows the lexer (`mml_lang::lexer`): a `'` after a value (a
/// name, a number, `)`, `]`, `}`, a string, `'`, `true`, `false`, `nothing`, `end`, blanks
/// allowed between) is the transpose; any other `'...'` on one line is the error "strings use
/// double quotes". Strings end at the first unescaped `"`, even inside an interpolation `{...}`.
pub fn textmate_grammar(lib: &Library) -> String {
    let alt = |v: &[&str]| v.join("|");
    let words = |group: &[&str]| -> Vec<&str> { KEYWORDS.iter().copied().filter(|k| group.contains(k)).collect() };
    // Keywords that are not in one of the named groups are control words, so a new keyword
    // is highlighted without a change here.
    let control: Vec<&str> = KEYWORDS
        .iter()
        .copied()
        .filter(|k| !["fn"].iter().chain(WORD_OPERATORS).chain(VALUE_KEYWORDS).any(|g| g == k))
        .collect();
    // After these a `'` opens a (single-quoted) string rather than transposing.
    let not_operands: String = KEYWORDS
        .iter()
        .filter(|k| !VALUE_KEYWORDS.contains(k))
        .map(|k| format!("\\\\b{k}"))
        .collect::<Vec<_>>()
        .join("|");
    let consts: Vec<&str> = lib.constants.iter().map(|c| c.name).collect();
    let mut ops: Vec<&str> = OPERATORS.iter().copied().filter(|o| *o != "'").collect();
    // One alternation, longest first, so that `.==` is never read as `.` then `==`.
    ops.sort_by_key(|o| std::cmp::Reverse(o.len()));
    let op_regex = json_escape(&ops.iter().map(|o| format!("({})", regex_escape(o))).collect::<Vec<_>>().join("|"));
    let op_captures = ops
        .iter()
        .enumerate()
        .map(|(i, o)| format!("        \"{}\": {{ \"name\": \"{}.mml\" }}", i + 1, operator_scope(o)))
        .collect::<Vec<_>>()
        .join(",\n");
    let value = VALUE_KEYWORDS.iter().filter(|k| **k != "end").copied().collect::<Vec<_>>();
    format!(
        r##"{{
  "$comment": "{HEADER}",
  "name": "MML",
  "scopeName": "source.mml",
  "fileTypes": ["mml"],
  "patterns": [{{ "include": "#comment" }}, {{ "include": "#string" }}, {{ "include": "#code" }}],
  "repository": {{
    "comment": {{
      "name": "comment.line.number-sign.mml",
      "match": "(#).*$",
      "captures": {{ "1": {{ "name": "punctuation.definition.comment.mml" }} }}
    }},
    "string": {{
      "name": "string.quoted.double.mml",
      "begin": "\"",
      "beginCaptures": {{ "0": {{ "name": "punctuation.definition.string.begin.mml" }} }},
      "end": "\"",
      "endCaptures": {{ "0": {{ "name": "punctuation.definition.string.end.mml" }} }},
      "patterns": [
        {{ "name": "constant.character.escape.mml", "match": "\\\\[ntr0\"\\\\{{}}]" }},
        {{ "name": "invalid.illegal.unknown-escape.mml", "match": "\\\\." }},
        {{ "include": "#interpolation" }},
        {{ "name": "invalid.illegal.unmatched-brace.mml", "match": "\\}}" }}
      ]
    }},
    "interpolation": {{
      "name": "meta.interpolation.mml",
      "begin": "\\{{",
      "beginCaptures": {{ "0": {{ "name": "punctuation.section.interpolation.begin.mml" }} }},
      "end": "\\}}|(?=\")",
      "endCaptures": {{ "0": {{ "name": "punctuation.section.interpolation.end.mml" }} }},
      "contentName": "meta.embedded.line.mml",
      "patterns": [{{ "include": "#interpolation-braces" }}, {{ "include": "#code" }}]
    }},
    "interpolation-braces": {{
      "begin": "\\{{",
      "beginCaptures": {{ "0": {{ "name": "punctuation.section.braces.begin.mml" }} }},
      "end": "\\}}|(?=\")",
      "endCaptures": {{ "0": {{ "name": "punctuation.section.braces.end.mml" }} }},
      "patterns": [{{ "include": "#interpolation-braces" }}, {{ "include": "#code" }}]
    }},
    "code": {{
      "patterns": [
        {{ "include": "#transpose" }},
        {{ "include": "#single-quoted" }},
        {{ "include": "#number" }},
        {{ "include": "#function-definition" }},
        {{ "include": "#keyword" }},
        {{ "include": "#field" }},
        {{ "include": "#builtin" }},
        {{ "include": "#constant" }},
        {{ "include": "#call" }},
        {{ "include": "#name" }},
        {{ "include": "#operator" }}
      ]
    }},
    "transpose": {{
      "match": "(?<=[\\w)\\]}}'\"])(?<!{not_operands})\\s*(')",
      "captures": {{ "1": {{ "name": "keyword.operator.transpose.mml" }} }}
    }},
    "single-quoted": {{
      "patterns": [
        {{ "name": "invalid.illegal.string.quoted.single.mml", "match": "'[^'\\n]*'" }},
        {{ "name": "keyword.operator.transpose.mml", "match": "'" }}
      ]
    }},
    "number": {{
      "patterns": [
        {{
          "name": "constant.numeric.imaginary.mml",
          "match": "(?:\\b[0-9][0-9_]*(?:\\.[0-9][0-9_]*)?|\\.[0-9][0-9_]*)(?:[eE][+-]?[0-9][0-9_]*)?i"
        }},
        {{
          "name": "constant.numeric.decimal.mml",
          "match": "(?:\\b[0-9][0-9_]*(?:\\.[0-9][0-9_]*)?|\\.[0-9][0-9_]*)(?:[eE][+-]?[0-9][0-9_]*)?"
        }}
      ]
    }},
    "function-definition": {{
      "match": "\\b(fn)\\s+([\\p{{L}}_]\\w*)",
      "captures": {{
        "1": {{ "name": "storage.type.function.mml" }},
        "2": {{ "name": "entity.name.function.definition.mml" }}
      }}
    }},
    "keyword": {{
      "patterns": [
        {{ "name": "storage.type.function.mml", "match": "\\bfn\\b" }},
        {{ "name": "keyword.control.mml", "match": "\\b({control})\\b" }},
        {{ "name": "keyword.operator.word.mml", "match": "\\b({word_ops})\\b" }},
        {{ "name": "constant.language.mml", "match": "\\b({value})\\b" }},
        {{ "name": "variable.language.end.mml", "match": "\\bend\\b" }}
      ]
    }},
    "field": {{
      "match": "(\\.)\\s*([\\p{{L}}_]\\w*)",
      "captures": {{
        "1": {{ "name": "punctuation.accessor.mml" }},
        "2": {{ "name": "variable.other.property.mml" }}
      }}
    }},
    "builtin": {{ "name": "support.function.builtin.mml", "match": "\\b({builtins})\\b" }},
    "constant": {{ "name": "support.constant.mml", "match": "\\b({consts})\\b" }},
    "call": {{ "name": "entity.name.function.call.mml", "match": "[\\p{{L}}_]\\w*(?=\\()" }},
    "name": {{ "name": "variable.other.mml", "match": "[\\p{{L}}_]\\w*" }},
    "operator": {{
      "match": "{op_regex}",
      "captures": {{
{op_captures}
      }}
    }}
  }}
}}
"##,
        control = alt(&control),
        word_ops = alt(&words(WORD_OPERATORS)),
        value = alt(&value),
        builtins = alt(&names(lib)),
        consts = alt(&consts),
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

/// Keywords that are operators.
const WORD_OPERATORS: &[&str] = &["and", "or", "not"];
/// Keywords that are values, after which a `'` is a transpose (`lexer::ends_operand`).
const VALUE_KEYWORDS: &[&str] = &["true", "false", "nothing", "end"];

/// The TextMate scope of an operator or punctuation token (without the `.mml` suffix).
fn operator_scope(op: &str) -> &'static str {
    match op {
        "(" => "punctuation.section.parens.begin",
        ")" => "punctuation.section.parens.end",
        "[" => "punctuation.section.brackets.begin",
        "]" => "punctuation.section.brackets.end",
        "{" => "punctuation.section.braces.begin",
        "}" => "punctuation.section.braces.end",
        "," => "punctuation.separator.comma",
        ";" => "punctuation.separator.semicolon",
        "." => "punctuation.accessor",
        "=" => "keyword.operator.assignment",
        "+=" | "-=" | "*=" | "/=" => "keyword.operator.assignment.compound",
        "->" => "keyword.operator.arrow",
        ":" => "keyword.operator.range",
        "==" | "!=" | "<" | "<=" | ">" | ">=" => "keyword.operator.comparison",
        ".==" | ".!=" | ".<" | ".<=" | ".>" | ".>=" => "keyword.operator.comparison.elementwise",
        "&&" | "||" | "!" => "keyword.operator.logical",
        ".*" | "./" | ".^" => "keyword.operator.arithmetic.elementwise",
        "+" | "-" | "*" | "/" | "\\" | "^" => "keyword.operator.arithmetic",
        _ => "keyword.operator",
    }
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
