//! Who holds a lease: every run has its own holder name, `NAME:HOST:PID:START:RUN` — the
//! configured daemon name, the host, the process id, the process's start time (clock ticks
//! since boot, from `/proc`) and a random run number. Two runs never share a name, even with
//! the same configuration, so one never frees or finishes the other's work; and a run can tell
//! that a holder on its own host is dead (no such process, or another process under a reused
//! id), so a restart takes back a killed predecessor's work at once instead of waiting for
//! its leases to run out.

use std::path::Path;

/// A lease holder name for a new run of this process.
pub fn this_run(daemon_id: &str) -> String {
    let pid = std::process::id();
    let start = start_time(pid).unwrap_or_else(|| "r".into());
    let run = rand::random::<u32>();
    format!("{daemon_id}:{}:{pid}:{start}:{run:08x}", host_name())
}

/// Whether `owner` names a process of this host that is no longer running.
pub fn is_dead_here(owner: &str) -> bool {
    let mut parts = owner.rsplitn(5, ':');
    let (Some(_run), Some(start), Some(pid), Some(host)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if host != host_name() || start.starts_with('r') {
        // Another host, or a process that could not read its start time: only the lease's
        // end tells.
        return false;
    }
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    start_time(pid).is_none_or(|now| now != start)
}

fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(Path::new(p)).ok())
        .map(|h| h.trim().replace(':', "_"))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// Field 22 of `/proc/PID/stat`: when the process started, in clock ticks since boot.
fn start_time(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(19).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_gone_one_is_dead() {
        let me = this_run("d:1");
        assert!(me.starts_with("d:1:"), "{me}");
        assert!(!is_dead_here(&me), "{me}");
        assert_ne!(me, this_run("d:1"), "two runs, two names");
        if start_time(std::process::id()).is_some() {
            let mut p: Vec<&str> = me.rsplitn(5, ':').collect();
            p.reverse();
            let reused = format!("{}:{}:{}:1:{}", p[0], p[1], p[2], p[4]);
            assert!(is_dead_here(&reused), "same pid, other start time");
            let gone = format!("{}:{}:{}:{}:{}", p[0], p[1], u32::MAX - 7, p[3], p[4]);
            assert!(is_dead_here(&gone), "no such process");
        }
        assert!(!is_dead_here("d:another-host:1:5:0"));
        assert!(!is_dead_here("legacy-name"));
    }
}
