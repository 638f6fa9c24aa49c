//! `cfg(villagers)`: the villagers' bundle is the one built with none of the other
//! bundles' features, which code would otherwise spell out as a six-feature `not(any(…))`.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(villagers)");
    let others = ["STAFF", "RECORDS", "REPORT", "OFFICE", "DEMANDS", "POLLS", "SIGNIN"];
    if !others
        .iter()
        .any(|f| std::env::var_os(format!("CARGO_FEATURE_{f}")).is_some())
    {
        println!("cargo::rustc-cfg=villagers");
    }
}
