//! The person's display preferences, kept in this phone's local storage.

use leptos::prelude::*;

use crate::i18n::Lang;

const LANG_KEY: &str = "sunlight.lang";
const LARGE_KEY: &str = "sunlight.large";

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

pub fn load_lang() -> Lang {
    match storage().and_then(|s| s.get_item(LANG_KEY).ok().flatten()).as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    }
}

pub fn save_lang(lang: Lang) {
    if let Some(s) = storage() {
        let _ = s.set_item(LANG_KEY, lang.code());
    }
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("lang", lang.code());
    }
}

pub fn load_large() -> bool {
    storage().and_then(|s| s.get_item(LARGE_KEY).ok().flatten()).as_deref() == Some("1")
}

/// Switches large-text mode: a class on `<html>` that the stylesheet scales from.
pub fn apply_large(on: bool) {
    if let Some(s) = storage() {
        let _ = s.set_item(LARGE_KEY, if on { "1" } else { "0" });
    }
    if let Some(html) = document().document_element() {
        let _ = html.class_list().toggle_with_force("large", on);
    }
}

/// Switches the language for the whole page.
pub fn set_lang(lang: Lang) {
    if let Some(s) = use_context::<RwSignal<Lang>>() {
        save_lang(lang);
        s.set(lang);
    }
}

/// A value this phone keeps for itself (the publication log's pinned key and the last
/// head it verified of each county, kept across sign-outs; the accounts read last, which
/// sign-out forgets: `kept.rs`).
#[cfg(villagers)]
pub fn kept(key: &str) -> Option<String> {
    storage().and_then(|s| s.get_item(key).ok().flatten())
}

/// Removes a kept value.
#[cfg(any(villagers, feature = "staff"))]
pub fn forget(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

#[cfg(villagers)]
pub fn keep(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}
