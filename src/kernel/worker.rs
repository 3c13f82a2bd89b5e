//! The evaluation thread: it owns the session (and the figures, which are per thread) and
//! answers the shell channel's requests one at a time, in order, as Jupyter expects. The
//! message loop stays free meanwhile, so the control channel (interrupt, shutdown) is always
//! answered.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jupyter_protocol::{
    CommInfoReply, CompleteReply, DisplayData, ErrorOutput, ExecuteInput, ExecuteReply, ExecuteRequest, ExecuteResult,
    ExecutionCount, HistoryReply, InspectReply, IsCompleteReply, IsCompleteReplyStatus, JupyterMessage,
    JupyterMessageContent, Media, MediaType, Payload, ReplyError, ReplyStatus, Status, StreamContent, Transient,
};
use mml_ide::{Command, Completeness, Names};
use mml_lang::Severity;
use mml_runtime::Session;
use serde_json::json;
use tokio::sync::mpsc::UnboundedSender;

use crate::cli::Options;

/// A message for a socket, from the evaluation thread or the control task.
pub enum Outgoing {
    /// For the iopub (broadcast) socket.
    IoPub(JupyterMessage),
    /// A reply on the shell socket.
    Shell(JupyterMessage),
}

/// Printed output waits this long at most before it is sent, so a loop that prints a line
/// per iteration sends a few messages a second, not one per line, and a line printed before
/// a long computation still shows at once.
const STREAM_DELAY: Duration = Duration::from_millis(100);

/// Text printed by the running cell, not yet sent.
struct Stream {
    parent: Option<JupyterMessage>,
    text: String,
    sent: Instant,
    out: UnboundedSender<Outgoing>,
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
            let _ = self.out.send(Outgoing::IoPub(StreamContent::stdout(&text).as_child_of(parent)));
        }
    }
}

/// The evaluation thread's state.
pub struct Worker {
    session: Session,
    stream: Arc<Mutex<Stream>>,
    out: UnboundedSender<Outgoing>,
    count: usize,
    /// Set while a cell runs, so that an interrupt arriving between cells is not kept for
    /// the next one.
    running: Arc<AtomicBool>,
    /// Requests taken off the channel while cancelling, still to be answered.
    pending: VecDeque<JupyterMessage>,
}

impl Worker {
    /// A session with the command line's limits, printing into cells' outputs.
    pub fn new(options: &Options, out: UnboundedSender<Outgoing>, running: Arc<AtomicBool>) -> Worker {
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
    pub fn serve(mut self, requests: Receiver<JupyterMessage>) {
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
    fn take_cancelled(&mut self, requests: &Receiver<JupyterMessage>) -> Vec<JupyterMessage> {
        let mut cancelled = Vec::new();
        while let Ok(m) = requests.try_recv() {
            match &m.content {
                JupyterMessageContent::ExecuteRequest(r) if r.stop_on_error => cancelled.push(m),
                _ => self.pending.push_back(m),
            }
        }
        cancelled
    }

    fn iopub(&self, m: JupyterMessage) {
        let _ = self.out.send(Outgoing::IoPub(m));
    }

    fn reply(&self, m: JupyterMessage) {
        let _ = self.out.send(Outgoing::Shell(m));
    }

    /// Answers one request between busy and idle.
    fn handle(&mut self, message: &JupyterMessage, requests: &Receiver<JupyterMessage>) {
        self.iopub(Status::busy().as_child_of(message));
        let mut cancelled = Vec::new();
        match &message.content {
            JupyterMessageContent::KernelInfoRequest(_) => self.reply(super::kernel_info().as_child_of(message)),
            JupyterMessageContent::ExecuteRequest(req) => cancelled = self.execute(req, message, requests),
            JupyterMessageContent::CompleteRequest(req) => {
                let names = Names::of(&self.session);
                let pos = mml_ide::text::byte_of_char(&req.code, req.cursor_pos);
                let found = mml_ide::complete(&names, &req.code, pos);
                let start = mml_ide::text::char_of_byte(&req.code, found.start);
                let end = mml_ide::text::char_of_byte(&req.code, found.end);
                let types: Vec<serde_json::Value> = found
                    .items
                    .iter()
                    .map(|i| {
                        json!({"start": start, "end": end, "text": i.insert, "type": i.kind.name(),
                               "signature": i.detail})
                    })
                    .collect();
                let mut metadata = serde_json::Map::new();
                metadata.insert("_jupyter_types_experimental".to_string(), serde_json::Value::Array(types));
                let reply = CompleteReply {
                    matches: found.items.into_iter().map(|i| i.insert).collect(),
                    cursor_start: start,
                    cursor_end: end,
                    metadata,
                    status: ReplyStatus::Ok,
                    error: None,
                };
                self.reply(reply.as_child_of(message));
            }
            JupyterMessageContent::InspectRequest(req) => {
                let pos = mml_ide::text::byte_of_char(&req.code, req.cursor_pos);
                let name = name_at(&req.code, pos);
                let help = name.as_deref().and_then(|n| {
                    let md = mml_ide::help_markdown(&self.session, n)?;
                    Some((mml_ide::help_text(&self.session, Some(n)), md))
                });
                let (found, data) = match help {
                    Some((text, md)) => (true, Media::new(vec![MediaType::Plain(text), MediaType::Markdown(md)])),
                    None => (false, Media::default()),
                };
                let reply =
                    InspectReply { found, data, metadata: Default::default(), status: ReplyStatus::Ok, error: None };
                self.reply(reply.as_child_of(message));
            }
            JupyterMessageContent::IsCompleteRequest(req) => {
                let (status, indent) = match mml_ide::completeness(&req.code) {
                    Completeness::Complete => (IsCompleteReplyStatus::Complete, String::new()),
                    Completeness::Incomplete { indent } => (IsCompleteReplyStatus::Incomplete, indent),
                    Completeness::Invalid => (IsCompleteReplyStatus::Invalid, String::new()),
                };
                self.reply(IsCompleteReply { status, indent }.as_child_of(message));
            }
            JupyterMessageContent::HistoryRequest(_) => {
                let reply = HistoryReply { history: Vec::new(), status: ReplyStatus::Ok, error: None };
                self.reply(reply.as_child_of(message));
            }
            JupyterMessageContent::CommInfoRequest(_) => {
                let reply = CommInfoReply { status: ReplyStatus::Ok, comms: HashMap::new(), error: None };
                self.reply(reply.as_child_of(message));
            }
            other => eprintln!("mml kernel: no answer to a `{}` message on the shell channel", other.message_type()),
        }
        self.iopub(Status::idle().as_child_of(message));
        for m in cancelled {
            self.abort(&m);
        }
    }

    /// Replies `aborted` to a cell cancelled by an earlier failure.
    fn abort(&mut self, message: &JupyterMessage) {
        self.iopub(Status::busy().as_child_of(message));
        let reply = ExecuteReply {
            status: ReplyStatus::Aborted,
            execution_count: ExecutionCount::new(self.count),
            payload: Vec::new(),
            user_expressions: Some(HashMap::new()),
            error: None,
        };
        self.reply(reply.as_child_of(message));
        self.iopub(Status::idle().as_child_of(message));
    }

    /// Runs a cell; returns the queued cells its failure cancels.
    fn execute(
        &mut self,
        req: &ExecuteRequest,
        message: &JupyterMessage,
        requests: &Receiver<JupyterMessage>,
    ) -> Vec<JupyterMessage> {
        if !req.silent {
            self.count += 1;
        }
        let count = ExecutionCount::new(self.count);
        self.iopub(ExecuteInput { code: req.code.clone(), execution_count: count }.as_child_of(message));
        {
            let mut stream = lock(&self.stream);
            stream.parent = (!req.silent).then(|| message.clone());
            stream.text.clear();
        }
        let mut payload = Vec::new();
        let error = match mml_ide::parse_command(&req.code) {
            Some(command) => self.command(command, message, &mut payload),
            None => self.run(&req.code, count, req.silent, message),
        };
        lock(&self.stream).flush();
        let (status, error) = match error {
            Some(e) => (ReplyStatus::Error, Some(Box::new(e))),
            None => (ReplyStatus::Ok, None),
        };
        let cancelled = if error.is_some() && req.stop_on_error { self.take_cancelled(requests) } else { Vec::new() };
        let reply =
            ExecuteReply { status, execution_count: count, payload, user_expressions: Some(HashMap::new()), error };
        self.reply(reply.as_child_of(message));
        cancelled
    }

    /// Runs MML code; returns the error it reported, if any.
    fn run(&mut self, code: &str, count: ExecutionCount, silent: bool, message: &JupyterMessage) -> Option<ReplyError> {
        let name = format!("In[{}]", count.value());
        self.running.store(true, Ordering::SeqCst);
        let (outcome, value) = self.session.run_cell(&name, code);
        self.running.store(false, Ordering::SeqCst);
        self.session.interrupt_flag().store(false, Ordering::SeqCst);
        lock(&self.stream).flush();
        if !silent {
            // Figures first: a cell that drew and then failed still shows what it drew.
            for fig in mml_stdlib::plot::take_figures() {
                let png = data_encoding::BASE64.encode(&fig.png);
                let data = Media::new(vec![MediaType::Png(png), MediaType::Svg(fig.svg)]);
                let mut metadata = serde_json::Map::new();
                metadata.insert("image/png".to_string(), json!({"width": fig.width, "height": fig.height}));
                let display = DisplayData { data, metadata, transient: Some(Transient { display_id: None }) };
                self.iopub(display.as_child_of(message));
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
                        let out = ErrorOutput {
                            ename: e.ename.clone(),
                            evalue: e.evalue.clone(),
                            traceback: e.traceback.clone(),
                        };
                        self.iopub(out.as_child_of(message));
                    }
                    error = Some(e);
                }
            } else if !silent {
                self.iopub(StreamContent::stderr(&rendered).as_child_of(message));
            }
        }
        if let (Some(v), false, None) = (value, silent, &error) {
            let r = mml_ide::render_value(&self.session, &v);
            let mut media = vec![MediaType::Plain(r.plain)];
            media.extend(r.html.map(MediaType::Html));
            media.extend(r.latex.map(MediaType::Latex));
            let result = ExecuteResult {
                execution_count: count,
                data: Media::new(media),
                metadata: Default::default(),
                transient: Some(Transient { display_id: None }),
            };
            self.iopub(result.as_child_of(message));
        }
        error
    }

    /// Runs a front-end command (`:help eig`, `?eig`, `:vars`) in a cell. Help goes to the
    /// notebook's pager, as IPython's `?` does.
    fn command(
        &mut self,
        command: Result<Command, String>,
        message: &JupyterMessage,
        payload: &mut Vec<Payload>,
    ) -> Option<ReplyError> {
        let text = match command {
            Ok(Command::Help(name)) => {
                let text = mml_ide::help_text(&self.session, name.as_deref());
                payload.push(Payload::Page { data: Media::new(vec![MediaType::Plain(text)]), start: 0 });
                String::new()
            }
            Ok(Command::Vars) => mml_ide::vars_text(&self.session),
            Ok(Command::Digits(digits)) => {
                self.session.set_digits(digits);
                String::new()
            }
            Ok(Command::Load(file)) => match crate::run::read_file(file.as_ref()) {
                Ok(code) => {
                    let count = ExecutionCount::new(self.count);
                    return self.run(&code, count, false, message);
                }
                Err(e) => return Some(self.command_error(&e, message)),
            },
            Ok(Command::Quit) => {
                "The kernel keeps running: to stop it, use the notebook's Kernel menu (Shut Down).\n".to_string()
            }
            Err(e) => return Some(self.command_error(&e, message)),
        };
        if !text.is_empty() {
            self.iopub(StreamContent::stdout(&text).as_child_of(message));
        }
        None
    }

    fn command_error(&self, text: &str, message: &JupyterMessage) -> ReplyError {
        let e = ReplyError {
            ename: "command".to_string(),
            evalue: text.to_string(),
            traceback: vec![format!("error: {text}")],
        };
        let out = ErrorOutput { ename: e.ename.clone(), evalue: e.evalue.clone(), traceback: e.traceback.clone() };
        self.iopub(out.as_child_of(message));
        e
    }
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
