//! PostgreSQL runs of the API tests are compiled in as ignored, with the reason shown by
//! the test runner, unless `TEST_POSTGRES_URL` names a server when the tests are built; then
//! they run, and fail if that server cannot be reached. A skipped run is never a pass.

fn main() {
    println!("cargo::rerun-if-env-changed=TEST_POSTGRES_URL");
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    if std::env::var("TEST_POSTGRES_URL").is_ok_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=postgres_tests");
    }
}
