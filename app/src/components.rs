//! Small building blocks shared by the pages.

use leptos::prelude::*;
use sunlight_api::Role;

use crate::{
    api::Failure,
    i18n::{T, t},
    paths,
    session::Session,
};

/// A page: a title bar, the content, and the tab bar for the signed-in person.
#[component]
pub fn Page(#[prop(into)] title: Signal<String>, children: Children) -> impl IntoView {
    view! {
        <header class="bar"><h1>{move || title.get()}</h1></header>
        <main>
            <OfflineBanner/>
            {#[cfg(villagers)]
            view! { <crate::kept::KeptNote/> }}
            <ResetNotice/>
            <div class="content">{children()}</div>
        </main>
        <TabBar/>
    }
}

pub use crate::router::navigator;

/// A link that stays in this bundle (the router follows it in the page) or loads the
/// other bundle's page. It says so (`aria-current`) when it leads where the person is.
#[component]
pub fn Go(#[prop(into)] href: String, #[prop(optional, into)] class: String, children: Children) -> impl IntoView {
    let foreign = paths::is_foreign(&href);
    let link = paths::relative(&href);
    let path = href.split('?').next().unwrap_or_default().to_owned();
    let current = move || (!foreign && crate::router::is_here(&path)).then_some("page");
    view! { <a href=link class=class rel=foreign.then_some("external") aria-current=current>{children()}</a> }
}

/// The bottom tab bar: the five villager tabs, or work and me for staff (and for staff
/// who are not villagers).
#[component]
pub fn TabBar() -> impl IntoView {
    let session = Session::get();
    move || {
        let me = session.0.get().flatten()?;
        let tabs: Vec<(&'static str, T)> =
            if me.has_role(Role::Villager) && !cfg!(any(feature = "staff", feature = "records", feature = "office")) {
                vec![
                    (paths::HOME, T::TabDisclosures),
                    (paths::DEMANDS, T::TabDemands),
                    (paths::REPORTS, T::TabReports),
                    (paths::POLLS, T::TabPolls),
                    (paths::ME, T::TabMe),
                ]
            } else if cfg!(any(feature = "staff", feature = "records", feature = "office")) {
                vec![(paths::WORK, T::TabWork), (paths::STAFF_ME, T::TabMe)]
            } else {
                vec![(paths::WORK, T::TabWork), (paths::ME, T::TabMe)]
            };
        Some(view! {
            <nav class="tabs" aria-label=t(T::AppName)>
                {tabs.into_iter().map(|(href, label)| view! { <Go href=href>{t(label)}</Go> }).collect_view()}
            </nav>
        })
    }
}

/// Says so when the phone has lost its network.
#[component]
pub fn OfflineBanner() -> impl IntoView {
    let online = expect_context::<ReadSignal<bool>>();
    move || (!online.get()).then(|| view! { <p class="banner" role="status">{t(T::Offline)}</p> })
}

/// Tells the signed-in person that their password was reset with a code someone else
/// issued, on every page until they acknowledge it: a cadre who took over an account this
/// way cannot keep it quiet.
#[component]
fn ResetNotice() -> impl IntoView {
    let session = use_context::<Session>();
    move || {
        let session = session?;
        let me = session.0.get().flatten()?;
        let unseen: Vec<_> = me.password_resets.iter().filter(|r| !r.noticed).cloned().collect();
        let latest = unseen.first()?.clone();
        let acknowledge = move |_| {
            leptos::task::spawn_local(async move {
                if crate::api::post::<_, ()>("api/me/password-resets/noticed", &())
                    .await
                    .is_ok()
                {
                    session.0.update(|me| {
                        if let Some(Some(me)) = me {
                            me.password_resets.iter_mut().for_each(|r| r.noticed = true);
                        }
                    });
                }
            });
        };
        Some(view! {
            <section class="banner warning" role="alert">
                <p>{t(T::PasswordWasReset)
                    .replace("{when}", &latest.reset_at.china_string())
                    .replace("{who}", &latest.issued_by)}</p>
                <p>{t(T::PasswordResetAdvice)}</p>
                <button type="button" class="secondary" on:click=acknowledge>{t(T::Acknowledge)}</button>
            </section>
        })
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="muted" role="status" aria-live="polite">{t(T::Loading)}</p> }
}

/// An error with a retry button.
#[component]
pub fn ErrorRetry(failure: Failure, #[prop(into)] retry: Callback<()>) -> impl IntoView {
    view! {
        <div class="error" role="alert">
            <p>{failure.message()}</p>
            <button type="button" class="secondary" on:click=move |_| retry.run(())>{t(T::Retry)}</button>
        </div>
    }
}

/// An honest empty state.
#[component]
pub fn Empty(#[prop(into)] text: String, #[prop(optional, into)] title: Option<String>) -> impl IntoView {
    view! {
        <div class="empty">
            {title.map(|h| view! { <h2>{h}</h2> })}
            <p>{text}</p>
        </div>
    }
}

/// A labelled text input bound to a signal.
// Every bundle but the villagers' has a form of text fields.
#[cfg(not(villagers))]
#[component]
pub fn Field(
    #[prop(into)] id: String,
    label: T,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] hint: Option<T>,
    #[prop(optional)] inputmode: &'static str,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let described = hint.map(|_| hint_id.clone());
    view! {
        <div class="field">
            <label for=id.clone()>{t(label)}</label>
            <input
                id=id
                type=kind
                autocomplete=autocomplete
                inputmode=(!inputmode.is_empty()).then_some(inputmode)
                aria-describedby=described
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {hint.map(|h| view! { <p class="hint" id=hint_id>{t(h)}</p> })}
        </div>
    }
}

/// The failure of the last submit, shown under a form.
#[component]
pub fn FormError(error: RwSignal<Option<Failure>>) -> impl IntoView {
    move || {
        error.get().map(|f| {
            let rows = f.row_messages();
            view! {
                <div class="error" role="alert">
                    <p>{f.message()}</p>
                    <ul>{rows.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
                </div>
            }
        })
    }
}

/// Sends the person elsewhere as soon as it renders (across bundles if need be).
#[component]
pub fn Leave(path: &'static str) -> impl IntoView {
    let go = navigator();
    Effect::new(move |_| go(path));
    view! { <Loading/> }
}

#[cfg(any(feature = "staff", feature = "records", feature = "report", feature = "demands"))]
/// The file a person just chose in an `<input type="file">`; the input is cleared so that
/// choosing the same file again fires again.
pub fn chosen_file(ev: &leptos::ev::Event) -> Option<web_sys::File> {
    use wasm_bindgen::JsCast;
    let input = ev.target()?.dyn_into::<web_sys::HtmlInputElement>().ok()?;
    let file = input.files()?.get(0)?;
    input.set_value("");
    Some(file)
}

/// What a report is, who reads it, and the two ways on: the villagers' 举报 tab and the
/// reports page both start here.
#[cfg(not(any(feature = "staff", feature = "records", feature = "office")))]
#[component]
pub fn ReportEntry() -> impl IntoView {
    view! {
        <section class="card">
            <p>{t(T::ReportIntro)}</p>
            <p class="notice">{t(T::ReportPrivacy)}</p>
        </section>
        <p><Go href=paths::REPORT_NEW class="button big">{t(T::ReportStart)}</Go></p>
        <p><Go href=paths::REPORT_FOLLOW class="button big secondary">{t(T::ReportFollow)}</Go></p>
    }
}

/// What waits for this person (待办), with counts, one line per kind and post; nothing
/// when nothing waits. The first thing on every role's first screen.
#[cfg(any(villagers, feature = "staff"))]
// Only the villagers' bundles skip the kinds whose words the workbench alone carries.
#[cfg_attr(feature = "staff", allow(clippy::unnecessary_filter_map))]
#[component]
pub fn TodoList() -> impl IntoView {
    #[cfg(feature = "staff")]
    use crate::words_catalogue::{C, cw};
    use sunlight_api::demand::{TodoItem, TodoKind};
    let data = crate::api::Fetch::<Vec<TodoItem>>::new(|| "api/me/todo".to_owned());
    move || {
        let items = data.get()?.ok()?;
        (!items.is_empty()).then(|| {
            view! {
                <section class="card todo">
                    <h2>{t(T::Todo)}</h2>
                    <ul>
                        {items.into_iter().filter_map(|i| {
                            let code = i.region.as_str();
                            let (label, href) = match i.kind {
                                TodoKind::NewDemands => (t(T::TodoNewDemands), paths::staff_demands(code, "held")),
                                TodoKind::OverdueDemands => (t(T::TodoOverdueDemands), paths::staff_demands(code, "held")),
                                TodoKind::OverdueToPress => (t(T::TodoOverdueToPress), paths::staff_demands(code, "overdue")),
                                TodoKind::UnansweredQuestions => (t(T::TodoQuestions), paths::ledger(code)),
                                TodoKind::ReturnedLines => (t(T::TodoReturnedLines), paths::ledger(code)),
                                TodoKind::LinesToReview => (t(T::TodoLinesToReview), paths::review(code)),
                                TodoKind::ReportsDue => (t(T::TodoReportsDue), paths::office(code)),
                                TodoKind::DemandsToRate => (t(T::TodoDemandsToRate), paths::DEMANDS.to_owned()),
                                TodoKind::DemandAnswers => (t(T::TodoDemandAnswers), paths::DEMANDS.to_owned()),
                                TodoKind::ReportsLate => (t(T::TodoReportsLate), paths::office(code)),
                                TodoKind::CalendarYear => (t(T::TodoCalendar), paths::CALENDAR.to_owned()),
                                // Staff's only, whose words only the workbench carries.
                                #[cfg(feature = "staff")]
                                TodoKind::DisclosuresToReview => (cw(C::TodoToReview), paths::disclosure_queue(code)),
                                #[cfg(feature = "staff")]
                                TodoKind::DisclosuresMissing => (cw(C::TodoMissing), paths::staff_disclosures(code)),
                                #[cfg(feature = "staff")]
                                TodoKind::VillagesInRed => (cw(C::TodoRed), paths::completeness(code)),
                                #[cfg(not(feature = "staff"))]
                                TodoKind::DisclosuresToReview | TodoKind::DisclosuresMissing | TodoKind::VillagesInRed => return None,
                            };
                            let label = label.replace("{}", &i.year.map(|y| y.to_string()).unwrap_or_default());
                            Some(view! {
                                <li><Go href=href><span>{label}</span>" "{(i.count > 0).then(|| view! { <b class="count">{i.count}</b> })}
                                    <span class="muted">" · "{i.region_name.clone()}</span></Go></li>
                            })
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}
