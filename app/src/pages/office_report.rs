//! One report as its office works it: decrypted in the inspector's browser, with its
//! evidence (images re-decoded, anything else only downloaded), the messages with the
//! filer, the next steps of its handling, assignment and transfer to another office.

use crate::router;
use leptos::{prelude::*, task::spawn_local};
use sunlight_api::{
    RegionCode,
    report::{
        Assign, MessageContent, NewMessage, OfficeKeyInfo, OfficeReport, OfficeState, ReportContent, ReportStatus,
        StatusChange, Transfer,
    },
};
use sunlight_seal::{Key, b64, lock, open_sealed_key, seal_key, unb64, unlock, unpack};
use uuid::Uuid;

use crate::{
    api::{self, Failure},
    components::{Empty, ErrorRetry, FormError, Go, Loading, Page},
    i18n::{T, t},
    pages::{
        office::{OfficeKeys, Unlocked, key32, status_class},
        report_text::{category_name, read_message, status_name, subject_level_name},
    },
    paths, seal,
};

/// One report, decrypted in this page.
#[component]
pub fn OfficeReportPage() -> impl IntoView {
    let code = router::param("code").unwrap_or_default();
    let id = router::param("id")
        .and_then(|i| Uuid::parse_str(&i).ok())
        .unwrap_or_default();
    let unlocked = OfficeKeys::get(&code);
    let code2 = code.clone();
    let data = api::Fetch::<OfficeReport>::new(move || {
        let code = code2.clone();
        format!("api/offices/{code}/reports/{id}")
    });
    let title = t(T::ReportTitle).to_owned();
    view! {
        <Page title=title>
            {match unlocked {
                None => view! {
                    <Empty text=t(T::UnlockFirst)/>
                    <p><Go href=paths::office(&code) class="button">{t(T::UnlockOffice)}</Go></p>
                }.into_any(),
                Some(u) => {
                    let code = code.clone();
                    view! {
                        {move || match data.get() {
                            None => view! { <Loading/> }.into_any(),
                            Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                            Some(Ok(r)) => view! { <ReportView code=code.clone() report=r unlocked=u.clone() reload=Callback::new(move |_| data.refetch())/> }.into_any(),
                        }}
                    }.into_any()
                }
            }}
        </Page>
    }
}

fn open_report(u: &Unlocked, r: &OfficeReport) -> Option<(Key, ReportContent)> {
    let (_, pair) = u.keys.iter().find(|(id, _)| *id == r.key_id)?;
    let key = open_sealed_key(pair, &unb64(&r.sealed_key)?).ok()?;
    let content = serde_json::from_slice(&unlock(&key, &unb64(&r.body)?).ok()?).ok()?;
    Some((key, content))
}

#[component]
fn ReportView(code: String, report: OfficeReport, unlocked: Unlocked, reload: Callback<()>) -> impl IntoView {
    let Some((key, content)) = open_report(&unlocked, &report) else {
        return view! { <p class="error" role="alert">{t(T::CannotDecrypt)}</p> }.into_any();
    };
    let r = report.clone();
    view! {
        <section class="card">
            <p><span class=status_class(r.status)>{status_name(r.status)}</span>" "{r.case_number.clone().map(|c| format!("{} {c}", t(T::CaseNumber)))}</p>
            <p class="muted">{t(T::FiledAt)}" "{r.filed_at.china_string()}</p>
            <h2>{content.subject_name.clone()}" · "{content.subject_post.clone()}</h2>
            <p>{subject_level_name(content.subject_level)}" · "{content.village_name.clone()}" · "{category_name(content.category)}</p>
            <p class="prose">{content.text.clone()}</p>
            {match &content.identity {
                Some(id) => view! {
                    <div class="notice"><b>{t(T::RealName)}</b><p>{id.name.clone()}" · "{id.id_card.clone()}" · "{id.mobile.clone()}</p></div>
                }.into_any(),
                None => view! { <p class="muted">{t(T::Anonymous)}</p> }.into_any(),
            }}
        </section>
        <Evidence code=code.clone() report=r.clone() key=key/>
        <section class="card">
            <h2>{t(T::Messages)}</h2>
            {if r.messages.is_empty() {
                view! { <Empty text=t(T::NoMessages)/> }.into_any()
            } else {
                view! {
                    <ul class="qa">
                        {r.messages.iter().map(|m| {
                            let who = if m.from == sunlight_api::report::Party::Office { t(T::FromOffice) } else { t(T::FromFiler) };
                            view! { <li><b>{who}</b>" · "<span class="muted">{m.at.china_string()}</span><p>{read_message(&key, &m.body)}</p></li> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <Reply code=code.clone() id=r.id key=key reload=reload/>
        </section>
        <StatusActions code=code.clone() id=r.id status=r.status key=key reload=reload/>
        <Handling code=code.clone() report=r.clone() content=content.clone() key=key reload=reload/>
    }
    .into_any()
}

/// Evidence files: decrypted here; images re-decoded before they are shown, anything else
/// offered as a download only.
#[component]
fn Evidence(code: String, report: OfficeReport, key: Key) -> impl IntoView {
    let shown = RwSignal::new(Vec::<(String, Option<String>, bool)>::new());
    let error = RwSignal::new(None::<Failure>);
    let files = report.files.clone();
    let count = files.len();
    let open = move |_| {
        let code = code.clone();
        let files = files.clone();
        spawn_local(async move {
            let mut out = Vec::new();
            for f in files {
                let bytes = match api::get_bytes(
                    &format!("api/offices/{code}/reports/{}/files/{}", report.id, f.id),
                    None,
                )
                .await
                {
                    Ok(b) => b,
                    Err(e) => {
                        error.set(Some(e));
                        continue;
                    }
                };
                let Some(plain) = unlock(&key, &bytes).ok() else {
                    continue;
                };
                let Some((h, body)) = unpack(&plain) else { continue };
                let Ok(header) = serde_json::from_slice::<sunlight_api::report::FileHeader>(h) else {
                    continue;
                };
                if header.mime.starts_with("image/") {
                    let url = seal::redecoded_image(body).await;
                    out.push((header.name.clone(), url, header.reencoded));
                } else {
                    let name = header.name.clone();
                    let body = body.to_vec();
                    out.push((name.clone(), None, header.reencoded));
                    seal::download(&body, &name);
                }
            }
            shown.set(out);
        });
    };
    view! {
        <section class="card">
            <h2>{t(T::Evidence)}" ("{count}")"</h2>
            {(count > 0).then(|| view! { <button type="button" class="secondary" on:click=open>{t(T::OpenEvidence)}</button> })}
            <FormError error=error/>
            <ul class="plain">
                {move || shown.get().into_iter().map(|(name, url, reencoded)| view! {
                    <li>
                        {match url {
                            Some(u) => view! { <img src=u alt=name.clone() class="evidence"/> }.into_any(),
                            None => view! { <p>{name.clone()}" · "{t(T::Downloaded)}</p> }.into_any(),
                        }}
                        {(!reencoded).then(|| view! { <p class="hint">{t(T::MetadataKept)}</p> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Reply(code: String, id: Uuid, key: Key, reload: Callback<()>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = text.get_untracked().trim().to_owned();
        if body.is_empty() {
            error.set(Some(Failure::invalid(
                "text",
                sunlight_api::error::FieldError::Required,
            )));
            return;
        }
        let code = code.clone();
        spawn_local(async move {
            let locked = lock(
                &key,
                &serde_json::to_vec(&MessageContent { text: body }).unwrap_or_default(),
                &mut seal::fill,
            );
            match api::post::<_, serde_json::Value>(
                &format!("api/offices/{code}/reports/{id}/messages"),
                &NewMessage { body: b64(&locked) },
            )
            .await
            {
                Ok(_) => reload.run(()),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    view! {
        <form on:submit=submit>
            <div class="field">
                <label for="office-reply">{t(T::ReplyToFiler)}</label>
                <textarea id="office-reply" rows="3" maxlength="2000" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            </div>
            <FormError error=error/>
            <button type="submit">{t(T::Send)}</button>
        </form>
    }
}

#[component]
fn StatusActions(code: String, id: Uuid, status: ReportStatus, key: Key, reload: Callback<()>) -> impl IntoView {
    let next = status.next();
    if next.is_empty() {
        return ().into_any();
    }
    let message = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    view! {
        <section class="card">
            <h2>{t(T::Handle)}</h2>
            <div class="field">
                <label for="status-message">{t(T::StatusMessage)}</label>
                <textarea id="status-message" rows="3" prop:value=move || message.get() on:input=move |ev| message.set(event_target_value(&ev))></textarea>
                <p class="hint">{t(T::StatusMessageHint)}</p>
            </div>
            <div class="actions">
                {next.iter().map(|&to| {
                    let code = code.clone();
                    let go = move |_| {
                        let text = message.get_untracked().trim().to_owned();
                        if to.needs_message() && text.is_empty() {
                            error.set(Some(Failure::invalid("message", sunlight_api::error::FieldError::Required)));
                            return;
                        }
                        let body = StatusChange {
                            status: to,
                            message: (!text.is_empty()).then(|| b64(&lock(&key, &serde_json::to_vec(&MessageContent { text }).unwrap_or_default(), &mut seal::fill))),
                        };
                        let code = code.clone();
                        spawn_local(async move {
                            match api::post::<_, serde_json::Value>(&format!("api/offices/{code}/reports/{id}/status"), &body).await {
                                Ok(_) => reload.run(()),
                                Err(f) => error.set(Some(f)),
                            }
                        });
                    };
                    view! { <button type="button" class=if to.needs_message() { "secondary" } else { "" } on:click=go>{action_name(to)}</button> }
                }).collect_view()}
            </div>
            <FormError error=error/>
        </section>
    }
    .into_any()
}

fn action_name(s: ReportStatus) -> &'static str {
    t(match s {
        ReportStatus::Accepted => T::DoAccept,
        ReportStatus::NotAccepted => T::DoNotAccept,
        ReportStatus::Investigating => T::DoInvestigate,
        ReportStatus::Concluded => T::DoConclude,
        ReportStatus::Received => T::StatusReceived,
    })
}

/// Assigning to a member, and moving the report to another office (its key re-sealed here
/// to that office's key, whose fingerprint is shown). The content key is sealed only to a
/// key signed by a member whom that office's admissions prove, back to its root key (as
/// this browser recorded it on first sight).
#[component]
fn Handling(
    code: String,
    report: OfficeReport,
    content: ReportContent,
    key: Key,
    reload: Callback<()>,
) -> impl IntoView {
    let error = RwSignal::new(None::<Failure>);
    let office_code = code.clone();
    let state = api::Fetch::<OfficeState>::new(move || {
        let code = office_code.clone();
        format!("api/offices/{code}")
    });
    let village = content.village.clone();
    let offices = api::Fetch::<Vec<OfficeKeyInfo>>::new(move || {
        let village = village.clone();
        format!("api/report-offices?village={village}")
    });
    let id = report.id;
    let assignee = report.assignee;
    let code_a = code.clone();
    let assign = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        let body = Assign {
            assignee: Uuid::parse_str(&v).ok(),
        };
        let code = code_a.clone();
        spawn_local(async move {
            match api::post::<_, serde_json::Value>(&format!("api/offices/{code}/reports/{id}/assignee"), &body).await {
                Ok(_) => reload.run(()),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    let code_t = code.clone();
    let go = crate::components::navigator();
    let transfer = move |o: OfficeKeyInfo| {
        let (Some(key_id), Some(public)) = (o.key_id, o.public_key.as_deref().and_then(key32)) else {
            return;
        };
        if !proven_key(&o) {
            return;
        }
        if !window()
            .confirm_with_message(&format!(
                "{} {}{}？",
                t(T::ConfirmTransfer),
                o.name,
                t(T::InspectionOffice)
            ))
            .unwrap_or(false)
        {
            return;
        }
        let body = Transfer {
            to: o.code.clone(),
            key_id,
            sealed_key: b64(&seal_key(&public, &key, &mut seal::fill)),
        };
        let code = code_t.clone();
        let go = go.clone();
        spawn_local(async move {
            match api::post::<_, serde_json::Value>(&format!("api/offices/{code}/reports/{id}/transfer"), &body).await {
                Ok(_) => go(&paths::office(&code)),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    let here: RegionCode = RegionCode::parse(&code).unwrap_or_else(|_| content.village.clone());
    view! {
        <section class="card">
            <h2>{t(T::AssignTo)}</h2>
            {move || state.get().and_then(|s| s.ok()).map(|s| view! {
                <select aria-label=t(T::AssignTo) on:change=assign.clone()>
                    <option value="" selected=assignee.is_none()>{t(T::Nobody)}</option>
                    {s.members.into_iter().map(|m| view! { <option value=m.account.to_string() selected=assignee == Some(m.account)>{m.name}</option> }).collect_view()}
                </select>
            })}
            <h2>{t(T::TransferTo)}</h2>
            <p class="hint">{t(T::TransferHint)}</p>
            {move || offices.get().and_then(|o| o.ok()).map(|list| {
                let transfer = transfer.clone();
                list.into_iter().filter(|o| o.code != here).map(move |o| {
                    let proven = o.key_id.is_some() && proven_key(&o);
                    let ready = proven;
                    let unproven = o.key_id.is_some() && !proven;
                    let transfer = transfer.clone();
                    let o2 = o.clone();
                    view! {
                        <p>
                            <button type="button" class="secondary" disabled=!ready on:click=move |_| transfer(o2.clone())>{o.name.clone()}{t(T::InspectionOffice)}</button>
                            {o.public_key.as_deref().and_then(key32).map(|k| view! { <span class="hint fingerprint">" "{sunlight_seal::fingerprint(&k)}</span> })}
                            {unproven.then(|| view! { <span class="tag warn">{t(T::TransferUnproven)}</span> })}
                        </p>
                    }
                }).collect_view()
            })}
            <FormError error=error/>
        </section>
    }
}

/// Whether another office's current key was made by a member its admissions prove.
fn proven_key(o: &OfficeKeyInfo) -> bool {
    seal::key_standing(o) == seal::KeyStanding::Proven
}
