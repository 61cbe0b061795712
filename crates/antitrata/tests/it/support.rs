//! Running the built binary and talking HTTP to it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub(crate) fn antitrata() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_antitrata"));
    // A clean environment for what the binary reads, whatever the developer's shell has.
    for var in [
        "ANTITRATA_ADDR",
        "ANTITRATA_DATABASE_URL",
        "ANTITRATA_CONFIG",
        "ANTITRATA_KEY_FILE",
        "RUST_LOG",
    ] {
        command.env_remove(var);
    }
    command
}

pub(crate) fn run(command: &mut Command) -> Output {
    command.output().expect("run antitrata")
}

/// A running `antitrata serve` and the address it listens on.
pub(crate) struct Server {
    pub child: Child,
    pub addr: String,
    pub log: mpsc::Receiver<String>,
}

impl Server {
    /// Starts `serve` on a free port in `dir` and waits until it says where it listens.
    pub(crate) fn start(dir: &Path, args: &[&str]) -> Server {
        let mut child = antitrata()
            .current_dir(dir)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start antitrata serve");
        let (tx, rx) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let mut seen = Vec::new();
        loop {
            match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => {
                    if let Some(rest) = line.split("listening on http://").nth(1) {
                        let addr = rest.split_whitespace().next().unwrap().to_owned();
                        return Server {
                            child,
                            addr,
                            log: rx,
                        };
                    }
                    seen.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("serve did not start; it said:\n{}", seen.join("\n"));
                }
            }
        }
    }

    /// A GET over a fresh connection: (status, body).
    pub(crate) fn get(&self, path: &str) -> (u16, String) {
        get(&self.addr, path)
    }

    /// Sends SIGTERM and waits for the process to exit; returns whether it exited cleanly and its
    /// remaining log.
    pub(crate) fn terminate(mut self) -> (bool, Vec<String>) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        let exit = self.child.wait().expect("wait for serve");
        let log = self.log.try_iter().collect();
        (exit.success(), log)
    }
}

pub(crate) fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read response");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {response:?}"));
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// One request over a fresh connection, with `Authorization: Bearer <token>` and a JSON body if
/// given: (status, body), or the I/O error of a server that went away.
pub(crate) fn request(
    addr: &str,
    method: &str,
    path: &str,
    token: &str,
    json: Option<&serde_json::Value>,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let body = json.map(serde_json::Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "no status line"))?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}
