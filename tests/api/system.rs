//! Health, the OpenAPI document, error bodies, CSRF, static files and the base path.

use reqwest::StatusCode;
use sunlight_api::dto::Health;

use super::*;

db_test!(health_names_backend_and_schema, |app| {
    let res = app.get("api/health").await;
    assert_eq!(res.status(), StatusCode::OK);
    let h: Health = json(res).await;
    let want = match app.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(h.backend, want);
    assert!(h.schema_version >= 1);
});

db_test!(errors_are_json_with_codes, |app| {
    expect_error(app.get("api/no-such-thing").await, 404, "not_found").await;
    // Not JSON at all.
    let res = app
        .client
        .post(app.url("api/session"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    expect_error(res, 400, "bad_request").await;
    // A field of the wrong type names the field.
    let body = expect_error(
        app.post("api/session", &serde_json::json!({"mobile": 1, "password": "x"}))
            .await,
        400,
        "bad_request",
    )
    .await;
    assert!(body.message.contains("mobile"), "{}", body.message);
    // A missing field.
    let body = expect_error(
        app.post("api/session", &serde_json::json!({"mobile": "13800000000"}))
            .await,
        400,
        "bad_request",
    )
    .await;
    assert!(body.message.contains("password"), "{}", body.message);
    // Too large.
    let big = "x".repeat(3 * 1024 * 1024);
    let res = app
        .post("api/session", &serde_json::json!({"mobile": big, "password": "x"}))
        .await;
    expect_error(res, 413, "too_large").await;
});

db_test!(mutations_need_json_or_the_csrf_header, |app| {
    let res = app
        .client
        .post(app.url("api/session"))
        .body("mobile=1&password=2")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "csrf_rejected").await;
    let res = app.client.delete(app.url("api/session")).send().await.unwrap();
    expect_error(res, 403, "csrf_rejected").await;
    // With the header, the request reaches the handler (which wants a session).
    expect_error(app.delete("api/session").await, 401, "not_signed_in").await;
});

// Every route the server has is in the OpenAPI document, which the matrix test compares
// with its own list; this checks the document is served and well formed.
db_test!(openapi_document_is_served, |app| {
    let res = app.get("api/openapi.json").await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc: serde_json::Value = json(res).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in ["/api/health", "/api/session", "/api/regions/{code}/households"] {
        assert!(paths.contains_key(p), "{p} missing from the OpenAPI document");
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
});

/// The document is exact about what it can know by construction: the session cookie is a
/// declared security scheme, every route that needs it lists 401, every route lists its
/// errors with the error body, query parameters are in the query, and months and dates
/// are the strings the server sends.
#[test]
fn openapi_document_declares_security_errors_and_string_dates() {
    let doc = serde_json::to_value(sunlight_server::http::openapi()).unwrap();
    let scheme = &doc["components"]["securitySchemes"]["sunlight_session"];
    assert_eq!(scheme["type"], "apiKey");
    assert_eq!(scheme["in"], "cookie");
    assert_eq!(scheme["name"], "sunlight_session");
    let receipt = &doc["components"]["securitySchemes"]["report_receipt"];
    assert_eq!(receipt["in"], "header");
    assert_eq!(receipt["name"], "x-sunlight-receipt");
    let schemas = &doc["components"]["schemas"];
    for (name, example, bad) in [("Month", "2026-11", "2026-13"), ("Date", "2026-11-09", "2026-11-9")] {
        let s = &schemas[name];
        assert_eq!(s["type"], "string", "{name}: {s}");
        let pattern = regex::Regex::new(s["pattern"].as_str().unwrap()).unwrap();
        assert!(pattern.is_match(example) && !pattern.is_match(bad), "{name}: {s}");
        let sent = serde_json::to_value(match name {
            "Month" => sunlight_api::date::Month::parse(example).unwrap().to_string(),
            _ => sunlight_api::date::Date::parse(example).unwrap().to_string(),
        })
        .unwrap();
        assert!(pattern.is_match(sent.as_str().unwrap()));
    }
    assert_eq!(schemas["Month"]["format"], "month");
    assert_eq!(schemas["Date"]["format"], "date");
    let mut secured = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let needs_session = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("sunlight_session").is_some()));
            let needs_receipt = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("report_receipt").is_some()));
            assert_eq!(
                needs_receipt,
                path.starts_with("/api/report-receipt"),
                "{method} {path}"
            );
            if needs_session {
                secured += 1;
                assert!(
                    responses.contains_key("401"),
                    "{method} {path} needs a session but lists no 401"
                );
            }
            for (status, res) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert_eq!(
                        res["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
            assert!(responses.contains_key("500"), "{method} {path}");
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                assert_eq!(
                    p["in"] == "path",
                    path.contains(&format!("{{{name}}}")),
                    "{method} {path}: parameter {name} is in {}",
                    p["in"]
                );
            }
        }
    }
    assert!(secured > 40, "only {secured} operations need a session");
}

fn fake_dist() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("index.html"),
        "<html><head><title>t</title></head><body>app</body></html>",
    )
    .unwrap();
    std::fs::write(d.path().join("sunlight-app-0123456789abcdef.js"), "console.log(1)").unwrap();
    std::fs::write(d.path().join("sunlight-app-0123456789abcdef.js.br"), [0x0b, 0x07, 0x80]).unwrap();
    std::fs::write(d.path().join("manifest.json"), "{}").unwrap();
    for (bundle, body) in [("staff", "workbench"), ("report", "reports"), ("office", "inspectors")] {
        std::fs::create_dir(d.path().join(bundle)).unwrap();
        std::fs::write(
            d.path().join(bundle).join("index.html"),
            format!("<html><head></head><body>{body}</body></html>"),
        )
        .unwrap();
    }
    d
}

#[tokio::test]
async fn serves_the_client_with_caching_and_spa_fallback() {
    let dist = fake_dist();
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        Options {
            dist: Some(dist.path().into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let res = app.get("").await;
    assert_eq!(res.headers()["cache-control"], "no-cache");
    // Pages may talk to this server only: decrypted reports cannot be sent elsewhere.
    let policy = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(
        policy.contains("connect-src 'self'") && policy.contains("object-src 'none'"),
        "{policy}"
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("<head><base href=\"/\">"), "{html}");
    // A deep link of the client's router gets index.html; one of the workbench, its page.
    let res = app.get("me").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("app"));
    // A page the server renders itself is the app's page with `?app`.
    let res = app.get("ledger/359901101201/2026-01?app").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("app"));
    let staff = app.get("staff/admin/359901101201").await.text().await.unwrap();
    assert!(
        staff.contains("workbench") && staff.contains("<base href=\"/\">"),
        "{staff}"
    );
    // The reports page and the inspectors' office are bundles of their own; `/reports`
    // (the villagers' tab) is not the reports page.
    assert!(app.get("report/follow").await.text().await.unwrap().contains("reports"));
    assert!(app.get("report").await.text().await.unwrap().contains("reports"));
    assert!(
        app.get("office/359901101000")
            .await
            .text()
            .await
            .unwrap()
            .contains("inspectors")
    );
    assert!(app.get("reports").await.text().await.unwrap().contains("app"));
    // Hashed assets are cached for good, and brotli is served when asked for.
    let res = app
        .client
        .get(app.url("sunlight-app-0123456789abcdef.js"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(res.headers()["content-encoding"], "br");
    let res = app.get("manifest.json").await;
    assert_eq!(res.headers()["cache-control"], "public, max-age=3600");
    // API answers are never cached.
    assert_eq!(app.get("api/health").await.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn works_under_a_path_prefix() {
    let dist = fake_dist();
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        Options {
            dist: Some(dist.path().into()),
            base_path: Some("/cunwu".into()),
            secure_cookies: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(app.base.ends_with("/cunwu/"));
    assert_eq!(app.get("api/health").await.status(), StatusCode::OK);
    assert!(
        app.get("")
            .await
            .text()
            .await
            .unwrap()
            .contains("<base href=\"/cunwu/\">")
    );
    app.demo().await;
    let res = app
        .post(
            "api/session",
            &serde_json::json!({"mobile": "13800000001", "password": sunlight_server::demo::DEMO_PASSWORD}),
        )
        .await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("Path=/cunwu/") && cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    // Nothing is served outside the prefix.
    let outside = reqwest::get(app.base.replace("/cunwu/", "/api/health")).await.unwrap();
    assert_eq!(outside.status(), StatusCode::NOT_FOUND);
}

db_test!(demo_data_loads_idempotently, |app| {
    app.demo().await;
    app.sign_in("13800000009", sunlight_server::demo::DEMO_PASSWORD).await;
    let before = app.get("api/regions/359901101201/accounts").await.text().await.unwrap();
    let households = app.db.count_households(&code("359901101201")).await.unwrap();
    app.demo().await;
    assert_eq!(
        app.get("api/regions/359901101201/accounts").await.text().await.unwrap(),
        before
    );
    assert_eq!(
        app.db.count_households(&code("359901101201")).await.unwrap(),
        households
    );
    let city: sunlight_api::dto::RegionView = json(app.get("api/regions/359900000000").await).await;
    assert_eq!(city.children.len(), 2);
    // 1 city, 2 counties, 4 townships, at least 12 villages.
    let mut townships = Vec::new();
    for county in &city.children {
        let c: sunlight_api::dto::RegionView = json(app.get(&format!("api/regions/{}", county.code)).await).await;
        townships.extend(c.children);
    }
    assert_eq!(townships.len(), 4);
    let mut villages = 0;
    for t in &townships {
        let t: sunlight_api::dto::RegionView = json(app.get(&format!("api/regions/{}", t.code)).await).await;
        villages += t.children.len();
    }
    assert!(villages >= 12, "{villages} villages");
});
