//! Frame times for the benchmarks: with `CADUCEE_FRAME_STATS=1` the window
//! redraws continuously and logs, each second, how long its frames took
//! (the time between two frames: events, `update`, `view`, layout and
//! drawing). A stall while scrolling shows as a long frame.

use std::time::{Duration, Instant};

/// The environment variable that turns the measurement on.
pub const ENV: &str = "CADUCEE_FRAME_STATS";

/// How often a summary is logged.
const PERIOD: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct FrameStats {
    last: Option<Instant>,
    since: Option<Instant>,
    intervals: Vec<Duration>,
}

/// One period's frame times, in milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub frames: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl FrameStats {
    /// On when `CADUCEE_FRAME_STATS` is set (to anything but `0`).
    pub fn from_env() -> Option<Self> {
        std::env::var(ENV)
            .ok()
            .filter(|v| !v.is_empty() && v != "0")
            .map(|_| Self::new())
    }

    pub fn new() -> Self {
        Self {
            last: None,
            since: None,
            intervals: Vec::new(),
        }
    }

    /// A frame was drawn at `at`; a summary when a period is over.
    pub fn frame(&mut self, at: Instant) -> Option<Summary> {
        if let Some(last) = self.last {
            self.intervals.push(at.saturating_duration_since(last));
        }
        self.last = Some(at);
        let since = *self.since.get_or_insert(at);
        if at.saturating_duration_since(since) < PERIOD || self.intervals.is_empty() {
            return None;
        }
        self.since = Some(at);
        let mut ms: Vec<f64> = self
            .intervals
            .drain(..)
            .map(|d| d.as_secs_f64() * 1000.0)
            .collect();
        ms.sort_by(f64::total_cmp);
        let pick = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
        Some(Summary {
            frames: ms.len(),
            p50_ms: pick(0.50),
            p95_ms: pick(0.95),
            p99_ms: pick(0.99),
            max_ms: ms[ms.len() - 1],
        })
    }
}

/// Log a summary (target `caducee::frames`, level info).
pub fn log(s: &Summary) {
    tracing::info!(
        target: "caducee::frames",
        frames = s.frames,
        p50_ms = format!("{:.1}", s.p50_ms),
        p95_ms = format!("{:.1}", s.p95_ms),
        p99_ms = format!("{:.1}", s.p99_ms),
        max_ms = format!("{:.1}", s.max_ms),
        "frame times"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_each_period_with_the_slow_frame_seen() {
        let mut stats = FrameStats::new();
        let t0 = Instant::now();
        let mut at = t0;
        let mut summaries = Vec::new();
        // 10 ms frames with one 120 ms stall, over a little more than a period.
        for i in 0..100 {
            at += Duration::from_millis(if i == 50 { 120 } else { 10 });
            summaries.extend(stats.frame(at));
        }
        assert_eq!(summaries.len(), 1, "{summaries:?}");
        let s = &summaries[0];
        assert!((s.p50_ms - 10.0).abs() < 0.01, "{s:?}");
        assert!((s.max_ms - 120.0).abs() < 0.01, "{s:?}");
        assert!(s.frames >= 80, "{s:?}");
    }
}
