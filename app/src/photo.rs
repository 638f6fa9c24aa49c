//! Shrinking photos in the phone before upload, to spare a migrant worker's data plan: a
//! 12-megapixel camera photo of 4–6 MB leaves as a JPEG of a few hundred KB. The browser
//! turns it upright by its EXIF orientation while drawing; the server re-encodes it again
//! and keeps no metadata either way.

use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;

/// The longest side kept, in pixels: enough to read an invoice.
const MAX_SIDE: f64 = 2048.0;

/// The body and content type to upload for a chosen file.
#[cfg(any(feature = "staff", feature = "records", feature = "demands"))]
pub async fn prepare(file: web_sys::File) -> (web_sys::Blob, String) {
    let kind = file.type_();
    if kind == "application/pdf" || !kind.starts_with("image/") {
        return (
            file.into(),
            if kind.is_empty() {
                "application/octet-stream".into()
            } else {
                kind
            },
        );
    }
    match shrink(&file).await {
        Some(blob) => (blob, "image/jpeg".into()),
        // Formats the browser cannot draw (e.g. HEIC on Android) go as they are; the server
        // answers with a clear message.
        None => (file.into(), kind),
    }
}

pub async fn shrink(file: &web_sys::Blob) -> Option<web_sys::Blob> {
    let window = web_sys::window()?;
    let bitmap: web_sys::ImageBitmap = JsFuture::from(window.create_image_bitmap_with_blob(file).ok()?)
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    let (w, h) = (f64::from(bitmap.width()), f64::from(bitmap.height()));
    let scale = (MAX_SIDE / w.max(h)).min(1.0);
    let (cw, ch) = ((w * scale).round().max(1.0), (h * scale).round().max(1.0));
    let canvas: web_sys::HtmlCanvasElement = window.document()?.create_element("canvas").ok()?.dyn_into().ok()?;
    canvas.set_width(cw as u32);
    canvas.set_height(ch as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, cw, ch)
        .ok()?;
    bitmap.close();
    let promise = Promise::new(&mut |resolve, _reject| {
        let cb = Closure::once_into_js(move |blob: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &blob);
        });
        let _ =
            canvas.to_blob_with_type_and_encoder_options(cb.unchecked_ref(), "image/jpeg", &JsValue::from_f64(0.85));
    });
    JsFuture::from(promise).await.ok()?.dyn_into().ok()
}
