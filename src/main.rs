//! The `mml` command: runs scripts, `-e` snippets, `mml check` and the REPL.

mod cli;
mod kernel;
mod lsp;
mod repl;
mod run;

use std::io::IsTerminal;
use std::process::ExitCode;

use cli::{Command, Invocation};

fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if args.first().is_some_and(|a| a == "kernel") {
        args.remove(0);
        return kernel::main(args);
    }
    if args.first().is_some_and(|a| a == "lsp") {
        return lsp::main();
    }
    let invocation = match cli::parse(args) {
        Ok(invocation) => invocation,
        Err(message) => {
            eprintln!("mml: {message}");
            eprintln!("Try `mml --help` for more information.");
            return ExitCode::from(run::EXIT_USAGE);
        }
    };
    let Invocation { command, options } = invocation;
    options.apply_threads();
    // Plots show inline only in terminals known (from the environment) to display images.
    if std::io::stdout().is_terminal() {
        mml_stdlib::plot::set_inline(mml_stdlib::plot::inline_from_env());
    }
    match command {
        Command::Help => {
            print!("{}", cli::USAGE);
            ExitCode::SUCCESS
        }
        Command::Version => {
            println!("mml {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Command::Run(path) => run::run_file(&path, &options),
        Command::Eval(code) => run::run_eval(&code, &options),
        Command::Check(paths) => run::check_files(&paths, &options),
        Command::Stdin => run::run_stdin(&options),
        Command::Default => {
            if std::io::stdin().is_terminal() {
                repl::run(&options)
            } else {
                run::run_stdin(&options)
            }
        }
    }
}
