//! Real sink servers for the stream stories: a `nats-server` with JetStream and a
//! `redis-server`, each started by the test on a free port of 127.0.0.1 with its data in a
//! temporary folder, stopped and started again on the same port, killed when dropped. The
//! machine's own NATS and Redis (on their usual ports) are never used. A missing binary skips
//! the story with a note, unless `STRINGER_REQUIRE_SINK_SERVERS=1` (CI), where it fails.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const NATS: &str = "nats-server";
pub const REDIS: &str = "redis-server";

/// One server process, on its port, with its data folder.
pub struct SinkServer {
    binary: PathBuf,
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
    /// `redis-server`: the password it requires (`--requirepass`), in its URL too.
    pub password: Option<String>,
}

impl Drop for SinkServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Where `name` is installed: `/usr/sbin`, `/usr/bin` or on `PATH`.
fn find(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = vec!["/usr/sbin".into(), "/usr/bin".into()];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// A port nothing listens on now, outside the range the system hands out for outgoing
/// connections and port 0 (so no other socket takes it while a server is stopped), and not
/// handed out before by this process.
pub fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let port = 20_000 + (rand::random::<u16>() % 10_000);
        if !given.contains(&port) && std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            given.push(port);
            return port;
        }
    }
}

impl SinkServer {
    /// `nats-server` or `redis-server` started on a free port; `None` (with a note) when the
    /// binary is missing and the test may skip.
    pub fn start(name: &str) -> Option<SinkServer> {
        let mut server = SinkServer::stopped(name)?;
        server.resume();
        Some(server)
    }

    /// The server ready to start on its port, but not started.
    pub fn stopped(name: &str) -> Option<SinkServer> {
        let Some(binary) = find(name) else {
            assert!(
                std::env::var("STRINGER_REQUIRE_SINK_SERVERS").as_deref() != Ok("1"),
                "STRINGER_REQUIRE_SINK_SERVERS=1 but {name} is not installed (apt-get install {name})"
            );
            eprintln!("{name} is not installed: stream story not run (apt-get install {name})");
            return None;
        };
        Some(SinkServer {
            binary,
            port: free_port(),
            dir: tempfile::tempdir().unwrap(),
            child: None,
            password: None,
        })
    }

    pub fn url(&self) -> String {
        let scheme = if self.is_nats() { "nats" } else { "redis" };
        let auth = self
            .password
            .as_ref()
            .map_or(String::new(), |p| format!(":{p}@"));
        format!("{scheme}://{auth}127.0.0.1:{}", self.port)
    }

    fn is_nats(&self) -> bool {
        self.binary.ends_with(NATS)
    }

    /// Starts the server (again) on its port with the same data folder, and waits until it
    /// accepts connections.
    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "already running");
        let port = self.port.to_string();
        let mut cmd = Command::new(&self.binary);
        if self.is_nats() {
            cmd.args(["-js", "-a", "127.0.0.1", "-p", &port, "-sd"])
                .arg(self.dir.path());
        } else {
            cmd.args([
                "--port",
                &port,
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(self.dir.path());
            if let Some(password) = &self.password {
                cmd.args(["--requirepass", password]);
            }
        }
        let log = std::fs::File::create(self.log_path()).unwrap();
        let child = cmd
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.binary.display()));
        self.child = Some(child);
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err()
            || self
                .child
                .as_mut()
                .is_some_and(|c| c.try_wait().ok().flatten().is_some())
        {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{} did not listen on {}: {}",
                self.binary.display(),
                self.port,
                std::fs::read_to_string(self.log_path()).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the server (its data folder stays, for `resume`).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn log_path(&self) -> PathBuf {
        Path::new(self.dir.path()).join("server.log")
    }
}
