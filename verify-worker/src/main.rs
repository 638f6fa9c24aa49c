//! The villagers' page's log checker, a web worker loaded after the month is shown, so
//! that its code (Ed25519, the proofs, the wire types it decodes) is not in the page's
//! first load.
//!
//! It says `"ready"` once loaded, then receives `{month, base, key, kept}`: the month's
//! JSON exactly as the page decoded and shows it, the address the API lives under, the
//! log key the phone pinned (or `null` the first time), and the head of this county's log
//! the phone last verified (JSON, or `null`). It fetches the month's proof (and, when the
//! phone kept an older head, the consistency proof), checks them with
//! `sunlight_api::published`, and answers `{verdict, key, head, size, at}`: `verdict` is
//! `"verified"` or the problem's name, `key` the key checked against, `head` the verified
//! head (JSON) to keep. A build with `SUNLIGHT_LOG_KEY` set checks against that key only.

use sunlight_api::{
    ledger::LedgerMonth,
    published::{ConsistencyProof, MonthProof, Problem, PublicKey, check_extends, check_month},
    transparency::{TreeHead, from_hex},
};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, Response};

/// A deployment may build its key into the page instead of pinning it on first use.
const BUILT_IN_KEY: Option<&str> = option_env!("SUNLIGHT_LOG_KEY");

fn field(data: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(data, &JsValue::from_str(key)).ok()?.as_string()
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
                Problem::Altered => "altered",
                Problem::BadProof => "bad_proof",
                Problem::RolledBack => "rolled_back",
                Problem::Forked => "forked",
            },
        }
    }
}

async fn fetch_text(scope: &DedicatedWorkerGlobalScope, url: &str) -> Result<String, Failed> {
    let response: Response = JsFuture::from(scope.fetch_with_str(url))
        .await
        .ok()
        .and_then(|r| r.dyn_into().ok())
        .ok_or(Failed::Unreachable)?;
    if !response.ok() {
        return Err(Failed::Unreachable);
    }
    let text = JsFuture::from(response.text().map_err(|_| Failed::Unreachable)?)
        .await
        .map_err(|_| Failed::Unreachable)?;
    text.as_string().ok_or(Failed::Unreachable)
}

async fn fetch<T: serde::de::DeserializeOwned>(scope: &DedicatedWorkerGlobalScope, url: &str) -> Result<T, Failed> {
    serde_json::from_str(&fetch_text(scope, url).await?).map_err(|_| Failed::Unreachable)
}

struct Verified {
    key: String,
    head: TreeHead,
}

async fn check(scope: &DedicatedWorkerGlobalScope, data: &JsValue) -> Result<Verified, (Failed, Option<String>)> {
    let base = field(data, "base").unwrap_or_default();
    let month: LedgerMonth = field(data, "month")
        .and_then(|m| serde_json::from_str(&m).ok())
        .ok_or((Failed::Unreachable, None))?;
    let key_hex = match BUILT_IN_KEY.map(str::to_owned).or_else(|| field(data, "key")) {
        Some(k) => k,
        None => {
            fetch::<PublicKey>(scope, &format!("{base}api/log-key"))
                .await
                .map_err(|f| (f, None))?
                .public_key
        }
    };
    let fail = |p: Problem| (Failed::Problem(p), Some(key_hex.clone()));
    let key: [u8; 32] = from_hex(&key_hex)
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| fail(Problem::BadSignature))?;
    let proof: MonthProof = fetch(
        scope,
        &format!("{base}api/regions/{}/ledger/{}/proof", month.village, month.month),
    )
    .await
    .map_err(|f| (f, Some(key_hex.clone())))?;
    check_month(&month, &proof, &key).map_err(fail)?;
    let kept: Option<TreeHead> = field(data, "kept").and_then(|k| serde_json::from_str(&k).ok());
    if let Some(kept) = kept.filter(|k| k.log == proof.head.log && *k != proof.head) {
        if kept.size > proof.head.size {
            return Err(fail(Problem::RolledBack));
        }
        let c: ConsistencyProof = fetch(
            scope,
            &format!(
                "{base}api/regions/{}/log/consistency?from={}&to={}",
                proof.head.log, kept.size, proof.head.size
            ),
        )
        .await
        .map_err(|f| (f, Some(key_hex.clone())))?;
        check_extends(&kept, &proof.head, &c, &key).map_err(fail)?;
    }
    Ok(Verified {
        key: key_hex,
        head: proof.head,
    })
}

fn answer(result: Result<Verified, (Failed, Option<String>)>) -> JsValue {
    let out = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&out, &JsValue::from_str(k), &v);
    };
    match result {
        Ok(v) => {
            set("verdict", JsValue::from_str("verified"));
            set("key", JsValue::from_str(&v.key));
            set("size", JsValue::from_f64(v.head.size as f64));
            set("at", JsValue::from_f64(v.head.at.0 as f64));
            set(
                "head",
                serde_json::to_string(&v.head).map_or(JsValue::NULL, |h| JsValue::from_str(&h)),
            );
        }
        Err((f, key)) => {
            set("verdict", JsValue::from_str(f.name()));
            set("key", key.map_or(JsValue::NULL, |k| JsValue::from_str(&k)));
        }
    }
    out.into()
}

fn main() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
        let scope = reply.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = check(&scope, &e.data()).await;
            let _ = scope.post_message(&answer(result));
        });
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str("ready"));
}
