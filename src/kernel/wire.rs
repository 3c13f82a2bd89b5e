//! The Jupyter wire protocol (messaging spec 5.3) over ZMTP frames: routing identities,
//! the `<IDS|MSG>` delimiter, an HMAC-SHA256 signature in hex over the header, parent
//! header, metadata and content, then those four as JSON and any binary buffers.

use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha2::Sha256;

use super::zmtp::Frames;

/// Separates the routing identities from the message.
pub const DELIMITER: &[u8] = b"<IDS|MSG>";

/// A Jupyter message. The content and metadata are JSON as they come; replies are built
/// with [`Message::child`].
#[derive(Clone, Debug)]
pub struct Message {
    /// The routing identities (ROUTER) or the topic (iopub).
    pub identities: Frames,
    pub header: Map<String, Value>,
    /// The header of the message this one answers; `{}` if none.
    pub parent_header: Value,
    pub metadata: Value,
    pub content: Value,
    pub buffers: Frames,
}

impl Message {
    /// A message that is not an answer (`iopub_welcome`).
    pub fn new(msg_type: &str, content: Value) -> Message {
        Message {
            identities: Vec::new(),
            header: header(msg_type),
            parent_header: json!({}),
            metadata: json!({}),
            content,
            buffers: Vec::new(),
        }
    }

    /// A message caused by this one: the same identities, this header as its parent.
    pub fn child(&self, msg_type: &str, content: Value) -> Message {
        Message {
            identities: self.identities.clone(),
            header: header(msg_type),
            parent_header: Value::Object(self.header.clone()),
            metadata: json!({}),
            content,
            buffers: Vec::new(),
        }
    }

    /// The header's `msg_type`.
    pub fn msg_type(&self) -> &str {
        self.header.get("msg_type").and_then(Value::as_str).unwrap_or_default()
    }

    /// A text field of the content ("" if absent).
    pub fn text(&self, field: &str) -> &str {
        self.content.get(field).and_then(Value::as_str).unwrap_or_default()
    }

    /// A boolean field of the content.
    pub fn flag(&self, field: &str, default: bool) -> bool {
        self.content.get(field).and_then(Value::as_bool).unwrap_or(default)
    }

    /// A count field of the content.
    pub fn count(&self, field: &str) -> Option<usize> {
        self.content.get(field).and_then(Value::as_u64).map(|n| n as usize)
    }
}

/// A fresh header; the session is filled in when the message is sent.
fn header(msg_type: &str) -> Map<String, Value> {
    let mut h = Map::new();
    h.insert("msg_id".into(), Value::String(uuid::Uuid::new_v4().to_string()));
    h.insert("username".into(), Value::String("mml".into()));
    h.insert("session".into(), Value::String(String::new()));
    h.insert("date".into(), Value::String(utc_now()));
    h.insert("msg_type".into(), Value::String(msg_type.into()));
    h.insert("version".into(), Value::String("5.3".into()));
    h
}

/// The kernel's end of the wire: its signing key and session id.
pub struct Wire {
    key: Option<Vec<u8>>,
    session: String,
}

impl Wire {
    /// From the connection file's `key` and `signature_scheme`; an empty key means
    /// messages are not signed.
    pub fn new(key: &str, scheme: &str, session: String) -> Result<Wire, String> {
        if key.is_empty() {
            return Ok(Wire { key: None, session });
        }
        if scheme != "hmac-sha256" {
            return Err(format!(
                "the connection file asks for the signature scheme `{scheme}`; this kernel signs with `hmac-sha256`"
            ));
        }
        Ok(Wire { key: Some(key.as_bytes().to_vec()), session })
    }

    /// The kernel's session id.
    pub fn session(&self) -> &str {
        &self.session
    }

    /// The hex signature of these parts ("" without a key).
    pub fn sign(&self, parts: &[&[u8]]) -> String {
        match &self.key {
            Some(key) => data_encoding::HEXLOWER.encode(&hmac_sha256(key, parts)),
            None => String::new(),
        }
    }

    /// Reads a message as a ROUTER delivers it (identities first).
    pub fn parse(&self, mut frames: Frames) -> Result<Message, String> {
        let delimiter = frames.iter().position(|f| f == DELIMITER).ok_or("it has no `<IDS|MSG>` delimiter")?;
        let mut parts = frames.split_off(delimiter);
        let identities = frames;
        if parts.len() < 6 {
            return Err(format!(
                "it has {} of the 5 parts after `<IDS|MSG>` (signature, header, parent header, metadata, content)",
                parts.len() - 1
            ));
        }
        let buffers = parts.split_off(6);
        if let Some(key) = &self.key {
            let signed: Vec<&[u8]> = parts[2..6].iter().map(Vec::as_slice).collect();
            if !verify(key, &signed, &parts[1]) {
                return Err("its signature is wrong".to_string());
            }
        }
        let json = |i: usize, what: &str| -> Result<Value, String> {
            serde_json::from_slice(&parts[i]).map_err(|e| format!("its {what} is not valid JSON ({e})"))
        };
        let header = match json(2, "header")? {
            Value::Object(h) if h.get("msg_type").is_some_and(Value::is_string) => h,
            _ => return Err("its header has no `msg_type`".to_string()),
        };
        let parent_header = json(3, "parent header")?;
        let metadata = json(4, "metadata")?;
        let content = json(5, "content")?;
        if !content.is_object() {
            return Err("its content is not a JSON object".to_string());
        }
        Ok(Message { identities, header, parent_header, metadata, content, buffers })
    }

    /// The frames of `m`, signed, with the kernel's session in its header.
    pub fn frames(&self, m: &Message) -> Frames {
        let mut header = m.header.clone();
        header.insert("session".into(), Value::String(self.session.clone()));
        let parts = [
            Value::Object(header).to_string().into_bytes(),
            m.parent_header.to_string().into_bytes(),
            m.metadata.to_string().into_bytes(),
            m.content.to_string().into_bytes(),
        ];
        let signature = self.sign(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>());
        let mut frames = Vec::with_capacity(m.identities.len() + 6 + m.buffers.len());
        frames.extend(m.identities.iter().cloned());
        frames.push(DELIMITER.to_vec());
        frames.push(signature.into_bytes());
        frames.extend(parts);
        frames.extend(m.buffers.iter().cloned());
        frames
    }
}

/// HMAC-SHA256 of the concatenated parts.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    mac(key, parts).map(|m| m.finalize().into_bytes().to_vec()).unwrap_or_default()
}

fn mac(key: &[u8], parts: &[&[u8]]) -> Option<Hmac<Sha256>> {
    // HMAC takes a key of any length: this never fails.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).ok()?;
    for p in parts {
        mac.update(p);
    }
    Some(mac)
}

/// Whether `signature` (hex) is the parts' HMAC, compared in constant time.
pub fn verify(key: &[u8], parts: &[&[u8]], signature: &[u8]) -> bool {
    let Ok(given) = data_encoding::HEXLOWER_PERMISSIVE.decode(signature) else {
        return false;
    };
    mac(key, parts).is_some_and(|m| m.verify_slice(&given).is_ok())
}

/// Now in ISO 8601, UTC, with microseconds: `2026-01-31T12:00:00.123456Z`.
pub fn utc_now() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    iso8601(now.as_secs(), now.subsec_micros())
}

/// Seconds since 1970 (UTC) as a date and time.
pub fn iso8601(secs: u64, micros: u32) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{micros:06}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

/// The proleptic Gregorian date of a day count from 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        data_encoding::HEXLOWER.encode(bytes)
    }

    /// RFC 4231's HMAC-SHA-256 test cases 1, 2, 3, 4, 6 and 7.
    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        let case4_key: Vec<u8> = (1..=25).collect();
        let cases: [(&[u8], &[u8], &str); 6] = [
            (&[0x0b; 20], b"Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            (
                b"Jefe",
                b"what do ya want for nothing?",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (&[0xaa; 20], &[0xdd; 50], "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
            (&case4_key, &[0xcd; 50], "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
            (
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
            (
                &[0xaa; 131],
                b"This is a test using a larger than block-size key and a larger than block-size data. \
                  The key needs to be hashed before being used by the HMAC algorithm.",
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            ),
        ];
        for (key, data, want) in cases {
            assert_eq!(hex(&hmac_sha256(key, &[data])), want);
            // Signed in parts, as a message's four JSON parts are.
            let (a, b) = data.split_at(data.len() / 2);
            assert_eq!(hex(&hmac_sha256(key, &[a, b])), want);
            assert!(verify(key, &[data], want.as_bytes()));
            assert!(verify(key, &[data], want.to_uppercase().as_bytes()));
        }
    }

    #[test]
    fn verification_refuses_wrong_and_malformed_signatures() {
        let good = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        let data: &[&[u8]] = &[b"what do ya want for nothing?"];
        assert!(verify(b"Jefe", data, good.as_bytes()));
        let flipped = good.replace("5bdc", "5bdd");
        assert!(!verify(b"Jefe", data, flipped.as_bytes()));
        assert!(!verify(b"Jefe", data, &good.as_bytes()[..62]), "a shortened signature");
        assert!(!verify(b"Jefe", data, b"not hex at all"));
        assert!(!verify(b"Jefe", data, b""));
        assert!(!verify(b"jefe", data, good.as_bytes()), "another key");
    }

    fn wire() -> Wire {
        Wire::new("secret", "hmac-sha256", "kernel-session".into()).unwrap()
    }

    fn request(wire: &Wire, content: &str) -> Frames {
        let header = br#"{"msg_id":"1","msg_type":"kernel_info_request","session":"s","username":"u","date":"2026-01-01T00:00:00Z","version":"5.3"}"#;
        let parts: [&[u8]; 4] = [header, b"{}", b"{}", content.as_bytes()];
        let mut frames = vec![b"peer".to_vec(), DELIMITER.to_vec(), wire.sign(&parts).into_bytes()];
        frames.extend(parts.iter().map(|p| p.to_vec()));
        frames
    }

    #[test]
    fn messages_round_trip_with_their_signature() {
        let wire = wire();
        let m = wire.parse(request(&wire, "{}")).unwrap();
        assert_eq!(m.identities, vec![b"peer".to_vec()]);
        assert_eq!(m.msg_type(), "kernel_info_request");
        let reply = m.child("kernel_info_reply", json!({"status": "ok"}));
        let frames = wire.frames(&reply);
        assert_eq!(frames[0], b"peer");
        assert_eq!(frames[1], DELIMITER);
        let parts: Vec<&[u8]> = frames[3..7].iter().map(Vec::as_slice).collect();
        assert!(verify(b"secret", &parts, &frames[2]));
        let back = wire.parse(frames).unwrap();
        assert_eq!(back.header["session"], "kernel-session");
        assert_eq!(back.parent_header["msg_id"], "1");
        assert_eq!(back.content, json!({"status": "ok"}));
    }

    #[test]
    fn bad_messages_say_what_is_wrong() {
        let wire = wire();
        let mut forged = request(&wire, "{}");
        forged[6] = br#"{"code":"rm"}"#.to_vec();
        assert_eq!(wire.parse(forged).unwrap_err(), "its signature is wrong");
        assert!(wire.parse(vec![b"no delimiter".to_vec()]).unwrap_err().contains("delimiter"));
        assert!(wire.parse(vec![DELIMITER.to_vec()]).unwrap_err().contains("0 of the 5 parts"));
        assert!(wire.parse(request(&wire, "{nope")).unwrap_err().contains("content is not valid JSON"));
        assert!(wire.parse(request(&wire, "[1]")).unwrap_err().contains("not a JSON object"));
        // Without a key nothing is signed or checked.
        let open = Wire::new("", "", "s".into()).unwrap();
        let mut unsigned = request(&open, "{}");
        assert!(unsigned[2].is_empty());
        unsigned[2] = b"anything".to_vec();
        assert!(open.parse(unsigned).is_ok());
    }

    #[test]
    fn other_signature_schemes_are_refused() {
        let e = Wire::new("k", "hmac-md5", "s".into()).err().unwrap();
        assert!(e.contains("`hmac-md5`") && e.contains("hmac-sha256"), "{e}");
    }

    #[test]
    fn dates_are_iso_8601_utc_with_microseconds() {
        assert_eq!(iso8601(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(iso8601(951_782_400, 5), "2000-02-29T00:00:00.000005Z");
        assert_eq!(iso8601(1_700_000_000, 123_456), "2023-11-14T22:13:20.123456Z");
        assert_eq!(iso8601(4_107_542_399, 999_999), "2100-02-28T23:59:59.999999Z");
        let now = utc_now();
        assert_eq!(now.len(), 27, "{now}");
        assert!(now.ends_with('Z') && now.as_bytes()[10] == b'T');
    }
}
