//! The villager's tabs. Each capability that is not open yet says so plainly.

use leptos::prelude::*;

use crate::{
    components::{Leave, Page, ReportEntry},
    i18n::{T, t},
    paths,
    session::Session,
};

/// 公开: the village's disclosures, starting with its accounts.
#[component]
pub fn Home() -> impl IntoView {
    let session = Session::get();
    move || {
        let me = session.0.get().flatten()?;
        Some(match me.village() {
            Some(v) => view! { <crate::pages::ledger::YearView code=v.region.clone() todo=true/> }.into_any(),
            None => view! { <Leave path=paths::WORK/> }.into_any(),
        })
    }
}

/// 举报: private reports, filed in their own page (it needs no account and sends no
/// cookie, so nothing ties a report to whoever is signed in here).
#[component]
pub fn Reports() -> impl IntoView {
    view! {
        <Page title=t(T::ReportTitle)><ReportEntry/></Page>
    }
}
