//! The root: preferences, session and network state in context, and the routes.

use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::{JsCast, closure::Closure};

use crate::{
    api::Failure,
    components::ErrorRetry,
    pages, prefs,
    router::{self, Route},
    session::Session,
};

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
    #[cfg(villagers)]
    provide_context(crate::kept::KeptAt(RwSignal::new(None)));
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
    router::install(routes());
    // Everything re-renders when the language changes; the address stays.
    move || {
        let _ = lang.get();
        if let Some(f) = boot_error.get() {
            return view! { <main class="content"><ErrorRetry failure=f retry=move |_| boot()/></main> }.into_any();
        }
        router::outlet(|| view! { <pages::NotFound/> }.into_any()).into_any()
    }
}

/// The villagers' bundle: the disclosures, the reports tab and me (polls, demands and
/// signing in are bundles of their own).
#[cfg(villagers)]
fn routes() -> Vec<Route> {
    vec![
        ("/", || view! { <Authed><pages::villager::Home/></Authed> }.into_any()),
        ("/reports", || {
            view! { <Authed><pages::villager::Reports/></Authed> }.into_any()
        }),
        ("/me", || view! { <Authed><pages::me::MePage/></Authed> }.into_any()),
        ("/ledger/:code", || {
            view! { <AuthedNow><pages::ledger::YearPage/></AuthedNow> }.into_any()
        }),
        ("/ledger/:code/:month", || {
            view! { <AuthedNow><pages::ledger::MonthPage/></AuthedNow> }.into_any()
        }),
    ]
}

/// The polls bundle, everything under `/polls`: a village's polls, the ballot and results.
#[cfg(feature = "polls")]
fn routes() -> Vec<Route> {
    vec![
        ("/polls", || {
            view! { <Authed><pages::polls::PollsTab/></Authed> }.into_any()
        }),
        ("/polls/:id", || {
            view! { <Authed><pages::polls::PollPage/></Authed> }.into_any()
        }),
    ]
}

/// The sign-in bundle: signing in, registering with an invite code, resetting a password.
#[cfg(feature = "signin")]
fn routes() -> Vec<Route> {
    vec![
        ("/login", || view! { <pages::auth::SignIn/> }.into_any()),
        ("/register", || view! { <pages::auth::Register/> }.into_any()),
        ("/reset", || view! { <pages::auth::Reset/> }.into_any()),
    ]
}

/// The staff workbench bundle, everything under `/staff/`.
#[cfg(feature = "staff")]
fn routes() -> Vec<Route> {
    vec![
        ("/staff", || {
            view! { <crate::components::Leave path=crate::paths::WORK/> }.into_any()
        }),
        ("/staff/work", || {
            view! { <Authed><pages::work::Work/></Authed> }.into_any()
        }),
        ("/staff/me", || {
            view! { <Authed><pages::me::MePage/></Authed> }.into_any()
        }),
        ("/staff/admin/:code", || {
            view! { <Authed><pages::admin::RegionAdmin/></Authed> }.into_any()
        }),
        ("/staff/admin/:code/polls", || {
            view! { <Authed><pages::admin::RegionPolls/></Authed> }.into_any()
        }),
        ("/staff/ledger/:code", || {
            view! { <Authed><pages::ledger::YearPage/></Authed> }.into_any()
        }),
        ("/staff/ledger/:code/:month", || {
            view! { <Authed><pages::ledger::MonthPage/></Authed> }.into_any()
        }),
        ("/staff/review/:code", || {
            view! { <Authed><pages::ledger::ReviewQueuePage/></Authed> }.into_any()
        }),
        ("/staff/polls/:id", || {
            view! { <Authed><pages::polls::PollPage/></Authed> }.into_any()
        }),
        ("/staff/demands/:code", || {
            view! { <Authed><pages::demands_staff::DemandInbox/></Authed> }.into_any()
        }),
        ("/staff/demand/:id", || {
            view! { <Authed><pages::demands::DemandPage/></Authed> }.into_any()
        }),
        ("/staff/calendar", || {
            view! { <Authed><pages::deadlines::CalendarPage/></Authed> }.into_any()
        }),
        ("/staff/demand-stats/:code", || {
            view! { <Authed><pages::demands_staff::DemandDashboard/></Authed> }.into_any()
        }),
    ]
}

/// The disclosures bundle: the workbench's catalogue and project screens.
#[cfg(feature = "records")]
fn routes() -> Vec<Route> {
    vec![
        ("/staff/disclosures/:code", || {
            view! { <Authed><pages::disclosures::VillageDisclosuresPage/></Authed> }.into_any()
        }),
        ("/staff/disclosure/:id", || {
            view! { <Authed><pages::disclosures::EntryPage/></Authed> }.into_any()
        }),
        ("/staff/project/:id", || {
            view! { <Authed><pages::projects::ProjectPage/></Authed> }.into_any()
        }),
        ("/staff/disclosure-queue/:code", || {
            view! { <Authed><pages::disclosures::QueuePage/></Authed> }.into_any()
        }),
        ("/staff/completeness/:code", || {
            view! { <Authed><pages::disclosures::CompletenessPage/></Authed> }.into_any()
        }),
        ("/staff/catalogue/:code", || {
            view! { <Authed><pages::disclosures::CataloguePage/></Authed> }.into_any()
        }),
    ]
}

/// The demands bundle, everything under `/demands`: a villager's demands and the form.
#[cfg(feature = "demands")]
fn routes() -> Vec<Route> {
    vec![
        ("/demands", || {
            view! { <Authed><pages::demands_file::DemandsHome/></Authed> }.into_any()
        }),
        ("/demands/new", || {
            view! { <Authed><pages::demands_file::NewDemandPage/></Authed> }.into_any()
        }),
        ("/demands/sign/:code/:month", || {
            view! { <Authed><pages::sign::SignPage/></Authed> }.into_any()
        }),
        ("/demands/ask/:id", || {
            view! { <Authed><pages::ask::AskPage/></Authed> }.into_any()
        }),
        ("/demands/:id", || {
            view! { <Authed><pages::demands::DemandPage/></Authed> }.into_any()
        }),
    ]
}

/// The office bundle, everything under `/office/`: inspectors decrypt reports here.
#[cfg(feature = "office")]
fn routes() -> Vec<Route> {
    vec![
        ("/office/:code", || {
            view! { <Authed><pages::office::OfficePage/></Authed> }.into_any()
        }),
        ("/office/:code/reports/:id", || {
            view! { <Authed><pages::office_report::OfficeReportPage/></Authed> }.into_any()
        }),
    ]
}

/// The reports bundle, everything under `/report/`: no account, no session, and never
/// inside WeChat's mini-program (`OutsideWeChat`).
#[cfg(feature = "report")]
fn routes() -> Vec<Route> {
    use pages::report::OutsideWeChat;
    vec![
        ("/report", || {
            view! { <OutsideWeChat><pages::report::Intro/></OutsideWeChat> }.into_any()
        }),
        ("/report/new", || {
            view! { <OutsideWeChat><pages::report::NewReportPage/></OutsideWeChat> }.into_any()
        }),
        ("/report/follow", || {
            view! { <OutsideWeChat><pages::report::Follow/></OutsideWeChat> }.into_any()
        }),
    ]
}

/// Like `Authed`, but builds the page at once and shows it when the session is known, so
/// the page's own request goes out beside the session's instead of after it (a month on a
/// slow network: one round trip, not two). Only for pages that do not read the session
/// while they are built.
#[cfg(villagers)]
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
#[cfg(not(any(feature = "report", feature = "signin")))]
#[component]
fn Authed(children: ChildrenFn) -> impl IntoView {
    let session = Session::get();
    move || match session.0.get() {
        None => view! { <crate::components::Loading/> }.into_any(),
        Some(None) => view! { <crate::components::Leave path=crate::paths::LOGIN/> }.into_any(),
        Some(Some(_)) => children().into_any(),
    }
}
