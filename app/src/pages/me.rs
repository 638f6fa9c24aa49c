//! 我的: who I am, my roles, language, large text, sign out.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api,
    components::{Go, Page, navigator},
    i18n::{Lang, T, lang, level_name, role_name, t},
    paths, prefs,
    session::Session,
};

#[component]
pub fn MePage() -> impl IntoView {
    let session = Session::get();
    let large = RwSignal::new(prefs::load_large());
    let navigate = navigator();
    let sign_out = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            // Signed out locally even if the server could not be told.
            let _ = api::delete::<()>("api/session").await;
            forget_offline_pages();
            session.set(None);
            navigate(paths::LOGIN);
        });
    };
    let me = session.0.get_untracked().flatten();
    view! {
        <Page title=t(T::TabMe)>
            {me.map(|me| {
                let staff = me.is_staff();
                let villager = me.village().is_some();
                // 我的补助 is a page the server renders (read-only, no module to load).
                let household = cfg!(villagers) && me.grants.iter().any(|g| g.household.is_some());
                view! {
                    <section class="card">
                        <h2>{me.name.clone()}</h2>
                        <p class="muted">{me.mobile.clone()}</p>
                        {household.then(|| view! { <a class="button secondary" href="me/subsidies" rel="external">{t(T::MySubsidies)}</a> })}
                    </section>
                    <section class="card">
                        <h2>{t(T::MyRoles)}</h2>
                        <ul class="plain">
                            {me.grants.iter().map(|g| view! {
                                <li>{role_name(g.role)}" · "{g.region_name.clone()}" "<span class="muted">"("{level_name(g.region_level)}")"</span></li>
                            }).collect_view()}
                        </ul>
                        {(staff && villager && !cfg!(feature = "staff")).then(|| view! { <Go href=paths::WORK class="button secondary">{t(T::GoToWork)}</Go> })}
                        {(villager && cfg!(feature = "staff")).then(|| view! { <Go href=paths::HOME class="button secondary">{t(T::GoToVillage)}</Go> })}
                    </section>
                    <section class="card">
                        <h2>{t(T::PasswordResets)}</h2>
                        {if me.password_resets.is_empty() {
                            view! { <p class="muted">{t(T::NoPasswordResets)}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="plain">
                                    {me.password_resets.iter().map(|r| view! {
                                        <li>{r.reset_at.china_string()}" · "{r.issued_by.clone()}</li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                }
            })}
            <section class="card settings">
                <h2>{t(T::LargeText)}</h2>
                <p class="hint">{t(T::LargeTextHint)}</p>
                <div class="switch" role="group" aria-label=t(T::LargeText)>
                    <button type="button" class="big" aria-pressed=move || large.get().to_string()
                        on:click=move |_| { prefs::apply_large(true); large.set(true); }>{t(T::On)}</button>
                    <button type="button" class="big" aria-pressed=move || (!large.get()).to_string()
                        on:click=move |_| { prefs::apply_large(false); large.set(false); }>{t(T::Off)}</button>
                </div>
                <h2>{t(T::Language)}</h2>
                <div class="switch" role="group" aria-label=t(T::Language)>
                    <button type="button" class="big" aria-pressed=(lang() == Lang::Zh).to_string()
                        on:click=move |_| prefs::set_lang(Lang::Zh)>"简体中文"</button>
                    <button type="button" class="big" aria-pressed=(lang() == Lang::En).to_string()
                        on:click=move |_| prefs::set_lang(Lang::En)>"English"</button>
                </div>
            </section>
            <button type="button" class="secondary big" on:click=sign_out>{t(T::SignOut)}</button>
        </Page>
    }
}

/// The reading pages kept on this phone for reading offline (see `public/sw.js`) are the
/// signed-in person's view: the next person on a shared phone does not get them.
fn forget_offline_pages() {
    if let Some(caches) = web_sys::window().and_then(|w| w.caches().ok()) {
        // Runs to its end whether or not anyone waits for it.
        let _ = caches.delete("sunlight-pages-v1");
    }
    crate::kept::forget_all();
}
