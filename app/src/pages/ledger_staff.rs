//! The workbench's controls on the village accounts: the accountant enters, fixes and
//! submits lines and attaches invoice photos; the township reviewer seals or sends back
//! each line and publishes the month. Only in the staff bundle. What a person may do is
//! decided by the server; this only offers the buttons their roles could use.

use crate::router;
use leptos::{prelude::*, task::spawn_local};
use sunlight_api::{
    ErrorCode, RegionCode, Role,
    date::Month,
    dto::ImportResult,
    ledger::{
        Attachment, Categories, DEFAULT_CATEGORIES, Kind, LedgerMonth, Line, LineInput, LineStatus, MonthStatus,
        OpenCorrection, QueueItem, Review, SubmitMonth,
    },
    money::{format_yuan, parse_yuan},
};

use crate::{
    api::{self, Failure},
    components::{Empty, ErrorRetry, Field, FormError, Go, Loading, Page},
    i18n::{Lang, T, lang, t},
    photo,
    session::Session,
};

/// Whether the signed-in person holds `role` over `region`.
pub fn holds(role: Role, region: &RegionCode) -> bool {
    Session::get()
        .0
        .get_untracked()
        .flatten()
        .is_some_and(|me| me.grants.iter().any(|g| g.role == role && g.region.contains(region)))
}

/// What the signed-in person may do to the lines of one month.
#[derive(Clone, Copy)]
pub struct Controls {
    /// An accountant of the village, and the month is not published.
    edit: bool,
    /// A reviewer of the township, and the month is submitted.
    review: bool,
    /// An accountant of the village: answers villagers' questions.
    answer: bool,
    /// The categories the county allows.
    choices: RwSignal<Vec<String>>,
}

/// The county's ledger categories, fetched once per page; the defaults until they arrive.
pub fn categories(code: &RegionCode) -> RwSignal<Vec<String>> {
    let choices = RwSignal::new(DEFAULT_CATEGORIES.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>());
    let url = format!("api/regions/{code}/ledger-categories");
    spawn_local(async move {
        if let Ok(c) = api::get::<Categories>(&url).await {
            choices.set(c.categories);
        }
    });
    choices
}

impl Controls {
    /// The controls for lines of an edition (the month itself, or one of its corrections)
    /// in state `status` (`None`: nothing entered yet).
    pub fn new(code: &RegionCode, status: Option<MonthStatus>, choices: RwSignal<Vec<String>>) -> Controls {
        Controls {
            choices,
            edit: holds(Role::Accountant, code) && status != Some(MonthStatus::Published),
            review: holds(Role::Reviewer, code) && status == Some(MonthStatus::Submitted),
            answer: holds(Role::Accountant, code),
        }
    }

    pub fn for_line(self, line: &Line, on_change: Callback<()>) -> impl IntoView + use<> {
        let edit = self.edit && line.status != LineStatus::Approved;
        let review = self.review && line.status == LineStatus::Pending;
        let open: Vec<uuid::Uuid> = if self.answer {
            line.questions
                .iter()
                .filter(|q| q.answer.is_none())
                .map(|q| q.id)
                .collect()
        } else {
            Vec::new()
        };
        let line = line.clone();
        view! {
            <LineControls line=line edit=edit review=review choices=self.choices on_change=on_change/>
            {open.into_iter().map(|q| view! { <AnswerQuestion question=q on_change=on_change/> }).collect_view()}
        }
    }
}

#[component]
fn LineControls(
    line: Line,
    edit: bool,
    review: bool,
    choices: RwSignal<Vec<String>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let id = line.id;
    let error = RwSignal::new(None::<Failure>);
    let rejecting = RwSignal::new(false);
    let editing = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let uploading = RwSignal::new(false);
    let decide = move |approve: bool| {
        let body = Review {
            approve,
            reason: reason.get_untracked(),
        };
        spawn_local(async move {
            match api::post::<_, Line>(&format!("api/ledger-lines/{id}/review"), &body).await {
                Ok(_) => on_change.run(()),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    let remove = move |_| {
        spawn_local(async move {
            match api::delete::<()>(&format!("api/ledger-lines/{id}")).await {
                Ok(()) => on_change.run(()),
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
            let (body, kind) = photo::prepare(file).await;
            match api::upload::<Attachment>(&format!("api/ledger-lines/{id}/attachments"), body, &kind).await {
                Ok(_) => {
                    error.set(None);
                    on_change.run(());
                }
                Err(f) => error.set(Some(f)),
            }
            uploading.set(false);
        });
    };
    // A returned line the accountant has put right (a photo attached, say) goes back to
    // the reviewer as it stands, without opening the form.
    let resubmit = (edit && line.status == LineStatus::Rejected).then(|| {
        let body = LineInput {
            date: line.date.to_string(),
            kind: line.kind,
            amount: format_yuan(line.amount_fen).replace(',', ""),
            category: line.category.clone(),
            counterparty: line.counterparty.clone(),
            counterparty_is_person: line.counterparty_is_person,
            invoice_no: line.invoice_no.clone().unwrap_or_default(),
            note: line.note.clone().unwrap_or_default(),
        };
        let send = move |_| {
            let body = body.clone();
            spawn_local(async move {
                match api::put::<_, Line>(&format!("api/ledger-lines/{id}"), &body).await {
                    Ok(_) => on_change.run(()),
                    Err(f) => error.set(Some(f)),
                }
            });
        };
        view! { <button type="button" on:click=send>{t(T::Resubmit)}</button> }
    });
    let input_id = format!("file-{id}");
    let no_invoice = line.lacks_invoice();
    let sealing = RwSignal::new(false);
    view! {
        <FormError error=error/>
        {edit.then(|| view! {
            <div class="actions">
                {resubmit}
                <label class="button secondary" for=input_id.clone()>{t(T::AttachPhoto)}</label>
                <input id=input_id class="hidden-file" type="file" accept="image/*,application/pdf" on:change=on_file/>
                <button type="button" class="secondary" on:click=move |_| editing.update(|e| *e = !*e)>{t(T::Edit)}</button>
                <button type="button" class="secondary" on:click=remove>{t(T::Delete)}</button>
            </div>
            <p class="hint">{t(T::PdfWarning)}</p>
            {move || uploading.get().then(|| view! { <p class="muted" role="status">{t(T::Uploading)}</p> })}
        })}
        {move || editing.get().then(|| {
            let l = line.clone();
            let done = Callback::new(move |()| { editing.set(false); on_change.run(()) });
            view! { <LineForm month=l.date.month() existing=Some(l) url=format!("api/ledger-lines/{id}") choices=choices on_done=done/> }
        })}
        {review.then(|| view! {
            <div class="actions">
                {if no_invoice {
                    // No one-tap seal: the reason is asked for first, and villagers see it.
                    view! { <button type="button" on:click=move |_| { rejecting.set(false); sealing.set(true) }>{t(T::SealWithoutInvoice)}</button> }.into_any()
                } else {
                    view! { <button type="button" on:click=move |_| decide(true)>{t(T::Approve)}</button> }.into_any()
                }}
                <button type="button" class="secondary" on:click=move |_| { sealing.set(false); rejecting.set(true) }>{t(T::Reject)}</button>
            </div>
            {move || sealing.get().then(|| view! {
                <Field id=format!("seal-reason-{id}") label=T::NoInvoiceReason value=reason/>
                <button type="button" on:click=move |_| decide(true)>{t(T::Approve)}</button>
            })}
            {move || rejecting.get().then(|| view! {
                <Field id=format!("reason-{id}") label=T::RejectReason value=reason/>
                <button type="button" class="secondary" on:click=move |_| decide(false)>{t(T::Reject)}</button>
            })}
        })}
    }
}

/// The accountant's answer to one open question.
#[component]
fn AnswerQuestion(question: uuid::Uuid, on_change: Callback<()>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let send = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let body = sunlight_api::ledger::Text {
            text: text.get_untracked(),
        };
        spawn_local(async move {
            match api::post::<_, Line>(&format!("api/ledger-questions/{question}/answer"), &body).await {
                Ok(_) => on_change.run(()),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    view! {
        <form on:submit=send novalidate>
            <Field id=format!("answer-{question}") label=T::AnswerLabel value=text/>
            <FormError error=error/>
            <button type="submit">{t(T::Send)}</button>
        </form>
    }
}

/// What the month's routes act on: the month itself, or its open correction.
pub struct Edition<'a> {
    pub status: Option<MonthStatus>,
    pub lines: &'a [Line],
    pub correction: bool,
}

/// Submitting and publishing an edition in state `status` with `lines` (the month, or its
/// open correction: the server's month routes act on whichever is open), and the form for
/// a new line.
pub fn month_controls(
    code: &RegionCode,
    month: Month,
    edition: Edition<'_>,
    controls: Controls,
    on_change: Callback<()>,
    imported: RwSignal<Option<u32>>,
) -> impl IntoView + use<> {
    let Edition {
        status,
        lines,
        correction,
    } = edition;
    let all_sealed = !lines.is_empty() && lines.iter().all(|l| l.status == LineStatus::Approved);
    let error = RwSignal::new(None::<Failure>);
    let url = StoredValue::new(format!("api/regions/{code}/ledger/{month}"));
    // Set when the server says the month has not ended: then closing it early is offered.
    let not_ended = RwSignal::new(false);
    let act = move |what: &'static str, close_early: bool| {
        let confirm = match what {
            "publish" => Some(T::ConfirmPublish),
            _ if close_early => Some(T::ConfirmCloseEarly),
            _ => None,
        };
        if let Some(question) = confirm
            && !window().confirm_with_message(t(question)).unwrap_or(false)
        {
            return;
        }
        spawn_local(async move {
            let url = format!("{}/{what}", url.get_value());
            let res = if what == "submit" {
                api::post::<_, ()>(&url, &SubmitMonth { close_early }).await
            } else {
                api::post::<_, ()>(&url, &()).await
            };
            match res {
                Ok(()) => {
                    error.set(None);
                    not_ended.set(false);
                    on_change.run(());
                }
                Err(f) => {
                    not_ended.set(matches!(&f, Failure::Server(b) if b.code == ErrorCode::MonthNotEnded));
                    error.set(Some(f));
                }
            }
        });
    };
    let code = code.clone();
    view! {
        <FormError error=error/>
        {(controls.edit && status.is_none_or(|s| s == MonthStatus::Draft)).then(|| view! {
            <button type="button" class="wide" on:click=move |_| act("submit", false)>{t(T::SubmitMonth)}</button>
            {move || not_ended.get().then(|| view! {
                <button type="button" class="wide secondary" on:click=move |_| act("submit", true)>{t(T::CloseEarly)}</button>
            })}
        })}
        {(controls.review && all_sealed).then(|| view! {
            <button type="button" class="wide" on:click=move |_| act("publish", false)>
                {t(if correction { T::PublishCorrection } else { T::PublishMonth })}</button>
        })}
        {controls.edit.then(|| view! { <ImportMonth url=url.get_value() month=month done=imported on_done=on_change/> })}
        {controls.edit.then(|| view! {
            <section class="card">
                <h2>{t(T::AddLine)}</h2>
                <LineForm month=month existing=None url=format!("api/regions/{code}/ledger/{month}/lines") choices=controls.choices on_done=on_change/>
            </section>
        })}
    }
}

/// On a published month, for its accountant: opening a correction (更正) for lines found
/// after publication, with the reason everyone will read.
pub fn correction_opener(
    code: &RegionCode,
    month: Month,
    m: &LedgerMonth,
    on_change: Callback<()>,
) -> impl IntoView + use<> {
    let show =
        holds(Role::Accountant, code) && m.status == Some(MonthStatus::Published) && m.open_correction().is_none();
    let url = format!("api/regions/{code}/ledger/{month}/corrections");
    show.then(|| view! { <OpenCorrection url=url on_done=on_change/> })
}

#[component]
fn OpenCorrection(url: String, on_done: Callback<()>) -> impl IntoView {
    let open = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let url = StoredValue::new(url);
    let send = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let body = OpenCorrection {
            reason: reason.get_untracked(),
        };
        spawn_local(async move {
            match api::post::<_, ()>(&url.get_value(), &body).await {
                Ok(()) => on_done.run(()),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{t(T::CorrectionTitle)}</h2>
            <p class="hint">{t(T::CorrectionHint)}</p>
            <Show when=move || open.get() fallback=move || view! {
                <button type="button" class="wide secondary" on:click=move |_| open.set(true)>{t(T::OpenCorrection)}</button>
            }>
                <form on:submit=send novalidate>
                    <div class="field">
                        <label for="correction-reason">{t(T::CorrectionReason)}</label>
                        <textarea id="correction-reason" rows="3" maxlength="200"
                            prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                    </div>
                    <FormError error=error/>
                    <button type="submit" class="wide">{t(T::OpenCorrection)}</button>
                </form>
            </Show>
        </section>
    }
}

/// Importing the month's lines from a spreadsheet, all or nothing.
#[component]
fn ImportMonth(url: String, month: Month, done: RwSignal<Option<u32>>, on_done: Callback<()>) -> impl IntoView {
    let error = RwSignal::new(None::<Failure>);
    let url = StoredValue::new(format!("{url}/import"));
    let on_change = move |ev: leptos::ev::Event| {
        let Some(file) = crate::components::chosen_file(&ev) else {
            return;
        };
        spawn_local(async move {
            let kind = file.type_();
            match api::upload::<ImportResult>(&url.get_value(), file.into(), &kind).await {
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
        <section class="card">
            <h2><label for="ledger-import">{t(T::ImportLedger)}</label></h2>
            <p class="hint" id="ledger-import-hint">{t(T::ImportLedgerHint)}</p>
            <p><a href=format!("api/ledger-template.xlsx?month={month}") download>{t(T::DownloadTemplate)}</a></p>
            <p class="hint">{allowed_dates(month)}</p>
            <input id="ledger-import" type="file" aria-describedby="ledger-import-hint"
                accept=".xlsx,.xls,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                on:change=on_change/>
            {move || done.get().map(|n| view! { <p class="ok" role="status">{t(T::ImportedLines)}{n}</p> })}
            <FormError error=error/>
        </section>
    }
}

/// The date a new line starts with: today in the month being entered, else its last day
/// (a line's date must fall in its month and not after today).
fn default_date(month: Month) -> String {
    let now = sunlight_api::Timestamp(js_sys::Date::now() as i64).china();
    if now.year == month.year && now.month == month.month {
        format!("{month}-{:02}", now.day)
    } else {
        month.last_day().to_string()
    }
}

/// The dates a line of `month` may carry, said in full ("可填日期：2026-11-01 至 2026-11-19").
fn allowed_dates(month: Month) -> String {
    let last = default_date(month);
    let to = if lang() == Lang::Zh { " 至 " } else { " to " };
    format!("{}{month}-01{to}{last}", t(T::AllowedDates))
}

/// Brings a line just saved into view once the month has reloaded with it, so the
/// accountant sees where it went instead of a form scrolled away from it.
fn reveal_line(id: uuid::Uuid) {
    spawn_local(async move {
        for _ in 0..40 {
            gloo_timers::future::TimeoutFuture::new(100).await;
            if let Some(el) = document().get_element_by_id(&format!("line-{id}")) {
                el.scroll_into_view();
                return;
            }
        }
    });
}

/// The form for a new line (POST) or for fixing one (PUT).
#[component]
fn LineForm(
    month: Month,
    existing: Option<Line>,
    url: String,
    choices: RwSignal<Vec<String>>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let editing = existing.is_some();
    let e = existing.as_ref();
    let date = RwSignal::new(e.map(|l| l.date.to_string()).unwrap_or_else(|| default_date(month)));
    let kind = RwSignal::new(e.map(|l| l.kind).unwrap_or(Kind::Expense));
    let amount = RwSignal::new(
        e.map(|l| format_yuan(l.amount_fen).replace(',', ""))
            .unwrap_or_default(),
    );
    let category = RwSignal::new(
        e.map(|l| l.category.clone())
            .unwrap_or_else(|| DEFAULT_CATEGORIES[0].to_owned()),
    );
    let counterparty = RwSignal::new(e.map(|l| l.counterparty.clone()).unwrap_or_default());
    let person = RwSignal::new(e.is_some_and(|l| l.counterparty_is_person));
    let invoice = RwSignal::new(e.and_then(|l| l.invoice_no.clone()).unwrap_or_default());
    let note = RwSignal::new(e.and_then(|l| l.note.clone()).unwrap_or_default());
    let error = RwSignal::new(None::<Failure>);
    let url = StoredValue::new(url);
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        // The amount is read here by the same parser as on the server.
        if let Err(invalid) = parse_yuan(&amount.get_untracked(), "amount") {
            error.set(Some(Failure::from(invalid)));
            return;
        }
        let body = LineInput {
            date: date.get_untracked(),
            kind: kind.get_untracked(),
            amount: amount.get_untracked(),
            category: category.get_untracked(),
            counterparty: counterparty.get_untracked(),
            counterparty_is_person: person.get_untracked(),
            invoice_no: invoice.get_untracked(),
            note: note.get_untracked(),
        };
        spawn_local(async move {
            let res = if editing {
                api::put::<_, Line>(&url.get_value(), &body).await
            } else {
                api::post::<_, Line>(&url.get_value(), &body).await
            };
            match res {
                Ok(saved) => {
                    error.set(None);
                    if !editing {
                        amount.set(String::new());
                        counterparty.set(String::new());
                        invoice.set(String::new());
                        note.set(String::new());
                        person.set(false);
                    }
                    on_done.run(());
                    reveal_line(saved.id);
                }
                Err(f) => error.set(Some(f)),
            }
        });
    };
    let uid = if editing { "edit" } else { "new" };
    view! {
        <form on:submit=submit novalidate>
            <Field id=format!("{uid}-date") label=T::Date value=date kind="date"/>
            <p class="hint">{allowed_dates(month)}</p>
            <div class="field">
                <label for=format!("{uid}-kind")>{t(T::Kind)}</label>
                <select id=format!("{uid}-kind") on:change=move |ev| kind.set(if event_target_value(&ev) == "income" { Kind::Income } else { Kind::Expense })>
                    <option value="expense" selected=kind.get_untracked() == Kind::Expense>{t(T::Expense)}</option>
                    <option value="income" selected=kind.get_untracked() == Kind::Income>{t(T::Income)}</option>
                </select>
            </div>
            <Field id=format!("{uid}-amount") label=T::Amount value=amount inputmode="decimal"/>
            <div class="field">
                <label for=format!("{uid}-category")>{t(T::Category)}</label>
                <select id=format!("{uid}-category") on:change=move |ev| category.set(event_target_value(&ev))>
                    {move || choices.get().into_iter().map(|c| {
                        let selected = category.get_untracked() == c;
                        view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <Field id=format!("{uid}-counterparty") label=T::Counterparty value=counterparty/>
            <div class="field check">
                <input id=format!("{uid}-person") type="checkbox" prop:checked=move || person.get()
                    on:change=move |ev| person.set(event_target_checked(&ev))/>
                <label for=format!("{uid}-person")>{t(T::IsPerson)}</label>
            </div>
            <Field id=format!("{uid}-invoice") label=T::InvoiceNo value=invoice/>
            <Field id=format!("{uid}-note") label=T::Note value=note/>
            <FormError error=error/>
            <button type="submit">{t(T::Save)}</button>
        </form>
    }
}

/// `/review/:code`: the months waiting for the township's review.
#[component]
pub fn ReviewQueuePage() -> impl IntoView {
    let code = router::param("code").unwrap_or_default();
    let data = api::Fetch::<Vec<QueueItem>>::new(move || {
        let code = code.clone();
        format!("api/regions/{code}/review-queue")
    });
    view! {
        <Page title=t(T::ReviewQueueTitle)>
            {move || match data.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(items)) if items.is_empty() => view! { <Empty text=t(T::QueueEmpty)/> }.into_any(),
                Some(Ok(items)) => view! {
                    <ul class="months">
                        {items.into_iter().map(|q| view! {
                            <li>
                                <Go href=crate::paths::ledger_month(&q.village, q.month)>
                                    <b>{q.village_name.clone()}" · "{format!("{}", q.month)}
                                        {q.correction.map(|n| view! { " · "{t(T::CorrectionTitle)}{n} })}</b>
                                    <span>{q.pending}" "{t(T::Pending)}" · "{q.approved}" "{t(T::Approved)}" · "{q.rejected}" "{t(T::Rejected)}</span>
                                    {(q.duplicate_invoices > 0).then(|| view! { <span class="tag warn">"⚠ "{t(T::DuplicateInvoice)}" ×"{q.duplicate_invoices}</span> })}
                                    <span class="muted">{t(T::SubmittedAt)}" "{q.submitted_at.china_string()}</span>
                                </Go>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </Page>
    }
}
