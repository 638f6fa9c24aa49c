//! What the server logs. The level comes from `RUST_LOG` (default `info`), but some lines
//! are never written, whatever the level: those that carry a peer's network address.
//! A report's filer is anonymous, and a log line with an address next to a report route
//! would undo that, so the rule does not depend on anyone choosing the right level.

use tracing::{Metadata, Subscriber};
use tracing_subscriber::{
    EnvFilter, Layer,
    filter::{FilterExt, FilterFn},
    fmt::MakeWriter,
    registry::LookupSpan,
};

/// Targets whose events name the peer's address (axum's accept loop writes
/// `connection 1.2.3.4:5678 accepted` at trace level).
const NEVER_LOGGED: &[&str] = &["axum::serve"];

/// Whether an event or span from this place may be logged at all.
pub fn may_log(meta: &Metadata<'_>) -> bool {
    !silenced(meta.target())
}

fn silenced(target: &str) -> bool {
    NEVER_LOGGED.iter().any(|t| {
        target
            .strip_prefix(t)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
    })
}

/// The level filter from `RUST_LOG`, or `info`.
pub fn env_filter() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"))
}

/// The formatting layer the server logs through: `levels` decides how much, and the
/// addresses rule above holds on top of it.
pub fn layer<S, W>(levels: EnvFilter, writer: W) -> impl Layer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_filter(levels.and(FilterFn::new(may_log)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_accept_loop_is_never_logged_but_its_neighbours_are() {
        use super::silenced;
        assert!(silenced("axum::serve"));
        assert!(silenced("axum::serve::listener"));
        assert!(!silenced("axum::serve_extra"));
        assert!(!silenced("sunlight_server::http"));
    }
}
