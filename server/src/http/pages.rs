//! Read-only pages rendered here as HTML, at the same addresses the app uses
//! (`/ledger/{village}` and `/ledger/{village}/{month}`), so that a link shared in a group or
//! printed as a QR code opens in a second on any phone, without WebAssembly and without
//! JavaScript. They read the same data through the same functions as the API
//! (`ledger::year_for`, `ledger::month_for`), so authorization and masking are the API's.
//! The app is not started on these pages: a reader downloads the page and its stylesheet
//! only. What needs the app (asking a question, signing in) is a link to the same address
//! with `?app`, which serves the app's page.
//!
//! The words are the app's zh-Hans words (`words`, checked against `app/src/i18n.rs` by
//! `tests/api/tidy.rs`); these pages are in Simplified Chinese only.

use axum::{
    Router,
    extract::{Path, Query},
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::get,
};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Deserialize;
use sunlight_api::{
    RegionCode,
    date::Month,
    ledger::{Attachment, AttachmentKind, Kind, LedgerMonth, LedgerYear, Line, LineStatus, MonthStatus},
    money::format_yuan,
    poll::{Per, Poll, PollState, QuestionKind},
};

use super::{AppState, error::ApiError, ledger, static_files};
use crate::authz::Reader;

/// The app's own words for what these pages show (zh-Hans).
pub mod words {
    pub const APP_NAME: &str = "阳光村务";
    pub const INCOME: &str = "收入";
    pub const EXPENSE: &str = "支出";
    pub const BALANCE: &str = "结余";
    pub const BY_CATEGORY: &str = "支出构成";
    pub const TREND: &str = "每月收支";
    pub const NO_INVOICE: &str = "无发票";
    pub const NO_INVOICE_REASON: &str = "无发票盖章理由（村民可见）";
    pub const SEALED: &str = "已审核";
    pub const REVIEWER: &str = "审核人";
    pub const INVOICE: &str = "发票";
    pub const QUESTIONS: &str = "提问与答复";
    pub const WAITING_ANSWER: &str = "等待报账员回答";
    pub const MONTH_NOT_PUBLISHED: &str = "这个月的账目还没有公开。";
    pub const NO_PUBLISHED: &str = "本年还没有公开的账目。";
    pub const CLOSED_EARLY: &str = "提前结账：本月在月底前提交审核";
    pub const STATUS_DRAFT: &str = "录入中";
    pub const STATUS_SUBMITTED: &str = "待审核";
    pub const STATUS_PUBLISHED: &str = "已公开";
    pub const LINE_REJECTED: &str = "被退回";
    pub const DOWNLOAD_PDF: &str = "下载 PDF";
    pub const PREV_YEAR: &str = "上一年";
    pub const NEXT_YEAR: &str = "下一年";
    pub const TAB_DISCLOSURES: &str = "公开";
    pub const TAB_DEMANDS: &str = "诉求";
    pub const TAB_REPORTS: &str = "举报";
    pub const TAB_POLLS: &str = "投票";
    pub const TAB_ME: &str = "我的";
    pub const ASK_QUESTION: &str = "对这笔账提问";
    pub const CORRECTION: &str = "更正";
    pub const CORRECTION_REASON: &str = "更正原因";
    pub const CORRECTED_TOTALS: &str = "更正后合计";
    pub const PUBLISHED_AT: &str = "公开于";
    pub const SIGN_IN: &str = "登录";
    pub const POSTER_LINK: &str = "打印本村公开二维码";
    pub const CATALOGUE_LINK: &str = "党务、村务、财务公开事项";
    pub const POLL_UPCOMING: &str = "未开始";
    pub const POLL_OPEN: &str = "进行中";
    pub const POLL_CLOSED: &str = "已结束";
    pub const OPENS: &str = "开始";
    pub const CLOSES: &str = "截止";
    pub const TURNOUT: &str = "参与";
    pub const VOTES: &str = "票";
    pub const VOTE_NOW: &str = "投票";
    pub const PER_HOUSEHOLD: &str = "每户一票";
    pub const PER_PERSON: &str = "每人一票";
    pub const RESULTS_HIDDEN: &str = "结果将在投票结束后公布，干部也一样。";
    pub const RESULTS_HIDDEN_LIVE: &str =
        "满 5 票后显示实时结果，之后每满 5 票更新一次；结束后公布准确结果。干部也一样。";
    pub const ELIGIBLE_HOUSEHOLDS: &str = "可以投票的农户（开始时已在本村登记）：";
    pub const ELIGIBLE_PEOPLE: &str = "可以投票的村民（开始时已在本村登记）：";
    pub const TOO_FEW_FOR_LIVE: &str = "可以投票的不到 5 个，所以不会显示实时结果，投票结束后公布结果。";
    pub const POLL_DOCUMENT: &str = "附件：方案资料";
    pub const LIVE_RESULTS_NOTE: &str = "实时结果：每满 5 票更新一次，以免看出某一票投了什么；结束后公布准确结果。";
}
use words::*;

/// Words of these pages only (not in the app): what needs the app, and who may read.
const NEEDS_APP: &str =
    "提问、投票和办事需要打开完整应用：新版微信或手机浏览器可以打开；如果打不开，本页内容照常可以阅读。";
const NO_WASM: &str =
    "您的微信或浏览器版本较旧，只能阅读本页；提问、投票等请升级微信或浏览器后再操作，或到村委会办理。";
const NO_SCRIPT: &str = "本页可以照常阅读；提问、投票等需要在浏览器设置中开启 JavaScript。";
const VILLAGERS_ONLY: &str = "本县的村务公开仅限本村村民查看，请先登录。";
const NOT_FOUND: &str = "没有找到这个页面：村的编号或月份不对。";
const MONTH_YEAR: &str = "全年账目";
const PREV_MONTH: &str = "上个月";
const NEXT_MONTH: &str = "下个月";
const OPEN_APP: &str = "打开完整应用";
/// The app checks a month against the publication log in the phone (a page-only word).
const CHECK_IN_APP: &str = "核验本月公开后有没有被改动";
const POSTER_TITLE: &str = "村务公开";
const POSTER_SCAN: &str = "用微信或手机相机扫一扫，查看本村每月收入支出、发票照片和乡镇审核盖章。";
const POSTER_VILLAGERS_ONLY: &str = "本县的村务公开仅限本村村民查看：扫码后请用本人账号登录。";
const PRINT: &str = "打印";
const QR_LABEL: &str = "本村公开页的二维码";
const SITE_DESCRIPTION: &str = "阳光村务：本村每月收入支出、发票照片、乡镇审核盖章和村民投票，人人可查。";
const YEAR_DESCRIPTION: &str = "每月收入支出公开，附发票照片和乡镇审核盖章。";
const GROUP_TITLE: &str = "民主理财小组审核";
const GROUP_NOT_YET: &str = "民主理财小组还没有签字。";
const GROUP_AGREE: &str = "同意";
const GROUP_DISAGREE: &str = "有异议";
const GROUP_SIGN: &str = "审核签字";
const MONTH_DESCRIPTION: &str = "每一笔都附发票照片和乡镇审核盖章。";

mod demand;
mod disclosures;
mod projects;
mod subsidies;
mod wechat;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/demands/{id}", get(demand::demand_page))
        .route("/me/subsidies", get(subsidies::subsidies_page))
        .route("/disclosures/{code}", get(disclosures::disclosures_page))
        .route("/ledger/{code}", get(year_page))
        .route("/ledger/{code}/{month}", get(month_page))
        .route("/polls/{id}", get(poll_page))
        .route("/projects/{id}", get(projects::project_page))
        .route("/wechat/enter", get(wechat::enter))
        .route("/projects/{id}/sign", get(projects::sign))
        .route("/projects/{id}/qr.svg", get(projects::qr_svg))
        .route("/poster/{code}", get(poster))
        .route("/poster/{code}/qr.svg", get(qr_svg))
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    /// Present: serve the app instead (for what needs it).
    app: Option<String>,
    year: Option<i32>,
}

/// `/ledger/{village}`: a village's year of published accounts.
async fn year_page(here: Here, reader: Reader, Path(code): Path<String>, Query(q): Query<PageQuery>) -> Response {
    if q.app.is_some() {
        return static_files::villagers_page(&here.state);
    }
    let Ok(code) = RegionCode::parse(&code) else {
        return not_found(&here);
    };
    let year = q.year.unwrap_or_else(|| here.state.clock.this_month().year);
    match ledger::year_for(&here.state, &reader, code.clone(), year).await {
        Ok(y) => {
            let heading = format!("{} · {}", y.village_name, TAB_DISCLOSURES);
            let doc = Doc {
                title: &heading,
                heading: &heading,
                description: format!("{}{}", y.village_name, YEAR_DESCRIPTION),
            };
            page(&here, StatusCode::OK, doc, year_body(&y, &code))
        }
        Err(e) => refused(&here, e),
    }
}

/// `/ledger/{village}/{month}`: one month in full, with its corrections.
async fn month_page(
    here: Here,
    reader: Reader,
    Path((code, month)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> Response {
    if q.app.is_some() {
        return static_files::villagers_page(&here.state);
    }
    let (Ok(code), Ok(month)) = (RegionCode::parse(&code), Month::parse(&month)) else {
        return not_found(&here);
    };
    let signatures = super::oversight::month_signatures(&here.state, &reader, &code, month).await;
    match ledger::month_for(&here.state, &reader, code, month).await {
        Ok(m) => {
            let title = format!("{} · {}", m.village_name, m.month);
            let heading = m.month.to_string();
            let description = match m.status {
                Some(MonthStatus::Published) => format!(
                    "{INCOME} {} · {EXPENSE} {} · {BALANCE} {}。{MONTH_DESCRIPTION}",
                    yuan(m.income_fen),
                    yuan(m.expense_fen),
                    yuan(m.income_fen - m.expense_fen)
                ),
                _ => MONTH_NOT_PUBLISHED.to_owned(),
            };
            page(
                &here,
                StatusCode::OK,
                Doc {
                    title: &title,
                    heading: &heading,
                    description,
                },
                html! { (month_body(&m)) @if let Some(s) = &signatures { (signatures_card(s)) } },
            )
        }
        Err(e) => refused(&here, e),
    }
}

/// The village's financial oversight group's signatures on a month, and the way to sign
/// for a member whose signature it waits for.
fn signatures_card(s: &sunlight_api::ledger::MonthSignatures) -> Markup {
    html! {
        @if s.required || !s.signatures.is_empty() {
            section.card {
                h2 { (GROUP_TITLE) }
                @if s.signatures.is_empty() { p.muted { (GROUP_NOT_YET) } }
                ul.plain {
                    @for sig in &s.signatures {
                        li {
                            b { (sig.name) } " "
                            @if sig.agree { span.tag.ok { (GROUP_AGREE) } } @else { span.tag.bad { (GROUP_DISAGREE) } }
                            span.muted { " " (sig.signed_at.china_string()) }
                            @if let Some(o) = &sig.opinion { p.prose { (o) } }
                        }
                    }
                }
                @if s.may_sign {
                    p { a.button href=(format!("demands/sign/{}/{}", s.village, s.month)) rel="nofollow" { (GROUP_SIGN) } }
                }
            }
        }
    }
}

/// `/polls/{id}`: a poll and, where its rules allow, its results.
async fn poll_page(
    here: Here,
    reader: Reader,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
    req: axum::extract::Request,
) -> Response {
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        // The polls bundle's own files (`/polls/….js`); any other id is nonsense.
        if id.contains('.') {
            return static_files::serve(axum::extract::State(here.state.clone()), req).await;
        }
        return not_found(&here);
    };
    if q.app.is_some() {
        return static_files::polls_page(&here.state);
    }
    match super::polls::poll_for(&here.state, &reader, id).await {
        Ok(p) => {
            let description = format!("{TAB_POLLS} · {CLOSES} {}", p.closes_at.china_string());
            page(
                &here,
                StatusCode::OK,
                Doc {
                    title: &p.title,
                    heading: TAB_POLLS,
                    description,
                },
                poll_body(&p),
            )
        }
        Err(e) => refused(&here, e),
    }
}

fn poll_body(p: &Poll) -> Markup {
    let state = match p.state {
        PollState::Upcoming => POLL_UPCOMING,
        PollState::Open => POLL_OPEN,
        PollState::Closed => POLL_CLOSED,
    };
    let per = match p.per {
        Per::Household => PER_HOUSEHOLD,
        Per::Person => PER_PERSON,
    };
    html! {
        h2 { (p.title) " " span.tag { (state) } }
        p.muted { (per) " · " (OPENS) " " (p.opens_at.china_string()) " · " (CLOSES) " " (p.closes_at.china_string()) }
        @if let Some(n) = p.eligible {
            p { (if p.per == Per::Household { ELIGIBLE_HOUSEHOLDS } else { ELIGIBLE_PEOPLE }) b { (n) } }
        }
        (thumbs(&p.documents, "api/poll-documents", POLL_DOCUMENT, &format!("{POLL_DOCUMENT} (PDF)")))
        @match &p.results {
            None if p.live_results && p.eligible.is_some_and(|n| n < 5) => div.empty { p { (TOO_FEW_FOR_LIVE) } },
            None => div.empty { p { (if p.live_results { RESULTS_HIDDEN_LIVE } else { RESULTS_HIDDEN }) } },
            Some(r) => section.card {
                @if p.state != PollState::Closed { p.hint { (LIVE_RESULTS_NOTE) } }
                p { (TURNOUT) " " (r.ballots) " / " (r.eligible) }
                @for (q, res) in p.questions.iter().zip(&r.questions) {
                    @let rating = q.kind == QuestionKind::Rating;
                    @let labels: Vec<String> = if rating {
                        (1..=5).map(|i| format!("{i} ★")).collect()
                    } else {
                        q.options.iter().map(|o| o.label.clone()).collect()
                    };
                    @let counts = if rating { &res.ratings } else { &res.votes };
                    @let total = counts.iter().sum::<i64>().max(1);
                    h3 { (q.prompt) }
                    @if q.kind != QuestionKind::Text {
                        ul.bars {
                            @for (label, n) in labels.iter().zip(counts) {
                                @let pct = n * 100 / total;
                                li {
                                    span { (label) }
                                    span.bar style=(format!("width:{}%", pct.max(1))) {}
                                    span.muted { (n) " " (VOTES) " · " (pct) "%" }
                                }
                            }
                        }
                    }
                }
            },
        }
        @if p.state == PollState::Open {
            (app_link(&format!("polls/{}?app", p.id), VOTE_NOW))
        }
    }
}

/// What a refusal looks like as a page.
fn refused(here: &Here, e: ApiError) -> Response {
    match e {
        ApiError::NotSignedIn => page(
            here,
            StatusCode::UNAUTHORIZED,
            Doc::plain(APP_NAME),
            html! {
                div.empty role="alert" {
                    p { (VILLAGERS_ONLY) }
                    p { a.button href="./" { (SIGN_IN) } }
                }
            },
        ),
        ApiError::NotFound | ApiError::Invalid(_) => not_found(here),
        other => other.into_response(),
    }
}

fn not_found(here: &Here) -> Response {
    page(
        here,
        StatusCode::NOT_FOUND,
        Doc::plain(APP_NAME),
        html! { div.empty role="alert" { p { (NOT_FOUND) } } },
    )
}

/// One request's view of the site: the state, and the absolute address of the site's root
/// that shared links, their preview image and the QR code point to (the configured public
/// address, or this request's host, HTTPS where the cookies are marked secure).
pub struct Here {
    state: AppState,
    root: String,
}

impl axum::extract::FromRequestParts<AppState> for Here {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let root = match &state.config.public_url {
            Some(u) => format!("{}/", u.trim_end_matches('/')),
            None => {
                let host = parts
                    .headers
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
                    .unwrap_or("localhost");
                let scheme = if state.config.secure_cookies { "https" } else { "http" };
                format!("{scheme}://{host}{}", state.config.base_path())
            }
        };
        Ok(Here {
            state: state.clone(),
            root,
        })
    }
}

/// What a page is called and what a shared link to it says: `title` names the document (and
/// the link in a chat), `heading` the bar, as the app's does; `description` is the line a
/// chat shows under the title.
struct Doc<'a> {
    title: &'a str,
    heading: &'a str,
    description: String,
}

impl<'a> Doc<'a> {
    fn plain(title: &'a str) -> Self {
        Doc {
            title,
            heading: title,
            description: SITE_DESCRIPTION.to_owned(),
        }
    }
}

/// A whole page: the app's stylesheet, a start-up check that marks a browser without
/// WebAssembly (so the links into the app say what to do instead), the bar, the content
/// in the page's one `<main>`, and the tab bar, all plain links. The head carries what a
/// chat shows for a shared link (title, description, image: Open Graph, which WeChat and
/// other messengers read).
fn page(here: &Here, status: StatusCode, doc: Doc, content: Markup) -> Response {
    let shell = static_files::shell(&here.state);
    let title = format!("{} · {APP_NAME}", doc.title);
    let heading = doc.heading;
    // What the page shows from the publication log is checked in the phone after it is shown.
    let checked = content.0.contains(" data-log=");
    let html = html! {
        (DOCTYPE)
        html lang="zh-Hans" {
            head {
                meta charset="utf-8";
                base href=(shell.base);
                meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover";
                meta name="theme-color" content="#a61b17";
                meta name="format-detection" content="telephone=no";
                title { (title) }
                meta name="description" content=(doc.description);
                meta property="og:type" content="website";
                meta property="og:site_name" content=(APP_NAME);
                meta property="og:title" content=(title);
                meta property="og:description" content=(doc.description);
                meta property="og:image" content=(format!("{}share.png", here.root));
                meta itemprop="image" content=(format!("{}share.png", here.root));
                link rel="icon" href="icon.svg" type="image/svg+xml";
                @if let Some(css) = &shell.stylesheet {
                    link rel="stylesheet" href=(css);
                }
                script { (PreEscaped(START_UP)) }
                @if checked { script src="verify.js" defer {} }
            }
            body {
                header.bar { h1 { (heading) } }
                main.content { (content) }
                nav.tabs aria-label=(APP_NAME) {
                    a href="./" { (TAB_DISCLOSURES) }
                    a href="demands" { (TAB_DEMANDS) }
                    a href="report" { (TAB_REPORTS) }
                    a href="polls" { (TAB_POLLS) }
                    a href="me" { (TAB_ME) }
                }
            }
        }
    };
    let mut res = (status, Html(html.into_string())).into_response();
    // Personal (a staff member sees drafts at the same address): never stored by proxies.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(static_files::PAGE_POLICY),
    );
    res
}

/// The JSON a reading page drew a published month, entry or stage from, carried in its
/// `data-log` for the phone's check against the publication log (`public/verify.js`).
fn log_data<T: serde::Serialize>(shown: &T) -> String {
    serde_json::to_string(shown).unwrap_or_default()
}

/// Large text as the app set it on this phone, and a mark on `<html>` where WebAssembly
/// cannot run (the same test as the app's page), before anything is drawn; then the
/// service worker that keeps reading pages for offline reading (`public/sw.js`), where
/// the browser has one.
const START_UP: &str = "(function(){var d=document.documentElement;try{if(localStorage.getItem('sunlight.large')==='1')d.className+=' large'}catch(e){}var ok=false;try{ok=typeof WebAssembly==='object'&&WebAssembly.validate(new Uint8Array([0,97,115,109,1,0,0,0,1,7,1,96,1,111,2,127,127,3,2,1,0,10,8,1,6,0,65,0,65,0,11]))}catch(e){}if(!ok)d.className+=' nowasm';try{if('serviceWorker' in navigator)navigator.serviceWorker.register('sw.js').catch(function(){})}catch(e){}})();";

fn yuan(fen: i64) -> String {
    if fen < 0 {
        format!("-¥{}", format_yuan(-fen))
    } else {
        format!("¥{}", format_yuan(fen))
    }
}

fn status_text(s: MonthStatus) -> &'static str {
    match s {
        MonthStatus::Draft => STATUS_DRAFT,
        MonthStatus::Submitted => STATUS_SUBMITTED,
        MonthStatus::Published => STATUS_PUBLISHED,
    }
}

/// A link into the app at the same address, and what to do where the app cannot run.
fn app_link(href: &str, label: &str) -> Markup {
    html! {
        p.needs-app { a.button.secondary href=(href) rel="nofollow" { (label) } }
        p.hint.needs-app { (NEEDS_APP) }
        p.hint.no-wasm role="note" { (NO_WASM) }
        noscript { p.hint { (NO_SCRIPT) } }
    }
}

fn totals(income: i64, expense: i64) -> Markup {
    html! {
        div.totals {
            div { span { (INCOME) } b { (yuan(income)) } }
            div { span { (EXPENSE) } b { (yuan(expense)) } }
            div { span { (BALANCE) } b { (yuan(income - expense)) } }
        }
    }
}

fn year_body(y: &LedgerYear, code: &RegionCode) -> Markup {
    let max = y
        .months
        .iter()
        .map(|m| m.income_fen.max(m.expense_fen))
        .max()
        .unwrap_or(1)
        .max(1);
    html! {
        div.yearbar {
            a.button.secondary href=(format!("ledger/{code}?year={}", y.year - 1)) aria-label=(PREV_YEAR) { "‹" }
            h2 { (y.year) " 年账目" }
            a.button.secondary href=(format!("ledger/{code}?year={}", y.year + 1)) aria-label=(NEXT_YEAR) { "›" }
        }
        @if y.months.is_empty() {
            div.empty { p { (NO_PUBLISHED) } }
        } @else {
            section.card {
                h2 { (TREND) }
                svg.chart viewBox="0 0 300 112" role="img" aria-label=(TREND) {
                    @for month in 1..=12u32 {
                        @let m = y.months.iter().find(|s| s.month.month == month);
                        @let (inc, exp) = m.map(|m| (m.income_fen, m.expense_fen)).unwrap_or((0, 0));
                        @let x = i64::from(month - 1) * 25 + 2;
                        @let (hi, he) = (inc * 100 / max, exp * 100 / max);
                        rect x=(x) y=(110 - hi) width="10" height=(hi) class="inc" {}
                        rect x=(x + 11) y=(110 - he) width="10" height=(he) class="exp" {}
                    }
                }
                ol.axis aria-hidden="true" { @for month in 1..=12u32 { li { (month) } } }
                p.legend { span.key.inc {} (INCOME) " " span.key.exp {} (EXPENSE) }
            }
            ul.months {
                @for m in y.months.iter().rev() {
                    li {
                        a href=(format!("ledger/{code}/{}", m.month)) {
                            b { (m.month) }
                            span.muted { (status_text(m.status)) }
                            span { (INCOME) " " (yuan(m.income_fen)) }
                            span { (EXPENSE) " " (yuan(m.expense_fen)) }
                            span { (BALANCE) " " (yuan(m.income_fen - m.expense_fen)) }
                        }
                    }
                }
            }
        }
        p { a.button.secondary href=(format!("disclosures/{code}?year={}", y.year)) { (CATALOGUE_LINK) } }
        (app_link(&format!("ledger/{code}?app"), OPEN_APP))
        p { a href=(format!("poster/{code}")) { (POSTER_LINK) } }
    }
}

/// The address the village's QR code points to.
fn village_url(here: &Here, code: &RegionCode) -> String {
    format!("{}ledger/{code}", here.root)
}

/// A QR code as SVG: one square per dark module, four modules of quiet zone.
fn qr(text: &str) -> Option<String> {
    let code = qrcodegen::QrCode::encode_text(text, qrcodegen::QrCodeEcc::Medium).ok()?;
    let n = code.size();
    let mut path = String::new();
    for y in 0..n {
        for x in 0..n {
            if code.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + 4, y + 4));
            }
        }
    }
    let side = n + 8;
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"{QR_LABEL}\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

/// The village whose poster is asked for, if it is one.
async fn village(here: &Here, code: &str) -> Result<(RegionCode, String), Response> {
    let code = RegionCode::parse(code).map_err(|_| not_found(here))?;
    if code.level() != sunlight_api::RegionLevel::Village {
        return Err(not_found(here));
    }
    match here.state.db.region(&code).await {
        Ok(Some(r)) => Ok((code, r.name)),
        Ok(None) => Err(not_found(here)),
        Err(e) => Err(ApiError::from(e).into_response()),
    }
}

/// `/poster/{village}/qr.svg`: the QR code of the village's page, to print at any size.
/// Only the village's name and address are in it, so anyone may have it.
async fn qr_svg(here: Here, Path(code): Path<String>) -> Response {
    let (code, _) = match village(&here, &code).await {
        Ok(v) => v,
        Err(res) => return res,
    };
    match qr(&village_url(&here, &code)) {
        Some(svg) => ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response(),
        None => ApiError::NotFound.into_response(),
    }
}

/// `/poster/{village}`: an A4 poster for the notice board (村务公开栏): the village's name,
/// its QR code and address, and what a villager finds there. Print it from the browser.
async fn poster(here: Here, Path(code): Path<String>) -> Response {
    let (code, name) = match village(&here, &code).await {
        Ok(v) => v,
        Err(res) => return res,
    };
    let url = village_url(&here, &code);
    let villagers_only = match here.state.db.disclosures_public(&code).await {
        Ok(public) => !public,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let svg = qr(&url).unwrap_or_default();
    let content = html! {
        style { (PreEscaped(POSTER_STYLE)) }
        div.poster {
            h2 { (name) }
            p.poster-title { (POSTER_TITLE) }
            div.qr { (PreEscaped(svg)) }
            p.poster-scan { (POSTER_SCAN) }
            @if villagers_only { p { (POSTER_VILLAGERS_ONLY) } }
            p.poster-url { (url) }
            p.muted { (APP_NAME) }
        }
        p.no-print { button type="button" onclick="window.print()" { (PRINT) } }
    };
    let title = format!("{name} · {POSTER_TITLE}");
    let doc = Doc {
        title: &title,
        heading: &name,
        description: POSTER_SCAN.to_owned(),
    };
    page(&here, StatusCode::OK, doc, content)
}

/// The poster fills an A4 sheet when printed; the bars and buttons are left off paper.
const POSTER_STYLE: &str = "@page{size:A4;margin:15mm}.poster{text-align:center}.poster h2{font-size:2.2rem;margin:.5rem 0}.poster-title{font-size:1.6rem;font-weight:bold;color:var(--red-dark)}.poster .qr svg{width:min(80vw,120mm);height:auto}.poster-scan{font-size:1.2rem}.poster-url{word-break:break-all;font-family:monospace}@media print{.bar,.tabs,.no-print{display:none}.content{padding:0}}";

fn month_body(m: &LedgerMonth) -> Markup {
    let code = &m.village;
    let max = m.categories.first().map(|c| c.expense_fen).unwrap_or(1).max(1);
    let corrected = m
        .corrections
        .iter()
        .any(|c| c.status == MonthStatus::Published)
        .then(|| m.corrected_totals());
    html! {
        h2 {
            (m.village_name) " · " (m.month)
            @if let Some(s) = m.status { " " span.tag { (status_text(s)) } }
        }
        @if m.status == Some(MonthStatus::Published) { div data-log=(log_data(m)) data-log-kind="month" {} }
        @if m.closed_early { p.tag.warn { (CLOSED_EARLY) } }
        (totals(m.income_fen, m.expense_fen))
        @if !m.categories.is_empty() {
            section.card {
                h2 { (BY_CATEGORY) }
                ul.hbars {
                    @for c in &m.categories {
                        li {
                            span { (c.category) }
                            span.fill style=(format!("width:{}%", (c.expense_fen * 70 / max).max(1))) {}
                            b { (yuan(c.expense_fen)) }
                        }
                    }
                }
            }
        }
        @if m.status.is_none() {
            div.empty { p { (MONTH_NOT_PUBLISHED) } }
        }
        ul.lines { @for l in &m.lines { (line(l)) } }
        @for c in &m.corrections {
            section.card.correction {
                h2 { (CORRECTION) (c.seq) " " span.tag { (status_text(c.status)) } }
                p { (CORRECTION_REASON) "：" (c.reason) }
                @if let Some(at) = c.published_at { p.muted { (PUBLISHED_AT) " " (at.china_string()) } }
                p { (INCOME) " " (yuan(c.income_fen)) " · " (EXPENSE) " " (yuan(c.expense_fen)) }
                ul.lines { @for l in &c.lines { (line(l)) } }
            }
        }
        @if let Some((income, expense)) = corrected {
            section.card { h2 { (CORRECTED_TOTALS) } (totals(income, expense)) }
        }
        nav.pager {
            a.button.secondary href=(format!("ledger/{code}/{}", m.month.minus(1))) { "‹ " (PREV_MONTH) }
            a.button.secondary href=(format!("ledger/{code}?year={}", m.month.year)) { (MONTH_YEAR) }
            a.button.secondary href=(format!("ledger/{code}/{}", m.month.plus(1))) { (NEXT_MONTH) " ›" }
        }
        @if m.status == Some(MonthStatus::Published) {
            // The app checks the month against the county's publication log in the phone;
            // this page, with no script, cannot.
            p.needs-app { a.button.secondary href=(format!("ledger/{code}/{}?app", m.month)) rel="nofollow" { (CHECK_IN_APP) } }
            (app_link(&format!("ledger/{code}/{}?app", m.month), ASK_QUESTION))
        }
    }
}

/// One line, as the app's `LineItem` shows it to a reader.
/// A line's invoice photos or a poll's documents: photos as thumbnails opening the screen
/// copy, PDFs as downloads; `base` is where their files are served.
fn thumbs(files: &[Attachment], base: &str, label: &str, pdf_label: &str) -> Markup {
    html! {
        @if !files.is_empty() {
            div.thumbs {
                @for a in files {
                    @match a.kind {
                        AttachmentKind::Image => {
                            @let (w, h) = (a.width.unwrap_or(4), a.height.unwrap_or(3));
                            a.thumb href=(format!("{base}/{}/screen", a.id)) aria-label=(label) {
                                img src=(format!("{base}/{}/thumb", a.id)) loading="lazy" width="96"
                                    height=((96 * h / w.max(1)).clamp(48, 160)) alt=(label);
                            }
                        }
                        AttachmentKind::Pdf => {
                            a.button.secondary href=(format!("{base}/{}/pdf", a.id)) download { (pdf_label) }
                        }
                    }
                }
            }
        }
    }
}

fn line(l: &Line) -> Markup {
    let income = l.kind == Kind::Income;
    html! {
        li.line.rejected[l.status == LineStatus::Rejected] {
            div.head {
                span.muted { (l.date) }
                span { (l.category) }
                b class=(if income { "in" } else { "out" }) { (if income { "+" } else { "−" }) (yuan(l.amount_fen)) }
            }
            p {
                (l.counterparty)
                @if let Some(n) = &l.invoice_no { " · " (INVOICE) " " (n) }
                @if let Some(n) = &l.note { br; span.muted { (n) } }
            }
            @match l.status {
                LineStatus::Pending => span.tag { (STATUS_SUBMITTED) },
                LineStatus::Rejected => span.tag { (LINE_REJECTED) },
                LineStatus::Approved => {},
            }
            @if l.lacks_invoice() { span.tag.warn { (NO_INVOICE) } }
            @if let Some(r) = &l.no_invoice_reason { p.muted { (NO_INVOICE_REASON) "：" (r) } }
            @if let Some(s) = &l.seal {
                div.seal aria-label=(SEALED) {
                    span.stamp { (s.township) br; (SEALED) }
                    span.muted { (REVIEWER) " " (s.reviewer) br; (s.at.china_string()) }
                }
            }
            (thumbs(&l.attachments, "api/files", INVOICE, DOWNLOAD_PDF))
            @if !l.questions.is_empty() {
                div.questions {
                    h3 { (QUESTIONS) }
                    @for q in &l.questions {
                        div.qa {
                            p { "问：" (q.question) span.muted { " " (q.asked_at.china_string()) } }
                            @match &q.answer {
                                Some(a) => p { "答：" (a) span.muted { " " (q.answered_by.clone().unwrap_or_default()) " " (q.answered_at.map(|t| t.china_string()).unwrap_or_default()) } },
                                None => p.muted { (WAITING_ANSWER) },
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the SVG back as a phone's camera would (its squares drawn 4 px a module on
    /// white) and decodes it: the poster's code says exactly the village's address.
    #[test]
    fn the_qr_code_reads_back_as_the_village_address() {
        let url = "https://cunwu.example.cn/cunwu/ledger/359901101201";
        let svg = qr(url).unwrap();
        let side: usize = svg
            .split("viewBox=\"0 0 ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let scale = 4;
        let mut dark = vec![false; side * side];
        let path = svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
        for square in path.split('M').filter(|s| !s.is_empty()) {
            let (x, rest) = square.split_once(',').unwrap();
            let y = rest.split('h').next().unwrap();
            dark[y.parse::<usize>().unwrap() * side + x.parse::<usize>().unwrap()] = true;
        }
        let px = side * scale;
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(px, px, |x, y| {
            if dark[(y / scale) * side + x / scale] { 0 } else { 255 }
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, url);
    }
}
