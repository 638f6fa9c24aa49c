//! The villagers' page's log checker, a web worker loaded after the month is shown, so
//! that its code (Ed25519, the proofs, the wire types it decodes) is not in the page's
//! first load.
//!
//! It says `"ready"` once loaded, then receives one string of three lines: the log key the
//! phone pinned (hex, or `-` the first time), the head of this county's log the phone last
//! verified (JSON, or `-`), and the month's JSON exactly as the page decoded and shows it.
//! It fetches the month's proof (and, when the phone kept another head, the consistency
//! proof), checks them with `sunlight_api::published`, and answers one string:
//! `verdict key`, and for a verified month ` size at county head`, where `verdict` is `verified`
//! or the problem's name, `key` the key checked against (`-` if none was had), and `head`
//! the verified head's JSON, to keep. A build with `SUNLIGHT_LOG_KEY` set checks against
//! that key only. Plain strings keep the page's side of this exchange small.
//!
//! The server's reading pages (a month, the notice board, a project's page; see
//! `public/verify.js`) ask the same way, several questions at once: their third line is a
//! tag (`@m…` for a month, `@e…` for a catalogue entry), and a fourth the JSON the page
//! carries in its `data-log`. Each answer then starts with the tag.
//!
//! Only a request that never got an answer (no network) is "could not check"; an answer
//! that is an error or not a proof is a warning, so that a server cannot turn the check
//! off by failing it.

use sunlight_api::{
    catalogue::Entry,
    ledger::LedgerMonth,
    published::{
        ConsistencyProof, EntryProof, MonthProof, Problem, PublicKey, check_entry, check_extends, check_month,
    },
    transparency::{TreeHead, from_hex},
};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, Response};

/// A deployment may build its key's public half into the page instead of pinning it on
/// first use (not `SUNLIGHT_LOG_KEY`, the server's path to the secret).
const BUILT_IN_KEY: Option<&str> = option_env!("SUNLIGHT_LOG_PUBLIC_KEY");

/// The three lines of the page's message; `-` is none.
struct Ask<'a> {
    key: Option<&'a str>,
    kept: Option<&'a str>,
    shown: &'a str,
}

fn ask<'a>(message: &'a str) -> Option<Ask<'a>> {
    let mut lines = message.splitn(3, '\n');
    let some = |l: &'a str| (l != "-").then_some(l);
    let (key, kept, shown) = (lines.next()?, lines.next()?, lines.next()?);
    Some(Ask {
        key: some(key),
        kept: some(kept),
        shown,
    })
}

/// Why a check could not be made or did not pass.
enum Failed {
    /// The network or the server did not answer (not a warning about the log).
    Unreachable,
    Problem(Problem),
}

impl Failed {
    fn name(&self) -> &'static str {
        match self {
            Failed::Unreachable => "unreachable",
            Failed::Problem(p) => match p {
                Problem::BadSignature => "bad_signature",
                Problem::WrongLog => "wrong_log",
                Problem::NotLogged => "not_logged",
                // A logged correction left out of the page: the page is not what was published.
                Problem::Hidden => "altered",
                Problem::Altered => "altered",
                Problem::BadProof => "bad_proof",
                Problem::RolledBack => "rolled_back",
                Problem::Forked => "forked",
            },
        }
    }
}

/// The body of a successful answer. No answer at all is `Unreachable`; an error status,
/// or a body that cannot be read, is a proof that does not hold.
async fn fetch_text(scope: &DedicatedWorkerGlobalScope, url: &str) -> Result<String, Failed> {
    let bad = || Failed::Problem(Problem::BadProof);
    let response: Response = JsFuture::from(scope.fetch_with_str(url))
        .await
        .map_err(|_| Failed::Unreachable)?
        .dyn_into()
        .map_err(|_| bad())?;
    if !response.ok() {
        return Err(bad());
    }
    let text = JsFuture::from(response.text().map_err(|_| bad())?)
        .await
        .map_err(|_| Failed::Unreachable)?;
    text.as_string().ok_or_else(bad)
}

async fn fetch<T: serde::de::DeserializeOwned>(scope: &DedicatedWorkerGlobalScope, url: &str) -> Result<T, Failed> {
    serde_json::from_str(&fetch_text(scope, url).await?).map_err(|_| Failed::Problem(Problem::BadProof))
}

struct Verified {
    key: String,
    head: TreeHead,
}

/// The worker is served from the page's own folder, so the API's addresses are relative to
/// it as to the page.
async fn check(scope: &DedicatedWorkerGlobalScope, message: &str) -> Result<Verified, (Failed, Option<String>)> {
    let asked = ask(message).ok_or((Failed::Unreachable, None))?;
    // A month as the app sends it, or a page's tagged month (`@m…`) or catalogue entry (`@e…`).
    let unreadable = |_| (Failed::Unreachable, None);
    let shown = match asked.shown.strip_prefix('@').and_then(|t| t.split_once('\n')) {
        Some((tag, entry)) if tag.starts_with('e') => Shown::Entry(serde_json::from_str(entry).map_err(unreadable)?),
        Some((_, month)) => Shown::Month(serde_json::from_str(month).map_err(unreadable)?),
        None => Shown::Month(serde_json::from_str(asked.shown).map_err(unreadable)?),
    };
    let key_hex = match BUILT_IN_KEY.or(asked.key).map(str::to_owned) {
        Some(k) => k,
        None => {
            fetch::<PublicKey>(scope, "api/log-key")
                .await
                .map_err(|f| (f, None))?
                .public_key
        }
    };
    let fail = |p: Problem| (Failed::Problem(p), Some(key_hex.clone()));
    let key: [u8; 32] = from_hex(&key_hex)
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| fail(Problem::BadSignature))?;
    let unanswered = |f| (f, Some(key_hex.clone()));
    let head = match shown {
        Shown::Month(month) => {
            let proof: MonthProof = fetch(
                scope,
                &format!("api/regions/{}/ledger/{}/proof", month.village, month.month),
            )
            .await
            .map_err(unanswered)?;
            check_month(&month, &proof, &key).map_err(fail)?;
            proof.head
        }
        Shown::Entry(entry) => {
            let proof: EntryProof = fetch(scope, &format!("api/disclosures/{}/proof", entry.id))
                .await
                .map_err(unanswered)?;
            check_entry(&entry, &proof, &key).map_err(fail)?;
            proof.head
        }
    };
    let kept: Option<TreeHead> = asked.kept.and_then(|k| serde_json::from_str(k).ok());
    if let Some(kept) = kept.filter(|k| k.log == head.log && *k != head) {
        if kept.size > head.size {
            return Err(fail(Problem::RolledBack));
        }
        let c: ConsistencyProof = fetch(
            scope,
            &format!(
                "api/regions/{}/log/consistency?from={}&to={}",
                head.log, kept.size, head.size
            ),
        )
        .await
        .map_err(unanswered)?;
        check_extends(&kept, &head, &c, &key).map_err(fail)?;
    }
    Ok(Verified { key: key_hex, head })
}

/// What the page shows and asks about.
enum Shown {
    Month(Box<LedgerMonth>),
    Entry(Box<Entry>),
}

/// A tagged question's answer starts with its tag.
fn tagged(message: &str) -> Option<String> {
    let (tag, _) = ask(message)?.shown.strip_prefix('@')?.split_once('\n')?;
    Some(format!("{tag} "))
}

fn answer(result: Result<Verified, (Failed, Option<String>)>) -> String {
    match result {
        Ok(v) => format!(
            "verified {} {} {} {} {}",
            v.key,
            v.head.size,
            v.head.at.0,
            v.head.log,
            serde_json::to_string(&v.head).unwrap_or_default()
        ),
        Err((f, key)) => format!("{} {}", f.name(), key.as_deref().unwrap_or("-")),
    }
}

fn main() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
        let scope = reply.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let message = e.data().as_string().unwrap_or_default();
            let result = check(&scope, &message).await;
            let said = format!("{}{}", tagged(&message).unwrap_or_default(), answer(result));
            let _ = scope.post_message(&JsValue::from_str(&said));
        });
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str("ready"));
}
