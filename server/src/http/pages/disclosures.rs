//! `/disclosures/{village}`: the village's notice board (公开栏) for a year, as the
//! catalogue asks for it: party, village and finance items, each with what was due, what
//! was published on time, late or not at all, and every published entry with its photos
//! and documents and who sealed it. Built from `catalogue::disclosures_for`, as
//! `GET /api/regions/{village}/disclosures` answers; staff see their drafts in the
//! workbench, never here.

use axum::{
    extract::{Path, Query},
    http::StatusCode,
    response::Response,
};
use maud::{Markup, html};
use serde::Deserialize;
use sunlight_api::{
    RegionCode,
    catalogue::{Entry, EntryStatus, Frequency, Item, LEDGER_ITEM, Light, Section, Standing, VillageDisclosures},
};

use super::{Doc, Here, NEXT_YEAR, PREV_YEAR, PUBLISHED_AT, QUESTIONS, log_data, not_found, page, refused, thumbs};
use crate::authz::Reader;

/// This page's own words (it has no screen in the app).
const TITLE: &str = "公开事项";
const DESCRIPTION: &str = "党务、村务、财务公开：按时、逾期和未公开的事项，附照片和乡镇审核。";
const COUNTS: &str = "按时公开 {0} · 逾期公开 {1} · 待公开 {2} · 未公开 {3}";
const LIGHT: &str = "公开情况";
const LEGEND: &str = "红：有逾期未公开的事项；黄：有逾期公开的，或三天内到期；绿：都按时公开。";
const DUE_BY: &str = "截止";
const DEADLINE_PERIODIC: &str = "下期 {0} 日前公开";
const DEADLINE_EVENT: &str = "事后 {0} 天内公开";
const NOTHING_YET: &str = "本年还没有到期的期间。";
const SEALED_BY: &str = "乡镇审核";
const SEE_LEDGER: &str = "查看账目";
const ENTRY_FILE: &str = "公开附件";
const ENTRY_PDF: &str = "下载附件 (PDF)";
const ACCOUNTS: &str = "每月收支见全年账目";
const WITHDRAWN: &str = "已依法撤下";
const WITHDRAWN_BY: &str = "撤下人";
const CORRECTED: &str = "这一版已更正，请看新版本";
const CORRECTION: &str = "更正";
const ORIGINAL: &str = "原版本";
/// Entries of items the county has since removed from its catalogue: what was published stays.
const OTHERS: &str = "其他公开事项";
const WAITING_VILLAGE: &str = "等待村里回答";
const ASK: &str = "对这一条提问";

#[derive(Debug, Deserialize)]
pub(super) struct YearQuery {
    year: Option<i32>,
}

pub(super) async fn disclosures_page(
    here: Here,
    reader: Reader,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> Response {
    let Ok(code) = RegionCode::parse(&code) else {
        return not_found(&here);
    };
    match crate::http::catalogue::disclosures_for(&here.state, &reader, code.clone(), q.year).await {
        Ok(d) => {
            // The projects with a published stage (staff see the rest in the workbench).
            let projects = match crate::http::projects::summaries(&here.state, &code, false).await {
                Ok(p) => p,
                Err(e) => return refused(&here, e),
            };
            let heading = format!("{} · {TITLE}", d.village_name);
            let doc = Doc {
                title: &heading,
                heading: &heading,
                description: format!("{}{DESCRIPTION}", d.village_name),
            };
            page(
                &here,
                StatusCode::OK,
                doc,
                html! { (body(&d)) (super::projects::list(&projects)) },
            )
        }
        Err(e) => refused(&here, e),
    }
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

fn rule(i: &Item) -> String {
    let d = i.deadline.to_string();
    match i.frequency {
        Frequency::Event => DEADLINE_EVENT.replace("{0}", &d),
        _ => DEADLINE_PERIODIC.replace("{0}", &d),
    }
}

/// The link to ask about a published entry that stands (`demands/ask/{id}`), naming the
/// entry and the page it is on (`page`) for the form to show and return to.
pub(super) fn ask_link(e: &Entry, page: &str, label: &str) -> Markup {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("title", &e.title)
        .append_pair("back", &format!("{page}#entry-{}", e.id))
        .finish();
    html! {
        @if e.status == EntryStatus::Published && e.withdrawn.is_none() && e.corrected_by.is_none() {
            p { a.button.secondary href=(format!("demands/ask/{}?{query}", e.id)) rel="nofollow" { (label) } }
        }
    }
}

pub(super) fn entry(e: &Entry) -> Markup {
    html! {
        @let logged = (e.status == EntryStatus::Published).then(|| log_data(e));
        article.entry id=(format!("entry-{}", e.id)) data-log=[logged] {
            @if let Some(t) = &e.withdrawn {
                // What it said is gone; that it was published, and why it was removed, stay.
                p.tombstone role="note" {
                    b { (WITHDRAWN) } "：" (t.reason)
                    br;
                    span.muted { (e.period_label) " · " (WITHDRAWN_BY) " " (t.by) " · " (t.at.china_string()) }
                }
            } @else {
                h4 { (e.title) }
                p.muted {
                    (e.period_label)
                    @if let Some(at) = e.published_at { " · " (PUBLISHED_AT) " " (at.china_string()) }
                    @if let Some(who) = &e.published_by { " · " (SEALED_BY) " " (who) }
                }
                @if let (Some(old), Some(why)) = (e.corrects, &e.correction_reason) {
                    p { span.tag.warn { (CORRECTION) } " " (why) " · " a href=(format!("#entry-{old}")) { (ORIGINAL) } }
                }
                @if let Some(new) = e.corrected_by {
                    p { a href=(format!("#entry-{new}")) { (CORRECTED) } }
                }
                @if !e.body.is_empty() { p.prose { (e.body) } }
                (thumbs(&e.files, "api/disclosure-files", ENTRY_FILE, ENTRY_PDF))
                @if !e.questions.is_empty() {
                    div.questions {
                        h4 { (QUESTIONS) }
                        @for q in &e.questions {
                            div.question {
                                p { "问：" (q.question) span.muted { " " (q.asked_at.china_string()) } }
                                @match (&q.answer, &q.answered_by) {
                                    (Some(a), who) => p {
                                        "答：" (a)
                                        span.muted { @if let Some(w) = who { " " (w) } }
                                    },
                                    _ => p.muted { (WAITING_VILLAGE) },
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn body(d: &VillageDisclosures) -> Markup {
    let code = d.village.as_str();
    let c = &d.counts;
    let counts = COUNTS
        .replace("{0}", &c.on_time.to_string())
        .replace("{1}", &c.late.to_string())
        .replace("{2}", &c.due.to_string())
        .replace("{3}", &c.missing.to_string());
    let published: Vec<&Entry> = d
        .entries
        .iter()
        .filter(|e| e.status == EntryStatus::Published)
        .collect();
    html! {
        div.yearbar {
            a.button.secondary href=(format!("disclosures/{code}?year={}", d.year - 1)) aria-label=(PREV_YEAR) { "‹" }
            h2 { (d.year) " 年" }
            a.button.secondary href=(format!("disclosures/{code}?year={}", d.year + 1)) aria-label=(NEXT_YEAR) { "›" }
        }
        section.card {
            p { (LIGHT) " " span class=(light_class(d.light)) { (d.light.title()) } }
            p { (counts) }
            p.hint { (LEGEND) }
        }
        @for s in Section::ALL {
            @let items: Vec<&Item> = d.items.iter().filter(|i| i.section == s).collect();
            @if !items.is_empty() {
                section.card {
                    h2 { (s.title()) }
                    @for i in items {
                        @let due: Vec<_> = d.obligations.iter().filter(|o| o.item == i.key).collect();
                        @let entries: Vec<&&Entry> = published.iter().filter(|e| e.item == i.key).collect();
                        div.item {
                            h3 { (i.title) " " span.muted { (i.frequency.title()) " · " (rule(i)) } }
                            @if i.key == LEDGER_ITEM {
                                p { a href=(format!("ledger/{code}?year={}", d.year)) { (ACCOUNTS) } }
                            }
                            @if due.is_empty() && i.frequency != Frequency::Event {
                                p.muted { (NOTHING_YET) }
                            }
                            @if !due.is_empty() {
                                ul.periods {
                                    @for o in due {
                                        li {
                                            span class=(standing_class(o.standing)) { (o.standing.title()) } " "
                                            @if i.key == LEDGER_ITEM {
                                                a href=(format!("ledger/{code}/{}", o.period)) { (o.label) }
                                            } @else if let Some(id) = o.entry {
                                                a href=(format!("disclosures/{code}?year={}#entry-{id}", d.year)) { (o.label) }
                                            } @else {
                                                (o.label)
                                            }
                                            span.muted { " · " (DUE_BY) " " (o.due) }
                                        }
                                    }
                                }
                            }
                            @for e in entries { (entry(e)) (ask_link(e, &format!("disclosures/{code}"), ASK)) }
                        }
                    }
                }
            }
        }
        @let others: Vec<&&Entry> = published.iter().filter(|e| !d.items.iter().any(|i| i.key == e.item)).collect();
        @if !others.is_empty() {
            section.card {
                h2 { (OTHERS) }
                @for e in others { p.muted { (e.item_title) } (entry(e)) }
            }
        }
        p { a href=(format!("ledger/{code}")) { (SEE_LEDGER) } }
    }
}
