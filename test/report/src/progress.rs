//! A progress bar on standard error for the report's long runs.

use std::io::Write;
use std::time::Instant;

/// The most times a bar is redrawn (so a log of a long run stays short).
const REDRAWS: usize = 100;

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
        // A progress bar that cannot be drawn (standard error closed) is not worth failing for.
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
        let before = self.done * REDRAWS / self.total;
        self.done = (self.done + 1).min(self.total);
        // Short runs redraw at every step; long ones at most `REDRAWS` times.
        if self.total <= REDRAWS || self.done * REDRAWS / self.total != before {
            self.draw(label);
        }
    }

    /// Ends the bar's line.
    pub fn finish(self) {
        self.draw("done");
        // As in `draw`: nothing to do if standard error is closed.
        let _ = writeln!(std::io::stderr());
    }
}
