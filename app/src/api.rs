//! The one typed API client. Paths are relative ("api/me"), so they resolve under the
//! `<base href>` the server writes into the page, whatever prefix it is served under.

use std::{future::Future, marker::PhantomData, pin::Pin};

use gloo_net::http::{Request, RequestBuilder};
use leptos::prelude::*;
use serde::{Serialize, de::DeserializeOwned};
use sunlight_api::{CSRF_HEADER, ErrorBody, ErrorCode};

use crate::i18n::{self, T};

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// No answer: the phone is offline or the server unreachable.
    Offline,
    /// The server answered with an error body.
    Server(ErrorBody),
}

/// A failure found before asking the server, worded like the server's.
impl From<sunlight_api::error::Invalid> for Failure {
    fn from(e: sunlight_api::error::Invalid) -> Self {
        let mut body = ErrorBody::new(ErrorCode::Invalid, "");
        body.field = Some(e.field.to_owned());
        body.reason = Some(e.reason);
        Failure::Server(body)
    }
}

impl Failure {
    /// A field refused before asking the server.
    #[cfg(any(feature = "report", feature = "office", feature = "records"))]
    pub fn invalid(field: &'static str, reason: sunlight_api::error::FieldError) -> Self {
        sunlight_api::error::Invalid::new(field, reason).into()
    }

    /// The words a person sees, in the current language.
    pub fn message(&self) -> String {
        match self {
            Failure::Offline => i18n::t(T::Offline).to_owned(),
            Failure::Server(b) => match (&b.field, b.reason) {
                (Some(field), Some(reason)) => {
                    format!("{}{}{}", i18n::field_label(field), sep(), i18n::reason_text(reason))
                }
                _ => i18n::error_text(b.code).to_owned(),
            },
        }
    }

    /// One line per bad row of an import.
    pub fn row_messages(&self) -> Vec<String> {
        match self {
            Failure::Server(b) => b
                .rows
                .iter()
                .map(|r| {
                    format!(
                        "{}：{}{}",
                        i18n::t(T::RowN).replace("{}", &r.row.to_string()),
                        i18n::field_label(&r.field),
                        i18n::reason_text(r.code)
                    )
                })
                .collect(),
            Failure::Offline => Vec::new(),
        }
    }
}

fn sep() -> &'static str {
    match i18n::lang() {
        i18n::Lang::Zh => "",
        i18n::Lang::En => " ",
    }
}

pub type ApiResult<T> = Result<T, Failure>;

#[cfg(feature = "office")]
async fn send(req: Result<Request, gloo_net::Error>) -> ApiResult<gloo_net::http::Response> {
    let req = req.map_err(|_| Failure::Offline)?;
    let res = req.send().await.map_err(|_| Failure::Offline)?;
    if (200..300).contains(&res.status()) {
        Ok(res)
    } else {
        let status = res.status();
        let text = res.text().await.map_err(|_| Failure::Offline)?;
        Err(failure(status, &text))
    }
}

fn failure(status: u16, text: &str) -> Failure {
    Failure::Server(serde_json::from_str(text).unwrap_or_else(|_| {
        // A proxy or gateway answered, not Sunlight.
        ErrorBody::new(
            if status >= 500 {
                ErrorCode::Internal
            } else {
                ErrorCode::BadRequest
            },
            "",
        )
    }))
}

/// A response body as bytes (an encrypted evidence file).
#[cfg(feature = "office")]
pub async fn get_bytes(path: &str, header: Option<(&str, &str)>) -> ApiResult<Vec<u8>> {
    let mut b = start(Request::get(path));
    if let Some((k, v)) = header {
        b = b.header(k, v);
    }
    let res = send(b.build()).await?;
    res.binary().await.map_err(|_| Failure::Offline)
}

/// A GET with one extra header (the report receipt).
#[cfg(feature = "report")]
pub async fn get_with<T: DeserializeOwned>(path: &str, header: (&str, &str)) -> ApiResult<T> {
    run(start(Request::get(path)).header(header.0, header.1).build()).await
}

/// A JSON POST with one extra header (the report receipt).
#[cfg(feature = "report")]
pub async fn post_with<B: Serialize, T: DeserializeOwned>(path: &str, header: (&str, &str), body: &B) -> ApiResult<T> {
    run(marked(start(Request::post(path))).header(header.0, header.1).json(body)).await
}

/// Bytes as the whole body, with one extra header (an encrypted evidence file).
#[cfg(feature = "report")]
pub async fn upload_bytes<T: DeserializeOwned>(path: &str, header: (&str, &str), bytes: &[u8]) -> ApiResult<T> {
    let body = js_sys::Uint8Array::from(bytes);
    run(marked(start(Request::post(path)))
        .header(header.0, header.1)
        .header("content-type", "application/octet-stream")
        .body(body))
    .await
}

/// Every request starts here. The reports bundle never sends cookies: a report route
/// should not even receive the session of whoever happens to be signed in on the phone.
fn start(b: RequestBuilder) -> RequestBuilder {
    if cfg!(feature = "report") {
        b.credentials(web_sys::RequestCredentials::Omit)
    } else {
        b
    }
}

async fn run<T: DeserializeOwned>(req: Result<Request, gloo_net::Error>) -> ApiResult<T> {
    parse(&exchange(req).await?)
}

/// Sends the request and reads a successful answer's body as text. Not generic over the
/// answer's type, so the bundle carries one copy of it, not one per type.
async fn exchange(req: Result<Request, gloo_net::Error>) -> ApiResult<String> {
    let req = req.map_err(|_| Failure::Offline)?;
    let res = req.send().await.map_err(|_| Failure::Offline)?;
    let status = res.status();
    let text = res.text().await.map_err(|_| Failure::Offline)?;
    if (200..300).contains(&status) {
        Ok(text)
    } else {
        Err(failure(status, &text))
    }
}

fn parse<T: DeserializeOwned>(text: &str) -> ApiResult<T> {
    let body = if text.is_empty() { "null" } else { text };
    serde_json::from_str(body).map_err(|_| Failure::Server(ErrorBody::new(ErrorCode::Internal, "bad response")))
}

/// What a page shows from one GET: fetched again whenever the signals `url` reads change,
/// or on `refetch`. Every page's fetch is the same resource of text underneath (one
/// future type, one derived signal): a resource per answer type cost the bundle several
/// kilobytes each. The text is decoded as `T` at each `get`, so a page that reads it in
/// two places decodes it twice (microseconds for a month's lines), which keeping a decoded
/// copy per type would have cost back in code.
pub struct Fetch<T> {
    text: LocalResource<ApiResult<String>>,
    answer: PhantomData<fn() -> T>,
}

impl<T> Clone for Fetch<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Fetch<T> {}

type TextFuture = Pin<Box<dyn Future<Output = ApiResult<String>>>>;

fn text_resource(url: Box<dyn Fn() -> String>) -> LocalResource<ApiResult<String>> {
    LocalResource::new(move || -> TextFuture {
        let url = url();
        #[cfg(villagers)]
        let kept_at = use_context::<crate::kept::KeptAt>();
        Box::pin(async move {
            let answer = exchange(start(Request::get(&url)).build()).await;
            // The accounts read last stay readable without network (`kept`).
            #[cfg(villagers)]
            let answer = crate::kept::through(&url, answer, kept_at);
            answer
        })
    })
}

impl<T: DeserializeOwned> Fetch<T> {
    pub fn new(url: impl Fn() -> String + 'static) -> Self {
        Fetch {
            text: text_resource(Box::new(url)),
            answer: PhantomData,
        }
    }

    /// The answer, once it has come (tracked, like a signal).
    pub fn get(&self) -> Option<ApiResult<T>> {
        self.text.with(|text| {
            text.as_ref()
                .map(|r| r.as_ref().map_err(Clone::clone).and_then(|t| parse(t)))
        })
    }

    /// The answer's text as it came, once it has come without error (tracked): what a
    /// check of exactly what the page shows is made on.
    #[cfg(villagers)]
    pub fn text(&self) -> Option<String> {
        self.text.with(|t| t.as_ref().and_then(|r| r.as_ref().ok().cloned()))
    }

    pub fn refetch(&self) {
        self.text.refetch();
    }
}

fn marked(b: RequestBuilder) -> RequestBuilder {
    b.header(CSRF_HEADER, "1")
}

pub async fn get<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    run(start(Request::get(path)).build()).await
}

pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    run(marked(start(Request::post(path))).json(body)).await
}

#[cfg(any(feature = "staff", feature = "records"))]
pub async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    run(marked(Request::put(path)).json(body)).await
}

/// Sends a file as the whole body.
#[cfg(any(feature = "staff", feature = "records", feature = "demands"))]
pub async fn upload<T: DeserializeOwned>(path: &str, body: web_sys::Blob, content_type: &str) -> ApiResult<T> {
    run(marked(Request::post(path))
        .header("content-type", content_type)
        .body(body))
    .await
}

pub async fn delete<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    run(marked(Request::delete(path)).build()).await
}
