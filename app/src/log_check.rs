//! The mark under a published month: checked against the county's publication log by
//! the verify worker (`verify-worker/`), after the page is shown. The phone pins the log's
//! key the first time it checks and keeps the last head it verified of each county, so a
//! later answer must extend what it saw.

use leptos::prelude::*;
use sunlight_api::{RegionCode, Timestamp};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};

use crate::{
    i18n::{T, t},
    prefs, worker,
};

/// The worker's loader, built beside the villagers' bundle by Trunk.
const VERIFY_WORKER: &str = "sunlight-verify_loader.js";
const KEY: &str = "sunlight.log.key";

fn head_key(county: &str) -> String {
    format!("sunlight.log.head.{county}")
}

/// Starts the worker and sets `answer` to its verdict, and for a verified month the log's
/// size and the head's time (`verified 85 1764806400000`); to "" when there was no answer.
/// Callbacks rather than a future: one closure is less code in the first load than an
/// async state machine and a task.
fn start(village: RegionCode, month_text: String, answer: RwSignal<String>) {
    let (Some(county), Ok(w)) = (village.county(), web_sys::Worker::new(VERIFY_WORKER)) else {
        answer.set(String::new());
        return;
    };
    // One string, three lines: the pinned key ("-" for none), the kept head ("-"), and
    // the month's JSON as it came (JSON text holds no raw line breaks).
    let line = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
    let message = JsValue::from_str(&format!(
        "{}\n{}\n{month_text}",
        line(prefs::kept(KEY)),
        line(prefs::kept(&head_key(county.as_str())))
    ));
    let worker = w.clone();
    let mut ready = false;
    // The same function hears the worker's messages and its failure to load (an event
    // without `data`): first "ready", then the answer.
    let on_event = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        let data = worker::field(&e, "data");
        if !ready && data.as_string().as_deref() == Some("ready") && worker.post_message(&message).is_ok() {
            ready = true;
            return;
        }
        worker.terminate();
        answer.set(if ready { conclude(&data) } else { String::new() });
    });
    w.set_onmessage(Some(on_event.as_ref().unchecked_ref()));
    w.set_onerror(Some(on_event.as_ref().unchecked_ref()));
    on_event.forget();
}

/// Keeps what a verified answer teaches the phone, and says what the answer was. The
/// answer is `verdict key` and, when verified, `size at county head`, separated by
/// spaces. Only a verified answer pins the key and keeps the head (under the county the
/// head is of), so a bad first answer teaches the phone nothing.
fn conclude(answer: &JsValue) -> String {
    let answer = answer.as_string().unwrap_or_default();
    let mut parts = answer.splitn(6, ' ');
    let (verdict, key) = (parts.next().unwrap_or(""), parts.next().unwrap_or("-"));
    if verdict != "verified" {
        return verdict.to_owned();
    }
    if prefs::kept(KEY).is_none() {
        prefs::keep(KEY, key);
    }
    let (size, at) = (parts.next().unwrap_or("0"), parts.next().unwrap_or("0"));
    if let (Some(county), Some(head)) = (parts.next(), parts.next()) {
        prefs::keep(&head_key(county), head);
    }
    format!("verified {size} {at}")
}

/// Checks the month the page shows (its JSON as decoded) and says what came of it.
#[component]
pub fn LogMark(village: RegionCode, month_text: String) -> impl IntoView {
    // A string signal, a type the page has anyway: the answer as `check` gives it.
    let answer = RwSignal::new(String::from("checking"));
    start(village, month_text, answer);
    move || {
        let answer = answer.get();
        let mut words = answer.split(' ');
        // One shape of element for every state: each shape is code of its own.
        let (class, role, head, text) = match words.next().unwrap_or("") {
            "checking" => ("log-mark muted", "status", "", t(T::LogChecking).to_owned()),
            "verified" => {
                let size = words.next().unwrap_or("");
                let at = words.next().and_then(|a| a.parse::<i64>().ok()).unwrap_or(0);
                let when = Timestamp(at).china_string();
                let text = format!("{} · {}{size} · {when}", t(T::LogVerified), t(T::LogEntries));
                ("log-mark ok", "status", "✓ ", text)
            }
            verdict => {
                let why = match verdict {
                    "altered" => T::LogAltered,
                    "not_logged" => T::LogNotLogged,
                    "bad_signature" => T::LogBadKey,
                    "rolled_back" | "forked" => T::LogRewritten,
                    "wrong_log" | "bad_proof" => T::LogBadProof,
                    _ => T::LogUnchecked,
                };
                if why == T::LogUnchecked {
                    ("log-mark muted", "status", "", t(why).to_owned())
                } else {
                    let text = format!("{} {}", t(why), t(T::LogWarningWhat));
                    ("log-mark warn", "alert", t(T::LogWarning), text)
                }
            }
        };
        view! { <p class=class role=role><b>{head}</b>" "{text}</p> }
    }
}
