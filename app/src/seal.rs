//! The browser's side of report cryptography: randomness from `crypto.getRandomValues`,
//! files read into memory, photos re-encoded, decrypted images re-decoded. The ciphers
//! themselves are `sunlight-seal`, the same code the tests run natively.

use js_sys::Uint8Array;
use leptos::prelude::*;
#[cfg(feature = "report")]
use sunlight_api::report::{FileHeader, RECEIPT_HEADER};
#[cfg(feature = "report")]
use sunlight_seal::Receipt;

/// Fills `buf` from the browser's cryptographic generator. Every browser that runs this
/// page has one; without it nothing may be encrypted, so the page stops.
pub fn fill(buf: &mut [u8]) {
    window()
        .crypto()
        .and_then(|c| c.get_random_values_with_u8_array(buf).map(|_| ()))
        .expect("crypto.getRandomValues");
}

#[cfg(feature = "report")]
/// A random v4 UUID (an idempotency key).
pub fn random_uuid() -> uuid::Uuid {
    let mut b = [0u8; 16];
    fill(&mut b);
    uuid::Builder::from_random_bytes(b).into_uuid()
}

#[cfg(feature = "report")]
/// The header a receipt code's requests carry.
pub fn receipt_header(receipt: &Receipt) -> (&'static str, String) {
    (RECEIPT_HEADER, receipt.lookup())
}

#[cfg(feature = "report")]
/// The bytes of a blob (a chosen file, a re-encoded photo).
pub async fn blob_bytes(blob: &web_sys::Blob) -> Option<Vec<u8>> {
    let buf = wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await.ok()?;
    Some(Uint8Array::new(&buf).to_vec())
}

#[cfg(feature = "report")]
/// A chosen file ready to be locked: photos the browser can draw are re-encoded as JPEG,
/// which leaves every metadata field (place, time, camera) behind; anything else goes as
/// it is, and says so.
pub async fn evidence(file: web_sys::File) -> Option<(FileHeader, Vec<u8>)> {
    let name = file.name();
    if file.type_().starts_with("image/")
        && let Some(jpeg) = crate::photo::shrink(&file).await
    {
        let bytes = blob_bytes(&jpeg).await?;
        let stem = name.rsplit_once('.').map(|(s, _)| s.to_owned()).unwrap_or(name);
        return Some((
            FileHeader {
                name: format!("{stem}.jpg"),
                mime: "image/jpeg".into(),
                reencoded: true,
            },
            bytes,
        ));
    }
    let bytes = blob_bytes(&file).await?;
    Some((
        FileHeader {
            name,
            mime: file.type_(),
            reencoded: false,
        },
        bytes,
    ))
}

#[cfg(feature = "office")]
/// An object URL for bytes; the caller revokes it.
pub fn object_url(bytes: &[u8], mime: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&Uint8Array::from(bytes).into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

#[cfg(feature = "office")]
/// Decrypted image bytes from someone else are hostile: they are decoded by the browser
/// into pixels and encoded again as a fresh JPEG, and only that is shown.
pub async fn redecoded_image(bytes: &[u8]) -> Option<String> {
    let parts = js_sys::Array::of1(&Uint8Array::from(bytes).into());
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).ok()?;
    let jpeg = crate::photo::shrink(&blob).await?;
    web_sys::Url::create_object_url_with_blob(&jpeg).ok()
}

#[cfg(feature = "office")]
/// Offers bytes as a download that the browser will not open itself.
pub fn download(bytes: &[u8], name: &str) {
    let Some(url) = object_url(bytes, "application/octet-stream") else {
        return;
    };
    if let Ok(a) = document().create_element("a")
        && let Ok(a) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlAnchorElement>(a)
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Lets the page paint (a progress line) before a long computation on this thread.
pub async fn breathe() {
    gloo_timers::future::TimeoutFuture::new(30).await;
}

/// The office bundle's key-derivation worker (built beside it by Trunk, see `kdf-worker/`).
#[cfg(feature = "office")]
const KDF_WORKER: &str = "office/sunlight-kdf_loader.js";

/// Argon2id of a passphrase, in a web worker so that the page stays responsive on a slow
/// phone; on this thread only if the worker cannot start.
#[cfg(feature = "office")]
pub async fn passphrase_key(
    pass: &str,
    salt: &[u8; 16],
    params: sunlight_seal::KdfParams,
) -> Result<sunlight_seal::Key, sunlight_seal::OpenError> {
    match in_worker(pass, salt, params).await {
        Some(answer) => answer,
        None => {
            breathe().await;
            sunlight_seal::passphrase_key(pass, salt, params)
        }
    }
}

#[cfg(feature = "office")]
async fn in_worker(
    pass: &str,
    salt: &[u8; 16],
    params: sunlight_seal::KdfParams,
) -> Option<Result<sunlight_seal::Key, sunlight_seal::OpenError>> {
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};
    let worker = web_sys::Worker::new(KDF_WORKER).ok()?;
    // The worker's next message: "ready" once it has loaded, then the answer.
    let next = |w: &web_sys::Worker| {
        let w = w.clone();
        js_sys::Promise::new(&mut |resolve, reject| {
            let on_message = Closure::once_into_js(move |e: web_sys::MessageEvent| {
                let _ = resolve.call1(&JsValue::NULL, &e.data());
            });
            let on_error = Closure::once_into_js(move |e: JsValue| {
                let _ = reject.call1(&JsValue::NULL, &e);
            });
            w.set_onmessage(Some(on_message.unchecked_ref()));
            w.set_onerror(Some(on_error.unchecked_ref()));
        })
    };
    if wasm_bindgen_futures::JsFuture::from(next(&worker)).await.is_err() {
        worker.terminate();
        return None;
    }
    let answer = next(&worker);
    let message = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&message, &JsValue::from_str(k), v).is_ok();
    let ok = set("pass", &JsValue::from_str(pass))
        && set("salt", &Uint8Array::from(&salt[..]).into())
        && set("memory", &JsValue::from_f64(params.memory_kib.into()))
        && set("passes", &JsValue::from_f64(params.passes.into()));
    if !ok || worker.post_message(&message).is_err() {
        worker.terminate();
        return None;
    }
    let value = wasm_bindgen_futures::JsFuture::from(answer).await;
    worker.terminate();
    let value = value.ok()?;
    if value.is_null() {
        return Some(Err(sunlight_seal::OpenError));
    }
    Some(
        Uint8Array::new(&value)
            .to_vec()
            .try_into()
            .map_err(|_| sunlight_seal::OpenError),
    )
}
