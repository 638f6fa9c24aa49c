//! Asking a web worker one question: start it, wait for its `"ready"`, send the message,
//! wait for the answer, stop it. The office's key derivation runs this way as a future;
//! the villagers' log check (`log_check.rs`) with callbacks, which cost its first load
//! less code. Each worker is built beside its bundle by Trunk.

use wasm_bindgen::JsValue;

/// The worker's next message (or its failure to load).
#[cfg(feature = "office")]
fn next(w: &web_sys::Worker) -> js_sys::Promise {
    use wasm_bindgen::{JsCast, closure::Closure};
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
}

/// Starts the worker at `url` (relative to the page's base), sends it `message` and
/// returns its answer; `None` when it could not start or failed.
#[cfg(feature = "office")]
pub async fn ask(url: &str, message: &JsValue) -> Option<JsValue> {
    let worker = web_sys::Worker::new(url).ok()?;
    if wasm_bindgen_futures::JsFuture::from(next(&worker)).await.is_err() {
        worker.terminate();
        return None;
    }
    let answer = next(&worker);
    if worker.post_message(message).is_err() {
        worker.terminate();
        return None;
    }
    let value = wasm_bindgen_futures::JsFuture::from(answer).await;
    worker.terminate();
    value.ok()
}

/// A plain object with these fields, for a worker's message.
#[cfg(feature = "office")]
pub fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

/// A field of a worker's answer.
pub fn field(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}
