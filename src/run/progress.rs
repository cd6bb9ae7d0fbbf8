//! A spinner on standard error while the data loads and the graph builds, for runs
//! that take more than about a second: only when standard error is a terminal (never
//! on a pipe or in CI logs), and never for the machine formats (JSON, SARIF, GitHub
//! annotations), whose readers are programs.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a phase runs before the spinner shows (`IAMPATH_PROGRESS_DELAY_MS`
/// overrides it, for tests).
const DELAY: Duration = Duration::from_millis(1000);
const TICK: Duration = Duration::from_millis(120);

/// The spinner of one command; it disappears when dropped.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A spinner that shows after [`DELAY`], or nothing when `enabled` is false.
    pub(crate) fn new(enabled: bool) -> Progress {
        if !enabled {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        let delay = std::env::var("IAMPATH_PROGRESS_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map_or(DELAY, Duration::from_millis);
        fn show(bar: &ProgressBar) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(TICK);
        }
        if delay.is_zero() {
            // At once, not from a thread that a busy machine may start after a short
            // command has ended.
            show(&bar);
        } else {
            let shown = bar.clone();
            std::thread::spawn(move || {
                std::thread::sleep(delay);
                if !shown.is_finished() {
                    show(&shown);
                }
            });
        }
        Progress { bar: Some(bar) }
    }

    /// What is being done now.
    pub(crate) fn step(&self, what: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(what.to_string());
        }
    }

    /// True when a spinner may show (for tests).
    #[cfg(test)]
    fn active(&self) -> bool {
        self.bar.is_some()
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_progress_draws_nothing() {
        let p = Progress::new(false);
        p.step("loading");
        assert!(!p.active());
    }

    #[test]
    fn a_quick_phase_finishes_before_the_spinner_shows() {
        let p = Progress::new(true);
        p.step("loading");
        assert!(p.active());
        drop(p);
    }
}
