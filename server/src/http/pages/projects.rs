//! `/projects/{id}`: a project or disposal along its whole chain (立项 → 招投标 → 合同 →
//! 施工 → 验收 → 结算), with its progress, its money (budget, contract, paid so far, each
//! payment a ledger line) and every published stage with photos, the sealing reviewer and
//! villagers' questions. `/projects/{id}/sign` is the printable sign for the building site:
//! the project's name and a QR code that opens this page. Built from
//! `projects::project_for`, as `GET /api/projects/{id}` answers.

use axum::{
    extract::Path,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use maud::{Markup, PreEscaped, html};
use sunlight_api::{
    catalogue::{Entry, EntryStatus},
    project::{Project, ProjectKind, ProjectSummary, Stage},
};
use uuid::Uuid;

use super::{
    Doc, Here, POSTER_STYLE, PRINT,
    disclosures::{ask_link, entry},
    not_found, page, qr, refused, yuan,
};
use crate::{authz::Reader, http::error::ApiError};

/// This page's own words (it has no screen in the app).
const DESCRIPTION: &str = "从立项到结算的每一步，附照片、合同金额、每笔付款和乡镇审核。";
pub(super) const PROJECTS: &str = "工程项目与资产处置";
const PROGRESS: &str = "进度";
const BUDGET: &str = "预算";
const RESERVE: &str = "底价";
const CONTRACT: &str = "合同金额";
const PAID: &str = "已付款";
const RECEIVED: &str = "已收款";
const SETTLED: &str = "结算金额";
const OVER_CONTRACT: &str = "已付款超过合同金额，请村里说明。";
const CHAIN: &str = "全过程";
const DONE: &str = "已完成";
const NOW: &str = "进行中";
const NOT_YET: &str = "未到";
const PAYMENTS: &str = "付款明细（来自每月账目）";
const RECEIPTS: &str = "收款明细（来自每月账目）";
const NO_PAYMENTS: &str = "还没有公开的款项。";
const INVOICE_NO: &str = "发票号";
const ASK: &str = "对这一步提问";
const SIGN_LINK: &str = "打印工地公示牌（二维码）";
const SIGN_SCAN: &str = "用微信或手机相机扫一扫，查看这个项目从立项到结算的每一步、每笔付款和照片。";
const VILLAGE_DISCLOSURES: &str = "本村全部公开事项";
const QR_TITLE: &str = "项目公示";

fn budget_word(k: ProjectKind) -> &'static str {
    match k {
        ProjectKind::Works => BUDGET,
        ProjectKind::Disposal => RESERVE,
    }
}

fn paid_word(k: ProjectKind) -> &'static str {
    match k {
        ProjectKind::Works => PAID,
        ProjectKind::Disposal => RECEIVED,
    }
}

async fn project(here: &Here, reader: &Reader, id: &str) -> Result<Project, Response> {
    let Ok(id) = Uuid::parse_str(id) else {
        return Err(not_found(here));
    };
    crate::http::projects::project_for(&here.state, reader, id)
        .await
        .map_err(|e| refused(here, e))
}

pub(super) async fn project_page(here: Here, reader: Reader, Path(id): Path<String>) -> Response {
    let p = match project(&here, &reader, &id).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let heading = format!("{} · {}", p.village_name, p.kind.label());
    let doc = Doc {
        title: &p.title,
        heading: &heading,
        description: format!("{}{DESCRIPTION}", p.title),
    };
    page(&here, StatusCode::OK, doc, body(&p))
}

/// Where each stage stands: done, the one under way, or not reached.
fn stage_state(p: &Project, s: Stage) -> (&'static str, &'static str) {
    match p.stage {
        Some(at) if s < at || (s == at && (s != Stage::Construction || p.progress_pct == Some(100))) => {
            ("tag ok", DONE)
        }
        Some(at) if s == at => ("tag warn", NOW),
        _ => ("tag", NOT_YET),
    }
}

fn body(p: &Project) -> Markup {
    let m = &p.money;
    let pct = p.progress_pct.unwrap_or(0);
    html! {
        section.card {
            h2 { (p.title) }
            p { span.tag { (p.kind.label()) } }
            @if !p.description.is_empty() { p.prose { (p.description) } }
            p {
                label for="progress" { (PROGRESS) " " b { (pct) "%" } }
                br;
                progress #progress max="100" value=(pct) { (pct) "%" }
            }
            dl.money {
                dt { (budget_word(p.kind)) } dd { (yuan(p.budget_fen)) }
                @if let Some(c) = m.contract_fen { dt { (CONTRACT) } dd { (yuan(c)) } }
                dt { (paid_word(p.kind)) } dd { (yuan(m.paid_fen)) }
                @if let Some(s) = m.settled_fen { dt { (SETTLED) } dd { (yuan(s)) } }
            }
            @if m.over_contract { p.error role="alert" { (OVER_CONTRACT) } }
        }
        section.card {
            h2 { (CHAIN) }
            ol.chain {
                @for s in Stage::ALL {
                    @let (class, word) = stage_state(p, s);
                    li { span class=(class) { (word) } " " (s.label(p.kind)) }
                }
            }
        }
        // What is published only, whoever reads (staff see drafts in the workbench).
        @for e in p.stages.iter().filter(|e| e.status == EntryStatus::Published) {
            section.card { (stage(e, p.id)) }
        }
        section.card {
            h2 { @if p.kind == ProjectKind::Works { (PAYMENTS) } @else { (RECEIPTS) } }
            @let payments: Vec<_> = p.payments.iter().filter(|x| x.published).collect();
            @if payments.is_empty() {
                p.muted { (NO_PAYMENTS) }
            } @else {
                ul.payments {
                    @for pay in payments {
                        li {
                            a href=(format!("ledger/{}/{}", p.village, pay.month)) { (pay.date) }
                            " " b { (yuan(pay.amount_fen)) } " " (pay.category) " · " (pay.counterparty)
                            @if let Some(no) = &pay.invoice_no { span.muted { " · " (INVOICE_NO) " " (no) } }
                        }
                    }
                }
            }
        }
        p { a href=(format!("projects/{}/sign", p.id)) { (SIGN_LINK) } }
        p { a href=(format!("disclosures/{}", p.village)) { (VILLAGE_DISCLOSURES) } }
    }
}

/// A stage: the entry as the notice board shows it, and the link to ask about it.
fn stage(e: &Entry, project: Uuid) -> Markup {
    html! {
        (entry(e))
        (ask_link(e, &format!("projects/{project}"), ASK))
    }
}

/// The village's projects, for its notice board.
pub(super) fn list(projects: &[ProjectSummary]) -> Markup {
    html! {
        @if !projects.is_empty() {
            section.card {
                h2 { (PROJECTS) }
                ul.periods {
                    @for s in projects {
                        li {
                            a href=(format!("projects/{}", s.id)) { (s.title) }
                            span.muted {
                                " · " (s.kind.label())
                                @if let Some(st) = s.stage { " · " (st.label(s.kind)) }
                                " · " (PROGRESS) " " (s.progress_pct.unwrap_or(0)) "%"
                            }
                            @if s.money.over_contract { " " span.tag.bad { (PAID) ">" (CONTRACT) } }
                        }
                    }
                }
            }
        }
    }
}

fn project_url(here: &Here, id: Uuid) -> String {
    format!("{}projects/{id}", here.root)
}

/// `/projects/{id}/qr.svg`: the QR code of the project's page (readable where the project is).
pub(super) async fn qr_svg(here: Here, reader: Reader, Path(id): Path<String>) -> Response {
    let p = match project(&here, &reader, &id).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    match qr(&project_url(&here, p.id)) {
        Some(svg) => ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response(),
        None => ApiError::NotFound.into_response(),
    }
}

/// `/projects/{id}/sign`: an A4 sign for the building site (or the asset): the village,
/// the project, its QR code and address. Print it from the browser.
pub(super) async fn sign(here: Here, reader: Reader, Path(id): Path<String>) -> Response {
    let p = match project(&here, &reader, &id).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let url = project_url(&here, p.id);
    let svg = qr(&url).unwrap_or_default();
    let content = html! {
        style { (PreEscaped(POSTER_STYLE)) }
        div.poster {
            h2 { (p.village_name) }
            p.poster-title { (p.title) }
            p { (QR_TITLE) " · " (p.kind.label()) " · " (budget_word(p.kind)) " " (yuan(p.budget_fen)) }
            div.qr { (PreEscaped(svg)) }
            p.poster-scan { (SIGN_SCAN) }
            p.poster-url { (url) }
        }
        p.no-print { button type="button" onclick="window.print()" { (PRINT) } }
    };
    let title = format!("{} · {QR_TITLE}", p.title);
    let doc = Doc {
        title: &title,
        heading: &p.village_name,
        description: SIGN_SCAN.to_owned(),
    };
    page(&here, StatusCode::OK, doc, content)
}
