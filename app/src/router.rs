//! Routing inside one bundle: the address as a signal, links that change it without
//! loading the page, and each bundle's table of paths.
//!
//! Why not `leptos_router`: its nested, typed routes were about a tenth of every bundle
//! (twiggy: ~50 KB of the villagers' module before compression), for what a bundle here
//! needs, which is a flat table of a few paths with `:name` segments. A page is built
//! afresh whenever the address it was built for changes, so it reads its parameters once,
//! when it is built (`param`, `query`).

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};

use crate::paths;

/// One row of a bundle's table: a path with `:name` segments, and its page.
pub type Route = (&'static str, fn() -> AnyView);

/// The address inside the bundle: the path under the base path (always starting with
/// `/`) and the query string without its `?`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Address {
    path: String,
    query: String,
}

/// The page the address chose: its row in the table (`None`: no row matched) and the
/// values of its `:name` segments.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Matched {
    row: Option<usize>,
    params: Vec<(&'static str, String)>,
    query: String,
}

/// The browser's address, under the base path.
fn current() -> Address {
    let location = window().location();
    let path = location.pathname().unwrap_or_default();
    Address {
        path: under_base(&path).unwrap_or("/").to_owned(),
        query: location.search().unwrap_or_default().trim_start_matches('?').to_owned(),
    }
}

/// `path` without the base path, or `None` where it is not under it.
fn under_base(path: &str) -> Option<&str> {
    let base = paths::base();
    let rest = path.strip_prefix(base.as_str())?;
    match rest {
        "" => Some("/"),
        r if r.starts_with('/') => Some(r),
        _ => None,
    }
}

/// The values of `pattern`'s `:name` segments in `path`, where the two match.
fn matches(pattern: &'static str, path: &str) -> Option<Vec<(&'static str, String)>> {
    let trim = |p: &'static str| p.trim_matches('/');
    let mut want = trim(pattern).split('/');
    let path = path.trim_matches('/');
    let mut got = path.split('/');
    let mut params = Vec::new();
    loop {
        match (want.next(), got.next()) {
            (None, None) => return Some(params),
            (Some(w), Some(g)) if w.starts_with(':') && !g.is_empty() => params.push((&w[1..], g.to_owned())),
            (Some(w), Some(g)) if w == g => {}
            _ => return None,
        }
    }
}

/// The router's state, in context for links, `navigator` and the pages' parameters.
#[derive(Clone, Copy)]
pub struct Here {
    address: RwSignal<Address>,
    matched: Memo<Matched>,
    table: StoredValue<Vec<Route>>,
}

/// Starts routing over the bundle's table, once per page: links inside the page that lead
/// to this bundle are followed without loading the page.
pub fn install(table: Vec<Route>) {
    let address = RwSignal::new(current());
    let table = StoredValue::new(table);
    let matched = Memo::new(move |_| {
        let a = address.get();
        let (row, params) = table.with_value(|rows| {
            rows.iter()
                .enumerate()
                .find_map(|(i, (pattern, _))| matches(pattern, &a.path).map(|p| (Some(i), p)))
                .unwrap_or_default()
        });
        Matched {
            row,
            params,
            query: a.query,
        }
    });
    let here = Here {
        address,
        matched,
        table,
    };
    provide_context(here);
    listen(here);
}

/// The page of the first row whose path matches the address, else `fallback`.
pub fn outlet(fallback: fn() -> AnyView) -> impl IntoView {
    let here = expect_context::<Here>();
    move || match here.matched.get().row {
        Some(i) => here.table.with_value(|rows| rows[i].1)(),
        None => fallback(),
    }
}

/// Follows the browser's back and forward buttons, and takes clicks on links into this
/// bundle (not those with a modifier key, a target, `download` or `rel="external"`).
fn listen(here: Here) {
    let back = Closure::<dyn Fn()>::new(move || here.address.set(current()));
    let _ = window().add_event_listener_with_callback("popstate", back.as_ref().unchecked_ref());
    back.forget();
    let click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
        if ev.default_prevented()
            || ev.button() != 0
            || ev.meta_key()
            || ev.ctrl_key()
            || ev.shift_key()
            || ev.alt_key()
        {
            return;
        }
        let Some(link) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten())
        else {
            return;
        };
        let attr = |name: &str| link.get_attribute(name).unwrap_or_default();
        if link.has_attribute("download")
            || attr("rel").contains("external")
            || !matches!(attr("target").as_str(), "" | "_self")
        {
            return;
        }
        let Some(url) = link
            .dyn_ref::<web_sys::HtmlAnchorElement>()
            .and_then(|a| web_sys::Url::new(&a.href()).ok())
        else {
            return;
        };
        let location = window().location();
        if url.origin() != location.origin().unwrap_or_default() {
            return;
        }
        let Some(path) = under_base(&url.pathname()).map(str::to_owned) else {
            return;
        };
        // A link to a place on this very page is the browser's to follow.
        if !url.hash().is_empty() && url.pathname() == location.pathname().unwrap_or_default() {
            return;
        }
        if paths::is_foreign(&path) {
            return;
        }
        ev.prevent_default();
        go(here, &format!("{path}{}", url.search()));
    });
    let _ = document().add_event_listener_with_callback("click", click.as_ref().unchecked_ref());
    click.forget();
}

/// Shows `path` (under the base, with any query) as a new entry in the history.
fn go(here: Here, path: &str) {
    let url = format!("{}{path}", paths::base());
    if let Ok(history) = window().history() {
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&url));
    }
    here.address.set(current());
    window().scroll_to_with_x_and_y(0.0, 0.0);
}

/// A navigation function for use in handlers: shows a page of this bundle, loads the
/// page of another. Call it while building a component.
pub fn navigator() -> impl Fn(&str) + Clone + 'static {
    let here = use_context::<Here>();
    move |path: &str| match here {
        Some(here) if !paths::is_foreign(path) => go(here, path),
        _ => {
            let _ = window().location().set_href(&paths::relative(path));
        }
    }
}

/// The value of the `:name` segment of the address this page was built for.
pub fn param(name: &str) -> Option<String> {
    let here = use_context::<Here>()?;
    here.matched
        .with_untracked(|m| m.params.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()))
}

/// The value of `name` in the query string of the address this page was built for.
#[cfg_attr(not(feature = "staff"), allow(dead_code))]
pub fn query(name: &str) -> Option<String> {
    let here = use_context::<Here>()?;
    let q = here.matched.with_untracked(|m| m.query.clone());
    web_sys::UrlSearchParams::new_with_str(&q).ok()?.get(name)
}

/// Whether the address is `path` now (for `aria-current` on links).
pub fn is_here(path: &str) -> bool {
    use_context::<Here>().is_some_and(|here| here.address.with(|a| a.path == path))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn patterns() {
        assert_eq!(matches("/", "/"), Some(vec![]));
        assert_eq!(matches("/me", "/me"), Some(vec![]));
        assert_eq!(matches("/me", "/me/"), Some(vec![]));
        assert_eq!(matches("/me", "/"), None);
        assert_eq!(matches("/", "/me"), None);
        assert_eq!(
            matches("/ledger/:code/:month", "/ledger/359901101201/2026-11"),
            Some(vec![
                ("code", "359901101201".to_owned()),
                ("month", "2026-11".to_owned())
            ])
        );
        assert_eq!(matches("/ledger/:code", "/ledger/359901101201/2026-11"), None);
        assert_eq!(matches("/ledger/:code/:month", "/ledger/359901101201"), None);
        assert_eq!(matches("/ledger/:code/:month", "/ledger//2026-11"), None);
        assert_eq!(matches("/demands/new", "/demands/new"), Some(vec![]));
        assert_eq!(
            matches("/demands/:id", "/demands/new"),
            Some(vec![("id", "new".to_owned())])
        );
    }
}
