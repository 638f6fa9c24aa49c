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
    let Some(url) = object_url(bytes, "application/octet-stream") else { return };
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
