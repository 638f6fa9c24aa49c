//! `/me/subsidies`: 我的补助, a signed-in villager's household's subsidies in a year as the
//! published accounts record them, beside the village's whole published list of the same
//! subsidies with names masked and the household's own marked: "did I get what the list
//! says I got?" on one page. Built from `ledger::subsidies_for`, as the API answers it.

use axum::{
    extract::Query,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use maud::{Markup, html};
use serde::Deserialize;
use sunlight_api::ledger::{MySubsidies, SubsidyPayment};

use super::{Doc, Here, NEXT_YEAR, PREV_YEAR, SIGN_IN, ledger, page, yuan};
use crate::{authz::Reader, http::error::ApiError};

/// This page's own words (it has no screen in the app).
const TITLE: &str = "我的补助";
const SIGN_IN_TO_READ: &str = "我的补助只有本人登录后才能查看。";
const NO_HOUSEHOLD: &str = "您的账号还没有登记到户，看不到本户的补助。请找村干部登记。";
const HOUSEHOLD: &str = "户号";
const MATCHED: &str = "按户主姓名查找：";
const OURS: &str = "本户领取";
const OURS_TOTAL: &str = "本户合计";
const NONE_OURS: &str = "这一年公开的账目里，没有发给本户的补助。";
const LIST: &str = "全村公开名单";
const LIST_TOTAL: &str = "全村合计";
const NONE_LIST: &str = "这一年公开的账目里没有补助发放。";
const OUR_TAG: &str = "本户";
const NAMESAKE: &str = "按村里登记的户主姓名查找：同名的人领取的补助也会列在“本户领取”里，户里其他人领取的请在全村名单里找。对哪一笔有疑问，点开那个月的账目，可以看发票和审核盖章、核验是否被改动，也可以提问。";
const SEE_MONTH: &str = "查看当月账目";

#[derive(Debug, Deserialize)]
pub(super) struct YearQuery {
    year: Option<i32>,
}

pub(super) async fn subsidies_page(here: Here, reader: Reader, Query(q): Query<YearQuery>) -> Response {
    let message = |status, text: &str, link: bool| {
        page(
            &here,
            status,
            Doc::plain(TITLE),
            html! {
                div.empty role="alert" {
                    p { (text) }
                    @if link { p { a.button href="login" { (SIGN_IN) } } }
                }
            },
        )
    };
    let Some(actor) = reader.person() else {
        return message(StatusCode::UNAUTHORIZED, SIGN_IN_TO_READ, true);
    };
    match ledger::subsidies_for(&here.state, actor, q.year).await {
        Ok(s) => page(&here, StatusCode::OK, Doc::plain(TITLE), body(&s)),
        Err(ApiError::NotFound) => message(StatusCode::NOT_FOUND, NO_HOUSEHOLD, false),
        Err(e) => e.into_response(),
    }
}

fn payment(p: &SubsidyPayment, village: &str) -> Markup {
    html! {
        li.line.mine[p.mine] {
            div.head {
                span.muted { (p.date) }
                span { (p.category) }
                b.out { (yuan(p.amount_fen)) }
            }
            p {
                (p.recipient)
                @if p.mine { " " span.tag { (OUR_TAG) } }
                @if let Some(n) = &p.note { br; span.muted { (n) } }
            }
            // The app's month: there it is checked against the publication log.
            p { a href=(format!("ledger/{village}/{}?app#line-{}", p.month, p.line)) rel="nofollow" { (SEE_MONTH) } }
        }
    }
}

fn body(s: &MySubsidies) -> Markup {
    let village = s.village.as_str();
    html! {
        h2 { (s.village_name) " · " (s.year) }
        p.muted { (HOUSEHOLD) " " (s.household) " · " (MATCHED) (s.members.join("、")) }
        section.card {
            h2 { (OURS) }
            @if s.mine.is_empty() {
                p { (NONE_OURS) }
            } @else {
                ul.lines { @for p in &s.mine { (payment(p, village)) } }
                p { b { (OURS_TOTAL) " " (yuan(s.mine_fen)) } }
            }
        }
        section.card {
            h2 { (LIST) }
            @if s.list.is_empty() {
                p { (NONE_LIST) }
            } @else {
                ul.lines { @for p in &s.list { (payment(p, village)) } }
                p { b { (LIST_TOTAL) " " (yuan(s.list_fen)) } }
            }
        }
        p.hint { (NAMESAKE) }
        nav.pager {
            a.button.secondary href=(format!("me/subsidies?year={}", s.year - 1)) { "‹ " (PREV_YEAR) }
            a.button.secondary href=(format!("me/subsidies?year={}", s.year + 1)) { (NEXT_YEAR) " ›" }
        }
    }
}
