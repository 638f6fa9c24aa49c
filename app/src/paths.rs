//! Every route path of the client, in one place. Paths are relative to the router base.
//!
//! The client ships as two bundles: the villagers' (sign-in and the five tabs) and the
//! staff workbench under `/staff/`. A link from one bundle to the other loads the page.
//! Both bundles share this list; each uses its own part of it.
#![allow(dead_code)]

pub const LOGIN: &str = "/login";
pub const REGISTER: &str = "/register";
pub const RESET: &str = "/reset";
pub const HOME: &str = "/";
pub const DEMANDS: &str = "/demands";
pub const REPORTS: &str = "/reports";
pub const POLLS: &str = "/polls";
pub const ME: &str = "/me";
pub const WORK: &str = "/staff/work";
pub const STAFF_ME: &str = "/staff/me";

pub fn admin(region: &str) -> String {
    format!("/staff/admin/{region}")
}

/// A village's accounts: read-only in the villagers' bundle, with the accountant's and
/// reviewer's controls in the workbench.
pub fn ledger(region: &str) -> String {
    if cfg!(feature = "staff") {
        format!("/staff/ledger/{region}")
    } else {
        format!("/ledger/{region}")
    }
}

/// One month of a village's accounts.
pub fn ledger_month(region: &sunlight_api::RegionCode, month: sunlight_api::date::Month) -> String {
    format!("{}/{month}", ledger(region.as_str()))
}

/// A poll: voted on in the villagers' bundle, its results read in the workbench.
pub fn poll(id: &uuid::Uuid) -> String {
    if cfg!(feature = "staff") {
        format!("/staff/polls/{id}")
    } else {
        format!("/polls/{id}")
    }
}

pub fn review(region: &str) -> String {
    format!("/staff/review/{region}")
}

/// The path prefix the page is served under, from `<base href>`: "" or e.g. "/cunwu".
pub fn base() -> String {
    let base = leptos::prelude::document()
        .base_uri()
        .ok()
        .flatten()
        .unwrap_or_default();
    let path = web_sys::Url::new(&base).map(|u| u.pathname()).unwrap_or_default();
    path.trim_end_matches('/').to_owned()
}

/// Whether `path` belongs to the other bundle, so that going there loads the page.
pub fn is_foreign(path: &str) -> bool {
    path.starts_with("/staff/") != cfg!(feature = "staff")
}

/// The same path relative to `<base href>`, for plain links and full navigations.
pub fn relative(path: &str) -> String {
    match path.trim_start_matches('/') {
        "" => "./".to_owned(),
        p => p.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_and_relative_paths() {
        assert_eq!(relative(HOME), "./");
        assert_eq!(relative(WORK), "staff/work");
        assert_eq!(is_foreign(WORK), !cfg!(feature = "staff"));
        assert_eq!(is_foreign(ME), cfg!(feature = "staff"));
    }
}
