//! One module per screen.

pub mod admin;
pub mod auth;
pub mod me;
pub mod villager;
pub mod work;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
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
            <p><A href=paths::HOME>{t(T::Home)}</A></p>
        </div>
    }
}
