//! Progress lines of a training run on stderr, with the seconds since it started. Training
//! only; it must not write to stdout (the report goes there).

use std::time::Instant;

pub struct Progress {
    pub started: Instant,
    pub verbose: bool,
}

impl Progress {
    pub fn new(verbose: bool) -> Progress {
        Progress {
            started: Instant::now(),
            verbose,
        }
    }

    pub fn log(&self, msg: String) {
        if self.verbose {
            eprintln!("{msg} ({:.1} s)", self.started.elapsed().as_secs_f64());
        }
    }
}
