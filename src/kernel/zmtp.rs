//! ZeroMQ's wire protocol, ZMTP 3.0 and 3.1 (specifications 23 and 37 at rfc.zeromq.org),
//! with the NULL security mechanism, on std's sockets and threads: just what a Jupyter
//! kernel binds. Each socket listens on one endpoint and takes any number of peers; each
//! peer has a thread reading its frames and one writing its queue, so a slow or dead peer
//! holds up nobody else.
//!
//! - [`Kind::Router`] (shell, control, stdin; peers are DEALER): an incoming message gets
//!   the peer's routing id as its first frame; [`Socket::route`] sends by the first frame.
//! - [`Kind::XPub`] (iopub; peers are SUB): subscriptions arrive as `0x01`/`0x00` messages
//!   or SUBSCRIBE/CANCEL commands; [`Socket::publish`] sends to the peers subscribed to a
//!   prefix of the first frame, and each new subscription is reported as an [`Event`].
//! - [`Kind::Rep`] (heartbeat; peers are REQ): each request goes back with its envelope.
//!
//! A peer that breaks the protocol (a bad greeting, another mechanism, an oversized or
//! truncated frame) is logged once on stderr and disconnected; the socket goes on.

use std::collections::HashMap;
use std::io::{self, BufWriter, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The largest message (all its frames) a peer may send; a frame announcing more closes
/// the connection before anything is allocated for it.
pub const MAX_MESSAGE: u64 = 256 << 20;

/// Messages waiting for one peer; past this (a peer that stopped reading) new ones are
/// dropped, as libzmq does at its high-water mark.
const QUEUE: usize = 10_000;

/// How long a new connection may take to send its greeting and READY.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The frame flags (spec 23, "Framing").
const MORE: u8 = 0x01;
const LONG: u8 = 0x02;
const COMMAND: u8 = 0x04;

/// A multipart message.
pub type Frames = Vec<Vec<u8>>;

/// The socket roles a kernel binds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Router,
    XPub,
    Rep,
}

impl Kind {
    /// The `Socket-Type` announced in READY.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Router => "ROUTER",
            Kind::XPub => "XPUB",
            Kind::Rep => "REP",
        }
    }

    /// Whether a peer of `peer` type may talk to this socket (libzmq's table).
    fn accepts(self, peer: &[u8]) -> bool {
        match self {
            Kind::Router => matches!(peer, b"DEALER" | b"REQ" | b"ROUTER"),
            Kind::XPub => matches!(peer, b"SUB" | b"XSUB"),
            Kind::Rep => matches!(peer, b"REQ" | b"DEALER"),
        }
    }
}

/// What a socket reports to its owner.
#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    /// A message from a ROUTER's peer, its routing id first.
    Message(Frames),
    /// An XPUB's peer subscribed to `topic`.
    Subscribe { peer: Vec<u8>, topic: Vec<u8> },
}

/// Where a socket listens: the connection file's `transport`, `ip` and port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Tcp(String, u16),
    /// A Unix domain socket at this path (`{ip}-{port}`, as jupyter_client names it).
    Ipc(PathBuf),
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Tcp(ip, port) if ip.contains(':') => write!(f, "tcp://[{ip}]:{port}"),
            Endpoint::Tcp(ip, port) => write!(f, "tcp://{ip}:{port}"),
            Endpoint::Ipc(path) => write!(f, "ipc://{}", path.display()),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The codec: greeting, frames, commands and metadata, on any reader and writer.

/// Our greeting: ZMTP 3.1, NULL, not as server.
pub fn greeting() -> [u8; 64] {
    let mut g = [0u8; 64];
    g[0] = 0xFF;
    g[9] = 0x7F;
    g[10] = 3;
    g[11] = 1;
    g[12..16].copy_from_slice(b"NULL");
    g
}

/// Checks the first 12 bytes of a peer's greeting: the signature and version 3.0 or 3.1.
pub fn check_signature(g: &[u8]) -> Result<(), String> {
    if g.len() < 12 || g[0] != 0xFF || g[9] != 0x7F {
        let shown: Vec<String> = g.iter().take(12).map(|b| format!("{b:02x}")).collect();
        return Err(format!("it does not speak ZMTP (its greeting starts {})", shown.join(" ")));
    }
    match (g[10], g[11]) {
        (3, 0 | 1) => Ok(()),
        (major, minor) => Err(format!("it speaks ZMTP {major}.{minor}; only 3.0 and 3.1 are supported")),
    }
}

/// Checks the rest of a greeting (bytes 12 to 63): the NULL mechanism.
pub fn check_mechanism(g: &[u8]) -> Result<(), String> {
    let mechanism = g.get(12..32).unwrap_or_default();
    let name_end = mechanism.iter().position(|&b| b == 0).unwrap_or(mechanism.len());
    let (name, rest) = mechanism.split_at(name_end);
    if name == b"NULL" && rest.iter().all(|&b| b == 0) {
        Ok(())
    } else {
        Err(format!(
            "it asks for the {} security mechanism; only NULL is supported",
            String::from_utf8_lossy(name).escape_debug()
        ))
    }
}

/// Appends one frame (short or long as its size needs).
pub fn encode_frame(out: &mut Vec<u8>, body: &[u8], more: bool, command: bool) {
    let mut flags = if more { MORE } else { 0 } | if command { COMMAND } else { 0 };
    if body.len() > 255 {
        flags |= LONG;
        out.push(flags);
        out.extend_from_slice(&(body.len() as u64).to_be_bytes());
    } else {
        out.push(flags);
        out.push(body.len() as u8);
    }
    out.extend_from_slice(body);
}

/// Appends a whole message, one frame per part.
pub fn encode_message(out: &mut Vec<u8>, frames: &[Vec<u8>]) {
    if frames.is_empty() {
        encode_frame(out, &[], false, false);
    }
    for (i, f) in frames.iter().enumerate() {
        encode_frame(out, f, i + 1 < frames.len(), false);
    }
}

/// The body of a command frame: its name, then its data.
pub fn command(name: &str, data: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(1 + name.len() + data.len());
    body.push(name.len() as u8);
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(data);
    body
}

/// A READY command's body with these metadata properties.
pub fn ready(properties: &[(&str, &[u8])]) -> Vec<u8> {
    let mut data = Vec::new();
    for (name, value) in properties {
        data.push(name.len() as u8);
        data.extend_from_slice(name.as_bytes());
        data.extend_from_slice(&(value.len() as u32).to_be_bytes());
        data.extend_from_slice(value);
    }
    command("READY", &data)
}

/// Splits a command frame's body into its name and data.
pub fn split_command(body: &[u8]) -> Result<(&[u8], &[u8]), String> {
    let (&len, rest) = body.split_first().ok_or("an empty command frame")?;
    let len = usize::from(len);
    if rest.len() < len {
        return Err("a command frame shorter than its name".to_string());
    }
    Ok(rest.split_at(len))
}

/// A READY (or other) command's metadata: property names (lower case; they are
/// case-insensitive) and values.
pub fn parse_metadata(mut data: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut properties = Vec::new();
    while let Some((&len, rest)) = data.split_first() {
        let len = usize::from(len);
        if len == 0 || rest.len() < len + 4 {
            return Err("malformed metadata in READY".to_string());
        }
        let name = String::from_utf8_lossy(&rest[..len]).to_ascii_lowercase();
        let mut size = [0u8; 4];
        size.copy_from_slice(&rest[len..len + 4]);
        let size = u32::from_be_bytes(size) as usize;
        let rest = &rest[len + 4..];
        if rest.len() < size {
            return Err("a metadata value longer than the command".to_string());
        }
        properties.push((name, rest[..size].to_vec()));
        data = &rest[size..];
    }
    Ok(properties)
}

/// One frame as read.
#[derive(Debug, PartialEq, Eq)]
pub struct Frame {
    pub more: bool,
    pub command: bool,
    pub body: Vec<u8>,
}

/// Why a connection's stream stopped being usable.
#[derive(Debug)]
pub enum ReadError {
    /// The stream ended inside a frame.
    Truncated,
    /// A frame announced more than the message may still hold.
    TooLarge(u64),
    Io(io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Truncated => write!(f, "the connection closed in the middle of a frame"),
            ReadError::TooLarge(n) => {
                write!(f, "a frame of {n} bytes, more than the {} MiB a message may have", MAX_MESSAGE >> 20)
            }
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// A read error inside a frame: the peer going away there leaves the frame truncated.
fn inside(e: io::Error) -> ReadError {
    if e.kind() == io::ErrorKind::UnexpectedEof || is_reset(&e) {
        ReadError::Truncated
    } else {
        ReadError::Io(e)
    }
}

fn exact(r: &mut impl Read, buf: &mut [u8]) -> Result<(), ReadError> {
    r.read_exact(buf).map_err(inside)
}

/// Reads one frame whose body may be `budget` bytes at most; `None` when the stream ends
/// cleanly before it.
pub fn read_frame(r: &mut impl Read, budget: u64) -> Result<Option<Frame>, ReadError> {
    let mut flags = [0u8; 1];
    loop {
        match r.read(&mut flags) {
            Ok(0) => return Ok(None),
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ReadError::Io(e)),
        }
    }
    let flags = flags[0];
    let size = if flags & LONG != 0 {
        let mut size = [0u8; 8];
        exact(r, &mut size)?;
        u64::from_be_bytes(size)
    } else {
        let mut size = [0u8; 1];
        exact(r, &mut size)?;
        u64::from(size[0])
    };
    if size > budget {
        return Err(ReadError::TooLarge(size));
    }
    // Grows as the bytes arrive: a peer announcing a large frame and sending nothing costs
    // nothing.
    let mut body = Vec::with_capacity(size.min(1 << 16) as usize);
    r.by_ref().take(size).read_to_end(&mut body).map_err(inside)?;
    if (body.len() as u64) < size {
        return Err(ReadError::Truncated);
    }
    Ok(Some(Frame { more: flags & MORE != 0, command: flags & COMMAND != 0, body }))
}

// ---------------------------------------------------------------------------------------
// Connections.

/// A connected stream, TCP or Unix.
enum Conn {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(std::os::unix::net::UnixStream),
}

impl Conn {
    fn try_clone(&self) -> io::Result<Conn> {
        match self {
            Conn::Tcp(s) => s.try_clone().map(Conn::Tcp),
            #[cfg(unix)]
            Conn::Unix(s) => s.try_clone().map(Conn::Unix),
        }
    }

    fn shutdown(&self) {
        let _ = match self {
            Conn::Tcp(s) => s.shutdown(Shutdown::Both),
            #[cfg(unix)]
            Conn::Unix(s) => s.shutdown(Shutdown::Both),
        };
    }

    fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Conn::Tcp(s) => s.set_read_timeout(t),
            #[cfg(unix)]
            Conn::Unix(s) => s.set_read_timeout(t),
        }
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.read(buf),
            #[cfg(unix)]
            Conn::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.write(buf),
            #[cfg(unix)]
            Conn::Unix(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Tcp(s) => s.flush(),
            #[cfg(unix)]
            Conn::Unix(s) => s.flush(),
        }
    }
}

enum Listener {
    Tcp(TcpListener),
    #[cfg(unix)]
    Unix(std::os::unix::net::UnixListener),
}

impl Listener {
    fn accept(&self) -> io::Result<(Conn, String)> {
        match self {
            Listener::Tcp(l) => {
                let (s, addr) = l.accept()?;
                let _ = s.set_nodelay(true);
                Ok((Conn::Tcp(s), addr.to_string()))
            }
            #[cfg(unix)]
            Listener::Unix(l) => {
                let (s, _) = l.accept()?;
                Ok((Conn::Unix(s), "a local process".to_string()))
            }
        }
    }
}

/// What goes down one peer's connection.
enum Out {
    Message(Frames),
    Command(Vec<u8>),
}

struct Peer {
    queue: SyncSender<Out>,
    /// Topics subscribed to, once per subscription (XPUB).
    topics: Vec<Vec<u8>>,
    /// Whether dropping a message for it was logged already.
    overflowed: bool,
}

struct Shared {
    kind: Kind,
    /// The socket's name in messages (`shell`, `iopub`, …).
    name: &'static str,
    peers: Mutex<HashMap<Vec<u8>, Peer>>,
    next_id: AtomicU32,
}

impl Shared {
    fn peers(&self) -> MutexGuard<'_, HashMap<Vec<u8>, Peer>> {
        self.peers.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A routing id like libzmq's own: a zero byte, then a 32-bit counter.
    fn fresh_id(&self) -> Vec<u8> {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut id = vec![0u8];
        id.extend_from_slice(&n.to_be_bytes());
        id
    }

    fn queue(&self, peer: &mut Peer, out: Out) {
        match peer.queue.try_send(out) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(_)) => {
                if !peer.overflowed {
                    peer.overflowed = true;
                    eprintln!("mml kernel: a peer of the {} socket does not read; dropping messages for it", self.name);
                }
            }
        }
    }
}

/// A bound socket. Sending never blocks: each message joins the peer's queue.
pub struct Socket {
    shared: Arc<Shared>,
}

impl Socket {
    /// Listens on `endpoint`; the events (messages, subscriptions) arrive on the receiver.
    pub fn bind(kind: Kind, name: &'static str, endpoint: &Endpoint) -> Result<(Socket, Receiver<Event>), String> {
        let listener = match endpoint {
            Endpoint::Tcp(ip, port) => {
                let host = if ip == "*" { "0.0.0.0" } else { ip.as_str() };
                Listener::Tcp(
                    TcpListener::bind((host, *port)).map_err(|e| format!("cannot listen on {endpoint}: {e}"))?,
                )
            }
            #[cfg(unix)]
            Endpoint::Ipc(path) => {
                // As libzmq does: a socket file left by an earlier kernel is replaced.
                let _ = std::fs::remove_file(path);
                Listener::Unix(
                    std::os::unix::net::UnixListener::bind(path)
                        .map_err(|e| format!("cannot listen on {endpoint}: {e}"))?,
                )
            }
            #[cfg(not(unix))]
            Endpoint::Ipc(_) => return Err(format!("cannot listen on {endpoint}: ipc needs a Unix system")),
        };
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos() ^ (d.as_secs() as u32))
            .unwrap_or(0);
        let shared = Arc::new(Shared { kind, name, peers: Mutex::new(HashMap::new()), next_id: AtomicU32::new(seed) });
        let (events, rx) = mpsc::channel();
        let accepting = shared.clone();
        std::thread::Builder::new()
            .name(format!("mml-{name}"))
            .spawn(move || accept_loop(&listener, &accepting, &events))
            .map_err(|e| format!("cannot start the {name} socket's thread: {e}"))?;
        Ok((Socket { shared }, rx))
    }

    /// Sends to the peer named by the first frame (ROUTER); a message for a peer that has
    /// gone is dropped.
    pub fn route(&self, mut frames: Frames) {
        if frames.is_empty() {
            return;
        }
        let id = frames.remove(0);
        let mut peers = self.shared.peers();
        if let Some(peer) = peers.get_mut(&id) {
            self.shared.queue(peer, Out::Message(frames));
        }
    }

    /// Sends to one peer, by its routing id.
    pub fn send_to(&self, id: &[u8], frames: Frames) {
        let mut peers = self.shared.peers();
        if let Some(peer) = peers.get_mut(id) {
            self.shared.queue(peer, Out::Message(frames));
        }
    }

    /// Sends to every peer subscribed to a prefix of the first frame (XPUB).
    pub fn publish(&self, frames: &Frames) {
        let topic: &[u8] = frames.first().map(Vec::as_slice).unwrap_or_default();
        let mut peers = self.shared.peers();
        for peer in peers.values_mut() {
            if peer.topics.iter().any(|t| topic.starts_with(t)) {
                self.shared.queue(peer, Out::Message(frames.clone()));
            }
        }
    }

    /// How many peers are connected.
    #[cfg(test)]
    fn peer_count(&self) -> usize {
        self.shared.peers().len()
    }
}

fn accept_loop(listener: &Listener, shared: &Arc<Shared>, events: &Sender<Event>) {
    loop {
        match listener.accept() {
            Ok((conn, from)) => {
                let name = shared.name;
                let (shared, events) = (shared.clone(), events.clone());
                let spawned = std::thread::Builder::new()
                    .name(format!("mml-{name}-peer"))
                    .spawn(move || connection(conn, &from, &shared, &events));
                if let Err(e) = spawned {
                    eprintln!("mml kernel: cannot serve a connection to the {name} socket: {e}");
                }
            }
            Err(e) => {
                eprintln!("mml kernel: cannot accept a connection: {e}");
                // Out of file descriptors, say: wait instead of spinning.
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// Serves one connection: the handshake, then its messages until it closes or breaks the
/// protocol.
fn connection(mut conn: Conn, from: &str, shared: &Arc<Shared>, events: &Sender<Event>) {
    let name = shared.name;
    let id = match handshake(&mut conn, shared) {
        Ok(id) => id,
        Err(e) => {
            eprintln!("mml kernel: refusing a connection to the {name} socket from {from}: {e}");
            conn.shutdown();
            return;
        }
    };
    let writer = match conn.try_clone() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("mml kernel: cannot serve a connection to the {name} socket: {e}");
            return;
        }
    };
    let (queue, outgoing) = mpsc::sync_channel(QUEUE);
    let id = {
        let mut peers = shared.peers();
        // A peer-chosen identity already in use gets an id of its own instead.
        let id = match id {
            Some(id) if !peers.contains_key(&id) => id,
            _ => shared.fresh_id(),
        };
        peers.insert(id.clone(), Peer { queue: queue.clone(), topics: Vec::new(), overflowed: false });
        id
    };
    let spawned =
        std::thread::Builder::new().name(format!("mml-{name}-write")).spawn(move || write_loop(writer, &outgoing));
    if let Err(e) = spawned {
        eprintln!("mml kernel: cannot serve a connection to the {name} socket: {e}");
    } else if let Err(e) = read_loop(&mut conn, &id, &queue, shared, events) {
        eprintln!("mml kernel: dropping a peer of the {name} socket ({from}): {e}");
    }
    shared.peers().remove(&id);
    conn.shutdown();
}

/// Greetings and READY both ways; the peer's identity, if it gave one.
fn handshake(conn: &mut Conn, shared: &Shared) -> Result<Option<Vec<u8>>, String> {
    let kind = shared.kind;
    let io = |e: io::Error| match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => "it sent no greeting in time".to_string(),
        _ if e.kind() == io::ErrorKind::UnexpectedEof || is_reset(&e) => {
            "it closed the connection during the handshake".to_string()
        }
        _ => e.to_string(),
    };
    conn.set_read_timeout(Some(HANDSHAKE_TIMEOUT)).map_err(io)?;
    conn.write_all(&greeting()).map_err(io)?;
    let mut theirs = [0u8; 64];
    // The signature and version first, so that a stranger is refused at once.
    conn.read_exact(&mut theirs[..12]).map_err(io)?;
    check_signature(&theirs[..12])?;
    conn.read_exact(&mut theirs[12..]).map_err(io)?;
    check_mechanism(&theirs)?;
    let mut ready_frame = Vec::new();
    let own: &[(&str, &[u8])] = match kind {
        Kind::Router => &[("Socket-Type", kind.name().as_bytes()), ("Identity", b"")],
        _ => &[("Socket-Type", kind.name().as_bytes())],
    };
    encode_frame(&mut ready_frame, &ready(own), false, true);
    conn.write_all(&ready_frame).map_err(io)?;
    let frame = match read_frame(conn, 1 << 16) {
        Ok(Some(f)) => f,
        Ok(None) => return Err("it closed the connection before READY".to_string()),
        Err(ReadError::Io(e)) => return Err(io(e)),
        Err(e) => return Err(e.to_string()),
    };
    if !frame.command {
        return Err("it sent a message before READY".to_string());
    }
    let (name, data) = split_command(&frame.body)?;
    match name {
        b"READY" => {}
        b"ERROR" => return Err(format!("it reported an error: {}", error_reason(data))),
        other => return Err(format!("it sent {} instead of READY", String::from_utf8_lossy(other).escape_debug())),
    }
    let properties = parse_metadata(data)?;
    let property = |key: &str| properties.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_slice());
    let peer_type = property("socket-type").ok_or("its READY has no Socket-Type")?;
    if !kind.accepts(peer_type) {
        let mut error = Vec::new();
        let reason = b"invalid socket type";
        let mut data = vec![reason.len() as u8];
        data.extend_from_slice(reason);
        encode_frame(&mut error, &command("ERROR", &data), false, true);
        let _ = conn.write_all(&error);
        return Err(format!(
            "a {} socket cannot talk to a {} socket",
            String::from_utf8_lossy(peer_type).escape_debug(),
            kind.name()
        ));
    }
    conn.set_read_timeout(None).map_err(io)?;
    Ok(property("identity").filter(|id| !id.is_empty() && id.len() <= 255).map(<[u8]>::to_vec))
}

/// The reason an ERROR command gives.
fn error_reason(data: &[u8]) -> String {
    let reason = data.split_first().map(|(&n, rest)| &rest[..usize::from(n).min(rest.len())]).unwrap_or_default();
    String::from_utf8_lossy(reason).into_owned()
}

/// Reads messages until the peer closes (`Ok`) or breaks the protocol.
fn read_loop(
    conn: &mut Conn,
    id: &[u8],
    queue: &SyncSender<Out>,
    shared: &Shared,
    events: &Sender<Event>,
) -> Result<(), String> {
    let mut reader = io::BufReader::with_capacity(1 << 16, conn);
    let mut frames: Frames = Vec::new();
    let mut size = 0u64;
    loop {
        let frame = match read_frame(&mut reader, MAX_MESSAGE - size) {
            Ok(Some(f)) => f,
            Ok(None) if frames.is_empty() => return Ok(()),
            Ok(None) => return Err("the connection closed in the middle of a message".to_string()),
            Err(ReadError::Io(e)) if frames.is_empty() && is_reset(&e) => return Ok(()),
            Err(e) => return Err(e.to_string()),
        };
        if frame.command {
            if !frames.is_empty() {
                return Err("a command inside a message".to_string());
            }
            command_from_peer(&frame.body, id, queue, shared, events)?;
            continue;
        }
        size += frame.body.len() as u64;
        frames.push(frame.body);
        if frame.more {
            continue;
        }
        let message = std::mem::take(&mut frames);
        size = 0;
        match shared.kind {
            Kind::Router => {
                let mut routed = Vec::with_capacity(message.len() + 1);
                routed.push(id.to_vec());
                routed.extend(message);
                let _ = events.send(Event::Message(routed));
            }
            Kind::Rep => {
                // The heartbeat: the request goes back as it came, envelope and all.
                let _ = queue.try_send(Out::Message(message));
            }
            Kind::XPub => {
                if let [only] = message.as_slice() {
                    match only.split_first() {
                        Some((1, topic)) => subscribe(shared, id, topic, events),
                        Some((0, topic)) => cancel(shared, id, topic),
                        _ => {}
                    }
                }
            }
        }
    }
}

fn is_reset(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted | io::ErrorKind::BrokenPipe)
}

fn command_from_peer(
    body: &[u8],
    id: &[u8],
    queue: &SyncSender<Out>,
    shared: &Shared,
    events: &Sender<Event>,
) -> Result<(), String> {
    let (name, data) = split_command(body)?;
    match name {
        b"PING" => {
            // A TTL (2 bytes), then a context of up to 16 bytes that PONG echoes.
            let context = data.get(2..).unwrap_or_default();
            let context = &context[..context.len().min(16)];
            let _ = queue.try_send(Out::Command(command("PONG", context)));
        }
        b"ERROR" => return Err(format!("it reported an error: {}", error_reason(data))),
        b"SUBSCRIBE" if shared.kind == Kind::XPub => subscribe(shared, id, data, events),
        b"CANCEL" if shared.kind == Kind::XPub => cancel(shared, id, data),
        b"READY" => return Err("a second READY".to_string()),
        // PONG, and commands of later versions: nothing to do.
        _ => {}
    }
    Ok(())
}

fn subscribe(shared: &Shared, id: &[u8], topic: &[u8], events: &Sender<Event>) {
    if let Some(peer) = shared.peers().get_mut(id) {
        peer.topics.push(topic.to_vec());
    }
    let _ = events.send(Event::Subscribe { peer: id.to_vec(), topic: topic.to_vec() });
}

fn cancel(shared: &Shared, id: &[u8], topic: &[u8]) {
    if let Some(peer) = shared.peers().get_mut(id) {
        if let Some(i) = peer.topics.iter().position(|t| t == topic) {
            peer.topics.remove(i);
        }
    }
}

/// Writes a peer's queue until it closes or the connection fails.
fn write_loop(conn: Conn, outgoing: &Receiver<Out>) {
    let closer = conn.try_clone();
    let mut w = BufWriter::with_capacity(1 << 16, conn);
    let mut buf = Vec::new();
    'outer: while let Ok(mut out) = outgoing.recv() {
        loop {
            buf.clear();
            match &out {
                Out::Message(frames) => encode_message(&mut buf, frames),
                Out::Command(body) => encode_frame(&mut buf, body, false, true),
            }
            if w.write_all(&buf).is_err() {
                break 'outer;
            }
            // Whatever else is queued goes in the same write.
            match outgoing.try_recv() {
                Ok(next) => out = next,
                Err(_) => break,
            }
        }
        if w.flush().is_err() {
            break;
        }
    }
    // The reader sees the connection end, and forgets the peer.
    if let Ok(c) = closer {
        c.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames_of(mut bytes: &[u8]) -> Vec<Frame> {
        let mut out = Vec::new();
        while let Some(f) = read_frame(&mut bytes, MAX_MESSAGE).unwrap() {
            out.push(f);
        }
        out
    }

    #[test]
    fn short_and_long_frames_round_trip() {
        let long = vec![7u8; 300];
        let mut buf = Vec::new();
        encode_message(&mut buf, &[b"ab".to_vec(), long.clone(), Vec::new()]);
        // Flags, size, body: a short frame is 2 + n bytes, a long one 9 + n.
        assert_eq!(&buf[..4], &[MORE, 2, b'a', b'b']);
        assert_eq!(buf[4], MORE | LONG);
        assert_eq!(&buf[5..13], &300u64.to_be_bytes());
        assert_eq!(&buf[buf.len() - 2..], &[0, 0]);
        assert_eq!(buf.len(), 4 + 9 + 300 + 2);
        let read = frames_of(&buf);
        assert_eq!(read.len(), 3);
        assert!(read[0].more && read[1].more && !read[2].more);
        assert_eq!(read[1].body, long);
        assert!(read[2].body.is_empty());
    }

    #[test]
    fn a_frame_of_255_bytes_is_short_and_256_long() {
        let mut buf = Vec::new();
        encode_frame(&mut buf, &[1; 255], false, false);
        assert_eq!(&buf[..2], &[0, 255]);
        buf.clear();
        encode_frame(&mut buf, &[1; 256], false, true);
        assert_eq!(buf[0], LONG | COMMAND);
        assert_eq!(&buf[1..9], &[0, 0, 0, 0, 0, 0, 1, 0]);
    }

    #[test]
    fn a_long_size_field_may_hold_a_small_frame() {
        let mut buf = vec![LONG];
        buf.extend_from_slice(&3u64.to_be_bytes());
        buf.extend_from_slice(b"xyz");
        assert_eq!(frames_of(&buf), vec![Frame { more: false, command: false, body: b"xyz".to_vec() }]);
    }

    #[test]
    fn an_oversized_frame_is_refused_before_its_body() {
        let mut buf = vec![LONG];
        buf.extend_from_slice(&u64::MAX.to_be_bytes());
        let err = read_frame(&mut buf.as_slice(), MAX_MESSAGE).unwrap_err();
        assert!(matches!(err, ReadError::TooLarge(u64::MAX)), "{err}");
        let mut buf = vec![0u8, 10];
        buf.extend_from_slice(&[0; 10]);
        assert!(matches!(read_frame(&mut buf.as_slice(), 9), Err(ReadError::TooLarge(10))));
    }

    #[test]
    fn truncated_frames_are_errors_and_a_clean_end_is_none() {
        assert!(read_frame(&mut &b""[..], MAX_MESSAGE).unwrap().is_none());
        for bytes in [&[0u8][..], &[LONG, 0, 0, 0][..], &[0, 5, b'a', b'b'][..]] {
            let mut r = bytes;
            assert!(matches!(read_frame(&mut r, MAX_MESSAGE), Err(ReadError::Truncated)), "{bytes:?}");
        }
    }

    #[test]
    fn commands_and_ready_metadata() {
        let body = ready(&[("Socket-Type", b"DEALER"), ("Identity", b"me")]);
        let (name, data) = split_command(&body).unwrap();
        assert_eq!(name, b"READY");
        // name length, name, 4-byte value length, value.
        assert_eq!(&data[..12], b"\x0bSocket-Type");
        assert_eq!(&data[12..16], &[0, 0, 0, 6]);
        let props = parse_metadata(data).unwrap();
        assert_eq!(
            props,
            vec![("socket-type".to_string(), b"DEALER".to_vec()), ("identity".to_string(), b"me".to_vec())]
        );
        assert!(parse_metadata(b"\x0bSocket-Type\x00\x00\x00\x09DEAL").is_err());
        assert!(parse_metadata(b"\x05ab").is_err());
        assert!(split_command(b"").is_err());
        assert!(split_command(b"\x09PI").is_err());
    }

    #[test]
    fn greetings_are_checked() {
        let g = greeting();
        assert_eq!(g.len(), 64);
        assert!(check_signature(&g[..12]).is_ok() && check_mechanism(&g).is_ok());
        let mut v30 = g;
        v30[11] = 0;
        // libzmq puts a length in the padding: it is not checked.
        v30[8] = 1;
        assert!(check_signature(&v30[..12]).is_ok());
        let mut v2 = g;
        v2[10] = 2;
        assert!(check_signature(&v2[..12]).unwrap_err().contains("ZMTP 2.1"));
        assert!(check_signature(b"GET / HTTP/1.1").unwrap_err().contains("does not speak ZMTP"));
        let mut curve = g;
        curve[12..17].copy_from_slice(b"CURVE");
        assert!(check_mechanism(&curve).unwrap_err().contains("CURVE"));
    }

    /// A minimal ZMTP peer over TCP, to drive a socket in the tests.
    struct TestPeer(TcpStream);

    impl TestPeer {
        fn connect(port: u16, socket_type: &str, identity: &[u8]) -> TestPeer {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            s.write_all(&greeting()).unwrap();
            let mut g = [0u8; 64];
            s.read_exact(&mut g).unwrap();
            assert!(check_signature(&g[..12]).is_ok());
            let mut f = Vec::new();
            encode_frame(
                &mut f,
                &ready(&[("Socket-Type", socket_type.as_bytes()), ("Identity", identity)]),
                false,
                true,
            );
            s.write_all(&f).unwrap();
            let ready = read_frame(&mut s, MAX_MESSAGE).unwrap().unwrap();
            assert!(ready.command);
            TestPeer(s)
        }

        fn send(&mut self, frames: &[&[u8]]) {
            let mut buf = Vec::new();
            encode_message(&mut buf, &frames.iter().map(|f| f.to_vec()).collect::<Vec<_>>());
            self.0.write_all(&buf).unwrap();
        }

        fn recv(&mut self) -> Frames {
            let mut out = Vec::new();
            loop {
                let f = read_frame(&mut self.0, MAX_MESSAGE).unwrap().unwrap();
                if f.command {
                    out.push(f.body);
                    return out;
                }
                out.push(f.body);
                if !f.more {
                    return out;
                }
            }
        }
    }

    fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    #[test]
    fn a_router_prepends_and_routes_by_identity() {
        let port = free_port();
        let (socket, events) = Socket::bind(Kind::Router, "test", &Endpoint::Tcp("127.0.0.1".into(), port)).unwrap();
        let mut named = TestPeer::connect(port, "DEALER", b"alice");
        let mut anonymous = TestPeer::connect(port, "DEALER", b"");
        named.send(&[b"hello", b"world"]);
        let Event::Message(m) = events.recv_timeout(Duration::from_secs(10)).unwrap() else { panic!() };
        assert_eq!(m, vec![b"alice".to_vec(), b"hello".to_vec(), b"world".to_vec()]);
        anonymous.send(&[b"hi"]);
        let Event::Message(m) = events.recv_timeout(Duration::from_secs(10)).unwrap() else { panic!() };
        assert_eq!(m[0].len(), 5, "a generated id is five bytes");
        assert_eq!(m[0][0], 0);
        socket.route(vec![m[0].clone(), b"reply".to_vec()]);
        assert_eq!(anonymous.recv(), vec![b"reply".to_vec()]);
        socket.route(vec![b"alice".to_vec(), b"r1".to_vec(), b"r2".to_vec()]);
        assert_eq!(named.recv(), vec![b"r1".to_vec(), b"r2".to_vec()]);
        // PING gets PONG with its context.
        let mut ping = Vec::new();
        encode_frame(&mut ping, &command("PING", b"\x00\x0actx"), false, true);
        named.0.write_all(&ping).unwrap();
        assert_eq!(named.recv(), vec![command("PONG", b"ctx")]);
        assert_eq!(socket.peer_count(), 2);
    }

    #[test]
    fn a_wrong_socket_type_is_refused_with_error() {
        let port = free_port();
        let (_socket, _events) = Socket::bind(Kind::XPub, "test", &Endpoint::Tcp("127.0.0.1".into(), port)).unwrap();
        let mut peer = TestPeer::connect(port, "DEALER", b"");
        let error = peer.recv();
        let (name, _) = split_command(&error[0]).unwrap();
        assert_eq!(name, b"ERROR");
    }

    #[test]
    fn xpub_publishes_by_prefix_and_reports_subscriptions() {
        let port = free_port();
        let (socket, events) = Socket::bind(Kind::XPub, "test", &Endpoint::Tcp("127.0.0.1".into(), port)).unwrap();
        let mut all = TestPeer::connect(port, "SUB", b"");
        let mut some = TestPeer::connect(port, "SUB", b"");
        all.send(&[b"\x01"]);
        let Event::Subscribe { peer: all_id, topic } = events.recv_timeout(Duration::from_secs(10)).unwrap() else {
            panic!()
        };
        assert!(topic.is_empty());
        // The 3.1 command form.
        let mut sub = Vec::new();
        encode_frame(&mut sub, &command("SUBSCRIBE", b"kernel.a"), false, true);
        some.0.write_all(&sub).unwrap();
        let Event::Subscribe { topic, .. } = events.recv_timeout(Duration::from_secs(10)).unwrap() else { panic!() };
        assert_eq!(topic, b"kernel.a");
        socket.publish(&vec![b"kernel.b.status".to_vec(), b"x".to_vec()]);
        socket.publish(&vec![b"kernel.a.status".to_vec(), b"y".to_vec()]);
        assert_eq!(all.recv()[1], b"x");
        assert_eq!(all.recv()[1], b"y");
        assert_eq!(some.recv()[1], b"y", "only the matching topic");
        socket.send_to(&all_id, vec![b"only you".to_vec()]);
        assert_eq!(all.recv(), vec![b"only you".to_vec()]);
    }

    #[test]
    fn rep_echoes_with_the_envelope() {
        let port = free_port();
        let (_socket, _events) = Socket::bind(Kind::Rep, "test", &Endpoint::Tcp("127.0.0.1".into(), port)).unwrap();
        let mut req = TestPeer::connect(port, "REQ", b"");
        req.send(&[b"", b"ping"]);
        assert_eq!(req.recv(), vec![Vec::new(), b"ping".to_vec()]);
    }

    #[test]
    fn hostile_peers_are_dropped_and_the_socket_goes_on() {
        let port = free_port();
        let (socket, events) = Socket::bind(Kind::Router, "test", &Endpoint::Tcp("127.0.0.1".into(), port)).unwrap();
        // Garbage instead of a greeting: closed at once.
        let mut junk = TcpStream::connect(("127.0.0.1", port)).unwrap();
        junk.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        junk.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
        let mut rest = Vec::new();
        let _ = junk.read_to_end(&mut rest);
        assert_eq!(rest, greeting().to_vec(), "only our greeting, then the end");
        // A frame announcing more than a message may hold.
        let mut big = TestPeer::connect(port, "DEALER", b"big");
        let mut f = vec![LONG];
        f.extend_from_slice(&(MAX_MESSAGE + 1).to_be_bytes());
        big.0.write_all(&f).unwrap();
        let mut rest = Vec::new();
        let _ = big.0.read_to_end(&mut rest);
        // Closed mid-frame.
        let mut cut = TestPeer::connect(port, "DEALER", b"cut");
        cut.0.write_all(&[MORE, 3, b'a']).unwrap();
        drop(cut);
        let mut good = TestPeer::connect(port, "DEALER", b"good");
        good.send(&[b"still here"]);
        let Event::Message(m) = events.recv_timeout(Duration::from_secs(10)).unwrap() else { panic!() };
        assert_eq!(m, vec![b"good".to_vec(), b"still here".to_vec()]);
        for _ in 0..100 {
            if socket.peer_count() == 1 {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(socket.peer_count(), 1, "the broken peers are forgotten");
    }

    #[cfg(unix)]
    #[test]
    fn ipc_endpoints_are_unix_sockets() {
        let dir = std::env::temp_dir().join(format!("mml-zmtp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("kernel-1");
        let (_socket, _events) = Socket::bind(Kind::Rep, "test", &Endpoint::Ipc(path.clone())).unwrap();
        let mut s = std::os::unix::net::UnixStream::connect(&path).unwrap();
        s.write_all(&greeting()).unwrap();
        let mut g = [0u8; 64];
        s.read_exact(&mut g).unwrap();
        let mut f = Vec::new();
        encode_frame(&mut f, &ready(&[("Socket-Type", b"REQ")]), false, true);
        encode_message(&mut f, &[Vec::new(), b"beat".to_vec()]);
        s.write_all(&f).unwrap();
        assert!(read_frame(&mut s, MAX_MESSAGE).unwrap().unwrap().command);
        assert!(read_frame(&mut s, MAX_MESSAGE).unwrap().unwrap().more);
        assert_eq!(read_frame(&mut s, MAX_MESSAGE).unwrap().unwrap().body, b"beat");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
