//! One module per screen.

#[cfg(feature = "staff")]
pub mod admin;
#[cfg(feature = "demands")]
pub mod ask;
#[cfg(feature = "signin")]
pub mod auth;
#[cfg(feature = "staff")]
pub mod deadlines;
#[cfg(any(feature = "staff", feature = "demands"))]
pub mod demands;
#[cfg(feature = "demands")]
pub mod demands_file;
#[cfg(feature = "staff")]
pub mod demands_staff;
#[cfg(feature = "records")]
pub mod disclosures;
#[cfg(any(villagers, feature = "staff"))]
pub mod ledger;
#[cfg(feature = "staff")]
pub mod ledger_staff;
#[cfg(any(villagers, feature = "staff"))]
pub mod me;
#[cfg(feature = "office")]
pub mod office;
#[cfg(feature = "office")]
pub mod office_report;
#[cfg(any(feature = "staff", feature = "polls"))]
pub mod polls;
#[cfg(feature = "polls")]
pub mod polls_vote;
#[cfg(feature = "records")]
pub mod projects;
#[cfg(feature = "report")]
pub mod report;
#[cfg(any(feature = "office", feature = "report"))]
pub mod report_text;
#[cfg(feature = "demands")]
pub mod sign;
#[cfg(feature = "staff")]
pub mod village_cards;
#[cfg(villagers)]
pub mod villager;
#[cfg(feature = "staff")]
pub mod work;

use leptos::prelude::*;

use crate::{
    components::Go,
    i18n::{T, t},
    paths,
};

/// Any path the router does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <header class="bar"><h1>{t(T::AppName)}</h1></header>
        <main class="content">
            <p>{t(T::NotFoundPage)}</p>
            <p><Go href=paths::HOME>{t(T::Home)}</Go></p>
        </main>
    }
}
