//! The workbench's side of the disclosure catalogue (公开目录): a village's items and
//! entries (the accountant and cadre write them, the township reviews and publishes them),
//! one entry with its files, the township's queue, completeness (红黄绿) for a region,
//! and the county's catalogue.

use leptos::{prelude::*, task::spawn_local};
use sunlight_api::{
    catalogue::{
        Catalogue, CatalogueEdit, Completeness, Counts, Entry, EntryReview, EntryStatus, EntryText, Frequency, Item,
        LEDGER_ITEM, Light, NewEntry, Section, Standing, VillageDisclosures,
    },
    ledger::{Attachment, AttachmentKind},
};
use uuid::Uuid;

use crate::{
    api::{self, Failure},
    components::{Empty, ErrorRetry, FormError, Go, Loading, Page},
    i18n::{T, t},
    paths, photo, router,
    words_catalogue::{C, cw, frequency_name, light_name, section_name, standing_name},
};

fn counts_line(c: &Counts) -> String {
    cw(C::CountsLine)
        .replace("{0}", &c.on_time.to_string())
        .replace("{1}", &c.late.to_string())
        .replace("{2}", &c.due.to_string())
        .replace("{3}", &c.missing.to_string())
}

fn light_class(l: Light) -> &'static str {
    match l {
        Light::Red => "light red",
        Light::Yellow => "light yellow",
        Light::Green => "light green",
    }
}

fn standing_class(s: Standing) -> &'static str {
    match s {
        Standing::Missing => "tag bad",
        Standing::Late => "tag warn",
        Standing::Due => "tag",
        Standing::OnTime => "tag ok",
    }
}

fn status_name(s: EntryStatus) -> &'static str {
    match s {
        EntryStatus::Draft => cw(C::Draft),
        EntryStatus::Submitted => cw(C::Submitted),
        EntryStatus::Published => cw(C::Published),
    }
}

fn period_hint(f: Frequency) -> &'static str {
    match f {
        Frequency::Monthly => cw(C::PeriodHintMonthly),
        Frequency::Quarterly => cw(C::PeriodHintQuarterly),
        Frequency::Yearly => cw(C::PeriodHintYearly),
        Frequency::Event => cw(C::PeriodHintEvent),
    }
}

/// `/staff/disclosures/:code?item=&period=`: a village's year of disclosures, what is due
/// or missing first, and the form for a new entry.
#[component]
pub fn VillageDisclosuresPage() -> impl IntoView {
    let code = router::param("code").unwrap_or_default();
    let url = {
        let code = code.clone();
        move || format!("api/regions/{code}/disclosures")
    };
    let data = api::Fetch::<VillageDisclosures>::new(url);
    let code = StoredValue::new(code);
    view! {
        <Page title=cw(C::Disclosures)>
            {move || match data.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(d)) => view! { <VillageView d=d code=code.get_value()/> }.into_any(),
            }}
        </Page>
    }
}

/// Whether the signed-in person is the village's accountant or cadre (who write entries).
fn village_staff(village: &sunlight_api::RegionCode) -> bool {
    use sunlight_api::Role;
    crate::session::Session::get()
        .0
        .get_untracked()
        .flatten()
        .is_some_and(|m| {
            m.grants
                .iter()
                .any(|g| [Role::Accountant, Role::Cadre].contains(&g.role) && g.region.contains(village))
        })
}

#[component]
fn VillageView(mut d: VillageDisclosures, code: String) -> impl IntoView {
    // What is still being written or reviewed first, then what is published.
    d.entries.sort_by_key(|e| e.status == EntryStatus::Published);
    let mut open: Vec<_> = d
        .obligations
        .iter()
        .filter(|o| matches!(o.standing, Standing::Missing | Standing::Due))
        .cloned()
        .collect();
    open.sort_by_key(|o| (o.standing != Standing::Missing, o.due));
    let form_item = RwSignal::new(router::query("item").unwrap_or_default());
    let form_period = RwSignal::new(router::query("period").unwrap_or_default());
    let pick = move |item: String, period: String| {
        form_item.set(item);
        form_period.set(period);
        if let Some(el) = document().get_element_by_id("entry-title") {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    };
    let public = format!("/disclosures/{code}");
    view! {
        <section class="card">
            <h2><span class=light_class(d.light)>{light_name(d.light)}</span>" "{d.village_name.clone()}" · "{d.year}</h2>
            <p>{counts_line(&d.counts)}</p>
            <p class="hint">{cw(C::Legend)}</p>
            <p><a href=public rel="external">{cw(C::PublicPage)}</a></p>
        </section>
        <section class="card">
            <h2>{cw(C::StillToDo)}</h2>
            {if open.is_empty() {
                view! { <p class="muted">{cw(C::NothingToDo)}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain">
                        {open.into_iter().map(|o| {
                            let ledger = o.item == LEDGER_ITEM;
                            let (item, period) = (o.item.clone(), o.period.clone());
                            view! {
                                <li class="obligation">
                                    <span class=standing_class(o.standing)>{standing_name(o.standing)}</span>" "
                                    <b>{o.item_title.clone()}</b>" · "{o.label.clone()}
                                    <span class="muted">" · "{cw(C::Due)}" "{o.due.to_string()}</span>
                                    {if ledger {
                                        view! { <span class="muted">" · "{cw(C::LedgerItem)}</span> }.into_any()
                                    } else {
                                        view! { " "<button type="button" class="secondary small" on:click=move |_| pick(item.clone(), period.clone())>{cw(C::WriteIt)}</button> }.into_any()
                                    }}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <NewEntryForm code=code.clone() items=d.items.clone() item=form_item period=form_period/>
        <crate::pages::projects::ProjectsCard code=code.clone() may_create=village_staff(&d.village)/>
        <section class="card">
            <h2>{cw(C::Entries)}</h2>
            {if d.entries.is_empty() {
                view! { <p class="muted">{cw(C::NoEntries)}</p> }.into_any()
            } else {
                view! {
                    <ul class="months">
                        {d.entries.into_iter().map(|e| view! {
                            <li><Go href=paths::staff_disclosure(&e.id)>
                                <b>{e.title.clone()}</b>
                                <span>{e.item_title.clone()}" · "{e.period_label.clone()}</span>
                                <span class="tag">{if e.withdrawn.is_some() { cw(C::Withdraw) } else { status_name(e.status) }}</span>
                            </Go></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn NewEntryForm(code: String, items: Vec<Item>, item: RwSignal<String>, period: RwSignal<String>) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let go = router::navigator();
    let items: Vec<Item> = items.into_iter().filter(|i| i.key != LEDGER_ITEM).collect();
    let frequencies = StoredValue::new(items.iter().map(|i| (i.key.clone(), i.frequency)).collect::<Vec<_>>());
    let hint = move || {
        let key = item.get();
        frequencies
            .get_value()
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, f)| period_hint(*f))
            .unwrap_or_default()
    };
    let url = StoredValue::new(format!("api/regions/{code}/disclosures"));
    let send = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let req = NewEntry {
            item: item.get_untracked(),
            period: period.get_untracked(),
            title: title.get_untracked(),
            body: body.get_untracked(),
        };
        busy.set(true);
        let go = go.clone();
        spawn_local(async move {
            match api::post::<_, Entry>(&url.get_value(), &req).await {
                Ok(e) => go(&paths::staff_disclosure(&e.id)),
                Err(f) => error.set(Some(f)),
            }
            busy.set(false);
        });
    };
    let sections = Section::ALL.map(|s| (s, items.iter().filter(|i| i.section == s).cloned().collect::<Vec<_>>()));
    view! {
        <section class="card">
            <form on:submit=send novalidate>
                <h2>{cw(C::NewEntry)}</h2>
                <div class="field">
                    <label for="entry-item">{cw(C::Item)}</label>
                    <select id="entry-item" prop:value=move || item.get() on:change=move |ev| item.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {sections.into_iter().map(|(s, list)| view! {
                            <optgroup label=section_name(s)>
                                {list.into_iter().map(|i| {
                                    let key = i.key.clone();
                                    let selected = move || item.get() == key;
                                    view! { <option value=i.key.clone() selected=selected>{i.title.clone()}" （"{frequency_name(i.frequency)}"）"</option> }
                                }).collect_view()}
                            </optgroup>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="entry-period">{cw(C::Period)}</label>
                    <input id="entry-period" type="text" aria-describedby="entry-period-hint" autocomplete="off"
                        prop:value=move || period.get() on:input=move |ev| period.set(event_target_value(&ev))/>
                    <p class="hint" id="entry-period-hint">{hint}</p>
                </div>
                <div class="field">
                    <label for="entry-title">{cw(C::EntryTitle)}</label>
                    <input id="entry-title" type="text" autocomplete="off"
                        prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="entry-body">{cw(C::EntryBody)}</label>
                    <textarea id="entry-body" rows="6" prop:value=move || body.get()
                        on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                </div>
                <FormError error=error/>
                <button type="submit" disabled=move || busy.get()>{cw(C::Create)}</button>
            </form>
        </section>
    }
}

/// `/staff/disclosure/:id`: one entry. Its village's staff edit a draft, attach files and
/// submit it; the township's reviewer publishes it or sends it back.
#[component]
pub fn EntryPage() -> impl IntoView {
    let id = router::param("id").unwrap_or_default();
    let data = api::Fetch::<Entry>::new(move || format!("api/disclosures/{id}"));
    view! {
        <Page title=cw(C::Disclosures)>
            {move || match data.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(e)) => view! { <EntryView e=e on_change=Callback::new(move |()| data.refetch())/> }.into_any(),
            }}
        </Page>
    }
}

fn file_url(a: &Attachment, variant: &str) -> String {
    format!("api/disclosure-files/{}/{variant}", a.id)
}

#[component]
fn EntryView(e: Entry, on_change: Callback<()>) -> impl IntoView {
    let id = e.id;
    let me = crate::session::Session::get().0.get_untracked().flatten();
    let covers = |roles: &[sunlight_api::Role]| {
        me.as_ref().is_some_and(|m| {
            m.grants
                .iter()
                .any(|g| roles.contains(&g.role) && g.region.contains(&e.village))
        })
    };
    use sunlight_api::Role;
    let village_staff = covers(&[Role::Accountant, Role::Cadre]);
    let reviewer = covers(&[Role::Reviewer]);
    let may_withdraw = covers(&[Role::Reviewer, Role::Admin]);
    // Published, not withdrawn, not corrected yet: the version that stands.
    let stands = e.status == EntryStatus::Published && e.withdrawn.is_none() && e.corrected_by.is_none();
    let draft = e.status == EntryStatus::Draft;
    let editable = village_staff && draft;
    let title = RwSignal::new(e.title.clone());
    let body = RwSignal::new(e.body.clone());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let uploading = RwSignal::new(false);
    let act = move |path: &'static str| {
        spawn_local(async move {
            match api::post::<_, Entry>(&format!("api/disclosures/{id}/{path}"), &()).await {
                Ok(_) => on_change.run(()),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    let save = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let req = EntryText {
            title: title.get_untracked(),
            body: body.get_untracked(),
        };
        spawn_local(async move {
            match api::put::<_, Entry>(&format!("api/disclosures/{id}"), &req).await {
                Ok(_) => {
                    error.set(None);
                    on_change.run(())
                }
                Err(f) => error.set(Some(f)),
            }
        });
    };
    let decide = move |approve: bool| {
        let req = EntryReview {
            approve,
            note: note.get_untracked(),
        };
        spawn_local(async move {
            match api::post::<_, Entry>(&format!("api/disclosures/{id}/review"), &req).await {
                Ok(_) => on_change.run(()),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(file) = crate::components::chosen_file(&ev) else {
            return;
        };
        uploading.set(true);
        spawn_local(async move {
            let (blob, kind) = photo::prepare(file).await;
            match api::upload::<Attachment>(&format!("api/disclosures/{id}/files"), blob, &kind).await {
                Ok(_) => {
                    error.set(None);
                    on_change.run(());
                }
                Err(f) => error.set(Some(f)),
            }
            uploading.set(false);
        });
    };
    let remove_file = move |file: Uuid| {
        spawn_local(async move {
            match api::delete::<()>(&format!("api/disclosure-files/{file}")).await {
                Ok(()) => on_change.run(()),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    let files = e.files.clone();
    let fix_title = RwSignal::new(e.title.clone());
    let fix_body = RwSignal::new(e.body.clone());
    let fix_reason = RwSignal::new(String::new());
    let withdraw_reason = RwSignal::new(String::new());
    let facts = e.project.clone();
    let figure_label = facts.as_ref().and_then(|f| {
        if f.stage.takes_progress() {
            Some(cw(C::ProgressPct))
        } else if f.stage.takes_amount() {
            Some(cw(C::AmountYuan))
        } else {
            None
        }
    });
    let fix_figure = RwSignal::new(
        facts
            .as_ref()
            .map(|f| match (f.progress_pct, f.amount_fen) {
                (Some(p), _) => p.to_string(),
                (_, Some(a)) => sunlight_api::money::format_yuan(a).replace(',', ""),
                _ => String::new(),
            })
            .unwrap_or_default(),
    );
    let answer = move |q: Uuid, text: String| {
        spawn_local(async move {
            let req = sunlight_api::ledger::Text { text };
            match api::post::<_, Entry>(&format!("api/disclosure-questions/{q}/answer"), &req).await {
                Ok(_) => on_change.run(()),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    let questions = e.questions.clone();
    let back = match &e.project {
        Some(f) => paths::staff_project(&f.project),
        None => paths::staff_disclosures(e.village.as_str()),
    };
    let go = router::navigator();
    let start_correction = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let figure = fix_figure.get_untracked();
        let (progress_pct, amount_fen) = match &facts {
            Some(f) if f.stage.takes_progress() && !figure.trim().is_empty() => match figure.trim().parse::<u8>() {
                Ok(n) => (Some(n), None),
                Err(_) => {
                    return error.set(Some(Failure::invalid(
                        "progress_pct",
                        sunlight_api::error::FieldError::OutOfRange,
                    )));
                }
            },
            Some(f) if f.stage.takes_amount() && !figure.trim().is_empty() => {
                match sunlight_api::money::parse_yuan(&figure, "amount_fen") {
                    Ok(a) => (None, Some(a)),
                    Err(invalid) => return error.set(Some(Failure::from(invalid))),
                }
            }
            _ => (None, None),
        };
        let req = sunlight_api::catalogue::NewCorrection {
            title: fix_title.get_untracked(),
            body: fix_body.get_untracked(),
            reason: fix_reason.get_untracked(),
            progress_pct,
            amount_fen,
        };
        let go = go.clone();
        spawn_local(async move {
            match api::post::<_, Entry>(&format!("api/disclosures/{id}/corrections"), &req).await {
                Ok(new) => go(&paths::staff_disclosure(&new.id)),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    let withdraw = move |_| {
        let req = sunlight_api::catalogue::Withdrawal {
            reason: withdraw_reason.get_untracked(),
        };
        spawn_local(async move {
            match api::post::<_, Entry>(&format!("api/disclosures/{id}/withdraw"), &req).await {
                Ok(_) => on_change.run(()),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    view! {
        <section class="card">
            <p class="muted">{section_name(e.section)}" · "{e.item_title.clone()}" · "{e.period_label.clone()}</p>
            <h2>{e.title.clone()}</h2>
            <p><span class="tag">{status_name(e.status)}</span>
                {e.published_at.map(|at| view! { " "<span class="muted">{t(T::PublishedAt)}" "{at.china_string()}</span> })}
                {e.published_by.clone().map(|who| view! { " "<span class="muted">{cw(C::SealedBy)}{who}</span> })}
            </p>
            {e.review_note.clone().filter(|_| draft).map(|n| view! { <p class="error" role="alert">{cw(C::ReturnedBecause)}{n}</p> })}
            {e.withdrawn.clone().map(|w| view! {
                <p class="tombstone" role="note"><b>{cw(C::Withdrawn)}</b>{w.reason}<br/>
                    <span class="muted">{w.by}" · "{w.at.china_string()}</span></p>
            })}
            {e.correction_reason.clone().map(|r| view! { <p><span class="tag warn">{cw(C::CorrectionOf)}</span>" "{r}</p> })}
            {e.corrects.map(|old| view! { <p><Go href=paths::staff_disclosure(&old)>{cw(C::SeeOriginal)}</Go></p> })}
            {e.corrected_by.map(|new| view! { <p><Go href=paths::staff_disclosure(&new)>{cw(C::SeeNewVersion)}</Go></p> })}
            {if editable {
                view! {
                    <form on:submit=save novalidate>
                        <div class="field">
                            <label for="edit-title">{cw(C::EntryTitle)}</label>
                            <input id="edit-title" type="text" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                        </div>
                        <div class="field">
                            <label for="edit-body">{cw(C::EntryBody)}</label>
                            <textarea id="edit-body" rows="8" prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                        </div>
                        <button type="submit" class="secondary">{t(T::Save)}</button>
                    </form>
                }.into_any()
            } else {
                view! { <p class="prose">{e.body.clone()}</p> }.into_any()
            }}
        </section>
        <section class="card">
            <h2>{cw(C::Files)}</h2>
            {files.is_empty().then(|| view! { <p class="muted">{cw(C::NoFiles)}</p> })}
            <ul class="thumbs">
                {files.into_iter().map(|a| {
                    let fid = a.id;
                    let link = match a.kind {
                        AttachmentKind::Image => view! {
                            <a href=file_url(&a, "screen") target="_blank" rel="external">
                                <img src=file_url(&a, "thumb") alt=cw(C::Files) width="96" height="96" loading="lazy"/>
                            </a>
                        }.into_any(),
                        AttachmentKind::Pdf => view! { <a href=file_url(&a, "pdf") rel="external">"PDF"</a> }.into_any(),
                    };
                    view! {
                        <li>{link}
                            {editable.then(|| view! { <button type="button" class="secondary small" on:click=move |_| remove_file(fid)>{t(T::Delete)}</button> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {editable.then(|| view! {
                <div class="actions">
                    <label class="button secondary" for="entry-file">{cw(C::AttachFile)}</label>
                    <input id="entry-file" class="hidden-file" type="file" accept="image/*,application/pdf" on:change=on_file/>
                </div>
                {move || uploading.get().then(|| view! { <p class="muted" role="status">{t(T::Uploading)}</p> })}
            })}
        </section>
        <FormError error=error/>
        {editable.then(|| view! {
            <div class="actions">
                <button type="button" on:click=move |_| act("submit")>{cw(C::Submit)}</button>
            </div>
        })}
        {(reviewer && e.status == EntryStatus::Submitted).then(|| view! {
            <section class="card">
                <div class="actions">
                    <button type="button" on:click=move |_| decide(true)>{cw(C::Publish)}</button>
                </div>
                <div class="field">
                    <label for="review-note">{cw(C::ReturnNote)}</label>
                    <textarea id="review-note" rows="3" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </div>
                <button type="button" class="secondary" on:click=move |_| decide(false)>{cw(C::Return)}</button>
            </section>
        })}
        {(village_staff && stands).then(|| view! {
            <section class="card">
                <form on:submit=start_correction novalidate>
                    <h2>{cw(C::Correct)}</h2>
                    <p class="hint">{cw(C::CorrectHint)}</p>
                    <div class="field">
                        <label for="fix-title">{cw(C::EntryTitle)}</label>
                        <input id="fix-title" type="text" prop:value=move || fix_title.get() on:input=move |ev| fix_title.set(event_target_value(&ev))/>
                    </div>
                    <div class="field">
                        <label for="fix-body">{cw(C::EntryBody)}</label>
                        <textarea id="fix-body" rows="6" prop:value=move || fix_body.get() on:input=move |ev| fix_body.set(event_target_value(&ev))></textarea>
                    </div>
                    {figure_label.map(|label| view! {
                        <div class="field">
                            <label for="fix-figure">{label}</label>
                            <input id="fix-figure" type="text" inputmode="decimal" autocomplete="off"
                                prop:value=move || fix_figure.get() on:input=move |ev| fix_figure.set(event_target_value(&ev))/>
                        </div>
                    })}
                    <div class="field">
                        <label for="fix-reason">{cw(C::CorrectionReason)}</label>
                        <textarea id="fix-reason" rows="3" prop:value=move || fix_reason.get() on:input=move |ev| fix_reason.set(event_target_value(&ev))></textarea>
                    </div>
                    <button type="submit" class="secondary">{cw(C::StartCorrection)}</button>
                </form>
            </section>
        })}
        {(may_withdraw && e.status == EntryStatus::Published && e.withdrawn.is_none()).then(|| view! {
            <section class="card">
                <h2>{cw(C::Withdraw)}</h2>
                <p class="hint">{cw(C::WithdrawHint)}</p>
                <div class="field">
                    <label for="withdraw-reason">{cw(C::WithdrawReason)}</label>
                    <textarea id="withdraw-reason" rows="3" prop:value=move || withdraw_reason.get() on:input=move |ev| withdraw_reason.set(event_target_value(&ev))></textarea>
                </div>
                <button type="button" class="secondary" on:click=withdraw>{cw(C::WithdrawNow)}</button>
            </section>
        })}
        {(!questions.is_empty()).then(|| view! {
            <section class="card">
                <h2>{cw(C::Questions)}</h2>
                {questions.into_iter().map(|q| {
                    let draft = RwSignal::new(String::new());
                    let qid = q.id;
                    view! {
                        <div class="question">
                            <p>"问："{q.question.clone()}" "<span class="muted">{q.asked_at.china_string()}</span></p>
                            {match q.answer.clone() {
                                Some(a) => view! { <p>"答："{a}" "<span class="muted">{q.answered_by.clone().unwrap_or_default()}</span></p> }.into_any(),
                                None if village_staff => view! {
                                    <div class="field">
                                        <label for=format!("answer-{qid}")>{cw(C::AnswerIt)}</label>
                                        <textarea id=format!("answer-{qid}") rows="3" prop:value=move || draft.get()
                                            on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                                    </div>
                                    <button type="button" class="secondary" on:click=move |_| answer(qid, draft.get_untracked())>{cw(C::SendAnswer)}</button>
                                }.into_any(),
                                None => view! { <p class="muted">{cw(C::WaitingAnswer)}</p> }.into_any(),
                            }}
                        </div>
                    }
                }).collect_view()}
            </section>
        })}
        <p><Go href=back>{t(T::Back)}</Go></p>
    }
}

/// `/staff/disclosure-queue/:code`: entries a township's reviewer has to decide.
#[component]
pub fn QueuePage() -> impl IntoView {
    let code = router::param("code").unwrap_or_default();
    let data = api::Fetch::<Vec<Entry>>::new(move || format!("api/regions/{code}/disclosure-queue"));
    view! {
        <Page title=cw(C::Queue)>
            {move || match data.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <Empty text=cw(C::QueueEmpty)/> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="months">
                        {list.into_iter().map(|e| view! {
                            <li><Go href=paths::staff_disclosure(&e.id)>
                                <b>{e.title.clone()}</b>
                                <span>{e.item_title.clone()}" · "{e.period_label.clone()}</span>
                                <span class="muted">{e.village.as_str().to_owned()}</span>
                            </Go></li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </Page>
    }
}

/// `/staff/completeness/:code`: every village of a region, red first, with what each is
/// missing.
#[component]
pub fn CompletenessPage() -> impl IntoView {
    let code = router::param("code").unwrap_or_default();
    let data = api::Fetch::<Completeness>::new(move || format!("api/regions/{code}/completeness"));
    view! {
        <Page title=cw(C::Completeness)>
            {move || match data.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(c)) => view! { <CompletenessView c=c/> }.into_any(),
            }}
        </Page>
    }
}

#[component]
fn CompletenessView(c: Completeness) -> impl IntoView {
    view! {
        <section class="card">
            <h2>{c.region_name.clone()}" · "{c.year}</h2>
            <p class="lights">
                <span class="light red">{light_name(Light::Red)}" "{c.red}</span>" "
                <span class="light yellow">{light_name(Light::Yellow)}" "{c.yellow}</span>" "
                <span class="light green">{light_name(Light::Green)}" "{c.green}</span>
            </p>
            <p>{counts_line(&c.counts)}</p>
            <p class="hint">{cw(C::Legend)}</p>
        </section>
        {if c.villages.is_empty() {
            view! { <Empty text=cw(C::NoVillages)/> }.into_any()
        } else {
            view! {
                <ul class="months villages">
                    {c.villages.into_iter().map(|v| view! {
                        <li><Go href=paths::staff_disclosures(v.village.as_str())>
                            <b><span class=light_class(v.light)>{light_name(v.light)}</span>" "{v.name.clone()}
                                <span class="muted">" · "{v.township.clone()}</span></b>
                            <span>{counts_line(&v.counts)}</span>
                            {(!v.missing.is_empty()).then(|| view! {
                                <span class="muted">{cw(C::MissingItems)}
                                    {v.missing.iter().map(|o| format!("{}（{}）", o.item_title, o.label)).collect::<Vec<_>>().join("、")}</span>
                            })}
                        </Go></li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

/// `/staff/catalogue/:code`: a county's catalogue, edited by its administrator; changes
/// apply from next month.
#[component]
pub fn CataloguePage() -> impl IntoView {
    let code = router::param("code").unwrap_or_default();
    let items = RwSignal::new(Vec::<Item>::new());
    let default = RwSignal::new(false);
    let loaded = RwSignal::new(None::<Result<(), Failure>>);
    let error = RwSignal::new(None::<Failure>);
    let saved = RwSignal::new(false);
    let url = StoredValue::new(format!("api/regions/{code}/catalogue"));
    // Next month's, which is what an edit changes.
    let now = sunlight_api::Timestamp(js_sys::Date::now() as i64).china();
    let next = sunlight_api::date::Month {
        year: now.year,
        month: now.month,
    }
    .plus(1);
    spawn_local(async move {
        match api::get::<Catalogue>(&format!("{}?month={next}", url.get_value())).await {
            Ok(c) => {
                items.set(c.items);
                default.set(c.default);
                loaded.set(Some(Ok(())));
            }
            Err(f) => loaded.set(Some(Err(f))),
        }
    });
    let save = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let req = CatalogueEdit {
            items: items.get_untracked(),
        };
        spawn_local(async move {
            match api::put::<_, Catalogue>(&url.get_value(), &req).await {
                Ok(c) => {
                    error.set(None);
                    items.set(c.items);
                    default.set(false);
                    saved.set(true);
                }
                Err(f) => {
                    saved.set(false);
                    error.set(Some(f));
                }
            }
        });
    };
    let add = move |_| {
        items.update(|v| {
            v.push(Item {
                key: String::new(),
                section: Section::Village,
                title: String::new(),
                frequency: Frequency::Quarterly,
                deadline: 15,
            })
        });
        saved.set(false);
    };
    let edit = move |i: usize, f: Box<dyn FnOnce(&mut Item)>| {
        items.update(|v| {
            if let Some(it) = v.get_mut(i) {
                f(it)
            }
        });
        saved.set(false);
    };
    view! {
        <Page title=cw(C::Catalogue)>
            {move || match loaded.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <FormError error=RwSignal::new(Some(f))/> }.into_any(),
                Some(Ok(())) => view! {
                    <form on:submit=save novalidate>
                        <p class="hint">{cw(C::FromNextMonth)}</p>
                        {move || default.get().then(|| view! { <p class="muted">{cw(C::DefaultCatalogue)}</p> })}
                        <ol class="catalogue">
                            {move || items.get().into_iter().enumerate().map(|(i, it)| {
                                let event = it.frequency == Frequency::Event;
                                let ledger = it.key == LEDGER_ITEM;
                                view! {
                                    <li class="card">
                                        <div class="field">
                                            <label for=format!("item-title-{i}")>{cw(C::Title)}</label>
                                            <input id=format!("item-title-{i}") type="text" prop:value=it.title.clone()
                                                on:change=move |ev| { let v = event_target_value(&ev); edit(i, Box::new(move |it| it.title = v)) }/>
                                        </div>
                                        <div class="field row">
                                            <label for=format!("item-section-{i}")>{cw(C::Section)}</label>
                                            <select id=format!("item-section-{i}") on:change=move |ev| {
                                                let v = event_target_value(&ev);
                                                if let Some(s) = Section::parse(&v) { edit(i, Box::new(move |it| it.section = s)) }
                                            }>
                                                {Section::ALL.map(|s| view! { <option value=s.as_str() selected=s == it.section>{section_name(s)}</option> }).collect_view()}
                                            </select>
                                            <label for=format!("item-frequency-{i}")>{cw(C::Frequency)}</label>
                                            <select id=format!("item-frequency-{i}") disabled=ledger on:change=move |ev| {
                                                let v = event_target_value(&ev);
                                                if let Some(f) = Frequency::parse(&v) { edit(i, Box::new(move |it| it.frequency = f)) }
                                            }>
                                                {Frequency::ALL.map(|f| view! { <option value=f.as_str() selected=f == it.frequency>{frequency_name(f)}</option> }).collect_view()}
                                            </select>
                                            <label for=format!("item-deadline-{i}")>{if event { cw(C::DeadlineDays) } else { cw(C::DeadlineDay) }}</label>
                                            <input id=format!("item-deadline-{i}") type="number" inputmode="numeric" min="1" max=if event { "60" } else { "31" }
                                                prop:value=it.deadline.to_string()
                                                on:change=move |ev| {
                                                    let v = event_target_value(&ev).trim().parse::<u32>().unwrap_or(0);
                                                    edit(i, Box::new(move |it| it.deadline = v))
                                                }/>
                                        </div>
                                        {(!ledger).then(|| view! {
                                            <button type="button" class="secondary small"
                                                on:click=move |_| { items.update(|v| { v.remove(i); }); saved.set(false) }>{cw(C::Remove)}</button>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                        <button type="button" class="secondary" on:click=add>{cw(C::AddItem)}</button>
                        <FormError error=error/>
                        {move || saved.get().then(|| view! { <p class="ok" role="status">{cw(C::Saved)}</p> })}
                        <button type="submit">{cw(C::SaveCatalogue)}</button>
                    </form>
                }.into_any(),
            }}
        </Page>
    }
}
