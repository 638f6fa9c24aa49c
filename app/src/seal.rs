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
    use wasm_bindgen::JsValue;
    let message = crate::worker::object(&[
        ("pass", JsValue::from_str(pass)),
        ("salt", Uint8Array::from(&salt[..]).into()),
        ("memory", JsValue::from_f64(params.memory_kib.into())),
        ("passes", JsValue::from_f64(params.passes.into())),
    ]);
    let value = crate::worker::ask(KDF_WORKER, &message).await?;
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

#[cfg(any(feature = "office", feature = "report"))]
pub use trust::*;

/// Whom the office page (and the filer's form) may seal to: signed admissions checked here, in the browser,
/// against the office's root key, never the server's word (see `sunlight_seal::trust`).
#[cfg(any(feature = "office", feature = "report"))]
mod trust {
    use std::collections::HashMap;

    #[cfg(feature = "office")]
    use sunlight_api::report::OfficeState;
    use sunlight_api::report::{OfficeKeyInfo, SignedAdmission};
    use sunlight_seal::{
        Admission, AdmittedBy, Key, MemberKeys, Signature, b64,
        trust::{verify_members, verify_office_key},
        unb64,
    };
    use uuid::Uuid;

    fn key32(text: &str) -> Option<Key> {
        unb64(text)?.try_into().ok()
    }

    fn sig64(text: &str) -> Option<Signature> {
        unb64(text)?.try_into().ok()
    }

    /// The admissions as served; a row that does not decode proves nothing and is dropped.
    pub fn admissions(list: &[SignedAdmission]) -> Vec<Admission> {
        list.iter()
            .filter_map(|a| {
                Some(Admission {
                    member: a.member,
                    public_key: key32(&a.public_key)?,
                    signing_key: key32(&a.signing_key)?,
                    by: a.by.map_or(AdmittedBy::Recovery, AdmittedBy::Member),
                    at_ms: a.at_ms,
                    signature: sig64(&a.signature)?,
                })
            })
            .collect()
    }

    /// The wire form of an admission signed here.
    pub fn wire(a: &Admission) -> SignedAdmission {
        SignedAdmission {
            member: a.member,
            public_key: b64(&a.public_key),
            signing_key: b64(&a.signing_key),
            by: match a.by {
                AdmittedBy::Recovery => None,
                AdmittedBy::Member(m) => Some(m),
            },
            at_ms: a.at_ms,
            signature: b64(&a.signature),
        }
    }

    /// Now, in Unix milliseconds, for an admission's time.
    pub fn now_ms() -> i64 {
        js_sys::Date::now() as i64
    }

    /// An office's root key as this browser trusts it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Root {
        /// Served, and the same as the one this browser recorded the first time it saw it.
        Trusted(Key),
        /// Served, but not the one recorded: the server may be lying; seal nothing.
        Changed,
        /// The office has none (not set up, or set up before admissions were signed).
        Missing,
    }

    fn storage() -> Option<web_sys::Storage> {
        leptos::prelude::window().local_storage().ok().flatten()
    }

    fn storage_key(office: &str) -> String {
        format!("sunlight-office-root-{office}")
    }

    /// Records `root` as the office's root in this browser (at set-up, or on first sight).
    pub fn pin_root(office: &str, root: &Key) {
        if let Some(s) = storage() {
            let _ = s.set_item(&storage_key(office), &b64(root));
        }
    }

    /// The served root, checked against the one this browser recorded (recorded now if
    /// none was).
    pub fn root(office: &str, served: Option<&str>) -> Root {
        let Some(served) = served.and_then(key32) else {
            return Root::Missing;
        };
        let pinned = storage().and_then(|s| s.get_item(&storage_key(office)).ok().flatten());
        match pinned.as_deref().map(key32) {
            Some(Some(p)) if p != served => Root::Changed,
            Some(Some(_)) => Root::Trusted(served),
            _ => {
                pin_root(office, &served);
                Root::Trusted(served)
            }
        }
    }

    /// What this browser proves about an office's members.
    #[derive(Debug, Clone)]
    pub struct Proof {
        pub root: Root,
        by: HashMap<Uuid, AdmittedBy>,
        admissions: Vec<Admission>,
    }

    impl Proof {
        /// Who admitted `member`'s current keys, if a chain from the root proves it.
        pub fn admitted_by(&self, member: Uuid) -> Option<AdmittedBy> {
            self.by.get(&member).copied()
        }

        /// Whether `public` was vouched for by a proven member of `office`.
        pub fn vouches_for_key(
            &self,
            office: &str,
            public: &Key,
            signed_by: Option<Uuid>,
            signature: Option<&str>,
        ) -> bool {
            let Root::Trusted(root) = self.root else {
                return false;
            };
            match (signed_by, signature.and_then(sig64)) {
                (Some(by), Some(sig)) => verify_office_key(office, &root, &self.admissions, public, by, &sig),
                _ => false,
            }
        }
    }

    /// Checks every served admission of an office back to its root.
    pub fn prove(office: &str, served_root: Option<&str>, served: &[SignedAdmission], members: &[MemberKeys]) -> Proof {
        let root = root(office, served_root);
        let admissions = admissions(served);
        let by = match root {
            Root::Trusted(r) => members
                .iter()
                .zip(verify_members(office, &r, &admissions, members))
                .filter_map(|(m, by)| Some((m.account, by?)))
                .collect(),
            _ => HashMap::new(),
        };
        Proof { root, by, admissions }
    }

    /// Whether an office may be sent anything, as this browser sees it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum KeyStanding {
        /// Its current key was made by a member its admissions prove back to its root.
        Proven,
        /// No key yet: the office does not receive reports online.
        NotReady,
        /// The root differs from the one this browser recorded.
        RootChanged,
        /// A key nobody proven signed (or no root to prove anyone with).
        Unproven,
    }

    /// An office's current key checked against its own chain of admissions.
    pub fn key_standing(o: &OfficeKeyInfo) -> KeyStanding {
        let Some(public) = o.public_key.as_deref().and_then(key32) else {
            return KeyStanding::NotReady;
        };
        let proof = prove(o.code.as_str(), o.root_key.as_deref(), &o.admissions, &[]);
        if proof.root == Root::Changed {
            KeyStanding::RootChanged
        } else if proof.vouches_for_key(o.code.as_str(), &public, o.key_signed_by, o.key_signature.as_deref()) {
            KeyStanding::Proven
        } else {
            KeyStanding::Unproven
        }
    }

    /// The fingerprint of the office's root as served, to compare with the one on paper.
    pub fn root_fingerprint(o: &OfficeKeyInfo) -> Option<String> {
        o.root_key
            .as_deref()
            .and_then(key32)
            .map(|k| sunlight_seal::fingerprint(&k))
    }

    /// The proof for an office page's state.
    #[cfg(feature = "office")]
    pub fn prove_office(state: &OfficeState) -> Proof {
        let members: Vec<MemberKeys> = state
            .members
            .iter()
            .filter_map(|m| {
                Some(MemberKeys {
                    account: m.account,
                    public_key: key32(&m.public_key)?,
                    signing_key: m.signing_key.as_deref().and_then(key32),
                })
            })
            .collect();
        prove(
            state.code.as_str(),
            state.root_key.as_deref(),
            &state.admissions,
            &members,
        )
    }
}
