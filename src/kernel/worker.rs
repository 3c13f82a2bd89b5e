//! The evaluation thread: it owns the session (and the figures, which are per thread) and
//! answers the shell channel's requests one at a time, in order, as Jupyter expects. The
//! message loop stays free meanwhile, so the control channel (interrupt, shutdown) is always
//! answered.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mml_ide::{Command, Completeness, Names};
use mml_lang::Severity;
use mml_runtime::Session;
use serde_json::{json, Map, Value};

use super::status;
use super::wire::Message;
use crate::cli::Options;

/// An error a cell reported: its name, message and traceback (rendered lines).
struct ReplyError {
    ename: String,
    evalue: String,
    traceback: Vec<String>,
}

impl ReplyError {
    fn to_json(&self) -> Value {
        json!({"ename": self.ename, "evalue": self.evalue, "traceback": self.traceback})
    }
}

/// A message for a socket, from the evaluation thread or the control task.
pub enum Outgoing {
    /// For the iopub (broadcast) socket.
    IoPub(Message),
    /// A reply on the shell socket.
    Shell(Message),
}

/// Printed output waits this long at most before it is sent, so a loop that prints a line
/// per iteration sends a few messages a second, not one per line, and a line printed before
/// a long computation still shows at once.
const STREAM_DELAY: Duration = Duration::from_millis(100);

/// Text printed by the running cell, not yet sent.
struct Stream {
    parent: Option<Message>,
    text: String,
    sent: Instant,
    out: Sender<Outgoing>,
}

impl Stream {
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
        if self.text.ends_with('\n') && self.sent.elapsed() >= STREAM_DELAY {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.text.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.text);
        self.sent = Instant::now();
        if let Some(parent) = &self.parent {
            let _ = self.out.send(Outgoing::IoPub(stream(parent, "stdout", &text)));
        }
    }
}

/// The evaluation thread's state.
pub struct Worker {
    session: Session,
    stream: Arc<Mutex<Stream>>,
    out: Sender<Outgoing>,
    count: usize,
    /// Set while a cell runs, so that an interrupt arriving between cells is not kept for
    /// the next one.
    running: Arc<AtomicBool>,
    /// Requests taken off the channel while cancelling, still to be answered.
    pending: VecDeque<Message>,
}

impl Worker {
    /// A session with the command line's limits, printing into cells' outputs.
    pub fn new(options: &Options, out: Sender<Outgoing>, running: Arc<AtomicBool>) -> Worker {
        let stream =
            Arc::new(Mutex::new(Stream { parent: None, text: String::new(), sent: Instant::now(), out: out.clone() }));
        let sink = stream.clone();
        let mut session = Session::new(mml_stdlib::library(), Box::new(move |t: &str| lock(&sink).push(t)));
        // Output that waits in the buffer (the last lines before a long computation) is sent
        // within `STREAM_DELAY` by a flusher, which ends with the worker.
        let weak = Arc::downgrade(&stream);
        let _ = std::thread::Builder::new().name("mml-output".to_string()).spawn(move || loop {
            std::thread::sleep(STREAM_DELAY);
            match weak.upgrade() {
                Some(stream) => lock(&stream).flush(),
                None => return,
            }
        });
        session.set_limits(options.limits.clone());
        let mut format = session.format();
        format.precision = options.precision;
        session.set_format(format);
        mml_stdlib::plot::set_capture(true);
        Worker { session, stream, out, count: 0, running, pending: VecDeque::new() }
    }

    /// The flag the control channel sets to interrupt the running cell.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.session.interrupt_flag()
    }

    /// Answers requests until the channel closes.
    pub fn serve(mut self, requests: Receiver<Message>) {
        loop {
            let message = match self.pending.pop_front() {
                Some(m) => m,
                None => match requests.recv() {
                    Ok(m) => m,
                    Err(_) => return,
                },
            };
            self.handle(&message, &requests);
        }
    }

    /// After a failed cell: the cells already queued that ask for it (`stop_on_error`) are
    /// cancelled, as IPython does; other requests stay queued, in order. Done before the
    /// failed cell's reply goes out, so no request sent after that reply is cancelled.
    fn take_cancelled(&mut self, requests: &Receiver<Message>) -> Vec<Message> {
        let mut cancelled = Vec::new();
        while let Ok(m) = requests.try_recv() {
            if m.msg_type() == "execute_request" && m.flag("stop_on_error", true) {
                cancelled.push(m);
            } else {
                self.pending.push_back(m);
            }
        }
        cancelled
    }

    fn iopub(&self, m: Message) {
        let _ = self.out.send(Outgoing::IoPub(m));
    }

    fn reply(&self, m: Message) {
        let _ = self.out.send(Outgoing::Shell(m));
    }

    /// Answers one request between busy and idle.
    fn handle(&mut self, message: &Message, requests: &Receiver<Message>) {
        self.iopub(status(message, "busy"));
        let mut cancelled = Vec::new();
        match message.msg_type() {
            "kernel_info_request" => self.reply(message.child("kernel_info_reply", super::kernel_info())),
            "execute_request" => cancelled = self.execute(message, requests),
            "complete_request" => {
                let code = message.text("code");
                let cursor = message.count("cursor_pos").unwrap_or_else(|| code.chars().count());
                let names = Names::of(&self.session);
                let pos = mml_ide::text::byte_of_char(code, cursor);
                let found = mml_ide::complete(&names, code, pos);
                let start = mml_ide::text::char_of_byte(code, found.start);
                let end = mml_ide::text::char_of_byte(code, found.end);
                let types: Vec<Value> = found
                    .items
                    .iter()
                    .map(|i| {
                        json!({"start": start, "end": end, "text": i.insert, "type": i.kind.name(),
                               "signature": i.detail})
                    })
                    .collect();
                let matches: Vec<String> = found.items.into_iter().map(|i| i.insert).collect();
                let reply = json!({
                    "status": "ok", "matches": matches, "cursor_start": start, "cursor_end": end,
                    "metadata": {"_jupyter_types_experimental": types},
                });
                self.reply(message.child("complete_reply", reply));
            }
            "inspect_request" => {
                let code = message.text("code");
                let pos = mml_ide::text::byte_of_char(code, message.count("cursor_pos").unwrap_or(0));
                let name = name_at(code, pos);
                let help = name.as_deref().and_then(|n| {
                    let md = mml_ide::help_markdown(&self.session, n)?;
                    Some((mml_ide::help_text(&self.session, Some(n)), md))
                });
                let (found, data) = match help {
                    Some((text, md)) => (true, json!({"text/plain": text, "text/markdown": md})),
                    None => (false, json!({})),
                };
                let reply = json!({"status": "ok", "found": found, "data": data, "metadata": {}});
                self.reply(message.child("inspect_reply", reply));
            }
            "is_complete_request" => {
                let (status, indent) = match mml_ide::completeness(message.text("code")) {
                    Completeness::Complete => ("complete", String::new()),
                    Completeness::Incomplete { indent } => ("incomplete", indent),
                    Completeness::Invalid => ("invalid", String::new()),
                };
                self.reply(message.child("is_complete_reply", json!({"status": status, "indent": indent})));
            }
            "history_request" => {
                self.reply(message.child("history_reply", json!({"status": "ok", "history": []})));
            }
            "comm_info_request" => {
                self.reply(message.child("comm_info_reply", json!({"status": "ok", "comms": {}})));
            }
            other => eprintln!("mml kernel: no answer to a `{other}` message on the shell channel"),
        }
        self.iopub(status(message, "idle"));
        for m in cancelled {
            self.abort(&m);
        }
    }

    /// Replies `aborted` to a cell cancelled by an earlier failure.
    fn abort(&mut self, message: &Message) {
        self.iopub(status(message, "busy"));
        let reply = json!({
            "status": "aborted", "execution_count": self.count, "payload": [], "user_expressions": {},
        });
        self.reply(message.child("execute_reply", reply));
        self.iopub(status(message, "idle"));
    }

    /// Runs a cell; returns the queued cells its failure cancels.
    fn execute(&mut self, message: &Message, requests: &Receiver<Message>) -> Vec<Message> {
        let code = message.text("code");
        let silent = message.flag("silent", false);
        let stop_on_error = message.flag("stop_on_error", true);
        if !silent {
            self.count += 1;
        }
        let count = self.count;
        self.iopub(message.child("execute_input", json!({"code": code, "execution_count": count})));
        {
            let mut stream = lock(&self.stream);
            stream.parent = (!silent).then(|| message.clone());
            stream.text.clear();
        }
        let mut payload = Vec::new();
        let error = match mml_ide::parse_command(code) {
            Some(command) => self.command(command, message, &mut payload),
            None => self.run(code, count, silent, message),
        };
        lock(&self.stream).flush();
        let cancelled = if error.is_some() && stop_on_error { self.take_cancelled(requests) } else { Vec::new() };
        let mut reply = json!({
            "status": if error.is_some() { "error" } else { "ok" },
            "execution_count": count,
            "payload": payload,
            "user_expressions": {},
        });
        if let (Some(e), Some(fields)) = (error, reply.as_object_mut()) {
            fields.insert("ename".into(), Value::String(e.ename));
            fields.insert("evalue".into(), Value::String(e.evalue));
            fields.insert("traceback".into(), json!(e.traceback));
        }
        self.reply(message.child("execute_reply", reply));
        cancelled
    }

    /// Runs MML code; returns the error it reported, if any.
    fn run(&mut self, code: &str, count: usize, silent: bool, message: &Message) -> Option<ReplyError> {
        let name = format!("In[{count}]");
        self.running.store(true, Ordering::SeqCst);
        let (outcome, value) = self.session.run_cell(&name, code);
        self.running.store(false, Ordering::SeqCst);
        self.session.interrupt_flag().store(false, Ordering::SeqCst);
        lock(&self.stream).flush();
        if !silent {
            // Figures first: a cell that drew and then failed still shows what it drew.
            for fig in mml_stdlib::plot::take_figures() {
                let png = data_encoding::BASE64.encode(&fig.png);
                let display = json!({
                    "data": {"image/png": png, "image/svg+xml": fig.svg},
                    "metadata": {"image/png": {"width": fig.width, "height": fig.height}},
                    "transient": {},
                });
                self.iopub(message.child("display_data", display));
            }
        } else {
            mml_stdlib::plot::take_figures();
        }
        let mut error = None;
        for d in &outcome.diagnostics {
            let rendered = d.render(self.session.sources(), true);
            if d.severity == Severity::Error {
                if error.is_none() {
                    let traceback: Vec<String> = rendered.lines().map(str::to_string).collect();
                    let e = ReplyError { ename: d.code.to_string(), evalue: d.message.clone(), traceback };
                    if !silent {
                        self.iopub(message.child("error", e.to_json()));
                    }
                    error = Some(e);
                }
            } else if !silent {
                self.iopub(stream(message, "stderr", &rendered));
            }
        }
        if let (Some(v), false, None) = (value, silent, &error) {
            let r = mml_ide::render_value(&self.session, &v);
            let mut data = Map::new();
            data.insert("text/plain".into(), Value::String(r.plain));
            if let Some(html) = r.html {
                data.insert("text/html".into(), Value::String(html));
            }
            if let Some(latex) = r.latex {
                data.insert("text/latex".into(), Value::String(latex));
            }
            let result = json!({"execution_count": count, "data": data, "metadata": {}, "transient": {}});
            self.iopub(message.child("execute_result", result));
        }
        error
    }

    /// Runs a front-end command (`:help eig`, `?eig`, `:vars`) in a cell. Help goes to the
    /// notebook's pager, as IPython's `?` does.
    fn command(
        &mut self,
        command: Result<Command, String>,
        message: &Message,
        payload: &mut Vec<Value>,
    ) -> Option<ReplyError> {
        let text = match command {
            Ok(Command::Help(name)) => {
                let text = mml_ide::help_text(&self.session, name.as_deref());
                payload.push(json!({"source": "page", "data": {"text/plain": text}, "start": 0}));
                String::new()
            }
            Ok(Command::Vars) => mml_ide::vars_text(&self.session),
            Ok(Command::Digits(digits)) => {
                self.session.set_digits(digits);
                String::new()
            }
            Ok(Command::Load(file)) => match crate::run::read_file(file.as_ref()) {
                Ok(code) => {
                    return self.run(&code, self.count, false, message);
                }
                Err(e) => return Some(self.command_error(&e, message)),
            },
            Ok(Command::Quit) => {
                "The kernel keeps running: to stop it, use the notebook's Kernel menu (Shut Down).\n".to_string()
            }
            Err(e) => return Some(self.command_error(&e, message)),
        };
        if !text.is_empty() {
            self.iopub(stream(message, "stdout", &text));
        }
        None
    }

    fn command_error(&self, text: &str, message: &Message) -> ReplyError {
        let e = ReplyError {
            ename: "command".to_string(),
            evalue: text.to_string(),
            traceback: vec![format!("error: {text}")],
        };
        self.iopub(message.child("error", e.to_json()));
        e
    }
}

/// A `stream` message (printed text) on iopub.
fn stream(parent: &Message, name: &str, text: &str) -> Message {
    parent.child("stream", json!({"name": name, "text": text}))
}

/// The stream, even if a panic elsewhere poisoned its lock (its text is still usable).
fn lock(stream: &Mutex<Stream>) -> std::sync::MutexGuard<'_, Stream> {
    stream.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The name the cursor is in or just after, else the function of the call it is inside.
fn name_at(code: &str, pos: usize) -> Option<String> {
    match mml_ide::text::word_at(code, pos) {
        Some((start, end)) if !code[start..].starts_with(|c: char| c.is_ascii_digit()) => {
            Some(code[start..end].to_string())
        }
        _ => mml_ide::enclosing_call(code, pos).map(|c| c.name),
    }
}
