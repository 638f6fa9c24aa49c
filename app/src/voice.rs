//! Recording a voice note in the phone's browser (MediaRecorder): WebM/Opus on Android,
//! MP4/AAC on iOS, at most 60 seconds, listened to before it is sent. Where the browser
//! cannot record (old WeChat web-views) or the microphone is refused, the villager is told
//! so plainly and types instead.

use std::{cell::RefCell, rc::Rc};

use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::{
    Blob, BlobEvent, BlobPropertyBag, MediaRecorder, MediaRecorderOptions, MediaStream, MediaStreamConstraints,
};

use crate::words_demands::{D, dw};

/// The longest recording, in seconds (the server refuses longer ones).
const MAX_SECONDS: u32 = 60;

/// A finished recording: the audio, its type and how long it ran.
#[derive(Clone)]
pub struct Recording {
    pub blob: Blob,
    pub mime: String,
    pub seconds: u32,
    url: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Status {
    Idle,
    Starting,
    Recording,
    Denied,
    Failed,
}

/// Whether this browser can record at all.
fn supported() -> bool {
    let w = window();
    js_sys::Reflect::has(&w, &JsValue::from_str("MediaRecorder")).unwrap_or(false)
        && js_sys::Reflect::get(&w.navigator(), &JsValue::from_str("mediaDevices")).is_ok_and(|m| !m.is_undefined())
}

/// The first container this browser records in that the server reads.
fn mime() -> Option<&'static str> {
    [
        "audio/webm;codecs=opus",
        "audio/mp4",
        "audio/ogg;codecs=opus",
        "audio/webm",
    ]
    .into_iter()
    .find(|t| MediaRecorder::is_type_supported(t))
}

async fn microphone() -> Result<MediaStream, JsValue> {
    let devices = window().navigator().media_devices()?;
    let c = MediaStreamConstraints::new();
    c.set_audio(&JsValue::TRUE);
    let stream = wasm_bindgen_futures::JsFuture::from(devices.get_user_media_with_constraints(&c)?).await?;
    stream.dyn_into()
}

fn stop_tracks(stream: &MediaStream) {
    for t in stream.get_tracks().iter() {
        if let Ok(t) = t.dyn_into::<web_sys::MediaStreamTrack>() {
            t.stop();
        }
    }
}

/// The recorder: 录音 / 停止 with the seconds counting, then the recording to listen to,
/// with 重录 and 删除.
#[component]
pub fn VoiceRecorder(recording: RwSignal<Option<Recording>>) -> impl IntoView {
    if !supported() || mime().is_none() {
        return view! { <p class="hint">{dw(D::VoiceUnsupported)}</p> }.into_any();
    }
    let status = RwSignal::new(Status::Idle);
    let seconds = RwSignal::new(0u32);
    let recorder: StoredValue<Option<MediaRecorder>, LocalStorage> = StoredValue::new_local(None);
    let stop = move || {
        recorder.try_with_value(|r| {
            if let Some(r) = r
                && r.state() == web_sys::RecordingState::Recording
            {
                let _ = r.stop();
            }
        });
    };
    let start = move |_| {
        let Some(kind) = mime() else { return };
        status.set(Status::Starting);
        spawn_local(async move {
            let stream = match microphone().await {
                Ok(s) => s,
                Err(e) => {
                    let denied = js_sys::Reflect::get(&e, &JsValue::from_str("name"))
                        .ok()
                        .and_then(|n| n.as_string())
                        .is_some_and(|n| n == "NotAllowedError" || n == "SecurityError");
                    status.try_set(if denied { Status::Denied } else { Status::Failed });
                    return;
                }
            };
            let options = MediaRecorderOptions::new();
            options.set_mime_type(kind);
            options.set_audio_bits_per_second(48_000);
            let Ok(rec) = MediaRecorder::new_with_media_stream_and_media_recorder_options(&stream, &options) else {
                stop_tracks(&stream);
                status.try_set(Status::Failed);
                return;
            };
            let chunks: Rc<RefCell<Vec<JsValue>>> = Rc::default();
            let on_data = {
                let chunks = chunks.clone();
                Closure::<dyn FnMut(BlobEvent)>::new(move |e: BlobEvent| {
                    if let Some(b) = e.data().filter(|b| b.size() > 0.0) {
                        chunks.borrow_mut().push(b.into());
                    }
                })
            };
            let on_stop = {
                let stream = stream.clone();
                Closure::<dyn FnMut()>::new(move || {
                    stop_tracks(&stream);
                    // The type the recorder really used (Safari may not honour the one asked).
                    let used = recorder
                        .try_with_value(|r| r.as_ref().map(|r| r.mime_type()))
                        .flatten()
                        .filter(|t| !t.is_empty())
                        .unwrap_or_else(|| kind.to_owned());
                    let parts = js_sys::Array::from_iter(chunks.borrow().iter());
                    let bag = BlobPropertyBag::new();
                    bag.set_type(&used);
                    if let Ok(blob) = Blob::new_with_blob_sequence_and_options(&parts, &bag)
                        && let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob)
                    {
                        recording.try_set(Some(Recording {
                            blob,
                            mime: used.split(';').next().unwrap_or("audio/webm").to_owned(),
                            seconds: seconds.try_get_untracked().unwrap_or(1).max(1),
                            url,
                        }));
                    }
                    status.try_set(Status::Idle);
                })
            };
            rec.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
            rec.set_onstop(Some(on_stop.as_ref().unchecked_ref()));
            // The recorder calls these until the page goes; they live as long.
            on_data.forget();
            on_stop.forget();
            if rec.start().is_err() {
                stop_tracks(&stream);
                status.try_set(Status::Failed);
                return;
            }
            recorder.try_set_value(Some(rec));
            seconds.try_set(0);
            status.try_set(Status::Recording);
            // The form may be gone (sent, or left) before a second passes: every read
            // here is a `try_`, which finds nothing once the component is disposed.
            loop {
                gloo_timers::future::TimeoutFuture::new(1_000).await;
                if status.try_get_untracked() != Some(Status::Recording) {
                    break;
                }
                seconds.try_update(|s| *s += 1);
                if seconds.try_get_untracked().unwrap_or(MAX_SECONDS) >= MAX_SECONDS {
                    stop();
                    break;
                }
            }
        });
    };
    let discard = move |_| {
        if let Some(r) = recording.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&r.url);
        }
        recording.set(None);
    };
    view! {
        <div class="voice">
            {move || match (recording.get(), status.get()) {
                (_, Status::Recording) => view! {
                    <button type="button" class="big danger" on:click=move |_| stop()>
                        {dw(D::VoiceStop)}" · "{move || format!("{}″ / {MAX_SECONDS}″", seconds.get())}
                    </button>
                    <p class="hint" role="status">{dw(D::VoiceRecording)}</p>
                }.into_any(),
                (Some(r), _) => view! {
                    <p>{dw(D::VoiceNote)}" "{format!("{}″", r.seconds)}</p>
                    <audio controls src=r.url.clone()></audio>
                    <p><button type="button" class="secondary" on:click=discard>{dw(D::VoiceDiscard)}</button></p>
                }.into_any(),
                (None, s) => view! {
                    <button type="button" class="secondary" disabled=s == Status::Starting on:click=start>{dw(D::VoiceRecord)}</button>
                    {(s == Status::Denied).then(|| view! { <p class="error" role="alert">{dw(D::VoiceDenied)}</p> })}
                    {(s == Status::Failed).then(|| view! { <p class="error" role="alert">{dw(D::VoiceFailed)}</p> })}
                    <p class="hint">{dw(D::VoiceHint)}</p>
                }.into_any(),
            }}
        </div>
    }
    .into_any()
}
