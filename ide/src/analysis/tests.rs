use super::*;

fn analyse(text: &str) -> Analysis {
    Analysis::new(mml_stdlib::library(), text)
}

/// The texts of spans, with their starts.
fn spans(text: &str, found: &[Span]) -> Vec<(usize, String)> {
    found.iter().map(|s| (s.start as usize, text[s.start as usize..s.end as usize].to_string())).collect()
}

fn at(text: &str, needle: &str, nth: usize) -> usize {
    text.match_indices(needle).nth(nth).map(|(i, _)| i).unwrap()
}

#[test]
fn references_follow_the_resolvers_scopes() {
    let text = "x = 1\nf(x) = x + 1\ng(y) = y + x\nx = f(x)\n";
    let a = analyse(text);
    // The global `x`: not the parameter of `f`, but read inside `g`.
    let global = a.references(0, true).unwrap();
    let starts: Vec<usize> = global.iter().map(|s| s.start as usize).collect();
    assert_eq!(starts, [0, at(text, "x", 3), at(text, "x", 4), at(text, "x", 5)]);
    let without = a.references(0, false).unwrap();
    assert_eq!(without.len(), 3, "the first assignment is the declaration");
    // The parameter `x` of `f`.
    let param = a.references(at(text, "x", 1), true).unwrap();
    assert_eq!(spans(text, &param), [(8, "x".into()), (13, "x".into())]);
    assert_eq!(a.definition(13), Some(param[0]));
    // A user function: its definition and its call.
    let f = a.references(at(text, "f", 0), true).unwrap();
    assert_eq!(f.iter().map(|s| s.start as usize).collect::<Vec<_>>(), [6, at(text, "f(", 1)]);
    // A builtin has none; nor does a blank.
    let b = analyse("y = sin(1)\n");
    assert_eq!(b.references(5, true), None);
    assert_eq!(b.references(3, true), None);
}

#[test]
fn a_captured_variable_is_the_one_it_copies() {
    let text = "fn outer(a) {\n    k = 2\n    h = t -> t * k + a\n    return h(1)\n}\nk = 5\n";
    let a = analyse(text);
    let local_k = a.references(at(text, "k", 0), true).unwrap();
    assert_eq!(local_k.iter().map(|s| s.start as usize).collect::<Vec<_>>(), [at(text, "k", 0), at(text, "k", 1)]);
    let param = a.references(at(text, "a", 0), true).unwrap();
    assert_eq!(param.len(), 2);
    let global_k = a.references(at(text, "k", 2), true).unwrap();
    assert_eq!(global_k.len(), 1);
    // A recursive call is the function itself.
    let text = "fact(n) = if n <= 1 { 1 } else { n * fact(n - 1) }\nfact(3)\n";
    let refs = analyse(text).references(0, true).unwrap();
    assert_eq!(refs.len(), 3, "{refs:?}");
}

#[test]
fn renaming_refuses_what_it_cannot_do_safely() {
    let lib = mml_stdlib::library();
    let text = "total = 0\nfor k in 1:3 { total += k }\nprint(\"{total}\")\nr = {a = 1}\nv = r.a\n";
    let a = analyse(text);
    let edits = a.rename(lib, text, 1, "sum_so_far").unwrap();
    assert_eq!(edits.len(), 3, "including inside the interpolation: {edits:?}");
    assert_eq!(edits[2].start as usize, at(text, "total", 2));
    let err = |offset: usize, name: &str| a.rename(lib, text, offset, name).unwrap_err();
    assert_eq!(err(1, "k"), "`k` is already a name in this file: renaming `total` to it would collide");
    assert_eq!(err(1, "sum"), "`sum` is a builtin function: the new name would shadow it");
    assert_eq!(err(1, "pi"), "`pi` is a builtin constant: the new name would shadow it");
    assert_eq!(err(1, "for"), "`for` is a keyword, not a name");
    assert!(err(1, "2x").contains("not a valid name"));
    assert!(err(1, "a b").contains("not a valid name"));
    assert_eq!(err(at(text, "print", 0), "p"), "`print` is a builtin function and cannot be renamed");
    assert_eq!(err(at(text, "for", 0), "p"), "`for` is a keyword and cannot be renamed");
    assert!(err(at(text, "r.a", 0) + 2, "b").contains("field name"), "r.a");
    // A field's name is not a variable: renaming `r` to `a` is fine.
    assert_eq!(a.rename(lib, text, at(text, "r = {", 0), "a").unwrap().len(), 2);
    let broken = "x = (1\ny = x\n";
    assert!(analyse(broken).rename(lib, broken, 0, "z").unwrap_err().contains("syntax errors"));
}

#[test]
fn the_outline_has_functions_and_top_level_variables() {
    let text = "A = eye(2)\nfn loss(w, b) {\n    inner(z) = z\n    return inner(w) + b\n}\nsq = x -> x ^ 2\nA = 3\nfor i in 1:2 { q = i }\n";
    let symbols = analyse(text).symbols();
    let names: Vec<(&str, bool, &str)> =
        symbols.iter().map(|s| (s.name.as_str(), s.function, s.detail.as_str())).collect();
    assert_eq!(names, [("A", false, ""), ("loss", true, "loss(w, b)"), ("sq", true, "sq(x)")]);
    let loss = &symbols[1];
    assert_eq!(&text[loss.range.0..loss.range.1], "fn loss(w, b) {\n    inner(z) = z\n    return inner(w) + b\n}");
    assert_eq!(&text[loss.selection.0..loss.selection.1], "loss");
    assert_eq!(loss.children.len(), 1);
    assert_eq!(loss.children[0].detail, "inner(z)");
    assert_eq!(&text[symbols[0].range.0..symbols[0].range.1], "A = eye(2)");
}

fn kinds(text: &str) -> Vec<(String, TokenType, u32)> {
    analyse(text)
        .highlights(text)
        .into_iter()
        .map(|h| (text[h.start..h.end].to_string(), h.kind, h.modifiers))
        .collect()
}

#[test]
fn every_token_gets_its_kind() {
    use TokenType::*;
    let text = "# top\nf(x) = x' * 2i + pi # done\ny = f(sin(1e-3)) .^ 2\n";
    let k = |s: &str, t, m| (s.to_string(), t, m);
    assert_eq!(
        kinds(text),
        [
            k("# top", Comment, 0),
            k("f", Function, DECLARATION),
            k("x", Parameter, DECLARATION),
            k("=", Operator, 0),
            k("x", Parameter, 0),
            k("'", Operator, 0),
            k("*", Operator, 0),
            k("2i", Number, 0),
            k("+", Operator, 0),
            k("pi", Variable, READONLY | DEFAULT_LIBRARY),
            k("# done", Comment, 0),
            k("y", Variable, DECLARATION),
            k("=", Operator, 0),
            k("f", Function, 0),
            k("sin", Function, DEFAULT_LIBRARY),
            k("1e-3", Number, 0),
            k(".^", Operator, 0),
            k("2", Number, 0),
        ]
    );
}

#[test]
fn strings_interpolation_keywords_and_fields() {
    use TokenType::*;
    let text = "r = {n = 1}\nfor i in 1:2 { print(\"i = {i + r.n}\\n\", sep = \"\") }\n";
    let got: Vec<(std::string::String, TokenType)> = kinds(text).into_iter().map(|(s, t, _)| (s, t)).collect();
    let k = |s: &str, t| (s.to_string(), t);
    assert_eq!(
        got,
        [
            k("r", Variable),
            k("=", Operator),
            k("n", Property),
            k("=", Operator),
            k("1", Number),
            k("for", Keyword),
            k("i", Variable),
            k("in", Keyword),
            k("1", Number),
            k(":", Operator),
            k("2", Number),
            k("print", Function),
            k("\"i = ", String),
            k("i", Variable),
            k("+", Operator),
            k("r", Variable),
            k(".", Operator),
            k("n", Property),
            k("\\n\"", String),
            k("sep", Parameter),
            k("=", Operator),
            k("\"\"", String),
        ]
    );
    // A string over two lines is two pieces; an unterminated one runs to the end.
    let text = "s = \"a\nb\" # c\nt = \"open # not a comment";
    let got: Vec<(std::string::String, TokenType)> = kinds(text).into_iter().map(|(s, t, _)| (s, t)).collect();
    assert_eq!(&got[2..4], [k("\"a", String), k("b\"", String)]);
    assert_eq!(got[4], k("# c", Comment));
    assert_eq!(got.last().unwrap(), &k("\"open # not a comment", String));
}

#[test]
fn identifiers() {
    assert!(is_identifier("θ2") && is_identifier("_x") && is_identifier("x_1"));
    assert!(!is_identifier("") && !is_identifier("end") && !is_identifier("x y") && !is_identifier("1x"));
    assert!(!is_identifier("x#"));
}

/// What `mml check` reports for `text`, and what running it reports, both rendered.
fn check_and_run(text: &str) -> (Vec<String>, Vec<String>, bool) {
    let lib = mml_stdlib::library();
    let mut checking = mml_runtime::Session::new(lib, Box::new(|_| {}));
    let checked = checking.check("t.mml", text);
    let checked: Vec<String> = checked.diagnostics.iter().map(|d| d.render(checking.sources(), false)).collect();
    let mut running = mml_runtime::Session::new(lib, Box::new(|_| {}));
    let ran = running.run("t.mml", text);
    let ok = ran.is_ok();
    let ran = ran.diagnostics.iter().map(|d| d.render(running.sources(), false)).collect();
    (checked, ran, ok)
}

#[test]
fn shape_mismatches_found_without_running_read_as_the_runtime_reports_them() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/errors/shape");
    for name in [
        "shape_mismatch.mml",
        "shape_mismatch__broadcast.mml",
        "shape_mismatch__row_plus_column.mml",
        "shape_mismatch__literal_sizes.mml",
        "not_square.mml",
    ] {
        let text = std::fs::read_to_string(root.join(name)).unwrap();
        let (checked, ran, _) = check_and_run(&text);
        assert_eq!(checked, ran, "{name}");
        assert_eq!(checked.len(), 1, "{name}");
    }
    let cases = [
        ("eye(2) * [1, 2, 3]", "shape mismatch in `*`: 2×2 and 3×1"),
        ("[1, 2; 3, 4] + zeros(3, 3)", "shape mismatch in `+`: 2×2 and 3×3"),
        ("v = [1, 2, 3]\nv * v", "shape mismatch in `*`: 3×1 and 3×1"),
        ("A = ones(2, 3)\nx = A' * A\ny = x * ones(2)", "shape mismatch in `*`: 3×3 and 2×1"),
        ("A = [1, 2, 3; 4, 5, 6]\nprint(\"{A ^ 2}\")", "`^` needs a square matrix, found 2×3"),
        ("fn f(x) {\n    return x + [1, 2] * [3, 4, 5]\n}", "shape mismatch in `*`: 2×1 and 3×1"),
    ];
    for (text, message) in cases {
        let a = analyse(text);
        let messages: Vec<&str> = a.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages, [message], "{text}");
        let code = a.diagnostics[0].code;
        assert!(code == "shape-mismatch" || code == "not-square", "{code}");
        // Running it fails the same way, where it runs.
        if !text.starts_with("fn") {
            let (checked, ran, _) = check_and_run(text);
            assert_eq!(checked, ran, "{text}");
        }
    }
}

#[test]
fn legal_operations_and_unknown_shapes_give_nothing() {
    let legal = [
        "[1, 2, 3] + 1",
        "2 * [1, 2; 3, 4]",
        "[1, 2, 3] .* [4, 5, 6]",
        "[1, 2; 3, 4] + [10, 20]'",
        "[1, 2; 3, 4] .* [10, 20]",
        "ones(3) .^ 2",
        "v = [1, 2, 3]\nv' * v",
        "v = [1, 2, 3]\nv * v'",
        "eye(3) \\ [1, 2, 3]",
        "[1, 2; 3, 4] ^ 2",
        "[1, 2; 3, 4] ^ -1",
        "[[1, 2], [3, 4]] * [1, 2]",
        "[1, 2; 3, 4] == [1, 2; 3, 4]",
        "[1; 2; 3]' * [1, 2, 3]",
        "x = [1, 2]\nx = [1, 2, 3]\nx' * [4, 5, 6]",
        "s = 0\nfor k in 1:3 { s = s + [k, k] }\nA = zeros(2, 2) * s",
    ];
    for text in legal {
        let (checked, ran, ok) = check_and_run(text);
        assert!(ok, "{text} should run: {ran:?}");
        assert!(checked.is_empty(), "{text}: {checked:?}");
    }
    // Shapes that are not known for sure are not judged, even where running would fail.
    let unknown = [
        // Assigned twice: the second assignment might not have run yet.
        "A = eye(2)\nif rand() > 2 { A = eye(3) }\nA * [1, 2, 3]",
        // A function may run before the assignment.
        "f() = A * [1, 2, 3]\nA = eye(2)",
        // Read before its assignment (an `unassigned` error at run time).
        "B = A * [1, 2, 3]\nA = eye(2)",
        // A variable called `zeros` is not the builtin.
        "zeros = x -> eye(2)\nzeros(3) * [1, 2, 3]",
        "A = eye(2)\nA[3, 3] = 1\nA * [1, 2, 3]",
        "n = 2\nzeros(n, n) * [1, 2, 3]",
    ];
    for text in unknown {
        let a = analyse(text);
        assert!(!a.diagnostics.iter().any(|d| d.code == "shape-mismatch"), "{text}: {:?}", a.diagnostics);
    }
    // With a syntax error elsewhere, variables are not tracked, literals still are.
    let a = analyse("A = eye(2)\nA * [1, 2, 3]\nx = )\neye(2) * [1, 2, 3]\n");
    let shapes: Vec<&Diagnostic> = a.diagnostics.iter().filter(|d| d.code == "shape-mismatch").collect();
    assert_eq!(shapes.len(), 1, "{:?}", a.diagnostics);
    assert_eq!(shapes[0].labels[0].span.start, 31, "the literal `eye(2)` on line 4");
}

#[test]
fn what_assert_error_is_given_is_meant_to_fail() {
    let text = "assert_error(() -> [1, 2] * [3, 4], \"shape-mismatch\")\n";
    assert!(analyse(text).diagnostics.is_empty());
    let (checked, _, ok) = check_and_run(text);
    assert!(ok && checked.is_empty());
}

/// Every `.mml` file under `dir`, recursively.
fn scripts(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            scripts(&p, out);
        } else if p.extension().is_some_and(|e| e == "mml") {
            out.push(p);
        }
    }
}

#[test]
fn an_edit_re_reads_only_its_statements_and_gives_what_a_whole_parse_gives() {
    let lib = mml_stdlib::library();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    scripts(&root.join("examples"), &mut files);
    scripts(&root.join("tests/lang"), &mut files);
    assert!(files.len() > 20);
    let pieces =
        ["", "x", "1", " ", "\n", "(", ")", "[", "]", "{", "}", "'", "\"", "#", "+", ",", ";", "=", "end", "θ"];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let (mut fast, mut total) = (0, 0);
    for file in files {
        let mut text = std::fs::read_to_string(&file).unwrap();
        let mut analysis = Analysis::new(lib, &text);
        for _ in 0..12 {
            let mut start = next(text.len() + 1);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut old_end = (start + next(6)).min(text.len());
            while !text.is_char_boundary(old_end) {
                old_end += 1;
            }
            let piece = pieces[next(pieces.len())];
            let mut new_text = text.clone();
            new_text.replace_range(start..old_end, piece);
            let edit = Edit { start, old_end, new_end: start + piece.len() };
            let whole = Analysis::new(lib, &new_text);
            total += 1;
            if analysis.parsed_cleanly {
                if let Some(p) = incremental::reparse(analysis.program.clone(), &new_text, edit) {
                    fast += 1;
                    assert_eq!(p, whole.program, "{}: {edit:?} {piece:?}", file.display());
                }
            }
            let edited = analysis.edited(lib, &new_text, edit);
            assert_eq!(edited.program, whole.program, "{}", file.display());
            assert_eq!(format!("{:?}", edited.diagnostics), format!("{:?}", whole.diagnostics));
            assert_eq!(edited.occurrences, whole.occurrences);
            // Mostly go on from the edited text; sometimes back to the file (clean again).
            if next(4) == 0 {
                text = std::fs::read_to_string(&file).unwrap();
                analysis = Analysis::new(lib, &text);
            } else {
                text = new_text;
                analysis = edited;
            }
        }
    }
    eprintln!("the fast path was taken {fast} times in {total}");
    assert!(fast * 4 > total, "the fast path was taken {fast} times in {total}");
}

#[test]
fn an_edit_after_a_very_long_sum_moves_it() {
    // A big stack for the parser's and the tree's own recursion; the move itself grows its
    // stack as it needs.
    let run = || {
        let lib = mml_stdlib::library();
        let text = format!("a = 1\nx = {}\ny = 2\n", vec!["1"; 20_000].join(" + "));
        let analysis = Analysis::new(lib, &text);
        assert!(analysis.parsed_cleanly);
        let new_text = format!("aa{}", &text[1..]);
        let edited = analysis.edited(lib, &new_text, Edit { start: 0, old_end: 1, new_end: 2 });
        let last = edited.program.stmts.last().unwrap();
        assert_eq!(&new_text[last.span.start as usize..last.span.end as usize], "y = 2");
        let StmtKind::Assign { value, .. } = &edited.program.stmts[1].node else { panic!() };
        let ExprKind::Binary(_, _, one) = &value.node else { panic!() };
        assert_eq!(&new_text[one.span.start as usize..one.span.end as usize], "1");
        assert_eq!(one.span.end as usize, new_text.find("\ny").unwrap());
    };
    std::thread::Builder::new().stack_size(1 << 30).spawn(run).unwrap().join().unwrap();
}
