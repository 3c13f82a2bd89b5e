//! `mml kernel`: MML as a Jupyter kernel, and `mml kernel install` / `uninstall`.
//!
//! The sockets are MML's own ZeroMQ transport ([`zmtp`], on std's sockets and threads) and
//! the Jupyter wire protocol over it ([`wire`]): heartbeat (REP), control (kernel info,
//! interrupt, shutdown; answered on the main thread), shell (read by a thread of its own,
//! answered by the evaluation thread, in order), stdin, and iopub, an XPUB socket that greets
//! each subscriber (JEP 65) so that a new client sees every output. Each socket takes any
//! number of clients. Evaluation runs on a thread of its own ([`worker`]), so a long cell
//! never blocks the control channel: an interrupt request sets the session's interrupt
//! flag, and the cell stops with an `interrupted` error within one loop iteration or call.

mod install;
mod wire;
mod worker;
mod zmtp;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::cli::Options;
use crate::run::EXIT_USAGE;
use install::Location;
use wire::{Message, Wire};
use worker::{Outgoing, Worker};
use zmtp::{Endpoint, Event, Kind, Socket};

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

/// The kernel's description of itself and its language (a `kernel_info_reply`).
fn kernel_info() -> Value {
    let version = env!("CARGO_PKG_VERSION");
    json!({
        "status": "ok",
        "protocol_version": "5.3",
        "implementation": "mml",
        "implementation_version": version,
        "language_info": {
            "name": "mml",
            "version": version,
            "mimetype": "text/x-mml",
            "file_extension": ".mml",
            // Julia's highlighting fits MML's lexical shape best: `#` comments, `'` as
            // transpose after a name, `"…"` strings, `1:n`, `->` lambdas.
            "pygments_lexer": "julia",
            "codemirror_mode": "julia",
        },
        "banner": format!("MML {version}: a matrix language for the mathematics of machine learning"),
        "help_links": [{
            "text": "MML language",
            "url": "https://github.com/mml-lang/mml/blob/main/docs/language.md",
        }],
        "debugger": false,
    })
}

/// What the connection file says.
struct Connection {
    transport: String,
    ip: String,
    key: String,
    scheme: String,
    shell: u16,
    iopub: u16,
    stdin: u16,
    control: u16,
    hb: u16,
}

impl Connection {
    fn parse(text: &str) -> Result<Connection, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let text = |k: &str, default: &str| -> Result<String, String> {
            match v.get(k) {
                None | Some(Value::Null) => Ok(default.to_string()),
                Some(Value::String(s)) => Ok(s.clone()),
                Some(other) => Err(format!("`{k}` should be a string, not {other}")),
            }
        };
        let port = |k: &str| -> Result<u16, String> {
            let p = v.get(k).ok_or_else(|| format!("it has no `{k}`"))?;
            match p.as_u64().and_then(|n| u16::try_from(n).ok()) {
                Some(n) if n > 0 => Ok(n),
                _ => Err(format!("`{k}` should be a port number from 1 to 65535, not {p}")),
            }
        };
        let c = Connection {
            transport: text("transport", "tcp")?,
            ip: text("ip", "127.0.0.1")?,
            key: text("key", "")?,
            scheme: text("signature_scheme", "hmac-sha256")?,
            shell: port("shell_port")?,
            iopub: port("iopub_port")?,
            stdin: port("stdin_port")?,
            control: port("control_port")?,
            hb: port("hb_port")?,
        };
        if c.transport != "tcp" && c.transport != "ipc" {
            return Err(format!("`transport` should be \"tcp\" or \"ipc\", not \"{}\"", c.transport));
        }
        Ok(c)
    }

    fn endpoint(&self, port: u16) -> Endpoint {
        if self.transport == "ipc" {
            Endpoint::Ipc(PathBuf::from(format!("{}-{port}", self.ip)))
        } else {
            Endpoint::Tcp(self.ip.clone(), port)
        }
    }

    /// The socket files an ipc kernel leaves, removed when it stops.
    fn ipc_paths(&self) -> Vec<PathBuf> {
        if self.transport != "ipc" {
            return Vec::new();
        }
        [self.shell, self.iopub, self.stdin, self.control, self.hb]
            .iter()
            .map(|p| PathBuf::from(format!("{}-{p}", self.ip)))
            .collect()
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
    let info = match Connection::parse(&text) {
        Ok(i) => i,
        Err(e) => return fail(&format!("the connection file `{}` is not valid: {e}", file.display())),
    };
    options.apply_threads();
    let result = serve(&info, options);
    remove_files(&info.ipc_paths());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn remove_files(paths: &[PathBuf]) {
    for p in paths {
        let _ = std::fs::remove_file(p);
    }
}

fn serve(info: &Connection, options: &Options) -> Result<(), String> {
    let wire = Arc::new(Wire::new(&info.key, &info.scheme, uuid::Uuid::new_v4().to_string())?);
    let bind = |kind, name: &'static str, port| {
        Socket::bind(kind, name, &info.endpoint(port)).map_err(|e| format!("cannot open the {name} socket: {e}"))
    };
    let (_heartbeat, _) = bind(Kind::Rep, "heartbeat", info.hb)?;
    let (shell, shell_in) = bind(Kind::Router, "shell", info.shell)?;
    let (control, control_in) = bind(Kind::Router, "control", info.control)?;
    let (_stdin, stdin_in) = bind(Kind::Router, "stdin", info.stdin)?;
    let (iopub, subscriptions) = bind(Kind::XPub, "iopub", info.iopub)?;
    let iopub = Arc::new(iopub);

    let (out_tx, out_rx) = mpsc::channel::<Outgoing>();
    let (req_tx, req_rx) = mpsc::channel::<Message>();
    let (flag_tx, flag_rx) = mpsc::channel();
    let running = Arc::new(AtomicBool::new(false));
    {
        let (out_tx, running, options) = (out_tx.clone(), running.clone(), options.clone());
        spawn("mml-eval", move || {
            let worker = Worker::new(&options, out_tx, running);
            let _ = flag_tx.send(worker.interrupt_flag());
            worker.serve(req_rx);
        })?;
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

    // Nothing is asked on stdin (input requests are not sent), so what comes is dropped.
    spawn("mml-stdin", move || for _ in stdin_in {})?;

    // Each new subscriber is greeted (JEP 65), on its own connection, with its topic.
    {
        let (iopub, wire) = (iopub.clone(), wire.clone());
        spawn("mml-iopub", move || {
            for event in subscriptions {
                if let Event::Subscribe { peer, topic } = event {
                    let subscription = String::from_utf8_lossy(&topic).into_owned();
                    let mut welcome = Message::new("iopub_welcome", json!({ "subscription": subscription }));
                    welcome.identities = if topic.is_empty() { Vec::new() } else { vec![topic] };
                    iopub.send_to(&peer, wire.frames(&welcome));
                }
            }
        })?;
    }

    // Outputs and shell replies go out in the order they were made.
    {
        let (iopub, wire) = (iopub.clone(), wire.clone());
        spawn("mml-send", move || {
            for out in out_rx {
                match out {
                    Outgoing::IoPub(mut m) => {
                        m.identities = vec![format!("kernel.{}.{}", wire.session(), m.msg_type()).into_bytes()];
                        iopub.publish(&wire.frames(&m));
                    }
                    Outgoing::Shell(m) => shell.route(wire.frames(&m)),
                }
            }
        })?;
    }

    // The shell channel: every request goes to the evaluation thread, in order.
    {
        let (out_tx, wire, paths) = (out_tx.clone(), wire.clone(), info.ipc_paths());
        spawn("mml-shell", move || {
            for m in messages(&wire, shell_in, "shell") {
                if m.msg_type() == "shutdown_request" {
                    // Older clients send shutdown on the shell channel.
                    let _ = out_tx.send(Outgoing::Shell(shutdown_reply(&m)));
                    std::thread::sleep(Duration::from_millis(100));
                    remove_files(&paths);
                    std::process::exit(0);
                }
                if req_tx.send(m).is_err() {
                    break;
                }
            }
        })?;
    }

    // The control channel, answered here so that it is never blocked by a running cell.
    for m in messages(&wire, control_in, "control") {
        let _ = out_tx.send(Outgoing::IoPub(status(&m, "busy")));
        let reply = match m.msg_type() {
            "kernel_info_request" => Some(m.child("kernel_info_reply", kernel_info())),
            "interrupt_request" => {
                if running.load(Ordering::SeqCst) {
                    interrupt.store(true, Ordering::SeqCst);
                }
                Some(m.child("interrupt_reply", json!({"status": "ok"})))
            }
            "shutdown_request" => {
                control.route(wire.frames(&shutdown_reply(&m)));
                let _ = out_tx.send(Outgoing::IoPub(status(&m, "idle")));
                // Let the last reply and status go out, then leave.
                std::thread::sleep(Duration::from_millis(100));
                return Ok(());
            }
            other => {
                eprintln!("mml kernel: no answer to a `{other}` message on the control channel");
                None
            }
        };
        if let Some(reply) = reply {
            control.route(wire.frames(&reply));
        }
        let _ = out_tx.send(Outgoing::IoPub(status(&m, "idle")));
    }
    Err("the control socket stopped".to_string())
}

/// The valid messages among a ROUTER's events; each bad one is logged and dropped.
fn messages<'a>(wire: &'a Wire, events: Receiver<Event>, channel: &'a str) -> impl Iterator<Item = Message> + 'a {
    events.into_iter().filter_map(move |event| match event {
        Event::Message(frames) => match wire.parse(frames) {
            Ok(m) => Some(m),
            Err(e) => {
                eprintln!("mml kernel: ignoring a bad message on the {channel} channel: {e}");
                None
            }
        },
        Event::Subscribe { .. } => None,
    })
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> Result<(), String> {
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(f)
        .map(drop)
        .map_err(|e| format!("cannot start the {name} thread: {e}"))
}

/// A `status` message on iopub.
pub(crate) fn status(parent: &Message, state: &str) -> Message {
    parent.child("status", json!({ "execution_state": state }))
}

fn shutdown_reply(m: &Message) -> Message {
    m.child("shutdown_reply", json!({"status": "ok", "restart": m.flag("restart", false)}))
}
