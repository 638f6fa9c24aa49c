//! The `sunlight` binary reports configuration errors in one line and exits non-zero.

use std::process::Command;

fn sunlight(args: &[&str]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sunlight"))
        .args(args)
        .env("SUNLIGHT_DATA_DIR", dir.path())
        .env("SUNLIGHT_DIST", dir.path())
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn assert_one_clear_line(stderr: &str, needle: &str) {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {stderr}");
    assert!(lines[0].starts_with("sunlight: "), "{stderr}");
    assert!(lines[0].contains(needle), "{needle:?} not in {stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
}

#[test]
fn a_bad_database_url_is_one_line() {
    let (ok, err) = sunlight(&["migrate", "--database", "mysql://u:hunter2@host/db"]);
    assert!(!ok);
    assert_one_clear_line(&err, "database URL must start with");
    assert!(!err.contains("hunter2"), "the password leaked: {err}");
}

#[test]
fn an_unreachable_database_is_one_line() {
    // Port 1 on loopback: nothing listens there.
    let (ok, err) = sunlight(&["migrate", "--database", "postgres://u:hunter2@127.0.0.1:1/db"]);
    assert!(!ok);
    assert_one_clear_line(&err, "cannot reach PostgreSQL");
    assert!(!err.contains("hunter2"), "the password leaked: {err}");
}

#[test]
fn a_taken_port_is_one_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (ok, err) = sunlight(&["serve", "--bind", &addr]);
    assert!(!ok);
    assert_one_clear_line(&err, &format!("cannot listen on {addr}"));
}

#[test]
fn the_demo_command_can_run_twice() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/d.db", dir.path().display());
    for _ in 0..2 {
        let (ok, err) = sunlight(&["demo", "--database", &url]);
        assert!(ok, "{err}");
    }
}

#[test]
fn serving_without_the_log_key_says_how_to_make_it() {
    let (ok, err) = sunlight(&["serve", "--bind", "127.0.0.1:0"]);
    assert!(!ok);
    assert_one_clear_line(&err, "make it once with `sunlight key --out");
}

#[test]
fn a_log_key_is_made_once_and_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("log-key");
    let key = key.to_str().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sunlight"))
        .args(["key", "--out", key])
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    assert!(out.status.success());
    let printed = String::from_utf8_lossy(&out.stdout);
    let secret = std::fs::read_to_string(key).unwrap();
    assert!(printed.contains("public key of the publication log: "), "{printed}");
    assert!(!printed.contains(secret.trim()), "the secret was printed");
    let (ok, err) = sunlight(&["key", "--out", key]);
    assert!(!ok);
    assert_one_clear_line(&err, "an existing key is never replaced");
    assert_eq!(std::fs::read_to_string(key).unwrap(), secret);
}
