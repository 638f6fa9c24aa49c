//! The Sunlight client (阳光村务): a Leptos CSR page for villagers' phones and staff.
// The bundles other than the villagers' and the workbench are small pages that use only a
// part of the shared modules (`api`, `components`, `i18n`, `session`).
#![cfg_attr(not(any(villagers, feature = "staff")), allow(dead_code))]

mod api;
mod app;
mod components;
mod i18n;
#[cfg(any(villagers, feature = "staff"))]
mod kept;
#[cfg(villagers)]
mod log_check;
mod pages;
mod paths;
#[cfg(any(
    feature = "staff",
    feature = "records",
    feature = "report",
    feature = "office",
    feature = "demands"
))]
mod photo;
mod prefs;
mod router;
#[cfg(any(feature = "report", feature = "office"))]
mod seal;
mod session;
#[cfg(feature = "demands")]
mod voice;
#[cfg(any(feature = "staff", feature = "records"))]
mod words_catalogue;
#[cfg(any(feature = "staff", feature = "demands"))]
mod words_demands;
#[cfg(any(villagers, feature = "office"))]
mod worker;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
