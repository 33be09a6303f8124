//! A minimal SMTP server on loopback that accepts every message and keeps it, so tests can
//! check what qualitrack really sends over a real SMTP conversation.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Recipients and raw text of one message received.
pub type Received = (Vec<String>, String);

pub struct SmtpSink {
    pub port: u16,
    messages: Arc<Mutex<Vec<Received>>>,
}

impl SmtpSink {
    /// Listens for 60 seconds at most, then stops by itself.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().unwrap().port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let store = Arc::clone(&messages);
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        stream.set_nonblocking(false).ok();
                        stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
                        converse(stream, &store);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Self { port, messages }
    }

    /// (recipients, raw message) of everything received so far.
    pub fn messages(&self) -> Vec<Received> {
        self.messages.lock().unwrap().clone()
    }
}

/// One SMTP conversation; each message is kept before its `250` is sent, so a test that
/// reads the messages once the sender is done sees them all.
fn converse(stream: std::net::TcpStream, store: &Mutex<Vec<Received>>) -> Option<()> {
    let mut writer = stream.try_clone().ok()?;
    let mut reader = BufReader::new(stream);
    let mut recipients = Vec::new();
    writer.write_all(b"220 sink.test ESMTP\r\n").ok()?;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).ok()? == 0 {
            return Some(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        if command.starts_with("EHLO") || command.starts_with("HELO") {
            writer
                .write_all(b"250-sink.test\r\n250 8BITMIME\r\n")
                .ok()?;
        } else if command.starts_with("MAIL FROM") {
            recipients.clear();
            writer.write_all(b"250 OK\r\n").ok()?;
        } else if command.starts_with("RCPT TO") {
            recipients.push(line.trim_end()[8..].trim().to_owned());
            writer.write_all(b"250 OK\r\n").ok()?;
        } else if command == "DATA" {
            writer
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .ok()?;
            let mut data = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).ok()? == 0 || line == ".\r\n" {
                    break;
                }
                data.push_str(&line);
            }
            store.lock().unwrap().push((recipients.clone(), data));
            writer.write_all(b"250 OK queued\r\n").ok()?;
        } else if command == "QUIT" {
            writer.write_all(b"221 Bye\r\n").ok()?;
            return Some(());
        } else {
            writer.write_all(b"250 OK\r\n").ok()?;
        }
    }
}
