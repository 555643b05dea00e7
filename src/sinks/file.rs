//! The file sink: one envelope per line (NDJSON) appended to the configured path, flushed to
//! disk (`fsync`) before the row is marked delivered; a batch is one write and one `fsync`.
//! When a line would take the file past `max_bytes` the file is rotated first: `PATH`
//! becomes `PATH.1`, `PATH.1` becomes `PATH.2`, and so on, keeping `keep` rotated files. A crash between the write and the mark sends the
//! line again (at least once): readers deduplicate by the envelope id.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::Refusal;
use crate::config::SinkConfig;

pub struct FileSink {
    path: PathBuf,
    max_bytes: u64,
    keep: u32,
    /// The open file and its size, opened on first use and after a rotation.
    open: Arc<Mutex<Option<(File, u64)>>>,
}

impl FileSink {
    pub fn new(cfg: &SinkConfig) -> anyhow::Result<FileSink> {
        let path = cfg
            .path
            .clone()
            .ok_or_else(|| anyhow::anyhow!("a file sink needs a path"))?;
        Ok(FileSink {
            path,
            max_bytes: cfg.max_bytes,
            keep: cfg.keep,
            open: Arc::new(Mutex::new(None)),
        })
    }

    /// Appends the envelopes, one line each, and flushes them to disk (one write and one
    /// `fsync`, and one more before each rotation).
    pub async fn append(&self, envelopes: &[serde_json::Value]) -> Result<(), Refusal> {
        let lines: Vec<Vec<u8>> = envelopes
            .iter()
            .map(|e| {
                let mut line = e.to_string().into_bytes();
                line.push(b'\n');
                line
            })
            .collect();
        let (path, max_bytes, keep, open) = (
            self.path.clone(),
            self.max_bytes,
            self.keep,
            self.open.clone(),
        );
        tokio::task::spawn_blocking(move || {
            let mut open = open.lock().unwrap_or_else(|e| e.into_inner());
            append_lines(&mut open, &path, max_bytes, keep, &lines)
        })
        .await
        .map_err(|e| Refusal::temporary(format!("the file writer failed: {e}")))?
        .map_err(|e| Refusal::temporary(format!("cannot write {}: {e}", self.path.display())))
    }
}

/// Appends the lines, rotating first whenever the next line would take the file past
/// `max_bytes`; everything written is on disk when it returns `Ok`.
fn append_lines(
    open: &mut Option<(File, u64)>,
    path: &Path,
    max_bytes: u64,
    keep: u32,
    lines: &[Vec<u8>],
) -> std::io::Result<()> {
    let mut buf: Vec<u8> = Vec::new();
    for line in lines {
        if open.is_none() {
            *open = Some(open_append(path)?);
        }
        let size = open.as_ref().map_or(0, |(_, size)| *size) + buf.len() as u64;
        if size > 0 && size + line.len() as u64 > max_bytes {
            write_out(open, &buf)?;
            buf.clear();
            *open = None;
            rotate(path, keep)?;
            *open = Some(open_append(path)?);
        }
        buf.extend_from_slice(line);
    }
    write_out(open, &buf)
}

/// Writes `buf` to the open file and flushes it to disk.
fn write_out(open: &mut Option<(File, u64)>, buf: &[u8]) -> std::io::Result<()> {
    let Some((file, size)) = open.as_mut() else {
        return Ok(());
    };
    let written = file.write_all(buf).and_then(|()| file.sync_data());
    if written.is_err() {
        // A partial line may be on disk: start again from the file as it is.
        *open = None;
        return written;
    }
    *size += buf.len() as u64;
    Ok(())
}

fn open_append(path: &Path) -> std::io::Result<(File, u64)> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let file = OpenOptions::new().create(true).append(true).open(path)?;
    let size = file.metadata()?.len();
    Ok((file, size))
}

/// `PATH.n` for `n` ≥ 1.
fn rotated(path: &Path, n: u32) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

/// Shifts `PATH.1 … PATH.(keep-1)` up by one (the oldest is dropped), then `PATH` to `PATH.1`.
fn rotate(path: &Path, keep: u32) -> std::io::Result<()> {
    let keep = keep.max(1);
    match std::fs::remove_file(rotated(path, keep)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    for n in (1..keep).rev() {
        match std::fs::rename(rotated(path, n), rotated(path, n + 1)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    std::fs::rename(path, rotated(path, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn append_line(
        open: &mut Option<(File, u64)>,
        path: &Path,
        max_bytes: u64,
        keep: u32,
        line: &[u8],
    ) -> std::io::Result<()> {
        append_lines(open, path, max_bytes, keep, &[line.to_vec()])
    }

    #[test]
    fn lines_are_appended_and_the_file_rotates_by_size_keeping_a_few() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/events.ndjson");
        let mut open = None;
        let line = [b'x'; 99].iter().chain(b"\n").copied().collect::<Vec<u8>>();
        for _ in 0..20 {
            append_line(&mut open, &path, 1000, 2, &line).unwrap();
        }
        // A batch of five in one write.
        append_lines(&mut open, &path, 1000, 2, &vec![line.clone(); 5]).unwrap();
        let len = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        assert_eq!(len(&path), 500);
        assert_eq!(len(&rotated(&path, 1)), 1000);
        assert_eq!(len(&rotated(&path, 2)), 1000);
        assert!(!rotated(&path, 3).exists());
        // A new writer (a restart) goes on from the file's size.
        let mut again = None;
        for _ in 0..5 {
            append_line(&mut again, &path, 1000, 2, &line).unwrap();
        }
        assert_eq!(len(&path), 1000);
        append_line(&mut again, &path, 1000, 2, &line).unwrap();
        assert_eq!(len(&path), 100);
    }
}
