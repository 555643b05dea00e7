//! A `stringer serve` (or `run`) process on a free port, asked over plain HTTP/1.1, and the
//! command line's JSON for the same questions.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::Value;

/// A `stringer serve` process, stopped when dropped.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    /// What the process has logged so far.
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    _config: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An empty configuration file, so the repository's feed list stays out of the database.
pub fn empty_config() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.toml");
    std::fs::write(&path, "").unwrap();
    (dir, path.display().to_string())
}

impl Server {
    /// Starts `stringer serve` on a free port and reads the port from its log line.
    pub fn start(db_url: &str) -> Server {
        let (dir, config) = empty_config();
        Server::spawn(db_url, dir, &config, &["serve", "--listen", "127.0.0.1:0"])
    }

    /// Starts `stringer ARGS` with the configuration file `config` (in `dir`) and reads the
    /// address from its `listening on` line.
    pub fn spawn(db_url: &str, dir: tempfile::TempDir, config: &str, args: &[&str]) -> Server {
        let mut child = super::stringer_command()
            .env("STRINGER_DATABASE_URL", db_url)
            .args(["--config", config])
            .args(args)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("start stringer serve");
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let mut said = Vec::new();
        let addr = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                panic!("stringer serve ended before listening: {said:?}");
            };
            if let Some((_, rest)) = line.split_once("listening on ") {
                break rest.trim().parse::<SocketAddr>().expect("an address");
            }
            said.push(line);
        };
        // Keep draining the log so the server never blocks on a full pipe; kept for messages.
        let log = std::sync::Arc::new(std::sync::Mutex::new(said));
        let keep = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                if let Ok(mut kept) = keep.lock() {
                    kept.push(line);
                }
            }
        });
        Server {
            child,
            addr,
            log,
            _config: dir,
        }
    }

    /// `GET path`: the status and the body.
    pub fn get(&self, path: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").expect("an HTTP response");
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, body.to_string())
    }

    pub fn json(&self, path: &str) -> Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
    }
}

/// `stringer ARGS --format json` on the database, parsed.
pub fn cli_json(db_url: &str, args: &[&str]) -> Value {
    let (_dir, config) = empty_config();
    let o = super::stringer_command()
        .env("STRINGER_DATABASE_URL", db_url)
        .args(["--config", &config])
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("JSON")
}
