//! The root: preferences, session and network state in context, and the routes.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};
use wasm_bindgen::{JsCast, closure::Closure};

use crate::{api::Failure, components::ErrorRetry, pages, prefs, session::Session};

/// A signal that follows `navigator.onLine`.
fn online_signal() -> ReadSignal<bool> {
    let (online, set_online) = signal(window().navigator().on_line());
    for (event, value) in [("online", true), ("offline", false)] {
        let cb = Closure::<dyn Fn()>::new(move || set_online.set(value));
        let _ = window().add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
        cb.forget();
    }
    online
}

/// The whole client.
#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(prefs::load_lang());
    prefs::save_lang(lang.get_untracked());
    prefs::apply_large(prefs::load_large());
    provide_context(lang);
    provide_context(online_signal());
    let session = Session(RwSignal::new(None));
    provide_context(session);
    let boot_error = RwSignal::new(None::<Failure>);
    #[cfg(feature = "office")]
    provide_context(pages::office::OfficeKeys(RwSignal::new(Default::default())));
    #[cfg(feature = "report")]
    provide_context(pages::report::JustFiled(RwSignal::new(None)));
    let boot = move || {
        boot_error.set(None);
        // The reports bundle never asks who is signed in: it works for nobody in particular.
        if cfg!(feature = "report") {
            return;
        }
        spawn_local(async move {
            if let Err(f) = session.refresh().await {
                boot_error.set(Some(f));
            }
        });
    };
    boot();
    // The app is running: the start-up check in index.html can stand down.
    if let Some(el) = document().get_element_by_id("boot") {
        el.remove();
    }
    let base = crate::paths::base();
    // Everything re-renders when the language changes; the router keeps the page.
    move || {
        let _ = lang.get();
        let base = base.clone();
        if let Some(f) = boot_error.get() {
            return view! { <main class="content"><ErrorRetry failure=f retry=move |_| boot()/></main> }.into_any();
        }
        routes(base).into_any()
    }
}

/// The villagers' bundle: signing in and the five tabs.
#[cfg(not(any(feature = "staff", feature = "report", feature = "office", feature = "demands")))]
fn routes(base: String) -> impl IntoView {
    view! {
        <Router base=base>
            <Routes fallback=|| view! { <pages::NotFound/> }>
                <Route path=path!("/login") view=pages::auth::SignIn/>
                <Route path=path!("/register") view=pages::auth::Register/>
                <Route path=path!("/reset") view=pages::auth::Reset/>
                <Route path=path!("/") view=|| view! { <Authed><pages::villager::Home/></Authed> }/>
                <Route path=path!("/reports") view=|| view! { <Authed><pages::villager::Reports/></Authed> }/>
                <Route path=path!("/polls") view=|| view! { <Authed><pages::villager::Polls/></Authed> }/>
                <Route path=path!("/me") view=|| view! { <Authed><pages::me::MePage/></Authed> }/>
                <Route path=path!("/ledger/:code") view=|| view! { <AuthedNow><pages::ledger::YearPage/></AuthedNow> }/>
                <Route path=path!("/ledger/:code/:month") view=|| view! { <AuthedNow><pages::ledger::MonthPage/></AuthedNow> }/>
                <Route path=path!("/polls/:id") view=|| view! { <Authed><pages::polls::PollPage/></Authed> }/>
            </Routes>
        </Router>
    }
}

/// The staff workbench bundle, everything under `/staff/`.
#[cfg(feature = "staff")]
fn routes(base: String) -> impl IntoView {
    view! {
        <Router base=base>
            <Routes fallback=|| view! { <pages::NotFound/> }>
                <Route path=path!("/staff") view=|| view! { <crate::components::Leave path=crate::paths::WORK/> }/>
                <Route path=path!("/staff/work") view=|| view! { <Authed><pages::work::Work/></Authed> }/>
                <Route path=path!("/staff/me") view=|| view! { <Authed><pages::me::MePage/></Authed> }/>
                <Route path=path!("/staff/admin/:code") view=|| view! { <Authed><pages::admin::RegionAdmin/></Authed> }/>
                <Route path=path!("/staff/admin/:code/polls") view=|| view! { <Authed><pages::admin::RegionPolls/></Authed> }/>
                <Route path=path!("/staff/ledger/:code") view=|| view! { <Authed><pages::ledger::YearPage/></Authed> }/>
                <Route path=path!("/staff/ledger/:code/:month") view=|| view! { <Authed><pages::ledger::MonthPage/></Authed> }/>
                <Route path=path!("/staff/review/:code") view=|| view! { <Authed><pages::ledger::ReviewQueuePage/></Authed> }/>
                <Route path=path!("/staff/polls/:id") view=|| view! { <Authed><pages::polls::PollPage/></Authed> }/>
                <Route path=path!("/staff/demands/:code") view=|| view! { <Authed><pages::demands_staff::DemandInbox/></Authed> }/>
                <Route path=path!("/staff/demand/:id") view=|| view! { <Authed><pages::demands::DemandPage/></Authed> }/>
                <Route path=path!("/staff/calendar") view=|| view! { <Authed><pages::deadlines::CalendarPage/></Authed> }/>
                <Route path=path!("/staff/demand-stats/:code") view=|| view! { <Authed><pages::demands_staff::DemandDashboard/></Authed> }/>
            </Routes>
        </Router>
    }
}

/// The demands bundle, everything under `/demands`: a villager's demands and the form.
#[cfg(feature = "demands")]
fn routes(base: String) -> impl IntoView {
    view! {
        <Router base=base>
            <Routes fallback=|| view! { <pages::NotFound/> }>
                <Route path=path!("/demands") view=|| view! { <Authed><pages::demands_file::DemandsHome/></Authed> }/>
                <Route path=path!("/demands/new") view=|| view! { <Authed><pages::demands_file::NewDemandPage/></Authed> }/>
                <Route path=path!("/demands/:id") view=|| view! { <Authed><pages::demands::DemandPage/></Authed> }/>
            </Routes>
        </Router>
    }
}

/// The office bundle, everything under `/office/`: inspectors decrypt reports here.
#[cfg(feature = "office")]
fn routes(base: String) -> impl IntoView {
    view! {
        <Router base=base>
            <Routes fallback=|| view! { <pages::NotFound/> }>
                <Route path=path!("/office/:code") view=|| view! { <Authed><pages::office::OfficePage/></Authed> }/>
                <Route path=path!("/office/:code/reports/:id") view=|| view! { <Authed><pages::office_report::OfficeReportPage/></Authed> }/>
            </Routes>
        </Router>
    }
}

/// The reports bundle, everything under `/report/`: no account, no session.
#[cfg(feature = "report")]
fn routes(base: String) -> impl IntoView {
    view! {
        <Router base=base>
            <Routes fallback=|| view! { <pages::NotFound/> }>
                <Route path=path!("/report") view=pages::report::Intro/>
                <Route path=path!("/report/new") view=pages::report::NewReportPage/>
                <Route path=path!("/report/follow") view=pages::report::Follow/>
            </Routes>
        </Router>
    }
}

/// Like `Authed`, but builds the page at once and shows it when the session is known, so
/// the page's own request goes out beside the session's instead of after it (a month on a
/// slow network: one round trip, not two). Only for pages that do not read the session
/// while they are built.
#[cfg(not(any(feature = "staff", feature = "report", feature = "office", feature = "demands")))]
#[component]
fn AuthedNow(children: Children) -> impl IntoView {
    let session = Session::get();
    view! {
        {move || match session.0.get() {
            None => Some(view! { <crate::components::Loading/> }.into_any()),
            Some(None) => Some(view! { <crate::components::Leave path=crate::paths::LOGIN/> }.into_any()),
            Some(Some(_)) => None,
        }}
        <div style:display=move || if matches!(session.0.get(), Some(Some(_))) { "contents" } else { "none" }>
            {children()}
        </div>
    }
}

/// Shows its children to a signed-in person and sends anyone else to sign in.
#[cfg(not(feature = "report"))]
#[component]
fn Authed(children: ChildrenFn) -> impl IntoView {
    let session = Session::get();
    move || match session.0.get() {
        None => view! { <crate::components::Loading/> }.into_any(),
        Some(None) => view! { <crate::components::Leave path=crate::paths::LOGIN/> }.into_any(),
        Some(Some(_)) => children().into_any(),
    }
}
