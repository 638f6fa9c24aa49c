//! The village accounts (公开): a year at a glance, a month in full with every line, its
//! invoice photos and the township's seal. The accountant enters and fixes lines here and
//! the township reviewer seals them; what each may do is decided by the server, and this
//! page only offers the buttons their roles could use.

use crate::router;
use leptos::prelude::*;
use sunlight_api::{
    RegionCode, Timestamp,
    date::Month,
    ledger::{Attachment, AttachmentKind, Kind, LedgerMonth, LedgerYear, Line, LineStatus, MonthStatus},
    money::format_yuan,
};

#[cfg(feature = "staff")]
use super::ledger_staff as staff;
#[cfg(feature = "staff")]
pub use super::ledger_staff::ReviewQueuePage;
use crate::{
    api,
    components::{Empty, ErrorRetry, Go, Loading, Page},
    i18n::{T, t},
};

/// The current month in China.
pub fn this_month() -> Month {
    let now = Timestamp(js_sys::Date::now() as i64).china();
    Month {
        year: now.year,
        month: now.month,
    }
}

pub use crate::paths::ledger_month as ledger_path;

pub fn yuan(fen: i64) -> String {
    if fen < 0 {
        format!("-¥{}", format_yuan(-fen))
    } else {
        format!("¥{}", format_yuan(fen))
    }
}

pub fn status_text(s: MonthStatus) -> &'static str {
    t(match s {
        MonthStatus::Draft => T::StatusDraft,
        MonthStatus::Submitted => T::StatusSubmitted,
        MonthStatus::Published => T::StatusPublished,
    })
}

/// `/ledger/:code`: a year of a village's accounts.
#[component]
pub fn YearPage() -> impl IntoView {
    let code = router::param("code").and_then(|c| RegionCode::parse(&c).ok());
    code.map(|code| view! { <YearView code=code/> })
}

/// The months of a year with a trend chart; each month opens in full.
#[component]
pub fn YearView(
    code: RegionCode,
    /// Shows the person's to-do list first (the villagers' first screen).
    #[prop(optional)]
    todo: bool,
) -> impl IntoView {
    let poster = code.clone();
    let year = RwSignal::new(this_month().year);
    let url = format!("api/regions/{code}/ledger");
    let data = api::Fetch::<LedgerYear>::new(move || {
        let url = format!("{url}?year={}", year.get());
        url
    });
    let title = move || {
        data.get()
            .and_then(|r| r.ok())
            .map(|y| format!("{} · {}", y.village_name, t(T::TabDisclosures)))
            .unwrap_or_else(|| t(T::TabDisclosures).to_owned())
    };
    view! {
        <Page title=Signal::derive(title)>
            {todo.then(|| view! { <crate::components::TodoList/> })}
            <div class="yearbar">
                <button type="button" class="secondary" aria-label=t(T::PrevYear) on:click=move |_| year.update(|y| *y -= 1)>"‹"</button>
                <h2>{move || t(T::YearTitle).replace("{}", &year.get().to_string())}</h2>
                <button type="button" class="secondary" aria-label=t(T::NextYear) on:click=move |_| year.update(|y| *y += 1)>"›"</button>
            </div>
            {move || match data.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(y)) if y.months.is_empty() => view! { <Empty text=t(T::NoPublished)/> }.into_any(),
                Some(Ok(y)) => {
                    let code = y.village.clone();
                    view! {
                        <section class="card">
                            <h2>{t(T::Trend)}</h2>
                            {trend_chart(&y)}
                        </section>
                        <ul class="months">
                            {y.months.into_iter().rev().map(|m| {
                                let balance = m.income_fen - m.expense_fen;
                                view! {
                                    <li>
                                        <Go href=ledger_path(&code, m.month)>
                                            <b>{format!("{}", m.month)}</b>
                                            <span class="muted">{status_text(m.status)}</span>
                                            <span>{t(T::Income)}" "{yuan(m.income_fen)}</span>
                                            <span>{t(T::Expense)}" "{yuan(m.expense_fen)}</span>
                                            <span>{t(T::Balance)}" "{yuan(balance)}</span>
                                        </Go>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            // The catalogue's items and the notice board's poster, rendered by the server (a
            // page load, not a route).
            <p><a class="button secondary" href=format!("disclosures/{poster}") rel="external">{t(T::CatalogueLink)}</a></p>
            <p><a href=format!("poster/{poster}") rel="external">{t(T::PosterLink)}</a></p>
        </Page>
    }
}

/// Income and expense bars for each month of the year, as a small inline SVG.
fn trend_chart(y: &LedgerYear) -> impl IntoView + use<> {
    let max = y
        .months
        .iter()
        .map(|m| m.income_fen.max(m.expense_fen))
        .max()
        .unwrap_or(1)
        .max(1);
    // Whole numbers only: formatting a float would bring its code into the module.
    let bars = (1..=12u32)
        .map(|month| {
            let m = y.months.iter().find(|s| s.month.month == month);
            let (inc, exp) = m.map(|m| (m.income_fen, m.expense_fen)).unwrap_or((0, 0));
            let x = i64::from(month - 1) * 25 + 2;
            let hi = inc * 100 / max;
            let he = exp * 100 / max;
            view! {
                <rect x=x y=110 - hi width=10 height=hi class="inc"/>
                <rect x=x + 11 y=110 - he width=10 height=he class="exp"/>
            }
        })
        .collect_view();
    // The month numbers are HTML under the drawing, so they grow with the text size.
    view! {
        <svg class="chart" viewBox="0 0 300 112" role="img" aria-label=t(T::Trend)>{bars}</svg>
        <ol class="axis" aria-hidden="true">{(1..=12u32).map(|m| view! { <li>{m}</li> }).collect_view()}</ol>
        <p class="legend"><span class="key inc"></span>{t(T::Income)}" "<span class="key exp"></span>{t(T::Expense)}</p>
    }
}

/// `/ledger/:code/:month`: one month in full.
#[component]
pub fn MonthPage() -> impl IntoView {
    let code = router::param("code").and_then(|c| RegionCode::parse(&c).ok());
    let month = router::param("month").and_then(|m| Month::parse(&m).ok());
    code.zip(month)
        .map(|(code, month)| view! { <MonthView code=code month=month/> })
}

#[component]
fn MonthView(code: RegionCode, month: Month) -> impl IntoView {
    let url = StoredValue::new(format!("api/regions/{code}/ledger/{month}"));
    let data = api::Fetch::<LedgerMonth>::new(move || url.get_value());
    let viewer = RwSignal::new(None::<Attachment>);
    let reload = Callback::new(move |()| data.refetch());
    // Kept outside the part that re-renders on reload, so "imported: n" stays in view.
    #[cfg(feature = "staff")]
    let imported = RwSignal::new(None::<u32>);
    #[cfg(feature = "staff")]
    let choices = staff::categories(&code);
    let title = format!("{month}");
    view! {
        <Page title=title>
            {move || match data.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(mut m)) => {
                    let status = m.status;
                    #[cfg(feature = "staff")]
                    let (controls, month_controls, opener) = (
                        staff::Controls::new(&code, status, choices),
                        staff::month_controls(&code, month, staff::Edition { status, lines: &m.lines, correction: false }, staff::Controls::new(&code, status, choices), reload, imported),
                        staff::correction_opener(&code, month, &m, reload),
                    );
                    #[cfg(not(feature = "staff"))]
                    let (month_controls, opener) = ((), ());
                    let corrected = m.corrections.iter().any(|c| c.status == MonthStatus::Published).then(|| m.corrected_totals());
                    let corrections = std::mem::take(&mut m.corrections).into_iter().map(|c| {
                        #[cfg(feature = "staff")]
                        let (controls, extra) = (
                            staff::Controls::new(&code, Some(c.status), choices),
                            (c.status != MonthStatus::Published).then(|| staff::month_controls(
                                &code, month, staff::Edition { status: Some(c.status), lines: &c.lines, correction: true }, staff::Controls::new(&code, Some(c.status), choices), reload, imported)),
                        );
                        #[cfg(not(feature = "staff"))]
                        let extra = ();
                        view! {
                            <section class="card correction">
                                <h2>{t(T::CorrectionTitle)}{c.seq}" "<span class="tag">{status_text(c.status)}</span></h2>
                                <p>{t(T::CorrectionReason)}"："{c.reason.clone()}</p>
                                <p class="muted">{c.published_at.map(|at| format!("{} {}", t(T::PublishedAt), at.china_string()))}</p>
                                <p>{t(T::Income)}" "{yuan(c.income_fen)}" · "{t(T::Expense)}" "{yuan(c.expense_fen)}</p>
                                <ul class="lines">
                                    {c.lines.into_iter().map(|l| {
                                        #[cfg(feature = "staff")]
                                        let extra = controls.for_line(&l, reload);
                                        #[cfg(not(feature = "staff"))]
                                        let extra = (c.status == MonthStatus::Published)
                                            .then(|| view! { <AskQuestion line=l.id on_change=reload/> });
                                        view! { <LineItem line=l viewer=viewer draft=c.status == MonthStatus::Draft>{extra}</LineItem> }
                                    }).collect_view()}
                                </ul>
                                {extra}
                            </section>
                        }
                    }).collect_view();
                    let entering = cfg!(feature = "staff") && status.is_none();
                    // A published month is checked against the county's log, whoever reads it.
                    #[cfg(villagers)]
                    let mark = (status == Some(MonthStatus::Published))
                        .then(|| data.text())
                        .flatten()
                        .map(|text| view! { <crate::log_check::LogMark village=code.clone() month_text=text/> });
                    #[cfg(not(villagers))]
                    let mark = ();
                    view! {
                        <h2>{m.village_name.clone()}" · "{format!("{}", m.month)}
                            {status.map(|s| view! { " " <span class="tag">{status_text(s)}</span> })}</h2>
                        {m.closed_early.then(|| view! { <p class="tag warn">{t(T::ClosedEarly)}</p> })}
                        {mark}
                        {summary(&m)}
                        {(status.is_none() && !entering).then(|| view! { <Empty text=t(T::MonthNotPublished)/> })}
                        {(m.lines.is_empty() && (status.is_some() || entering)).then(|| view! { <Empty text=t(T::NoLines)/> })}
                        <ul class="lines">
                            {m.lines.into_iter().map(|l| {
                                #[cfg(feature = "staff")]
                                let extra = controls.for_line(&l, reload);
                                #[cfg(not(feature = "staff"))]
                                let extra = (status == Some(MonthStatus::Published))
                                    .then(|| view! { <AskQuestion line=l.id on_change=reload/> });
                                view! { <LineItem line=l viewer=viewer draft=status.is_none_or(|s| s == MonthStatus::Draft)>{extra}</LineItem> }
                            }).collect_view()}
                        </ul>
                        {month_controls}
                        {corrections}
                        {corrected.map(|(income, expense)| view! {
                            <section class="card">
                                <h2>{t(T::CorrectedTotals)}</h2>
                                <div class="totals">
                                    <div><span>{t(T::Income)}</span><b>{yuan(income)}</b></div>
                                    <div><span>{t(T::Expense)}</span><b>{yuan(expense)}</b></div>
                                    <div><span>{t(T::Balance)}</span><b>{yuan(income - expense)}</b></div>
                                </div>
                            </section>
                        })}
                        {opener}
                    }.into_any()
                }
            }}
            <ImageViewer shown=viewer/>
        </Page>
    }
}

/// Income, expenses, balance and the spending chart.
fn summary(m: &LedgerMonth) -> impl IntoView + use<> {
    let max = m.categories.first().map(|c| c.expense_fen).unwrap_or(1).max(1);
    let rows = m.categories.len();
    // Bars as HTML, so the category names and amounts follow the text size.
    let bars = m
        .categories
        .iter()
        .map(|c| {
            let w = (c.expense_fen * 70 / max).max(1);
            view! {
                <li>
                    <span>{c.category.clone()}</span>
                    <span class="fill" style=format!("width:{w}%")></span>
                    <b>{yuan(c.expense_fen)}</b>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="totals">
            <div><span>{t(T::Income)}</span><b>{yuan(m.income_fen)}</b></div>
            <div><span>{t(T::Expense)}</span><b>{yuan(m.expense_fen)}</b></div>
            <div><span>{t(T::Balance)}</span><b>{yuan(m.income_fen - m.expense_fen)}</b></div>
        </div>
        {(rows > 0).then(|| view! {
            <section class="card">
                <h2>{t(T::ByCategory)}</h2>
                <ul class="hbars">{bars}</ul>
            </section>
        })}
    }
}

/// One line as everyone sees it: date, category, amount, counterparty, the seal, the
/// invoice photos. `children` are the staff's controls, when there are any.
#[component]
fn LineItem(
    line: Line,
    viewer: RwSignal<Option<Attachment>>,
    /// The edition is still being entered: nothing of it awaits review yet.
    #[prop(optional)]
    draft: bool,
    children: Children,
) -> impl IntoView {
    let sign = if line.kind == Kind::Income { "+" } else { "−" };
    let status_tag = match line.status {
        LineStatus::Pending if draft => Some(t(T::LineDraft)),
        LineStatus::Pending => Some(t(T::LinePending)),
        LineStatus::Rejected => Some(t(T::LineRejected)),
        LineStatus::Approved => None,
    };
    view! {
        <li class="line" id=format!("line-{}", line.id) class:rejected=line.status == LineStatus::Rejected>
            <div class="head">
                <span class="muted">{line.date.to_string()}</span>
                <span>{line.category.clone()}</span>
                <b class=if line.kind == Kind::Income { "in" } else { "out" }>{sign}{yuan(line.amount_fen)}</b>
            </div>
            <p>{line.counterparty.clone()}
                {line.invoice_no.clone().map(|n| view! { " · "{t(T::Invoice)}" "{n} })}
                {line.note.clone().map(|n| view! { <br/><span class="muted">{n}</span> })}</p>
            {status_tag.map(|s| view! { <span class="tag">{s}</span> })}
            {line.lacks_invoice().then(|| view! { <span class="tag warn">{t(T::NoInvoice)}</span> })}
            {line.no_invoice_reason.clone().map(|r| view! { <p class="muted">{t(T::NoInvoiceReason)}"："{r}</p> })}
            {line.duplicate_invoice.then(|| view! { <span class="tag warn">"⚠ "{t(T::DuplicateInvoice)}</span> })}
            {line.reject_reason.clone().map(|r| view! { <p class="error">{t(T::RejectReason)}"："{r}</p> })}
            {line.seal.clone().map(|s| view! {
                <div class="seal" aria-label=t(T::Sealed)>
                    <span class="stamp">{s.township.clone()}<br/>{t(T::Sealed)}</span>
                    <span class="muted">{t(T::Reviewer)}" "{s.reviewer.clone()}<br/>{s.at.china_string()}</span>
                </div>
            })}
            <div class="thumbs">
                {line.attachments.iter().cloned().map(|a| match a.kind {
                    AttachmentKind::Image => {
                        let (w, h) = (a.width.unwrap_or(4), a.height.unwrap_or(3));
                        let th = (96 * h / w.max(1)).clamp(48, 160);
                        view! {
                            <button type="button" class="thumb" aria-label=t(T::Invoice) on:click=move |_| viewer.set(Some(a.clone()))>
                                <img src=format!("api/files/{}/thumb", a.id) loading="lazy" width=96 height=th alt=t(T::Invoice)/>
                            </button>
                        }.into_any()
                    }
                    AttachmentKind::Pdf => view! {
                        <a class="button secondary" href=format!("api/files/{}/pdf", a.id) download>{t(T::DownloadPdf)}</a>
                    }.into_any(),
                }).collect_view()}
            </div>
            {(!line.questions.is_empty()).then(|| view! {
                <div class="questions">
                    <h3>{t(T::Questions)}</h3>
                    {line.questions.iter().map(|q| view! {
                        <div class="qa">
                            <p>{t(T::QuestionMark)}{q.question.clone()}<span class="muted">" "{q.asked_at.china_string()}</span></p>
                            {match &q.answer {
                                Some(a) => view! {
                                    <p>{t(T::AnswerMark)}{a.clone()}<span class="muted">" "{q.answered_by.clone().unwrap_or_default()}" "
                                        {q.answered_at.map(|t| t.china_string()).unwrap_or_default()}</span></p>
                                }.into_any(),
                                None => view! { <p class="muted">{t(T::WaitingAnswer)}</p> }.into_any(),
                            }}
                        </div>
                    }).collect_view()}
                </div>
            })}
            {children()}
        </li>
    }
}

/// A villager's question on a published line; their name is not shown.
#[cfg(not(feature = "staff"))]
#[component]
fn AskQuestion(line: uuid::Uuid, on_change: Callback<()>) -> impl IntoView {
    use crate::components::FormError;
    let open = RwSignal::new(false);
    // The box opens with the cursor in it, scrolled clear of the bars (the page's
    // scroll-padding), so a thumb can start typing at once.
    let area = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move |_| {
        if let Some(el) = area.get() {
            let _ = el.focus();
        }
    });
    let id = format!("ask-{line}");
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<crate::api::Failure>);
    let send = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let body = sunlight_api::ledger::Text {
            text: text.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match api::post::<_, Line>(&format!("api/ledger-lines/{line}/questions"), &body).await {
                Ok(_) => on_change.run(()),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    view! {
        <Show when=move || open.get() fallback=move || view! {
            <button type="button" class="secondary" on:click=move |_| open.set(true)>{t(T::AskQuestion)}</button>
        }>
            <form on:submit=send novalidate>
                <div class="field">
                    <label for=id.clone()>{t(T::YourQuestion)}</label>
                    <textarea id=id.clone() rows="4" maxlength="300" node_ref=area
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                </div>
                <FormError error=error/>
                <button type="submit">{t(T::Send)}</button>
            </form>
        </Show>
    }
}

/// A full-screen look at an invoice photo (the screen-sized copy).
#[component]
fn ImageViewer(shown: RwSignal<Option<Attachment>>) -> impl IntoView {
    move || {
        shown.get().map(|a| view! {
            <div class="viewer" role="dialog" aria-modal="true" aria-label=t(T::Invoice)>
                <button type="button" class="secondary" on:click=move |_| shown.set(None)>{t(T::CloseImage)}</button>
                <img src=format!("api/files/{}/screen", a.id) alt=t(T::Invoice)/>
            </div>
        })
    }
}
