//! Region administration: the region's place in the tree, its households and invite
//! codes (for a village), its accounts, and new staff accounts. What a person may do is
//! decided by the server; this page only hides what their roles could never use.

use crate::router;
use leptos::{prelude::*, task::spawn_local};
use serde::de::DeserializeOwned;
use sunlight_api::{
    Page as ApiPage, RegionCode, RegionLevel, Role,
    dto::{Account, Household, ImportResult, Invite, IssuedCode, NewHousehold, NewInvite, NewStaff, RegionView},
    ledger::{Categories, DisclosureAccess},
};

use crate::{
    api::{self, Failure},
    components::{Empty, ErrorRetry, Field, FormError, Go, Loading, Page},
    i18n::{T, level_name, role_name, t},
    paths,
    session::Session,
};

/// A keyset-paged list that can reload from the start or load the next page.
struct Paged<R: Send + Sync + 'static> {
    url: StoredValue<String>,
    items: RwSignal<Vec<R>>,
    next: RwSignal<Option<String>>,
    error: RwSignal<Option<Failure>>,
    loading: RwSignal<bool>,
}

impl<R: Send + Sync + 'static> Clone for Paged<R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<R: Send + Sync + 'static> Copy for Paged<R> {}

impl<R: DeserializeOwned + Clone + Send + Sync + 'static> Paged<R> {
    fn new(url: String) -> Self {
        let p = Paged {
            url: StoredValue::new(url),
            items: RwSignal::new(Vec::new()),
            next: RwSignal::new(None),
            error: RwSignal::new(None),
            loading: RwSignal::new(false),
        };
        p.load(false);
        p
    }

    fn load(self, more: bool) {
        let mut url = self.url.get_value();
        if more {
            match self.next.get_untracked() {
                Some(c) => url = format!("{url}?cursor={c}"),
                None => return,
            }
        }
        self.loading.set(true);
        self.error.set(None);
        spawn_local(async move {
            match api::get::<ApiPage<R>>(&url).await {
                Ok(page) => {
                    self.items.update(|v| {
                        if !more {
                            v.clear();
                        }
                        v.extend(page.items)
                    });
                    self.next.set(page.next);
                }
                Err(f) => self.error.set(Some(f)),
            }
            self.loading.set(false);
        });
    }

    /// Done loading without an error: an empty list now really is empty.
    fn settled(self) -> bool {
        !self.loading.get() && self.error.get().is_none()
    }

    /// Loading, error-with-retry and "load more" around the rows.
    fn footer(self) -> impl IntoView {
        move || {
            if self.loading.get() {
                return view! { <Loading/> }.into_any();
            }
            if let Some(f) = self.error.get() {
                return view! { <ErrorRetry failure=f retry=move |_| self.load(false)/> }.into_any();
            }
            self.next.get().map(|_| view! {
                <button type="button" class="secondary" on:click=move |_| self.load(true)>{t(T::MoreItems)}</button>
            }).into_any()
        }
    }
}

/// What the signed-in person's roles allow here, as far as the page needs to know.
fn can(role: Role, region: &RegionCode) -> bool {
    Session::get()
        .0
        .get_untracked()
        .flatten()
        .is_some_and(|me| me.grants.iter().any(|g| g.role == role && g.region.contains(region)))
}

/// The region named in the route, loaded, then shown by `page`.
fn with_region<V: IntoView + 'static>(page: fn(RegionView) -> V) -> impl IntoView {
    let code = router::param("code").unwrap_or_default();
    let code = move || code.clone();
    let region = api::Fetch::<RegionView>::new(move || {
        let code = code();
        format!("api/regions/{code}")
    });
    move || match region.get() {
        None => view! { <Page title=t(T::Manage)><Loading/></Page> }.into_any(),
        Some(Err(f)) => {
            view! { <Page title=t(T::Manage)><ErrorRetry failure=f retry=move |_| region.refetch()/></Page> }.into_any()
        }
        Some(Ok(r)) => page(r).into_any(),
    }
}

#[component]
pub fn RegionAdmin() -> impl IntoView {
    with_region(|r| view! { <RegionPage region=r/> })
}

/// `/staff/admin/:code/polls`: a village's or township's polls and the form for a new one,
/// on a screen of their own (not under the household list).
#[component]
pub fn RegionPolls() -> impl IntoView {
    with_region(|region| {
        // A township's poll is for all its villages; a village's for itself.
        let villages: Vec<RegionCode> = if region.level == RegionLevel::Township {
            region.children.iter().map(|c| c.code.clone()).collect()
        } else {
            Vec::new()
        };
        let code = region.code.clone();
        let title = format!("{} · {}", region.name, t(T::PollsTitle));
        view! {
            <Page title=title>
                <p><Go href=paths::admin(code.as_str())>{"‹ "}{region.name.clone()}</Go></p>
                <section class="card">
                    <h2>{t(T::PollsTitle)}</h2>
                    <crate::pages::polls::PollList code=code.clone()/>
                </section>
                <section class="card">
                    <crate::pages::polls::NewPollForm code=code villages=villages/>
                </section>
            </Page>
        }
    })
}

#[component]
fn RegionPage(region: RegionView) -> impl IntoView {
    let code = region.code.clone();
    let is_village = region.level == RegionLevel::Village;
    let manages = can(Role::Admin, &code) || can(Role::Cadre, &code);
    let admin = can(Role::Admin, &code);
    let title = format!("{} · {}", region.name, level_name(region.level));
    let invites_version = RwSignal::new(0u32);
    let level = region.level;
    let children = region.children;
    let name = region.name;
    view! {
        <Page title=title>
            <nav class="crumbs" aria-label="breadcrumb">
                {region.ancestors.into_iter().map(|a| view! {
                    <Go href=paths::admin(a.code.as_str())>{a.name.clone()}</Go>" › "
                }).collect_view()}
                <span aria-current="page">{name}</span>
            </nav>
            {(!children.is_empty()).then(|| view! {
                <section class="card">
                    <h2>{t(T::Subregions)}</h2>
                    <ul class="links">
                        {children.into_iter().map(|c| view! {
                            <li><Go href=paths::admin(c.code.as_str())>{c.name.clone()}<span class="muted">" "{level_name(c.level)}</span></Go></li>
                        }).collect_view()}
                    </ul>
                </section>
            })}
            <div class="actions">
                {is_village.then(|| view! {
                    <Go href=paths::ledger(code.as_str()) class="button secondary">{t(T::OpenLedger)}</Go>
                })}
                {(manages && matches!(level, RegionLevel::Village | RegionLevel::Township)).then(|| view! {
                    <Go href=paths::region_polls(code.as_str()) class="button secondary">{t(T::PollsTitle)}</Go>
                })}
            </div>
            {(is_village && manages).then(|| view! {
                <Households code=code.clone() on_issued=move || invites_version.update(|v| *v += 1)/>
                <Invites code=code.clone() version=invites_version/>
                <crate::pages::village_cards::RobotCard code=code.clone()/>
                <crate::pages::village_cards::FinanceGroupCard code=code.clone()/>
            })}
            {manages.then(|| view! { <Accounts code=code.clone()/> })}
            {(admin && region.level == RegionLevel::County).then(|| view! { <CategoriesEditor code=code.clone()/> })}
            {(admin && region.level == RegionLevel::County).then(|| view! { <AccessEditor code=code.clone()/> })}
            {(admin && region.level == RegionLevel::County).then(|| view! {
                <crate::pages::deadlines::LimitsCard code=code.clone()/>
            })}
            {admin.then(|| view! { <CreateStaff code=code.clone()/> })}
        </Page>
    }
}

/// Shows a freshly issued one-time code, the only time it is ever shown, beside the row
/// it was issued for.
#[component]
fn IssuedNotice(issued: RwSignal<Option<(uuid::Uuid, IssuedCode)>>, for_row: uuid::Uuid) -> impl IntoView {
    move || {
        issued.get().filter(|(row, _)| *row == for_row).map(|(_, c)| {
            view! {
                <div class="notice" role="status">
                    <p>{t(T::CodeOnce)}</p>
                    <p class="code" data-testid="issued-code">{c.code.clone()}</p>
                    <p class="muted">{t(T::ExpiresAt)}" "{c.expires_at.china_string()}</p>
                    <button type="button" class="secondary" on:click=move |_| issued.set(None)>{t(T::Close)}</button>
                </div>
            }
        })
    }
}

#[component]
fn Households(code: RegionCode, #[prop(into)] on_issued: Callback<()>) -> impl IntoView {
    let list = Paged::<Household>::new(format!("api/regions/{code}/households"));
    let issued = RwSignal::new(None::<(uuid::Uuid, IssuedCode)>);
    let issue_error = RwSignal::new(None::<Failure>);
    let issue = move |household: uuid::Uuid| {
        spawn_local(async move {
            let body = NewInvite {
                max_uses: 5,
                valid_days: 30,
            };
            match api::post::<_, IssuedCode>(&format!("api/households/{household}/invites"), &body).await {
                Ok(c) => {
                    issue_error.set(None);
                    issued.set(Some((household, c)));
                    on_issued.run(());
                }
                Err(f) => issue_error.set(Some(f)),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{t(T::Households)}</h2>
            <FormError error=issue_error/>
            {move || {
                let rows = list.items.get();
                if rows.is_empty() && list.settled() {
                    return view! { <Empty text=t(T::NoHouseholds)/> }.into_any();
                }
                view! {
                    <ul class="rows">
                        {rows.into_iter().map(|h| {
                            let id = h.id;
                            view! {
                                <li>
                                    <span><b>{h.number.clone()}</b>" "{h.head_name.clone()}</span>
                                    <span class="muted">{t(T::Members)}" "{h.members}</span>
                                    <button type="button" class="secondary" on:click=move |_| issue(id)>{t(T::IssueInvite)}</button>
                                    <IssuedNotice issued=issued for_row=id/>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {list.footer()}
            <AddHousehold code=code.clone() on_added=move || list.load(false)/>
            <ImportHouseholds code=code on_done=move || list.load(false)/>
        </section>
    }
}

#[component]
fn AddHousehold(code: RegionCode, #[prop(into)] on_added: Callback<()>) -> impl IntoView {
    let number = RwSignal::new(String::new());
    let head = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let url = StoredValue::new(format!("api/regions/{code}/households"));
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let body = NewHousehold {
            number: number.get_untracked(),
            head_name: head.get_untracked(),
        };
        spawn_local(async move {
            match api::post::<_, Household>(&url.get_value(), &body).await {
                Ok(_) => {
                    error.set(None);
                    number.set(String::new());
                    head.set(String::new());
                    on_added.run(());
                }
                Err(f) => error.set(Some(f)),
            }
        });
    };
    view! {
        <form class="sub" on:submit=submit novalidate>
            <h3>{t(T::AddHousehold)}</h3>
            <Field id="hh-number" label=T::HouseholdNumber value=number/>
            <Field id="hh-head" label=T::HeadName value=head/>
            <FormError error=error/>
            <button type="submit">{t(T::Add)}</button>
        </form>
    }
}

/// Reads a chosen file as text: UTF-8 if it is valid UTF-8, else GBK (Excel's CSV on
/// Chinese Windows). The browser's own decoder does the work, so no tables ship here.
async fn read_text(file: web_sys::File) -> Option<String> {
    let buf = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await.ok()?;
    let bytes = js_sys::Uint8Array::new(&buf);
    let strict = web_sys::TextDecoderOptions::new();
    strict.set_fatal(true);
    if let Ok(d) = web_sys::TextDecoder::new_with_label_and_options("utf-8", &strict)
        && let Ok(s) = d.decode_with_buffer_source(&bytes)
    {
        return Some(s);
    }
    web_sys::TextDecoder::new_with_label("gbk")
        .ok()?
        .decode_with_buffer_source(&bytes)
        .ok()
}

#[component]
fn ImportHouseholds(code: RegionCode, #[prop(into)] on_done: Callback<()>) -> impl IntoView {
    let error = RwSignal::new(None::<Failure>);
    let done = RwSignal::new(None::<u32>);
    let url = StoredValue::new(format!("api/regions/{code}/households/import"));
    let on_change = move |ev: leptos::ev::Event| {
        let Some(file) = crate::components::chosen_file(&ev) else {
            return;
        };
        spawn_local(async move {
            let Some(csv) = read_text(file).await else {
                error.set(Some(Failure::Server(sunlight_api::ErrorBody::new(
                    sunlight_api::ErrorCode::BadRequest,
                    "",
                ))));
                return;
            };
            match api::post::<_, ImportResult>(&url.get_value(), &sunlight_api::dto::HouseholdImport { csv }).await {
                Ok(r) => {
                    error.set(None);
                    done.set(Some(r.created));
                    on_done.run(());
                }
                Err(f) => {
                    done.set(None);
                    error.set(Some(f));
                }
            }
        });
    };
    view! {
        <div class="sub">
            <h3><label for="hh-import">{t(T::ImportCsv)}</label></h3>
            // The column names are the file's format, Chinese in every language.
            <p class="hint" id="hh-import-hint">{t(T::ImportHint)}<code lang="zh-Hans">"户号,户主姓名"</code></p>
            <input id="hh-import" type="file" accept=".csv,text/csv" aria-describedby="hh-import-hint" on:change=on_change/>
            {move || done.get().map(|n| view! { <p class="ok" role="status">{t(T::ImportDone)}{n}</p> })}
            <FormError error=error/>
        </div>
    }
}

#[component]
fn Invites(code: RegionCode, version: RwSignal<u32>) -> impl IntoView {
    let list = Paged::<Invite>::new(format!("api/regions/{code}/invites"));
    Effect::new(move |prev: Option<()>| {
        version.track();
        if prev.is_some() {
            list.load(false);
        }
    });
    let error = RwSignal::new(None::<Failure>);
    let revoke = move |id: uuid::Uuid| {
        spawn_local(async move {
            match api::delete::<()>(&format!("api/invites/{id}")).await {
                Ok(()) => list.load(false),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    let now = js_sys::Date::now() as i64;
    view! {
        <section class="card">
            <h2>{t(T::Invites)}</h2>
            <FormError error=error/>
            {move || {
                let rows = list.items.get();
                if rows.is_empty() && list.settled() {
                    return view! { <Empty text=t(T::NoInvites)/> }.into_any();
                }
                view! {
                    <ul class="rows">
                        {rows.into_iter().map(|i| {
                            let id = i.id;
                            let state = if i.revoked {
                                Some(t(T::Revoked))
                            } else if i.expires_at.0 <= now {
                                Some(t(T::Expired))
                            } else {
                                None
                            };
                            let live = state.is_none() && i.uses < i.max_uses;
                            view! {
                                <li>
                                    <span><b>{t(T::HouseholdNumber)}" "{i.household_number.clone()}</b></span>
                                    <span class="muted">{t(T::Used)}" "{i.uses}"/"{i.max_uses}" · "{t(T::ExpiresAt)}" "{i.expires_at.china_string()}</span>
                                    {state.map(|s| view! { <span class="tag">{s}</span> })}
                                    {live.then(|| view! {
                                        <button type="button" class="secondary" on:click=move |_| revoke(id)>{t(T::Revoke)}</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {list.footer()}
        </section>
    }
}

#[component]
fn Accounts(code: RegionCode) -> impl IntoView {
    let list = Paged::<Account>::new(format!("api/regions/{code}/accounts"));
    let issued = RwSignal::new(None::<(uuid::Uuid, IssuedCode)>);
    let error = RwSignal::new(None::<Failure>);
    let reset = move |id: uuid::Uuid| {
        spawn_local(async move {
            match api::post::<_, IssuedCode>(&format!("api/users/{id}/reset-codes"), &()).await {
                Ok(c) => {
                    error.set(None);
                    issued.set(Some((id, c)));
                }
                Err(f) => error.set(Some(f)),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{t(T::Accounts)}</h2>
            <FormError error=error/>
            {move || {
                let rows = list.items.get();
                if rows.is_empty() && list.settled() {
                    return view! { <Empty text=t(T::NoAccounts)/> }.into_any();
                }
                view! {
                    <ul class="rows">
                        {rows.into_iter().map(|a| {
                            let id = a.id;
                            let roles = a.roles.iter().map(|r| role_name(*r)).collect::<Vec<_>>().join("、");
                            view! {
                                <li>
                                    <span><b>{a.name.clone()}</b>" "<span class="muted">{a.mobile.clone()}</span></span>
                                    <span>{roles}{a.household_number.clone().map(|n| format!(" · {} {n}", t(T::HouseholdNumber)))}</span>
                                    <button type="button" class="secondary" on:click=move |_| reset(id)>{t(T::IssueResetCode)}</button>
                                    <IssuedNotice issued=issued for_row=id/>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {list.footer()}
        </section>
    }
}

#[component]
fn CreateStaff(code: RegionCode) -> impl IntoView {
    let roles: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|r| r.is_staff() && r.levels().contains(&code.level()))
        .collect();
    let role = RwSignal::new(roles[0]);
    let name = RwSignal::new(String::new());
    let mobile = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let created = RwSignal::new(None::<String>);
    let url = StoredValue::new(format!("api/regions/{code}/accounts"));
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let body = NewStaff {
            name: name.get_untracked(),
            mobile: mobile.get_untracked(),
            role: role.get_untracked(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            match api::post::<_, Account>(&url.get_value(), &body).await {
                Ok(a) => {
                    error.set(None);
                    created.set(Some(format!("{} {} · {}", t(T::Created), a.name, a.mobile)));
                    name.set(String::new());
                    mobile.set(String::new());
                    password.set(String::new());
                }
                Err(f) => {
                    created.set(None);
                    error.set(Some(f));
                }
            }
        });
    };
    view! {
        <section class="card">
            <form on:submit=submit novalidate>
                <h2>{t(T::CreateStaff)}</h2>
                <div class="field">
                    <label for="staff-role">{t(T::Role)}</label>
                    <select id="staff-role" on:change=move |ev| {
                        if let Some(r) = Role::parse(&event_target_value(&ev)) { role.set(r) }
                    }>
                        {roles.into_iter().map(|r| view! { <option value=r.as_str()>{role_name(r)}</option> }).collect_view()}
                    </select>
                </div>
                <Field id="staff-name" label=T::Name value=name/>
                <Field id="staff-mobile" label=T::Mobile value=mobile kind="tel" inputmode="numeric"/>
                <Field id="staff-password" label=T::InitialPassword value=password kind="password" autocomplete="new-password" hint=T::PasswordHint/>
                <FormError error=error/>
                {move || created.get().map(|c| view! { <p class="ok" role="status">{c}</p> })}
                <button type="submit">{t(T::Create)}</button>
            </form>
        </section>
    }
}

/// A county admin's list of ledger categories, one per line.
#[component]
fn CategoriesEditor(code: RegionCode) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let saved = RwSignal::new(false);
    let url = StoredValue::new(format!("api/regions/{code}/ledger-categories"));
    spawn_local(async move {
        if let Ok(c) = api::get::<Categories>(&url.get_value()).await {
            text.set(c.categories.join("\n"));
        }
    });
    let save = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let categories = text.get_untracked().lines().map(str::to_owned).collect();
        spawn_local(async move {
            match api::put::<_, Categories>(
                &url.get_value(),
                &Categories {
                    categories,
                    default: false,
                },
            )
            .await
            {
                Ok(c) => {
                    error.set(None);
                    text.set(c.categories.join("\n"));
                    saved.set(true);
                }
                Err(f) => {
                    saved.set(false);
                    error.set(Some(f));
                }
            }
        });
    };
    view! {
        <section class="card">
            <form on:submit=save novalidate>
                <h2><label for="categories">{t(T::Categories)}</label></h2>
                <p class="hint" id="categories-hint">{t(T::CategoriesHint)}</p>
                <textarea id="categories" rows="8" aria-describedby="categories-hint"
                    prop:value=move || text.get() on:input=move |ev| { saved.set(false); text.set(event_target_value(&ev)) }></textarea>
                <FormError error=error/>
                {move || saved.get().then(|| view! { <p class="ok" role="status">{t(T::Saved)}</p> })}
                <button type="submit">{t(T::Save)}</button>
            </form>
        </section>
    }
}

/// Whether the county's villages' published accounts are public (the default, like a
/// notice board) or for their signed-in villagers only.
#[component]
fn AccessEditor(code: RegionCode) -> impl IntoView {
    let url = StoredValue::new(format!("api/regions/{code}/disclosure-access"));
    let villagers_only = RwSignal::new(None::<bool>);
    let error = RwSignal::new(None::<crate::api::Failure>);
    spawn_local(async move {
        match api::get::<DisclosureAccess>(&url.get_value()).await {
            Ok(a) => villagers_only.set(Some(a.villagers_only)),
            Err(f) => error.set(Some(f)),
        }
    });
    let change = move |on: bool| {
        spawn_local(async move {
            match api::put::<_, DisclosureAccess>(&url.get_value(), &DisclosureAccess { villagers_only: on }).await {
                Ok(a) => {
                    error.set(None);
                    villagers_only.set(Some(a.villagers_only));
                }
                Err(f) => error.set(Some(f)),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{t(T::DisclosureAccess)}</h2>
            <label class="choice">
                <input type="checkbox" disabled=move || villagers_only.get().is_none()
                    prop:checked=move || villagers_only.get() == Some(true)
                    on:change=move |ev| change(event_target_checked(&ev))/>
                " "{t(T::VillagersOnly)}
            </label>
            <p class="hint">{t(T::VillagersOnlyHint)}</p>
            <FormError error=error/>
        </section>
    }
}
