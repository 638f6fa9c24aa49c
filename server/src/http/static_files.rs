//! Serving the built client: hashed assets cached forever (precompressed `.br`/`.gz`
//! beside them when the build made them), `index.html` never cached and rewritten at
//! start-up with the configured base path, and every unknown non-API path answered with
//! `index.html` so that the client's router can take it.

use std::path::{Path, PathBuf};

use anyhow::Context;
use axum::{
    Router,
    body::Body,
    extract::State,
    http::{HeaderValue, Request, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use super::AppState;

/// The client's eight pages, prepared once: the villagers' `index.html`, the staff
/// workbench's `staff/index.html` (and its disclosures' `records/index.html`), the reports page's `report/index.html`, the
/// inspectors' `office/index.html`, the demands page's `demands/index.html`, the polls
/// page's `polls/index.html` and the sign-in page's `signin/index.html` (served at
/// `/login`, `/register` and `/reset`).
pub struct Client {
    dist: PathBuf,
    /// What the server-rendered pages take from the villagers' page.
    shell: Shell,
    index: Option<String>,
    staff: Option<String>,
    records: Option<String>,
    report: Option<String>,
    office: Option<String>,
    demands: Option<String>,
    polls: Option<String>,
    signin: Option<String>,
}

impl Client {
    pub fn load(dist: &Path, base_path: &str) -> anyhow::Result<Client> {
        let index_path = dist.join("index.html");
        let index = match std::fs::read_to_string(&index_path) {
            Ok(html) => Some(with_base(&html, base_path)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::warn!(dist = %dist.display(), "no built client found; serving the API only");
                None
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", index_path.display())),
        };
        let page = |bundle: &str| {
            std::fs::read_to_string(dist.join(bundle).join("index.html"))
                .ok()
                .map(|h| with_base(&h, base_path))
        };
        Ok(Client {
            dist: dist.to_owned(),
            shell: Shell {
                base: base_path.to_owned(),
                stylesheet: index.as_deref().and_then(stylesheet),
            },
            index,
            staff: page("staff"),
            records: page("records"),
            report: page("report"),
            office: page("office"),
            demands: page("demands"),
            polls: page("polls"),
            signin: page("signin"),
        })
    }
}

/// What a server-rendered page needs of the built client: the base path and the app's
/// stylesheet (hashed name), so both kinds of page look the same.
#[derive(Debug, Clone)]
pub struct Shell {
    pub base: String,
    pub stylesheet: Option<String>,
}

/// The stylesheet Trunk linked from the page: `<link rel="stylesheet" href="…">`.
fn stylesheet(html: &str) -> Option<String> {
    let at = html.find("rel=\"stylesheet\"")?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>')?];
    let href = tag.split("href=\"").nth(1)?.split('"').next()?;
    Some(href.to_owned())
}

pub fn shell(state: &AppState) -> &Shell {
    &state.client.shell
}

/// The villagers' app page, for addresses the server also renders (`?app`).
pub fn villagers_page(state: &AppState) -> Response {
    index(state.client.index.as_ref())
}

/// The demands page (its own bundle), for `/demands/new` and `?app`.
pub fn demands_page(state: &AppState) -> Response {
    index(state.client.demands.as_ref())
}

/// The polls page (its own bundle), for `/polls` and a poll's `?app`.
pub fn polls_page(state: &AppState) -> Response {
    index(state.client.polls.as_ref())
}

/// Puts `<base href="…">` first in `<head>` so every relative URL the page and its
/// router build resolves under the base path.
fn with_base(html: &str, base_path: &str) -> String {
    let tag = format!("<base href=\"{base_path}\">");
    match html.find("<head>") {
        Some(i) => format!("{}{}{}", &html[..i + 6], tag, &html[i + 6..]),
        None => format!("{tag}{html}"),
    }
}

/// The workbench's addresses its disclosures bundle serves (`records/index.html`): the
/// catalogue's and projects' screens (keep in step with the app's `paths::RECORDS`).
pub const RECORDS: [&str; 6] = [
    "/staff/disclosures/",
    "/staff/disclosure/",
    "/staff/disclosure-queue/",
    "/staff/completeness/",
    "/staff/catalogue/",
    "/staff/project/",
];

pub fn router() -> Router<AppState> {
    Router::new().fallback(serve)
}

/// A built file, or the page of the bundle the address is under.
pub(super) async fn serve(State(state): State<AppState>, req: Request<Body>) -> Response {
    let client = &state.client;
    let path = req.uri().path().to_owned();
    if path != "/" && path != "/index.html" && client.index.is_some() {
        let dir = ServeDir::new(&client.dist)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(false);
        if let Ok(res) = dir.oneshot(req).await
            && res.status() == StatusCode::OK
        {
            let mut res = res.map(Body::new);
            let cache = if is_hashed(&path) {
                "public, max-age=31536000, immutable"
            } else {
                "public, max-age=3600"
            };
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            return res;
        }
    }
    let under = |bundle: &str| path == format!("/{bundle}") || path.starts_with(&format!("/{bundle}/"));
    index(if RECORDS.iter().any(|p| path.starts_with(p)) {
        client.records.as_ref()
    } else if under("staff") {
        client.staff.as_ref()
    } else if under("report") {
        client.report.as_ref()
    } else if under("office") {
        client.office.as_ref()
    } else if under("demands") {
        client.demands.as_ref()
    } else if under("polls") {
        client.polls.as_ref()
    } else if ["/login", "/register", "/reset"].contains(&path.as_str()) {
        client.signin.as_ref()
    } else {
        client.index.as_ref()
    })
}

fn index(page: Option<&String>) -> Response {
    let html = page.cloned().unwrap_or_else(|| {
        "<!doctype html><meta charset=utf-8><title>阳光村务</title><p>客户端尚未构建。The client has not been built.".to_owned()
    });
    let mut res = Html(html).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res.headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_POLICY));
    res
}

/// What the pages may reach. Decrypted reports live in the office page's memory, so it
/// may talk to this server only (`connect-src`), run workers from here only, and embed
/// nothing. Scripts are left to the default: old WeChat web-views know neither
/// `wasm-unsafe-eval` nor hashes of the shell's inline start-up check.
pub const PAGE_POLICY: &str = "connect-src 'self'; worker-src 'self'; img-src 'self' blob: data:; \
     object-src 'none'; frame-src 'none'; base-uri 'self'; form-action 'self'";

/// Trunk names built assets `name-<16 hex digits>.ext`.
fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("").trim_end_matches("_bg");
    stem.rsplit_once('-')
        .is_some_and(|(_, h)| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_goes_first_in_head() {
        assert_eq!(
            with_base("<html><head><title>x</title>", "/a/"),
            "<html><head><base href=\"/a/\"><title>x</title>"
        );
    }

    #[test]
    fn the_stylesheet_is_found_in_the_built_page() {
        let page = r#"<head><link rel="icon" href="icon.svg"><link rel="stylesheet" href="./main-74b920f65ceaf0fd.css" integrity="x"/></head>"#;
        assert_eq!(stylesheet(page).as_deref(), Some("./main-74b920f65ceaf0fd.css"));
        assert_eq!(stylesheet("<head></head>"), None);
    }

    #[test]
    fn hashed_names() {
        assert!(is_hashed("/sunlight-app-0123456789abcdef_bg.wasm"));
        assert!(is_hashed("/sunlight-app-0123456789abcdef.js"));
        assert!(!is_hashed("/manifest.json"));
    }
}
