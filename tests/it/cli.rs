//! The `mml` command line: scripts, `-e`, standard input, `check`, exit statuses and messages.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;

/// A fresh file with `contents` in a directory of its own under the system's temp directory.
fn temp_file(name: &str, contents: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("mml-it-cli-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn mml() -> Command {
    let mut cmd = Command::cargo_bin("mml").unwrap();
    // Whatever the developer's terminal, the child's stderr is a pipe: no colour either way.
    cmd.env_remove("NO_COLOR");
    cmd
}

/// Runs `cmd` and returns (exit status, stdout, stderr).
fn output(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn runs_a_script_file() {
    let path = temp_file("sum.mml", "x = 1 + 2\nprint(x)\n");
    let (status, stdout, stderr) = output(mml().arg(&path));
    assert_eq!((status, stdout.as_str(), stderr.as_str()), (0, "3\n", ""));
}

#[test]
fn evaluates_a_snippet() {
    let (status, stdout, stderr) = output(mml().args(["-e", "print(1 + 2)"]));
    assert_eq!((status, stdout.as_str(), stderr.as_str()), (0, "3\n", ""));
}

#[test]
fn a_snippet_shows_the_value_of_its_final_expression() {
    let run = |code: &str| {
        let (status, stdout, stderr) = output(mml().args(["-e", code]));
        assert_eq!((status, stderr.as_str()), (0, ""), "{code}");
        stdout
    };
    assert_eq!(run("1 + 2"), "3\n");
    assert_eq!(run("0.1 + 0.2"), "0.30000000000000004\n", "a single number prints in full");
    assert_eq!(run("x = 2\nx * 3"), "6\n");
    assert_eq!(run("1\n2"), "2\n", "only the final expression");
    assert_eq!(run("x = 3"), "", "an assignment shows nothing");
    assert_eq!(run("print(1)"), "1\n", "`print` returns nothing, which is not shown");
    assert_eq!(run("[1/3, 2]"), "2×1 matrix\n  0.33333\n  2\n");
    assert_eq!(run("format(\"long\")\n[1/3, 2]"), "2×1 matrix\n  0.3333333333333333\n  2\n");
    assert_eq!(
        output(mml().args(["--precision", "3", "-e", "[pi, 2]"])).1,
        "2×1 matrix\n  3.14\n  2\n",
        "--precision sets the matrix digits"
    );
}

#[test]
fn a_script_prints_only_what_it_prints() {
    let path = temp_file("quiet.mml", "1 + 2\nx = 4\nx\n");
    let (status, stdout, _) = output(mml().arg(&path));
    assert_eq!((status, stdout.as_str()), (0, ""));
}

#[test]
fn reads_a_script_from_standard_input() {
    let (status, stdout, stderr) = output(mml().write_stdin("print(1+2)\n"));
    assert_eq!((status, stdout.as_str(), stderr.as_str()), (0, "3\n", ""));
    let (status, stdout, _) = output(mml().arg("-").write_stdin("print(2 * 3)\n"));
    assert_eq!((status, stdout.as_str()), (0, "6\n"));
}

#[test]
fn an_error_exits_1_with_an_uncoloured_diagnostic() {
    let (status, stdout, stderr) = output(mml().args(["-e", "print(1)\nx = [1, 2] * [3, 4]\nprint(2)"]));
    assert_eq!(status, 1, "stderr: {stderr}");
    assert_eq!(stdout, "1\n", "the script stops at the error");
    assert!(stderr.contains("shape mismatch"), "{stderr}");
    assert!(stderr.contains("<-e>"), "the source is named `<-e>`: {stderr}");
    assert!(!stderr.contains('\x1b'), "no ANSI escapes when stderr is not a terminal: {stderr:?}");
}

#[test]
fn errors_in_a_file_name_the_file() {
    let path = temp_file("bad.mml", "x = [1, 2] * [3, 4]\n");
    let (status, _, stderr) = output(mml().arg(&path));
    assert_eq!(status, 1);
    assert!(stderr.contains("bad.mml"), "{stderr}");
    assert!(stderr.contains("shape mismatch"), "{stderr}");
}

#[test]
fn check_accepts_a_good_file_without_running_it() {
    let path = temp_file("good.mml", "x = 2\nprint(x * 21)\n");
    let (status, stdout, stderr) = output(mml().arg("check").arg(&path));
    assert_eq!(status, 0, "stderr: {stderr}");
    // (The temporary path may itself contain "42", so look for the printed line.)
    assert!(!stdout.lines().any(|l| l == "42"), "check must not run the script: {stdout}");
    assert_eq!(stdout, format!("{}: no errors\n", path.display()));
    assert_eq!(stderr, "");
}

#[test]
fn check_reports_parse_and_name_errors() {
    let path = temp_file("broken.mml", "print(\"ran\")\ny = undefined_thing + 1\n");
    let (status, stdout, stderr) = output(mml().arg("check").arg(&path));
    assert_eq!(status, 1, "stderr: {stderr}");
    assert!(!stdout.contains("ran"), "check must not run the script: {stdout}");
    assert!(stderr.contains("undefined_thing"), "{stderr}");

    let path = temp_file("syntax.mml", "x = [1, 2\ny = )\n");
    let (status, _, stderr) = output(mml().arg("check").arg(&path));
    assert_eq!(status, 1);
    assert!(stderr.contains("syntax.mml"), "{stderr}");
}

#[test]
fn a_missing_file_exits_2() {
    let (status, stdout, stderr) = output(mml().arg("no-such-file.mml"));
    assert_eq!(status, 2);
    assert_eq!(stdout, "");
    assert_eq!(stderr, "mml: cannot read `no-such-file.mml`: No such file or directory\n");
}

#[test]
fn assert_error_never_catches_a_timeout() {
    let code = "fn spin() {\n    while true { }\n}\nassert_error(spin, \"timeout\")\nprint(\"caught\")";
    let (status, stdout, stderr) = output(mml().args(["--max-seconds", "0.2", "-e", code]));
    assert_eq!(status, 1, "{stderr}");
    assert_eq!(stdout, "", "the script stops at the timeout");
    assert!(stderr.contains("[timeout]"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    let (status, _, stderr) = output(mml().arg("--no-such-option"));
    assert_eq!(status, 2);
    assert!(stderr.starts_with("mml: unknown option `--no-such-option`\n"), "{stderr}");
}

#[test]
fn version() {
    let (status, stdout, _) = output(mml().arg("--version"));
    assert_eq!((status, stdout), (0, format!("mml {}\n", env!("CARGO_PKG_VERSION"))));
}

#[test]
fn help() {
    let (status, stdout, _) = output(mml().arg("--help"));
    assert_eq!(status, 0);
    for part in ["Usage:", "mml [OPTIONS] FILE", "-e CODE", "check FILE", "--max-depth", "--precision"] {
        assert!(stdout.contains(part), "`{part}` missing from:\n{stdout}");
    }
}

#[test]
fn limits_are_passed_to_the_session() {
    let code = "fn f(n) { return f(n + 1) }\nf(1)";
    let (status, _, stderr) = output(mml().args(["--max-depth", "20", "-e", code]));
    assert_eq!(status, 1);
    assert!(stderr.contains("20"), "the error names the limit: {stderr}");
}

#[test]
fn a_time_limit_stops_an_endless_loop() {
    let (status, _, stderr) = output(mml().args(["--max-seconds", "0.2", "-e", "while true { }"]));
    assert_eq!(status, 1);
    assert!(stderr.contains("[timeout]") && stderr.contains("0.2 s"), "{stderr}");
}

#[test]
fn the_element_limit_is_configurable() {
    let (status, _, stderr) = output(mml().args(["--max-elements", "100", "-e", "A = zeros(20, 20)"]));
    assert_eq!(status, 1);
    assert!(stderr.contains("[limit-exceeded]") && stderr.contains("20×20"), "{stderr}");
    let (status, stdout, _) = output(mml().args(["--max-elements", "100", "-e", "print(size(zeros(10, 10)))"]));
    assert_eq!(status, 0, "{stdout}");
}

#[test]
fn strings_and_lists_have_the_element_limit_too() {
    // Doubling a string 40 times would need a terabyte; it stops at the limit with a span.
    let doubling = "s = \"ab\"\nfor i in 1:40 {\n  s = s + s\n}";
    let (status, _, stderr) = output(mml().args(["--max-elements", "1000", "-e", doubling]));
    assert_eq!(status, 1);
    assert!(stderr.contains("[limit-exceeded]") && stderr.contains("a string of 1024 bytes"), "{stderr}");
    assert!(stderr.contains(":3:7"), "points at `s + s`: {stderr}");
    let interpolated = "s = \"ab\"\nfor i in 1:40 { s = \"{s}{s}\" }";
    let (status, _, stderr) = output(mml().args(["--max-elements", "1000", "-e", interpolated]));
    assert_eq!(status, 1);
    assert!(stderr.contains("a string of 1024 bytes"), "{stderr}");
    let lists = "L = {1}\nfor i in 1:40 { L = L + L }";
    let (status, _, stderr) = output(mml().args(["--max-elements", "1000", "-e", lists]));
    assert_eq!(status, 1);
    assert!(stderr.contains("a list of 1024 items"), "{stderr}");
    let (status, stdout, _) = output(mml().args(["--max-elements", "1000", "-e", "print(length(\"ab\" + \"cd\"))"]));
    assert_eq!((status, stdout.trim()), (0, "4"));
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_script_with_a_diagnostic_and_status_130() {
    use std::process::{Command as Std, Stdio};
    let script = temp_file("forever.mml", "");
    let ready = script.with_file_name("ready.csv");
    // Once the script has written its file, it is in its loop.
    let text = format!("write_csv(\"{}\", [1])\nx = 0\nwhile true {{\n  x = x + 1\n}}\n", ready.display());
    std::fs::write(&script, text).unwrap();
    let child =
        Std::new(env!("CARGO_BIN_EXE_mml")).arg(&script).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let waited = std::time::Instant::now();
    while !ready.exists() {
        assert!(waited.elapsed().as_secs() < 60, "the script never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let killed = Std::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("[interrupted]") && stderr.contains("forever.mml:3:1"), "{stderr}");
}

#[test]
fn the_time_limit_holds_inside_large_matrix_operations() {
    // A 4000×4000 product is 6.4e10 multiply-adds: longer than 0.2 s on any machine, so it
    // is stopped between its blocks, at the `*`.
    let product = "A = ones(4000, 4000)\nB = A * A\nprint(B[1, 1])";
    let (status, stdout, stderr) = output(mml().args(["--max-seconds", "0.2", "-e", product]));
    assert_eq!(status, 1, "{stdout}");
    assert!(stderr.contains("[timeout]") && stderr.contains("<-e>:2:5"), "{stderr}");
    // A decomposition cannot stop halfway: one that could not finish is refused up front.
    let decomposition = "A = ones(4000, 4000)\ne = eig(A)";
    let (status, _, stderr) = output(mml().args(["--max-seconds", "5", "-e", decomposition]));
    assert_eq!(status, 1);
    assert!(stderr.contains("[timeout]") && stderr.contains("floating-point operations"), "{stderr}");
    assert!(stderr.contains("<-e>:2:5"), "{stderr}");
    // Small ones are untouched.
    let (status, stdout, _) = output(mml().args(["--max-seconds", "5", "-e", "print(det(eye(3) * 2))"]));
    assert_eq!((status, stdout.trim()), (0, "8"));
}

#[test]
fn the_step_limit_is_deterministic() {
    // Loop iterations and calls are counted, checked every 64 steps: the same on every machine.
    let looping = "x = 0\nwhile true {\n  x = x + 1\n}";
    let (status, _, stderr) = output(mml().args(["--max-steps", "1000", "-e", looping]));
    assert_eq!(status, 1);
    assert!(stderr.contains("[limit-exceeded]") && stderr.contains("step limit of 1000"), "{stderr}");
    assert!(stderr.contains("<-e>:2:1"), "{stderr}");
    let counted = "n = 0\nfor i in 1:5000 { n = n + 1 }\nprint(n)";
    let (_, stdout, stderr) = output(mml().args(["--max-steps", "1000", "-e", counted]));
    assert!(stdout.is_empty() && stderr.contains("step limit"), "{stdout}{stderr}");
    let (status, stdout, _) = output(mml().args(["--max-steps", "10000", "-e", counted]));
    assert_eq!((status, stdout.trim()), (0, "5000"));
    let recursion = "f(n) = if n == 0 { 0 } else { 1 + f(n - 1) }\nprint(f(100))\nprint(f(5000))";
    let (status, stdout, stderr) = output(mml().args(["--max-steps", "1000", "-e", recursion]));
    assert_eq!((status, stdout.trim()), (1, "100"), "{stderr}");
    assert!(stderr.contains("step limit of 1000"), "{stderr}");
}

/// Products, LU solves, inverses, determinants and Cholesky give the same bits on any number
/// of threads; the Householder-based kernels (QR, SVD, symmetric eigen, least squares, PCA)
/// sum their reflections in another order, so their last bits may differ (here they agree to
/// 1e-12); the same number of threads gives the same bits every time. Each result's
/// sum is printed in full with `--threads 1`, `2` and `4` (and `MML_THREADS`); the sizes are
/// above the kernels' threshold for going parallel.
#[test]
fn kernels_give_the_same_results_on_any_number_of_threads() {
    let script = temp_file(
        "threads.mml",
        "total(M) = sum(sum(M))
        seed(7)
        A = randn(300, 300)
        B = randn(300, 280)
        S = A' * A + eye(300)
        print(\"threads {threads()}\")
        print(\"product {total(A * B)}\")
        print(\"solve {total(A \\ B)}\")
        print(\"inv {total(inv(A))}\")
        print(\"det {det(A)}\")
        values, vectors = eigh(S)
        print(\"eigh {total(values)} {total(abs(vectors))}\")
        U, s, V = svd(B)
        print(\"singular-values {total(s)}\")
        print(\"svd-vectors {total(abs(U))} {total(abs(V))}\")
        Q, R = qr(B)
        print(\"qr {total(abs(Q))} {total(abs(R))}\")
        print(\"chol {total(chol(S))}\")
        print(\"lstsq {total(lstsq(B, A[:, 1]).x)}\")
        r = pca(B, 5)
        print(\"pca {total(abs(r.components))} {total(abs(r.scores))}\")
        ",
    );
    let run = |threads: &str| {
        let (status, stdout, stderr) = output(mml().arg("--threads").arg(threads).arg(&script));
        assert_eq!(status, 0, "{stderr}");
        stdout
    };
    let one = run("1");
    assert!(one.starts_with("threads 1\n"), "{one}");
    let numbers = |line: &str| -> Vec<f64> { line.split(' ').skip(1).map(|x| x.parse().unwrap()).collect() };
    let compare = |other: &str, what: &str| {
        assert_eq!(one.lines().count(), other.lines().count(), "{what}: {other}");
        for (a, b) in one.lines().zip(other.lines()).skip(1) {
            let label = a.split(' ').next().unwrap_or("");
            if !matches!(label, "product" | "solve" | "inv" | "det" | "chol") {
                for (x, y) in numbers(a).into_iter().zip(numbers(b)) {
                    assert!((x - y).abs() <= 1e-12 * x.abs(), "{what}: {a} vs {b}");
                }
            } else {
                assert_eq!(a, b, "{what}: not the same bits");
            }
        }
    };
    for n in ["2", "4"] {
        let other = run(n);
        assert!(other.starts_with(&format!("threads {n}\n")), "{other}");
        compare(&other, &format!("--threads {n}"));
        assert_eq!(run(n), other, "--threads {n} twice");
    }
    let (status, stdout, _) = output(mml().env("MML_THREADS", "3").arg(&script));
    assert_eq!(status, 0);
    assert!(stdout.starts_with("threads 3\n"), "{stdout}");
    compare(&stdout, "MML_THREADS=3");
    // Bad settings: a usage error for the option, a warning (and the default) for the variable.
    let (status, _, stderr) = output(mml().arg("--threads").arg("0").arg(&script));
    assert_eq!(status, 2, "{stderr}");
    assert!(stderr.contains("--threads"), "{stderr}");
    let (status, _, stderr) = output(mml().env("MML_THREADS", "many").args(["-e", "threads() >= 1"]));
    assert_eq!(status, 0);
    assert!(stderr.contains("ignoring MML_THREADS=many"), "{stderr}");
}
