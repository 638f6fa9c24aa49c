//! The mark under a published month: checked against the county's publication log by
//! the verify worker (`verify-worker/`), after the page is shown. The phone pins the log's
//! key the first time it checks and keeps the last head it verified of each county, so a
//! later answer must extend what it saw.

use leptos::{prelude::*, task::spawn_local};
use sunlight_api::RegionCode;
use wasm_bindgen::JsValue;

use crate::{
    i18n::{T, t},
    prefs, worker,
};

/// The worker's loader, built beside the villagers' bundle by Trunk.
const VERIFY_WORKER: &str = "sunlight-verify_loader.js";
const KEY: &str = "sunlight.log.key";

fn head_key(county: &RegionCode) -> String {
    format!("sunlight.log.head.{county}")
}

#[derive(Clone, PartialEq)]
enum State {
    Checking,
    Verified {
        size: u64,
        at: sunlight_api::Timestamp,
    },
    /// The check failed: what is shown is not what the log holds, or the log was changed.
    Warning(T),
    /// No answer (offline, server error): nothing is claimed either way.
    Unchecked,
}

async fn check(village: RegionCode, month_text: String) -> State {
    let Some(county) = village.county() else {
        return State::Unchecked;
    };
    let kept = prefs::kept(&head_key(&county));
    let opt = |v: Option<String>| v.map_or(JsValue::NULL, |s| JsValue::from_str(&s));
    let base = document().base_uri().ok().flatten().unwrap_or_default();
    let message = worker::object(&[
        ("month", JsValue::from_str(&month_text)),
        ("base", JsValue::from_str(&base)),
        ("key", opt(prefs::kept(KEY))),
        ("kept", opt(kept)),
    ]);
    let Some(answer) = worker::ask(VERIFY_WORKER, &message).await else {
        return State::Unchecked;
    };
    let text = |k: &str| worker::field(&answer, k).as_string();
    let verdict = text("verdict").unwrap_or_default();
    // The first key this phone checked against stays pinned, whatever the verdict.
    if prefs::kept(KEY).is_none()
        && let Some(key) = text("key")
    {
        prefs::keep(KEY, &key);
    }
    match verdict.as_str() {
        "verified" => {
            if let Some(head) = text("head") {
                prefs::keep(&head_key(&county), &head);
            }
            let number = |k: &str| worker::field(&answer, k).as_f64().unwrap_or(0.0);
            State::Verified {
                size: number("size") as u64,
                at: sunlight_api::Timestamp(number("at") as i64),
            }
        }
        "altered" => State::Warning(T::LogAltered),
        "not_logged" => State::Warning(T::LogNotLogged),
        "bad_signature" => State::Warning(T::LogBadKey),
        "rolled_back" | "forked" => State::Warning(T::LogRewritten),
        "wrong_log" | "bad_proof" => State::Warning(T::LogBadProof),
        _ => State::Unchecked,
    }
}

/// Checks the month the page shows (its JSON as decoded) and says what came of it.
#[component]
pub fn LogMark(village: RegionCode, month_text: String) -> impl IntoView {
    let state = RwSignal::new(State::Checking);
    spawn_local(async move { state.set(check(village, month_text).await) });
    move || match state.get() {
        State::Checking => view! { <p class="log-mark muted" role="status">{t(T::LogChecking)}</p> }.into_any(),
        State::Verified { size, at } => view! {
            <p class="log-mark ok" role="status">
                "✓ "{t(T::LogVerified)}
                <span class="muted">" · "{t(T::LogEntries)}" "{size}" · "{at.china_string()}</span>
            </p>
        }
        .into_any(),
        State::Warning(why) => view! {
            <div class="log-mark warn" role="alert">
                <p><b>"⚠ "{t(T::LogWarning)}</b></p>
                <p>{t(why)}</p>
                <p class="muted">{t(T::LogWarningWhat)}</p>
            </div>
        }
        .into_any(),
        State::Unchecked => view! { <p class="log-mark muted" role="status">{t(T::LogUnchecked)}</p> }.into_any(),
    }
}
