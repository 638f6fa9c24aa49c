//! The accounts a villager has read stay readable without network where no service worker
//! keeps them (iOS web-views: WeChat on an iPhone). The app keeps the text of the answers
//! about the accounts (a year, a month) it got last, up to [`KEEP`], in local storage,
//! with the time each came, and gives the kept text when the network gives nothing; [`KeptNote`] then
//! says it is a kept copy and from when. Signing out forgets them (phones are shared).

#[cfg(villagers)]
use leptos::prelude::*;

use crate::prefs;

/// Copies are kept in [`KEEP`] slots, `INDEX.{n}`, chosen by the address (a later answer
/// whose address falls in the same slot replaces it): a bound without an index to keep.
const INDEX: &str = "sunlight.kept";
const KEEP: usize = 12;

/// When the kept copy shown was fetched (ms), while one is shown.
#[cfg(villagers)]
#[derive(Clone, Copy)]
pub struct KeptAt(pub RwSignal<Option<i64>>);

#[cfg(villagers)]
fn slot(url: &str) -> String {
    format!("{INDEX}.{}", url.bytes().map(usize::from).sum::<usize>() % KEEP)
}

/// Passes an answer about the accounts through: a fresh one is kept (with its address and
/// time), no answer at all is replaced by the kept copy of the same address if there is
/// one. Other addresses pass untouched.
#[cfg(villagers)]
pub fn through(url: &str, answer: crate::api::ApiResult<String>, at: Option<KeptAt>) -> crate::api::ApiResult<String> {
    use crate::api::Failure::Offline;
    if !url.contains("/ledger/") {
        return answer;
    }
    let slot = slot(url);
    let shown = |when: Option<i64>| {
        if let Some(at) = at {
            at.0.set(when);
        }
    };
    match answer {
        Ok(text) => {
            // Whole milliseconds: formatting or parsing a float would add kilobytes.
            prefs::keep(&slot, &format!("{url}\n{}\n{text}", js_sys::Date::now() as i64));
            shown(None);
            Ok(text)
        }
        Err(Offline) => {
            let kept = prefs::kept(&slot).ok_or(Offline)?;
            let mut parts = kept.splitn(3, '\n');
            let (Some(of), Some(when), Some(text)) = (parts.next(), parts.next(), parts.next()) else {
                return Err(Offline);
            };
            if of != url {
                return Err(Offline);
            }
            shown(when.parse().ok());
            Ok(text.to_owned())
        }
        other => other,
    }
}

/// Forgets every kept copy (at sign-out).
pub fn forget_all() {
    for n in 0..KEEP {
        prefs::forget(&format!("{INDEX}.{n}"));
    }
}

/// "No network: this was saved at …", while a kept copy is shown. Each page starts
/// without one: a page is built before its answers come.
#[cfg(villagers)]
#[component]
pub fn KeptNote() -> impl IntoView {
    let at = use_context::<KeptAt>();
    if let Some(at) = at {
        at.0.set(None);
    }
    move || {
        let when = at?.0.get()?;
        let text =
            crate::i18n::t(crate::i18n::T::KeptCopy).replace("{0}", &sunlight_api::Timestamp(when).china_string());
        Some(view! { <p class="banner" role="status">{text}</p> })
    }
}
