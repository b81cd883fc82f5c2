//! A progress bar on standard error for the report's long runs.

use std::io::Write;
use std::time::Instant;

/// A bar of `total` steps.
pub struct Progress {
    what: String,
    total: usize,
    done: usize,
    start: Instant,
}

impl Progress {
    /// A bar for `total` steps of `what`.
    pub fn new(what: &str, total: usize) -> Self {
        let p = Progress {
            what: what.into(),
            total: total.max(1),
            done: 0,
            start: Instant::now(),
        };
        p.draw("");
        p
    }

    fn draw(&self, label: &str) {
        let width = 30;
        let filled = width * self.done / self.total;
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{:<28} [{}{}] {:>5}/{:<5} {:>6.1}s {:<40}",
            self.what,
            "#".repeat(filled),
            " ".repeat(width - filled),
            self.done,
            self.total,
            self.start.elapsed().as_secs_f64(),
            label.chars().take(40).collect::<String>()
        );
        let _ = err.flush();
    }

    /// One step done.
    pub fn tick(&mut self, label: &str) {
        self.done = (self.done + 1).min(self.total);
        self.draw(label);
    }

    /// Ends the bar's line.
    pub fn finish(self) {
        self.draw("done");
        let _ = writeln!(std::io::stderr());
    }
}
