//! Parser tests: S-expression dumps, diagnostics, incomplete input and never-panic properties.

use proptest::prelude::*;

use super::{is_incomplete, parse_program};
use crate::pretty::dump_program;

/// Parses `src`, asserts there are no diagnostics, and compares the dump with `expected`
/// (lines trimmed; blank lines ignored).
#[track_caller]
fn check(src: &str, expected: &str) {
    let r = parse_program(0, src);
    let msgs: Vec<&str> = r.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert!(msgs.is_empty(), "unexpected diagnostics for {src:?}: {msgs:?}");
    let want: Vec<&str> = expected.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let dump = dump_program(&r.program);
    let got: Vec<&str> = dump.lines().collect();
    assert_eq!(got, want, "dump of {src:?}");
}

/// Parses `src` and returns the diagnostic messages and the dump.
fn errors(src: &str) -> (Vec<String>, String) {
    let r = parse_program(0, src);
    for d in &r.diagnostics {
        for l in &d.labels {
            assert!(l.span.end as usize <= src.len() && l.span.start <= l.span.end, "{d:?}");
        }
    }
    (r.diagnostics.iter().map(|d| d.message.clone()).collect(), dump_program(&r.program))
}

/// Asserts that `src` reports exactly `messages`, in order.
#[track_caller]
fn check_errors(src: &str, messages: &[&str]) {
    let (got, dump) = errors(src);
    assert_eq!(got, messages, "diagnostics for {src:?}; dump:\n{dump}");
}

#[test]
fn literals() {
    check("1\n2.5\n.5\n1e-3\n1_000\n2.5e+2", "1\n2.5\n0.5\n0.001\n1000\n250");
    check("true; false; nothing", "true\nfalse\nnothing");
    check(r#""hello""#, r#""hello""#);
    check(r#""a\n\t\"\\\{\}""#, r#""a\n\t\"\\{}""#);
    check(r#""""#, r#""""#);
    check("x_1\nπ", "x_1\nπ");
}

#[test]
fn interpolation() {
    check(r#""a {x}""#, r#"(str "a " {x})"#);
    check(r#""x = {x + 1}!""#, r#"(str "x = " {(+ x 1)} "!")"#);
    check(r#""{a}{b}""#, "(str {a} {b})");
    check(r#""{ {1, 2} }""#, "(str {(list 1 2)})");
    check(r#""{v[end]}""#, "(str {(index v end)})");
    let r = parse_program(3, r#"s = "ab {foo} c""#);
    let crate::ast::StmtKind::Assign { value, .. } = &r.program.stmts[0].node else { panic!() };
    let crate::ast::ExprKind::Str(parts) = &value.node else { panic!() };
    let crate::ast::StrPart::Interp(e) = &parts[1] else { panic!() };
    assert_eq!((e.span.src, e.span.start, e.span.end), (3, 9, 12));
}

#[test]
fn interpolation_errors() {
    check_errors(r#""a {x""#, &["unmatched `{` in string"]);
    check_errors(r#""a } b""#, &["unmatched `}` in string"]);
    check_errors(r#""{}""#, &["empty interpolation `{}` in string"]);
    check_errors(r#""\q""#, &["unknown escape `\\q`"]);
    check_errors(r#""{1 +}""#, &["expected expression, found end of input"]);
}

#[test]
fn operators_and_precedence() {
    check("x = 1 + 2 * 3", "(= x (+ 1 (* 2 3)))");
    check("-x^2", "(- (^ x 2))");
    check("2^-1", "(^ 2 (- 1))");
    check("a^b^c", "(^ a (^ b c))");
    check("a:b+1", "(range a (+ b 1))");
    check("a:s:b", "(range a s b)");
    check("not a == b", "(not (== a b))");
    check("!a and b || c", "(or (and (not a) b) c)");
    check("a && b or c and d", "(or (and a b) (and c d))");
    check("A'*B", "(* (' A) B)");
    check("A''", "(' (' A))");
    check("A'[1, 2]", "(index (' A) 1 2)");
    check("f(x)'", "(' (call f x))");
    check("-A'", "(- (' A))");
    check("a - b - c", "(- (- a b) c)");
    check("A \\ b ./ c .* d .^ 2", "(.* (./ (\\ A b) c) (.^ d 2))");
    check("(a < b) == (c >= d)", "(== (< a b) (>= c d))");
    check_errors("a < b == c", &["comparison operators cannot be chained"]);
    check("a != b; a <= b; a > b", "(!= a b)\n(<= a b)\n(> a b)");
    check("+x", "(+ x)");
    check("r.a.b[1](2)", "(call (index (. (. r a) b) 1) 2)");
    check("grad(f)(1, 2)", "(call (call grad f) 1 2)");
}

#[test]
fn non_associative() {
    check_errors("a < b < c", &["comparison operators cannot be chained"]);
    check("(a < b) < c", "(< (< a b) c)");
    check_errors("1:2:3:4", &["a range has at most one step"]);
    check_errors("if a < b < c { }", &["comparison operators cannot be chained"]);
    check_errors("x = 1\nif a < b < c { }", &["comparison operators cannot be chained"]);
    check_errors(
        "x = (1 2)\nif a < b < c { }",
        &["expected `)`, found number", "comparison operators cannot be chained"],
    );
    check("(1:2):3", "(range (range 1 2) 3)");
}

#[test]
fn lambdas() {
    check("x -> x + 1", "(lambda (x) (+ x 1))");
    check("g = x -> x^2", "(= g (lambda (x) (^ x 2)))");
    check("(x, y) -> x + y", "(lambda (x y) (+ x y))");
    check("() -> 1", "(lambda () 1)");
    check("(x, y = 2) -> x * y", "(lambda (x (y 2)) (* x y))");
    check("f = (x) -> {\n  y = x\n  y^2\n}", "(= f (lambda (x) (block (= y x) (^ y 2))))");
    check("map(xs, x -> x * 2)", "(call map xs (lambda (x) (* x 2)))");
    check("x -> y -> x + y", "(lambda (x) (lambda (y) (+ x y)))");
    check("(x)", "x");
    check("(x) + 1", "(+ x 1)");
}

#[test]
fn calls_and_indexing() {
    check("f(1, 2, y = 3)", "(call f 1 2 (kw y 3))");
    check("f()", "(call f)");
    check("f(y == 3)", "(call f (== y 3))");
    check("f(\n  1,\n  2\n)", "(call f 1 2)");
    check("A[2, :]", "(index A 2 :)");
    check("A[:, 1]", "(index A : 1)");
    check("v[2:end]", "(index v (range 2 end))");
    check("v[end-1]", "(index v (- end 1))");
    check("A[:]", "(index A :)");
    check("x = {1, 2}[1]", "(= x (index (list 1 2) 1))");
}

#[test]
fn end_outside_index() {
    check_errors("x = end", &["`end` can only be used inside an index"]);
    check_errors("[end]", &["`end` can only be used inside an index"]);
}

#[test]
fn matrices() {
    check("[1, 2, 3]", "(matrix (1 2 3))");
    check("[1, 2; 3, 4]", "(matrix (1 2) (3 4))");
    check("[]", "(matrix)");
    check("[A, B; C, D]", "(matrix (A B) (C D))");
    check("[1, 2\n 3, 4]", "(matrix (1 2) (3 4))");
    check("[\n  1, 2\n  3, 4\n]", "(matrix (1 2) (3 4))");
    check("[1, 2;\n 3, 4]", "(matrix (1 2) (3 4))");
    check("[1,\n 2]", "(matrix (1 2))");
    check("[1, 2\n\n 3, 4]", "(matrix (1 2) (3 4))");
    check("[1 - 2]", "(matrix ((- 1 2)))");
    check("[-1, -2]", "(matrix ((- 1) (- 2)))");
    check("[[1, 2], [3]]", "(matrix ((matrix (1 2)) (matrix (3))))");
    check("[v', 1]", "(matrix ((' v) 1))");
    check("[1:3]", "(matrix ((range 1 3)))");
    check("x\n[1, 2]", "x\n(matrix (1 2))");
    check("[f(1,\n 2), 3]", "(matrix ((call f 1 2) 3))");
}

#[test]
fn matrix_missing_comma() {
    let r = parse_program(0, "[1 2]");
    assert_eq!(r.diagnostics.len(), 1);
    assert_eq!(r.diagnostics[0].message, "expected `,` or `]`, found number");
    assert_eq!(r.diagnostics[0].help, ["separate elements with commas and rows with `;`, as in `[1, 2; 3, 4]`"]);
    assert_eq!(dump_program(&r.program), "(matrix (1 2))\n");
    check_errors("[1, 2 x]", &["expected `,` or `]`, found identifier"]);
}

#[test]
fn lists_and_records() {
    check("x = {a, b, c}", "(= x (list a b c))");
    check("x = {}", "(= x (list))");
    check("r = {x = 1, y = 2}", "(= r (record (x 1) (y 2)))");
    check("l = {x == 1, y}", "(= l (list (== x 1) y))");
    check("r = {\n  x = 1,\n  y = 2,\n}", "(= r (record (x 1) (y 2)))");
    check("({1, 2})", "(list 1 2)");
    check("f({a = 1})", "(call f (record (a 1)))");
}

#[test]
fn assignments() {
    check("x = 1", "(= x 1)");
    check("A[i, j] = 0", "(= (index A i j) 0)");
    check("r.f = 2", "(= (. r f) 2)");
    check("r.W[1, :] = v'", "(= (index (. r W) 1 :) (' v))");
    check("x += 1; x -= 1; x *= 2; x /= 2", "(+= x 1)\n(-= x 1)\n(*= x 2)\n(/= x 2)");
    check("a, b = f()", "(= (a b) (call f))");
    check("a, B[1] = f()", "(= (a (index B 1)) (call f))");
}

#[test]
fn bad_assignments() {
    check_errors("1 = x", &["cannot assign to this expression"]);
    check_errors("f(x) + 1 = 2", &["cannot assign to this expression"]);
    check_errors("f(1) = 2", &["a function parameter must be a name"]);
    check_errors("a, b += 1", &["a compound assignment takes exactly one target"]);
    check_errors("a, b", &["expected `=` after several targets"]);
}

#[test]
fn function_definitions() {
    check("f(x, y = 2) = x^2 + y", "(def f (x (y 2)) (+ (^ x 2) y))");
    check("f() = 1", "(def f () 1)");
    check(
        "fn newton(f, x0, tol = 1e-10) {\n  x = x0\n  return x\n}",
        "(def newton (f x0 (tol 0.0000000001)) (block (= x x0) (return x)))",
    );
    check("fn f() {}", "(def f () (block))");
}

#[test]
fn control_flow() {
    check("if x > 0 { y = 1 }", "(if (> x 0) (block (= y 1)))");
    check("if x > 0 { 1 } else { 2 }", "(if (> x 0) (block 1) (else (block 2)))");
    check(
        "if a { 1 } else if b { 2 } else if c { 3 } else { 4 }",
        "(if a (block 1) (elif b (block 2)) (elif c (block 3)) (else (block 4)))",
    );
    check("if a {\n 1\n}\nelse {\n 2\n}", "(if a (block 1) (else (block 2)))");
    check("while x < 10 { x += 1 }", "(while (< x 10) (block (+= x 1)))");
    check("for i in 1:10 { s += i }", "(for i (range 1 10) (block (+= s i)))");
    check("for v in {1, 2} {}", "(for v (list 1 2) (block))");
    check("while true { break; continue }", "(while true (block break continue))");
    check("fn f() { return }", "(def f () (block (return)))");
    check("{ x = 1\n y = 2 }", "(block (= x 1) (= y 2))");
    check("{}", "(block)");
    check("if f(x) { 1 }", "(if (call f x) (block 1))");
}

#[test]
fn statements_and_newlines() {
    check("\n\nx = 1\n\n\ny = 2\n\n", "(= x 1)\n(= y 2)");
    check("x = 1; y = 2;", "(= x 1)\n(= y 2)");
    check("x = 1 +\n  2", "(= x (+ 1 2))");
    check("x = a and\n b", "(= x (and a b))");
    check("x = 1 # comment\n# whole line\ny = 2", "(= x 1)\n(= y 2)");
    check("x = (1\n + 2)", "(= x (+ 1 2))");
}

#[test]
fn error_messages() {
    check_errors("f(1 2)", &["expected `,` or `)`, found number"]);
    check_errors("x = [1, 2,]", &["expected expression, found `]`"]);
    check_errors("x = (1, 2]", &["expected `)`, found `,`", "this `]` does not match the `(` it closes"]);
    check_errors("x = ", &["expected expression, found end of input"]);
    check_errors("if x > 0\n{ }", &["expected `{`, found newline"]);
    check_errors("x = 1 }", &["unmatched `}`"]);
    check_errors("x = 1 $ 2", &["unexpected character `$`"]);
    check_errors("a b", &["expected newline or `;`, found identifier"]);
    check_errors("x = [1, 2 )", &["this `)` does not match the `[` it closes"]);
}

#[test]
fn habits_of_other_languages_are_one_error_each() {
    check_errors("C = A @ B\nD = C", &["`@` is not an operator in MML"]);
    check_errors("y = x ** 2", &["the power operator is `^`"]);
    check_errors("i = 0\ni++\nprint(i)", &["MML has no `++`"]);
    check_errors("b = a ~= 2", &["not-equal is written `!=`"]);
    check_errors("s = 'text'\nt = s'", &["strings use double quotes"]);
    check_errors("f = @(x) x^2", &["MML writes anonymous functions with `->`"]);
    check_errors("f = lambda x: x + 1", &["MML writes anonymous functions with `->`"]);
    check_errors("for i = 1:10\n  print(i)\nend\nprint(2)", &["MML loops are written `for x in …`"]);
    check_errors("for i = 1:3 { print(i) }", &["MML loops are written `for x in …`"]);
    check_errors("function y = f(x)\n  y = x^2\nend\nprint(f(2))", &["MML defines functions with `fn` and braces"]);
    check_errors(
        "def f(x):\n    y = x + 1\n    return y\nprint(f(2))",
        &["MML defines functions with `fn` and braces"],
    );
    check_errors("if x > 0 { 1 } elif x < 0 { 2 } else { 3 }", &["MML writes `elif` as `else if`"]);
    check_errors("if x > 0 { 1 } elseif x < 0 { 2 }", &["MML writes `elseif` as `else if`"]);
    check_errors("while x > 0\n  x = x - 1\nend", &["MML puts a block in braces"]);
    check_errors(
        "if x > 0\n  y = 1\nelseif x < 0\n  y = 2\nelse\n  y = 3\nend",
        &["MML puts a block in braces", "MML writes `elseif` as `else if`"],
    );
}

#[test]
fn recovery_keeps_good_statements() {
    let (msgs, dump) = errors("x = 1\ny = 2 +* 3\nw = (1 2)\nv = 5");
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert_eq!(dump, "(= x 1)\n(error)\n(error)\n(= v 5)\n", "{msgs:?}");
    let (msgs, dump) = errors("a = 1\nb = * 2\nc = 3\nd = 4 4\ne = 5");
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert_eq!(dump, "(= a 1)\n(error)\n(= c 3)\n(error)\n(= e 5)\n");
    let (msgs, dump) = errors("fn f(x) {\n  y = * 2\n  y\n}\nz = 1");
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert_eq!(dump, "(def f (x) (block (error) y))\n(= z 1)\n");
}

#[test]
fn incomplete_input() {
    for src in ["[1, 2", "fn f(x) {", "f(1,", "x = 1 +", "\"abc", "if x {\n y = 1\n", "{a,", "(x) ->"] {
        assert!(is_incomplete(src), "{src:?} should be incomplete");
    }
    for src in ["x = 1", "[1, 2]", "f(1)", "x = 1)", "fn f(x) { }", "", "x = [1 2]"] {
        assert!(!is_incomplete(src), "{src:?} should be complete");
    }
}

#[test]
fn deep_nesting() {
    let n = 1_000;
    let src = format!("{}x{}", "(".repeat(n), ")".repeat(n));
    let r = parse_program(0, &src);
    assert_eq!((r.diagnostics.len(), dump_program(&r.program).as_str()), (0, "x\n"));
}

#[test]
fn brackets_deeper_than_the_limit_are_one_error_and_the_rest_is_read() {
    for (open, close) in [("(", ")"), ("[", "]"), ("{", "}")] {
        let n = 10_000;
        let src = format!(
            "x = {}1{}
y = 2
",
            open.repeat(n),
            close.repeat(n)
        );
        let r = parse_program(0, &src);
        let codes: Vec<&str> = r.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["nesting-limit"], "{open}: {:?}", r.diagnostics);
        // The error points at the first bracket past the limit.
        let at = r.diagnostics[0].anchor().unwrap().start as usize;
        assert_eq!(at, 4 + 1_000, "{open}");
        assert!(dump_program(&r.program).ends_with("(= y 2)\n"), "{open}: {}", dump_program(&r.program));
    }
    // Never closed: still one error, and the input counts as unfinished.
    let r = parse_program(0, &format!("x = {}", "(".repeat(5_000)));
    assert_eq!(r.diagnostics.iter().filter(|d| d.code == "nesting-limit").count(), 1);
    assert!(r.incomplete);
}

#[test]
fn deep_nesting_small_stack() {
    let n = 1_000;
    let src = format!("x = {}1{}", "[".repeat(n), "]".repeat(n));
    let r = parse_program(0, &src);
    assert!(r.diagnostics.is_empty());
    assert!(dump_program(&r.program).starts_with("(= x (matrix ((matrix"));
    let src = format!("{}x", "-".repeat(2_000));
    let r = parse_program(0, &src);
    assert!(r.diagnostics.is_empty());
}

/// Unclosed blocks used to make every enclosing statement parse its text again (twice per
/// level); now each is one error at its `{`.
#[test]
fn unclosed_blocks_are_reported_at_their_brace_once() {
    let src = "if x > 0 {\n  y = 1\n".repeat(40);
    let r = parse_program(0, &src);
    let unclosed = r.diagnostics.iter().filter(|d| d.message.contains("never closed")).count();
    assert_eq!(unclosed, 40, "{:?}", r.diagnostics);
    // A statement after a block's `}` on the same line is an error, and parsing goes on.
    let r = parse_program(0, "while c {\n}x = 1\nz = 2\n");
    assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
    assert!(dump_program(&r.program).contains("(= z 2)"));
}

#[test]
fn an_if_statement_needs_no_else_but_an_if_value_does() {
    let r = parse_program(0, "if a { b = 1 }\nif a { b = 1 } else if c { b = 2 }\n");
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    for src in ["x = if a { 1 }", "f(if a { 1 })", "if a { 1 } + 2", "y = [if a { 1 }]"] {
        let r = parse_program(0, src);
        let codes: Vec<&str> = r.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(codes, ["an `if` used as a value needs an `else`"], "{src}");
    }
}

fn token_soup() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "x", "f", "A", "1", "2.5", " ", "\n", ";", ",", "(", ")", "[", "]", "{", "}", "=", "+", "-", "*", "/", "^",
        "'", ":", ".", "->", "==", "<", "and", "not", "if", "else", "for", "in", "while", "fn", "return", "end", "\"",
        "\"a{x}\"", "{", "\\", "@", "#", "é", "+=",
    ]);
    prop::collection::vec(prop_oneof![pieces.prop_map(String::from), any::<char>().prop_map(String::from)], 0..30)
        .prop_map(|v| v.concat())
        .prop_filter("short", |s| s.len() <= 60)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn never_panics(src in token_soup()) {
        let r = parse_program(0, &src);
        for d in &r.diagnostics {
            for l in &d.labels {
                prop_assert!(l.span.start <= l.span.end && l.span.end as usize <= src.len(), "{:?} in {:?}", d, src);
            }
        }
        let _ = dump_program(&r.program);
        let _ = is_incomplete(&src);
    }
}

#[test]
fn rendered_diagnostics() {
    let mut sm = crate::span::SourceMap::new();
    let src = "x = [1, 2\n     3 4]\ny = f(1, 2]\nz = [1, (2 +]\nif a < b < c { }\nw = \"{q\"\n";
    let id = sm.add("t.mml", src);
    let r = parse_program(id, src);
    let out: String = r.diagnostics.iter().map(|d| d.render(&sm, false)).collect();
    for want in [
        "expected `,` or `]`, found number",
        "this matrix literal starts here",
        "Help: separate elements with commas and rows with `;`, as in `[1, 2; 3, 4]`",
        "this `]` does not match the `(` it closes",
        "the innermost open bracket is this `(`",
        "Help: write `)` here, or remove the `]` if it is one too many",
        "comparison operators cannot be chained",
        "unmatched `{` in string",
    ] {
        assert!(out.contains(want), "{want:?} missing from:\n{out}");
    }
}

#[test]
fn mismatched_brackets_stay_on_their_line() {
    check_errors(
        "z = [1, (2 +]\nif a < b < c { }",
        &["this `(` is never closed", "comparison operators cannot be chained"],
    );
    check_errors(
        "y = f(1, 2]\nif a < b < c { }",
        &["this `]` does not match the `(` it closes", "comparison operators cannot be chained"],
    );
}

#[test]
fn a_long_flat_expression_is_dropped_without_deep_recursion() {
    // A sum of 100,000 terms is a left-leaning tree that deep; taking it apart must not
    // recurse, even on a small stack.
    let src = format!("x = {}", vec!["1"; 100_000].join(" + "));
    let worker = std::thread::Builder::new().stack_size(1 << 20);
    let joined = worker
        .spawn(move || {
            let r = parse_program(0, &src);
            let statements = r.program.stmts.len();
            drop(r);
            statements
        })
        .unwrap()
        .join();
    assert_eq!(joined.ok(), Some(1));
}

/// A bracket the input never closes inside another kind of bracket (`f([1, a f([1, a …`, or
/// `f([a f([a … )))`) made the call fail, then the same text be read again as a parenthesised
/// element: twice per level (the fuzzed input of `tests/hostile/found/
/// syntax__unclosed_brackets_of_two_kinds.mml` took 2.5 s in a release build). The layout pass
/// now closes every such bracket where its enclosing bracket closes, or at the end, with one
/// error each; sixty levels would otherwise take longer than the universe is old.
#[test]
fn brackets_left_open_inside_other_brackets_are_closed_once() {
    let src = format!("x = {}", "f([1, a ".repeat(60));
    let r = parse_program(0, &src);
    let never: Vec<&str> =
        r.diagnostics.iter().filter(|d| d.message.contains("never closed")).map(|d| d.code).collect();
    assert_eq!(never, ["syntax"], "{:?}", r.diagnostics);
    assert!(r.incomplete);
    let src = format!("x = {}{}\ny = 2", "f([a ".repeat(60), ")".repeat(60));
    let r = parse_program(0, &src);
    assert!(dump_program(&r.program).ends_with("(= y 2)\n"), "{}", dump_program(&r.program));
    let src = format!("x = {}{}\ny = 2", "f([a ".repeat(20), ")".repeat(20));
    let r = parse_program(0, &src);
    let never = r.diagnostics.iter().filter(|d| d.message == "this `[` is never closed").count();
    assert_eq!(never, 20, "{:?}", r.diagnostics);
    assert!(dump_program(&r.program).ends_with("(= y 2)\n"), "{}", dump_program(&r.program));
    // Closed by the wrong kind at the end of a line: the error names both brackets.
    let r = parse_program(0, "z = f([1, 2)\nw = 3");
    assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
    assert_eq!(r.diagnostics[0].message, "this `[` is never closed");
    assert!(dump_program(&r.program).ends_with("(= w 3)\n"));
}

/// An error inside an index (or call) inside a matrix made the index fail, and the same text be
/// read again as a new matrix element after a missing comma: `[q[[q[[ … *` doubled per level
/// (a fuzzed input of 126 bytes took 12 s in the language server's fuzz target). A `[` or `(`
/// right after a value now only indexes or calls it.
#[test]
fn an_error_inside_nested_indices_is_read_once() {
    let src = format!("{}*", "[q[[".repeat(60));
    let r = parse_program(0, &src);
    assert!(!r.diagnostics.is_empty());
    // Valid text means what it meant: an index and a call inside a matrix.
    let r = parse_program(0, "m = [a[1], f(2), [3]]");
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(dump_program(&r.program), "(= m (matrix ((index a 1) (call f 2) (matrix (3)))))\n");
}

/// An operator whose operand failed to parse was tried again by each prefix operator around
/// it, and a call or index that failed again for each: `-a(-a(-a( … (if o` or
/// `!o - (!o - ( …` multiplied the work by two or three per level (a fuzzed input of 330
/// bytes for the language server's target took 329 s to parse in a debug build). Calls,
/// indexes, fields and transposes are now folded onto their atom, tried once, and an atom that
/// failed at a position fails there at once.
#[test]
fn a_bad_operand_inside_operators_is_read_once() {
    for unit in ["o--a(", "!a(", "-a(", "!o-(", "-a^(", "!a^[", "not a == (", "f(-x'[", "-a.b("] {
        let src = format!("x = {}(if o", unit.repeat(60));
        // Sixty levels at even 1.5 times the work per level would take years: the parse runs
        // on its own thread, so that the test fails rather than hangs.
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || send.send(parse_program(0, &src).diagnostics.len()));
        let errors = receive.recv_timeout(std::time::Duration::from_secs(30));
        assert!(matches!(errors, Ok(n) if n > 0), "{unit}: {errors:?}");
    }
    // What the operators mean is unchanged: postfix binds tighter than any prefix or infix.
    let r = parse_program(0, "y = -a(1)[2].b' ^ -f(x)' + !g(1)");
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(
        dump_program(&r.program),
        "(= y (+ (- (^ (' (. (index (call a 1) 2) b)) (- (' (call f x))))) (not (call g 1))))\n"
    );
}

#[test]
fn a_closer_of_the_wrong_kind_closes_its_bracket_for_the_grammar() {
    // `)` in a block (or `]` after `(`) closes the innermost bracket, and the grammar sees
    // that bracket's own closer: a closer it cannot match made each enclosing rule fail and be
    // tried again, twice the work per level.
    for unit in ["if x {\n)\n", "f(a, [1, 2)\n", "while x {\n]\n", "x = [1, (2, 3]\n"] {
        let src = format!("{}}}1", unit.repeat(60));
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || send.send(parse_program(0, &src).diagnostics.len()));
        let errors = receive.recv_timeout(std::time::Duration::from_secs(30));
        assert!(matches!(errors, Ok(n) if n > 0), "{unit:?}: {errors:?}");
    }
    check_errors("if x {\n)\nz = 1", &["this `)` does not match the block it closes"]);
}
