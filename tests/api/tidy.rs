//! Checks on the source tree that keep the architecture's promises.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn source(dir: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

/// Every API route goes through `utoipa_axum::routes!`, so it is in the OpenAPI document
/// (and therefore in the authorization matrix). Only the document itself and the JSON 404
/// for unknown API paths are plain axum routes.
#[test]
fn api_routes_are_registered_with_their_openapi_description() {
    let mut plain = Vec::new();
    for (path, text) in source("server/src") {
        for (i, line) in text.lines().enumerate() {
            if line.contains(".route(") {
                plain.push(format!("{path}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    // The server-rendered pages are not API routes: they answer HTML at the app's addresses.
    let allowed = |l: &String| {
        (l.contains("http/mod.rs") && (l.trim_end().ends_with(".route(") || l.contains("\"/api/{*rest}\"")))
            || (l.contains("http/pages.rs")
                && [
                    "/ledger/",
                    "/poster/",
                    "/polls/",
                    "/demands/",
                    "/me/subsidies",
                    "/disclosures/",
                    "/projects/",
                    "/wechat/",
                ]
                .iter()
                .any(|r| l.contains(&format!(".route(\"{r}"))))
    };
    let stray: Vec<_> = plain.iter().filter(|l| !allowed(l)).collect();
    assert!(stray.is_empty(), "routes registered without OpenAPI: {stray:?}");
    assert_eq!(plain.len(), 14, "{plain:?}");
}

/// Only `server/src/db/` writes SQL; handlers call domain methods.
#[test]
fn sql_lives_in_the_db_module() {
    for (path, text) in source("server/src") {
        if path.contains("/db/") || path.ends_with("db.rs") {
            continue;
        }
        for keyword in ["sqlx::query", "SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM"] {
            assert!(
                !text.contains(keyword),
                "{path} contains {keyword:?}: SQL belongs in server/src/db/"
            );
        }
    }
}

/// Handlers never compare roles themselves: authorization is decided in `authz.rs`.
#[test]
fn handlers_do_not_check_roles() {
    for (path, text) in source("server/src/http") {
        for pattern in ["Role::", ".role =="] {
            let hits: Vec<_> = text
                .lines()
                .filter(|l| l.contains(pattern) && !l.trim_start().starts_with("//"))
                .collect();
            assert!(hits.is_empty(), "{path} checks roles itself: {hits:?}");
        }
    }
}

/// The client and the wire contract never reach for the server or the database.
#[test]
fn the_client_and_contract_stay_clear_of_the_server() {
    for dir in ["app/src", "api/src"] {
        for (path, text) in source(dir) {
            for forbidden in ["sunlight_server", "sqlx", "tokio"] {
                assert!(!text.contains(forbidden), "{path} uses {forbidden}");
            }
        }
    }
}

/// The document's security and rate-limit statuses come from facts about each handler: one
/// that takes `Actor` needs a session, so its annotation declares the session cookie
/// (from which the document lists 401), and only such handlers declare it; one that takes
/// `ClientIp` is rate-limited, so it lists 429.
#[test]
fn handler_annotations_say_what_their_extractors_do() {
    let mut wrong = Vec::new();
    for (path, text) in source("server/src/http") {
        let starts: Vec<usize> = text.match_indices("#[utoipa::path(").map(|(i, _)| i).collect();
        for (k, &start) in starts.iter().enumerate() {
            let func = start + text[start..].find("async fn").unwrap();
            let end = starts.get(k + 1).copied().unwrap_or(text.len());
            let annotation = &text[start..func];
            let signature = &text[func..func + text[func..end].find("{\n").unwrap_or(end - func)];
            let name = signature.split(['(', '<']).next().unwrap_or(signature);
            let takes = |ty: &str| {
                signature
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|w| w == ty)
            };
            if takes("Actor") != annotation.contains(r#"security(("sunlight_session" = []))"#) {
                wrong.push(format!("{path}: {name}: Actor and the session security requirement"));
            }
            // A page anyone may read where disclosures are public: the cookie is optional.
            if takes("Reader") != annotation.contains(r#"security((), ("sunlight_session" = []))"#) {
                wrong.push(format!("{path}: {name}: Reader and the optional session requirement"));
            }
            if takes("ClientIp") && !annotation.contains("status = 429") {
                wrong.push(format!("{path}: {name}: rate-limited but no 429"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The server-rendered pages speak with the app's words: every word in `pages::words` is
/// one of the zh-Hans texts of `app/src/i18n.rs`, so the two kinds of page never drift.
#[test]
fn server_pages_use_the_apps_words() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let pages = std::fs::read_to_string(root.join("server/src/http/pages.rs")).unwrap();
    let i18n = std::fs::read_to_string(root.join("app/src/i18n.rs")).unwrap();
    let words = &pages[pages.find("pub mod words {").unwrap()..];
    let words = &words[..words.find("\n}").unwrap()];
    let mut checked = 0;
    // Every string literal of the block (the odd pieces between quotes) is one word.
    for word in words.split('"').skip(1).step_by(2) {
        assert!(
            i18n.contains(&format!("\"{word}\"")),
            "{word} is not one of the app's words"
        );
        checked += 1;
    }
    assert!(checked > 20, "only {checked} words found");
}

/// The server's demand page speaks with the demands page's words: every word in
/// `pages::demand::demand_words` is a zh-Hans text of `app/src/words_demands.rs` or
/// `app/src/i18n.rs`.
#[test]
fn the_demand_page_uses_the_apps_words() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let page = std::fs::read_to_string(root.join("server/src/http/pages/demand.rs")).unwrap();
    let app = std::fs::read_to_string(root.join("app/src/words_demands.rs")).unwrap()
        + &std::fs::read_to_string(root.join("app/src/i18n.rs")).unwrap();
    let words = &page[page.find("pub mod demand_words {").unwrap()..];
    let words = &words[..words.find("\n}").unwrap()];
    let mut checked = 0;
    for word in words.split('"').skip(1).step_by(2) {
        assert!(
            app.contains(&format!("\"{word}\"")),
            "{word} is not one of the app's words"
        );
        checked += 1;
    }
    assert!(checked > 30, "only {checked} words found");
}
