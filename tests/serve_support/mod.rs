//! Starting `nianbao serve` on a free loopback port and talking HTTP/1.1 to
//! it over a plain socket (no client library needed for these requests).
#![allow(dead_code)] // each test file uses a part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `nianbao serve`, stopped when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Server {
    /// `nianbao serve --port 0 ARGS…`; the bound address is read from the
    /// first line it prints.
    pub fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_nianbao"))
            .args(["serve", "--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start nianbao serve");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout piped");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the address");
        let url = line
            .trim()
            .strip_prefix("nianbao serve: listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
        let addr: SocketAddr = url.trim_end_matches('/').parse().expect("an address");
        assert!(addr.ip().is_loopback(), "bound to loopback by default: {addr}");
        Server { child, addr }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Send a request (with `Content-Length` = `declared_length`, or the
    /// body's length) and return the status and the body.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        body: &[u8],
        declared_length: Option<usize>,
    ) -> (u16, String) {
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.addr,
            declared_length.unwrap_or(body.len())
        );
        stream.write_all(head.as_bytes()).expect("write request");
        if declared_length.is_none() {
            stream.write_all(body).expect("write body");
        }
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("read response");
        let response = String::from_utf8(response).expect("UTF-8 response");
        let (head, body) = response.split_once("\r\n\r\n").expect("headers end");
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {head:?}"));
        (status, body.to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The text of a fixture with the `requests` table's cell (`row`, `column`)
/// one more than printed, and that new value.
pub fn bump_cell(text: &str, row: &str, column: &str) -> (String, String) {
    let report = nianbao_reader::read_text("fixture.txt", text);
    let cell = report.cell("requests", row, column).expect("cell read");
    let printed = &text[cell.span.offset..cell.span.end()];
    let bumped = (printed.parse::<u64>().expect("a count") + 1).to_string();
    let mutated = format!(
        "{}{bumped}{}",
        &text[..cell.span.offset],
        &text[cell.span.end()..]
    );
    (mutated, bumped)
}
