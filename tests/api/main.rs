//! API tests: each starts the real application on port 0 over a fresh database.

mod accounts;
mod auth;
mod catalogue;
mod demands;
mod files;
mod households;
mod ledger;
mod ledger_import;
mod log;
mod matrix;
mod oversight;
mod pages;
mod polls;
mod projects;
mod reports;
mod robots;
mod subsidies;
mod system;
mod text;
mod tidy;
mod wechat;

pub use sunlight_tests::*;
