//! One module per screen.

#[cfg(feature = "staff")]
pub mod admin;
#[cfg(not(feature = "staff"))]
pub mod auth;
pub mod ledger;
#[cfg(feature = "staff")]
pub mod ledger_staff;
pub mod me;
pub mod polls;
#[cfg(not(feature = "staff"))]
pub mod polls_vote;
#[cfg(not(feature = "staff"))]
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
        <div class="content">
            <p>{t(T::NotFoundPage)}</p>
            <p><Go href=paths::HOME>{t(T::Home)}</Go></p>
        </div>
    }
}
