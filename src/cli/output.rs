//! Shared output helpers: `--json`, dates, sizes.

use clap::Args;
use serde::Serialize;

#[derive(Args, Clone, Copy)]
pub struct JsonFlag {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Print a value as pretty JSON on stdout.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<(), super::Failure> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

static LOCAL_OFFSET: std::sync::OnceLock<time::UtcOffset> = std::sync::OnceLock::new();

/// Read the local time offset; call once at start, before any thread is spawned.
pub fn init_local_offset() {
    let offset = time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC);
    let _ = LOCAL_OFFSET.set(offset);
}

/// `2026-11-23 09:15`, local time.
pub fn date(ts: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    let offset = LOCAL_OFFSET.get().copied().unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|d| d.to_offset(offset).format(&format).ok())
        .unwrap_or_else(|| "?".into())
}

/// `12.3 MB`, `850 KB`, `512 B`.
pub fn size(bytes: i64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.0} KB", b / 1e3)
    } else {
        format!("{bytes} B")
    }
}

/// Cut `s` to `n` characters, with an ellipsis.
pub fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}
