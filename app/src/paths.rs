//! Every route path of the client, in one place. Paths are relative to the router base.

pub const LOGIN: &str = "/login";
pub const REGISTER: &str = "/register";
pub const RESET: &str = "/reset";
pub const HOME: &str = "/";
pub const DEMANDS: &str = "/demands";
pub const REPORTS: &str = "/reports";
pub const POLLS: &str = "/polls";
pub const ME: &str = "/me";
pub const WORK: &str = "/work";

pub fn admin(region: &str) -> String {
    format!("/admin/{region}")
}
