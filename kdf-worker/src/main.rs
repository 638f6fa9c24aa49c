//! The office page's key-derivation worker. It says `"ready"` once loaded, then receives `{pass, salt, memory, passes}`,
//! answers with the 32-byte Argon2id key (a `Uint8Array`), or `null` when the parameters
//! are refused. Nothing else runs here and nothing is kept.

use sunlight_seal::{KdfParams, passphrase_key};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn field(data: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(data, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn derive(data: &JsValue) -> Option<[u8; 32]> {
    let pass = field(data, "pass").as_string()?;
    let salt: [u8; 16] = js_sys::Uint8Array::new(&field(data, "salt")).to_vec().try_into().ok()?;
    let params = KdfParams {
        memory_kib: field(data, "memory").as_f64()? as u32,
        passes: field(data, "passes").as_f64()? as u32,
    };
    passphrase_key(&pass, &salt, params).ok()
}

fn main() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
        let answer: JsValue = match derive(&e.data()) {
            Some(key) => js_sys::Uint8Array::from(&key[..]).into(),
            None => JsValue::NULL,
        };
        let _ = reply.post_message(&answer);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // A message sent before this point would have found no listener: say when to send.
    let _ = scope.post_message(&JsValue::from_str("ready"));
}
