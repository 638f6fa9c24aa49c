//! The wire contract of Sunlight (阳光村务): every type that crosses HTTP between the
//! Leptos client and the axum server, and the validated newtypes both sides parse into.
//!
//! This crate does no I/O and compiles for `wasm32-unknown-unknown`. The server enables
//! the `openapi` feature to derive OpenAPI schemas from these same types.

pub mod catalogue;
pub mod date;
pub mod demand;
pub mod dto;
pub mod error;
pub mod fields;
pub mod ledger;
pub mod money;
pub mod poll;
pub mod project;
pub mod published;
pub mod region;
pub mod report;
pub mod robot;
pub mod role;
pub mod text;
pub mod time;
pub mod transparency;
pub mod wechat;
pub mod workdays;

pub use error::{ErrorBody, ErrorCode};
pub use fields::{InviteCode, Mobile, Password, PersonName};
pub use region::{RegionCode, RegionLevel};
pub use role::Role;
pub use time::Timestamp;

/// The header a client sends on every mutating request that is not JSON (CSRF guard).
pub const CSRF_HEADER: &str = "x-sunlight";

/// A page of a keyset-paginated list: pass `next` back as `cursor` to get the next page.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Opaque cursor of the next page; absent on the last page.
    pub next: Option<String>,
}
