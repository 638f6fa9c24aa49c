//! The Sunlight client (阳光村务): a Leptos CSR page for villagers' phones and staff.

mod api;
mod app;
mod components;
mod i18n;
mod pages;
mod paths;
#[cfg(feature = "staff")]
mod photo;
mod prefs;
mod session;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
