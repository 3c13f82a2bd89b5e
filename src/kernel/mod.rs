//! `mml kernel`: MML as a Jupyter kernel, and `mml kernel install` / `uninstall`.
//!
//! The sockets run on one tokio thread: heartbeat, control (kernel info, interrupt,
//! shutdown), shell (read here, answered by the evaluation thread, in order), and iopub, an
//! XPUB socket that greets each subscriber (JEP 65) so that a new client sees every output.
//! Evaluation runs on a thread of its own ([`worker`]), so a long cell never blocks the
//! control channel: an interrupt request sets the session's interrupt flag, and the cell
//! stops with an `interrupted` error within one loop iteration or call.

mod install;
mod worker;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use jupyter_protocol::{
    CodeMirrorMode, ConnectionInfo, HelpLink, InterruptReply, IoPubWelcome, JupyterMessage, JupyterMessageContent,
    KernelInfoReply, LanguageInfo, ReplyStatus, ShutdownReply, Status,
};
use jupyter_zmq_client::SubscriptionEvent;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use crate::cli::Options;
use crate::run::EXIT_USAGE;
use install::Location;
use worker::{Outgoing, Worker};

/// The text of `mml kernel --help`.
pub const USAGE: &str = "\
mml kernel: MML in Jupyter notebooks

Usage:
  mml kernel install [WHERE] [LIMITS]   make Jupyter offer MML (writes kernels/mml/)
  mml kernel uninstall [WHERE]          remove it
  mml kernel --connection-file FILE [LIMITS]
                                        run the kernel (Jupyter does this)

WHERE:
  --user          the user's Jupyter data directory (default; $JUPYTER_DATA_DIR when set)
  --prefix DIR    DIR/share/jupyter/kernels/mml, like `jupyter kernelspec install --prefix`
  --sys-prefix    the active Python environment's share/jupyter/kernels/mml

LIMITS (given to install, they are written into kernel.json and hold for every cell):
  --max-seconds S    wall-clock limit for one cell
  --max-steps N      most loop iterations and function calls in one cell
  --max-elements N   most elements in one matrix or list, bytes in one string
  --max-depth N      deepest nesting of function calls
  --precision P      significant digits when showing numbers
";

/// What `mml kernel …` asks for.
#[derive(Debug)]
enum Request {
    Run(PathBuf, Options),
    Install(Location, Vec<String>),
    Uninstall(Location),
    Help,
}

/// `mml kernel ARGS`.
pub fn main(args: Vec<OsString>) -> ExitCode {
    match parse(args) {
        Ok(Request::Help) => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Request::Install(location, extra)) => match install::install(&location, &extra) {
            Ok(dir) => {
                println!("installed the MML kernel in {}", dir.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
        Ok(Request::Uninstall(location)) => match install::uninstall(&location) {
            Ok(dir) => {
                println!("removed the MML kernel from {}", dir.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
        Ok(Request::Run(file, options)) => run(&file, &options),
        Err(e) => {
            eprintln!("mml kernel: {e}");
            eprintln!("Try `mml kernel --help` for more information.");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("mml kernel: {message}");
    ExitCode::from(EXIT_USAGE)
}

fn parse(args: Vec<OsString>) -> Result<Request, String> {
    let mut args: Vec<String> = args
        .into_iter()
        .map(|a| a.into_string().map_err(|a| format!("argument `{}` is not valid UTF-8", a.to_string_lossy())))
        .collect::<Result<_, _>>()?;
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(Request::Help);
    }
    let sub = match args.first().map(String::as_str) {
        Some("install") => Some(true),
        Some("uninstall") => Some(false),
        _ => None,
    };
    if sub.is_some() {
        args.remove(0);
    }
    let mut location = None;
    let mut connection_file = None;
    let mut rest = Vec::new();
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value =
            |what: &str| inline.clone().or_else(|| it.next()).ok_or_else(|| format!("`{name}` needs {what}"));
        let place = match name.as_str() {
            "--user" => Some(Location::User),
            "--sys-prefix" => Some(Location::SysPrefix),
            "--prefix" => Some(Location::Prefix(PathBuf::from(value("a directory")?))),
            "--connection-file" | "-f" if sub.is_none() => {
                connection_file = Some(PathBuf::from(value("a file")?));
                None
            }
            _ => {
                rest.push(arg.clone());
                if let Some(v) = inline {
                    rest.pop();
                    rest.push(name.clone());
                    rest.push(v);
                } else if name.starts_with("--") && name != "--" {
                    if let Some(v) = it.next() {
                        rest.push(v);
                    }
                }
                None
            }
        };
        if let Some(place) = place {
            if sub.is_none() {
                return Err(format!("`{name}` belongs to `mml kernel install` or `uninstall`"));
            }
            if location.is_some() {
                return Err("give one of --user, --prefix DIR and --sys-prefix".to_string());
            }
            location = Some(place);
        }
    }
    // The limits are the main command's options: parse them the same way.
    let options = match crate::cli::parse(rest.iter().map(OsString::from)) {
        Ok(inv) if inv.command == crate::cli::Command::Default => inv.options,
        Ok(_) => return Err(format!("unexpected arguments: {}", rest.join(" "))),
        Err(e) => return Err(e),
    };
    let location = location.unwrap_or(Location::User);
    match sub {
        Some(true) => Ok(Request::Install(location, rest)),
        Some(false) if rest.is_empty() => Ok(Request::Uninstall(location)),
        Some(false) => Err(format!("`uninstall` takes no limits: {}", rest.join(" "))),
        None => match connection_file {
            Some(file) => Ok(Request::Run(file, options)),
            None => Err("`mml kernel` needs `--connection-file FILE` (Jupyter gives it), or `install`".to_string()),
        },
    }
}

/// The kernel's description of itself and its language.
fn kernel_info() -> KernelInfoReply {
    KernelInfoReply {
        status: ReplyStatus::Ok,
        protocol_version: "5.3".to_string(),
        implementation: "mml".to_string(),
        implementation_version: env!("CARGO_PKG_VERSION").to_string(),
        language_info: LanguageInfo {
            name: "mml".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            mimetype: Some("text/x-mml".to_string()),
            file_extension: Some(".mml".to_string()),
            // Julia's highlighting fits MML's lexical shape best: `#` comments, `'` as
            // transpose after a name, `"…"` strings, `1:n`, `->` lambdas.
            pygments_lexer: Some("julia".to_string()),
            codemirror_mode: Some(CodeMirrorMode::Simple("julia".to_string())),
            nbconvert_exporter: None,
        },
        banner: format!("MML {}: a matrix language for the mathematics of machine learning", env!("CARGO_PKG_VERSION")),
        help_links: vec![HelpLink {
            text: "MML language".to_string(),
            url: "https://github.com/mml-lang/mml/blob/main/docs/language.md".to_string(),
        }],
        debugger: false,
        error: None,
    }
}

/// Runs the kernel until a shutdown request.
fn run(file: &PathBuf, options: &Options) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            return fail(&format!(
                "cannot read the connection file `{}`: {}",
                file.display(),
                crate::run::io_message(&e)
            ))
        }
    };
    let info: ConnectionInfo = match serde_json::from_str(&text) {
        Ok(i) => i,
        Err(e) => return fail(&format!("the connection file `{}` is not valid: {e}", file.display())),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return fail(&format!("cannot start: {e}")),
    };
    match runtime.block_on(serve(info, options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

async fn serve(info: ConnectionInfo, options: &Options) -> Result<(), String> {
    let session_id = uuid::Uuid::new_v4().to_string();
    let bind = |what: &str, e: jupyter_zmq_client::RuntimeError| format!("cannot open the {what} socket: {e}");
    let mut heartbeat =
        jupyter_zmq_client::create_kernel_heartbeat_connection(&info).await.map_err(|e| bind("heartbeat", e))?;
    let shell =
        jupyter_zmq_client::create_kernel_shell_connection(&info, &session_id).await.map_err(|e| bind("shell", e))?;
    let mut control = jupyter_zmq_client::create_kernel_control_connection(&info, &session_id)
        .await
        .map_err(|e| bind("control", e))?;
    let _stdin =
        jupyter_zmq_client::create_kernel_stdin_connection(&info, &session_id).await.map_err(|e| bind("stdin", e))?;
    let mut iopub = jupyter_zmq_client::create_kernel_iopub_xpub_connection(&info, &session_id)
        .await
        .map_err(|e| bind("iopub", e))?;
    let (mut shell_out, mut shell_in) = shell.split();

    let (out_tx, mut out_rx): (UnboundedSender<Outgoing>, UnboundedReceiver<Outgoing>) = unbounded_channel();
    let (req_tx, req_rx) = std::sync::mpsc::channel::<JupyterMessage>();
    let (flag_tx, flag_rx) = std::sync::mpsc::channel();
    let running = Arc::new(AtomicBool::new(false));
    {
        let (out_tx, running, options) = (out_tx.clone(), running.clone(), options.clone());
        std::thread::Builder::new()
            .name("mml-eval".to_string())
            .spawn(move || {
                let worker = Worker::new(&options, out_tx, running);
                let _ = flag_tx.send(worker.interrupt_flag());
                worker.serve(req_rx);
            })
            .map_err(|e| format!("cannot start the evaluation thread: {e}"))?;
    }
    let interrupt = flag_rx.recv().map_err(|_| "the evaluation thread did not start".to_string())?;
    // SIGINT (a terminal's Ctrl-C reaching the kernel's process group) interrupts the cell too.
    {
        let (interrupt, running) = (interrupt.clone(), running.clone());
        let _ = ctrlc::set_handler(move || {
            if running.load(Ordering::SeqCst) {
                interrupt.store(true, Ordering::SeqCst);
            }
        });
    }

    tokio::spawn(async move { while heartbeat.single_heartbeat().await.is_ok() {} });

    // Outputs go out in the order they were made; subscribers are greeted (JEP 65).
    tokio::spawn(async move {
        loop {
            tokio::select! {
                out = out_rx.recv() => match out {
                    Some(Outgoing::IoPub(m)) => {
                        if let Err(e) = iopub.send(m).await {
                            eprintln!("mml kernel: cannot publish an output: {e}");
                        }
                    }
                    Some(Outgoing::Shell(m)) => {
                        if let Err(e) = shell_out.send(m).await {
                            eprintln!("mml kernel: cannot send a reply: {e}");
                        }
                    }
                    None => break,
                },
                sub = iopub.recv_subscription() => {
                    if let Ok(SubscriptionEvent::Subscribe(topic)) = sub {
                        let _ = iopub.send(IoPubWelcome::new(topic).into()).await;
                    }
                }
            }
        }
    });

    // The shell channel: every request goes to the evaluation thread, in order.
    {
        let out_tx = out_tx.clone();
        tokio::spawn(async move {
            loop {
                match shell_in.read().await {
                    Ok(m) => {
                        if let JupyterMessageContent::ShutdownRequest(_) = &m.content {
                            // Older clients send shutdown on the shell channel.
                            let _ = out_tx.send(Outgoing::Shell(shutdown_reply(&m)));
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            std::process::exit(0);
                        }
                        if req_tx.send(m).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        eprintln!("mml kernel: ignoring a bad message on the shell channel: {e}");
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                }
            }
        });
    }

    // The control channel, answered here so that it is never blocked by a running cell.
    loop {
        let m = match control.read().await {
            Ok(m) => m,
            Err(e) => {
                eprintln!("mml kernel: ignoring a bad message on the control channel: {e}");
                tokio::time::sleep(Duration::from_millis(1)).await;
                continue;
            }
        };
        let _ = out_tx.send(Outgoing::IoPub(Status::busy().as_child_of(&m)));
        let reply: Option<JupyterMessage> = match &m.content {
            JupyterMessageContent::KernelInfoRequest(_) => Some(kernel_info().as_child_of(&m)),
            JupyterMessageContent::InterruptRequest(_) => {
                if running.load(Ordering::SeqCst) {
                    interrupt.store(true, Ordering::SeqCst);
                }
                Some(InterruptReply::new().as_child_of(&m))
            }
            JupyterMessageContent::ShutdownRequest(_) => {
                let reply = shutdown_reply(&m);
                if let Err(e) = control.send(reply).await {
                    eprintln!("mml kernel: cannot reply to shutdown: {e}");
                }
                let _ = out_tx.send(Outgoing::IoPub(Status::idle().as_child_of(&m)));
                // Let the iopub task publish the last status, then leave.
                tokio::time::sleep(Duration::from_millis(100)).await;
                return Ok(());
            }
            other => {
                eprintln!("mml kernel: no answer to a `{}` message on the control channel", other.message_type());
                None
            }
        };
        if let Some(reply) = reply {
            if let Err(e) = control.send(reply).await {
                eprintln!("mml kernel: cannot send a reply: {e}");
            }
        }
        let _ = out_tx.send(Outgoing::IoPub(Status::idle().as_child_of(&m)));
    }
}

fn shutdown_reply(m: &JupyterMessage) -> JupyterMessage {
    let restart = matches!(&m.content, JupyterMessageContent::ShutdownRequest(r) if r.restart);
    ShutdownReply { restart, status: ReplyStatus::Ok, error: None }.as_child_of(m)
}
