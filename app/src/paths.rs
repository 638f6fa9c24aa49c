//! Every route path of the client, in one place. Paths are relative to the router base.
//!
//! The client ships as seven bundles: the villagers' (the disclosures, the reports tab and
//! me), signing in (`/login`, `/register`, `/reset`), polls under `/polls`, demands under
//! `/demands`, the staff workbench under `/staff/`, private reports under `/report/` and
//! the inspectors' office under `/office/`. A link from one bundle to another loads the
//! page. All share this list; each uses its own part of it.
#![allow(dead_code)]

pub const LOGIN: &str = "/login";
pub const REGISTER: &str = "/register";
pub const RESET: &str = "/reset";
pub const HOME: &str = "/";
pub const DEMANDS: &str = "/demands";
pub const DEMAND_NEW: &str = "/demands/new";
pub const REPORTS: &str = "/reports";
pub const POLLS: &str = "/polls";
pub const ME: &str = "/me";
pub const WORK: &str = "/staff/work";
pub const STAFF_ME: &str = "/staff/me";
/// The working-day calendar and (linked from a county) its limits.
pub const CALENDAR: &str = "/staff/calendar";

/// The reports bundle (举报), for anyone, with or without an account.
pub const REPORT: &str = "/report";
pub const REPORT_NEW: &str = "/report/new";
pub const REPORT_FOLLOW: &str = "/report/follow";

/// An office's page (the office bundle): its key group, inbox and dashboard.
pub fn office(region: &str) -> String {
    format!("/office/{region}")
}

/// One report, as its office reads it.
pub fn office_report(region: &str, id: &uuid::Uuid) -> String {
    format!("/office/{region}/reports/{id}")
}

pub fn admin(region: &str) -> String {
    format!("/staff/admin/{region}")
}

/// A village's accounts: read-only in the villagers' bundle, with the accountant's and
/// reviewer's controls in the workbench.
pub fn ledger(region: &str) -> String {
    if cfg!(any(feature = "staff", feature = "records")) {
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

/// One demand: followed in the demands bundle, worked in the workbench.
pub fn demand(id: &uuid::Uuid) -> String {
    if cfg!(any(feature = "staff", feature = "records")) {
        format!("/staff/demand/{id}")
    } else {
        format!("/demands/{id}")
    }
}

/// The demands a region holds or that ran late there (`view`: held, overdue, region).
pub fn staff_demands(region: &str, view: &str) -> String {
    format!("/staff/demands/{region}?view={view}")
}

/// A region's demand dashboard.
pub fn demand_stats(region: &str) -> String {
    format!("/staff/demand-stats/{region}")
}

/// A village's or township's polls, for its cadres and administrators.
pub fn region_polls(region: &str) -> String {
    format!("/staff/admin/{region}/polls")
}

pub fn review(region: &str) -> String {
    format!("/staff/review/{region}")
}

/// A village's disclosures in the workbench: its items, entries and what is due.
pub fn staff_disclosures(village: &str) -> String {
    format!("/staff/disclosures/{village}")
}

/// One disclosure entry in the workbench.
pub fn staff_disclosure(id: &uuid::Uuid) -> String {
    format!("/staff/disclosure/{id}")
}

/// One project or disposal in the workbench.
pub fn staff_project(id: &uuid::Uuid) -> String {
    format!("/staff/project/{id}")
}

/// Asking about a published entry (a project's stage or a catalogue entry), in the
/// demands bundle where villagers write.
pub fn ask_entry(id: &uuid::Uuid) -> String {
    format!("/demands/ask/{id}")
}

/// A region's disclosure completeness (红黄绿).
pub fn completeness(region: &str) -> String {
    format!("/staff/completeness/{region}")
}

/// A township's disclosures waiting for review.
pub fn disclosure_queue(region: &str) -> String {
    format!("/staff/disclosure-queue/{region}")
}

/// A county's disclosure catalogue, for its administrator.
pub fn catalogue(county: &str) -> String {
    format!("/staff/catalogue/{county}")
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

/// The bundles of the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bundle {
    Villagers,
    Staff,
    /// The workbench's disclosures: the catalogue's and projects' screens under `/staff/`.
    Records,
    Report,
    Office,
    Demands,
    Polls,
    SignIn,
}

/// The bundle this page is.
pub const THIS: Bundle = if cfg!(feature = "staff") {
    Bundle::Staff
} else if cfg!(feature = "records") {
    Bundle::Records
} else if cfg!(feature = "report") {
    Bundle::Report
} else if cfg!(feature = "office") {
    Bundle::Office
} else if cfg!(feature = "demands") {
    Bundle::Demands
} else if cfg!(feature = "polls") {
    Bundle::Polls
} else if cfg!(feature = "signin") {
    Bundle::SignIn
} else {
    Bundle::Villagers
};

/// The workbench's addresses the disclosures bundle serves (keep in step with the
/// server's `static_files::RECORDS`).
pub const RECORDS: [&str; 6] = [
    "/staff/disclosures/",
    "/staff/disclosure/",
    "/staff/disclosure-queue/",
    "/staff/completeness/",
    "/staff/catalogue/",
    "/staff/project/",
];

/// Which bundle serves `path`.
pub fn bundle_of(path: &str) -> Bundle {
    if RECORDS.iter().any(|p| path.starts_with(p)) {
        Bundle::Records
    } else if path == "/staff" || path.starts_with("/staff/") {
        Bundle::Staff
    } else if path == REPORT || path.starts_with("/report/") {
        Bundle::Report
    } else if path.starts_with("/office/") {
        Bundle::Office
    } else if path == DEMANDS || path.starts_with("/demands/") {
        Bundle::Demands
    } else if path == POLLS || path.starts_with("/polls/") {
        Bundle::Polls
    } else if [LOGIN, REGISTER, RESET].contains(&path.split('?').next().unwrap_or_default()) {
        Bundle::SignIn
    } else {
        Bundle::Villagers
    }
}

/// Whether `path` belongs to another bundle, so that going there loads the page.
pub fn is_foreign(path: &str) -> bool {
    bundle_of(path) != THIS
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
        assert_eq!(bundle_of(ME), Bundle::Villagers);
        assert_eq!(bundle_of(REPORTS), Bundle::Villagers);
        assert_eq!(bundle_of(DEMANDS), Bundle::Demands);
        assert_eq!(bundle_of("/demands/1"), Bundle::Demands);
        assert_eq!(bundle_of(REPORT_FOLLOW), Bundle::Report);
        assert_eq!(bundle_of(REPORT), Bundle::Report);
        assert_eq!(bundle_of(&office("359901101000")), Bundle::Office);
        assert_eq!(bundle_of(POLLS), Bundle::Polls);
        assert_eq!(bundle_of("/polls/1"), Bundle::Polls);
        assert_eq!(
            bundle_of(&poll(&uuid::Uuid::nil())),
            if cfg!(feature = "staff") {
                Bundle::Staff
            } else {
                Bundle::Polls
            }
        );
        assert_eq!(bundle_of(LOGIN), Bundle::SignIn);
        assert_eq!(bundle_of("/reset?code=1"), Bundle::SignIn);
        assert_eq!(bundle_of("/loginx"), Bundle::Villagers);
    }
}
