//! `/demands/{id}`: one demand's status, history, photos and voice note as a page the server
//! renders, for whoever the API lets read it (`demands::demand_for`), so a villager opening
//! it from a message or the to-do list sees where it stands at once, on any phone. Taking a
//! step (rating, reopening, joining, adding a photo, working it) is a link to the same
//! address with `?app`.

use axum::{
    extract::{Path, Query},
    http::StatusCode,
    response::Response,
};
use maud::{Markup, html};
use sunlight_api::{
    RegionLevel, Role,
    demand::{Demand, DemandClass, DemandState, EventKind, Satisfaction},
};

use super::{APP_NAME, Doc, Here, PageQuery, SIGN_IN, app_link, not_found, page, static_files, thumbs};
use crate::authz::Reader;

/// The demands page's own words (zh-Hans), checked against `app/src/words_demands.rs` and
/// `app/src/i18n.rs` by `tests/api/tidy.rs`.
pub mod demand_words {
    pub const DEMAND_TITLE: &str = "诉求详情";
    pub const NUMBER: &str = "编号";
    pub const FILED: &str = "待受理";
    pub const ACCEPTED: &str = "办理中";
    pub const CLOSED: &str = "已办结";
    pub const MERGED: &str = "已合并";
    pub const OVERDUE: &str = "超期";
    pub const PUBLIC: &str = "公开";
    pub const PRIVATE: &str = "不公开";
    pub const HELD_BY: &str = "办理单位";
    pub const DUE_BY: &str = "办理期限";
    pub const NO_DUE_YET: &str = "期限待定（工作日历还没有下一年的安排，需管理员补充）";
    pub const HISTORY: &str = "办理记录";
    pub const VOICE: &str = "语音";
    pub const PHOTO: &str = "照片";
    pub const SATISFIED: &str = "满意";
    pub const BASIC: &str = "基本满意";
    pub const UNSATISFIED: &str = "不满意";
    pub const YOUR_RATING: &str = "您的评价：";
    pub const EDUCATION: &str = "宣传教育";
    pub const DISCLOSURE: &str = "公示公开";
    pub const SERVICE: &str = "便民服务";
    pub const PETITION: &str = "信访举报（反映干部问题）";
    pub const OPINION: &str = "舆情管控";
    pub const EV_FILED: &str = "提出诉求";
    pub const EV_JOINED: &str = "又有一户反映了同样的问题";
    pub const EV_ACCEPTED: &str = "已受理";
    pub const EV_ANSWERED: &str = "答复";
    pub const EV_CLOSED: &str = "办结";
    pub const EV_ESCALATED: &str = "上报上级";
    pub const EV_SENT_DOWN: &str = "交办下级";
    pub const EV_OVERDUE: &str = "超过办理期限，自动提级";
    pub const EV_PRESSED: &str = "纪检督办";
    pub const EV_RATED: &str = "评价";
    pub const EV_REOPENED: &str = "不满意，重新办理（提交上一级）";
    pub const EV_MERGED: &str = "与另一件诉求合并";
    pub const EV_ABSORBED: &str = "合并了一件相同的诉求";
    pub const CADRE: &str = "村干部";
    pub const HANDLER: &str = "承办部门";
    pub const INSPECTOR: &str = "纪检监察";
    pub const LEVEL_VILLAGE: &str = "村";
    pub const LEVEL_TOWNSHIP: &str = "乡镇";
    pub const LEVEL_COUNTY: &str = "县（区）";
    pub const LEVEL_CITY: &str = "市";
}
use demand_words::*;

/// Words of this page only.
const TO_ACT: &str = "评价、补充照片或办理";
const SIGN_IN_TO_READ: &str = "诉求只有本村村民和办理的干部可以查看，请先登录。";

fn state_text(s: DemandState) -> &'static str {
    match s {
        DemandState::Filed => FILED,
        DemandState::Accepted => ACCEPTED,
        DemandState::Closed => CLOSED,
        DemandState::Merged => MERGED,
    }
}

fn class_text(c: DemandClass) -> &'static str {
    match c {
        DemandClass::Education => EDUCATION,
        DemandClass::Disclosure => DISCLOSURE,
        DemandClass::Service => SERVICE,
        DemandClass::Petition => PETITION,
        DemandClass::Opinion => OPINION,
    }
}

fn event_text(k: EventKind) -> &'static str {
    match k {
        EventKind::Filed => EV_FILED,
        EventKind::Joined => EV_JOINED,
        EventKind::Accepted => EV_ACCEPTED,
        EventKind::Answered => EV_ANSWERED,
        EventKind::Closed => EV_CLOSED,
        EventKind::Escalated => EV_ESCALATED,
        EventKind::SentDown => EV_SENT_DOWN,
        EventKind::Overdue => EV_OVERDUE,
        EventKind::Pressed => EV_PRESSED,
        EventKind::Rated => EV_RATED,
        EventKind::Reopened => EV_REOPENED,
        EventKind::Merged => EV_MERGED,
        EventKind::Absorbed => EV_ABSORBED,
    }
}

fn rating_text(r: Satisfaction) -> &'static str {
    match r {
        Satisfaction::Satisfied => SATISFIED,
        Satisfaction::Basic => BASIC,
        Satisfaction::Unsatisfied => UNSATISFIED,
    }
}

fn level_text(l: RegionLevel) -> &'static str {
    match l {
        RegionLevel::Village => LEVEL_VILLAGE,
        RegionLevel::Township => LEVEL_TOWNSHIP,
        RegionLevel::County => LEVEL_COUNTY,
        RegionLevel::City => LEVEL_CITY,
    }
}

/// The post a step was taken in, as the history names it (a label, not a permission).
fn post_text(r: Role) -> &'static str {
    match r.as_str() {
        "inspector" => INSPECTOR,
        "cadre" => CADRE,
        _ => HANDLER,
    }
}

pub(super) async fn demand_page(
    here: Here,
    reader: Reader,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
    req: axum::extract::Request,
) -> Response {
    // The demands bundle's own files (`/demands/….js`) and its routes (`/demands/new`).
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return static_files::serve(axum::extract::State(here.state.clone()), req).await;
    };
    if q.app.is_some() {
        return static_files::demands_page(&here.state);
    }
    match crate::http::demands::demand_for(&here.state, &reader, id).await {
        Ok(d) => {
            let description = format!("{} · {}", state_text(d.summary.state), d.summary.village_name);
            let title = d.summary.text.chars().take(30).collect::<String>();
            page(
                &here,
                StatusCode::OK,
                Doc {
                    title: &title,
                    heading: DEMAND_TITLE,
                    description,
                },
                body(&d),
            )
        }
        Err(crate::http::error::ApiError::NotSignedIn) => page(
            &here,
            StatusCode::UNAUTHORIZED,
            Doc::plain(APP_NAME),
            html! {
                div.empty role="alert" {
                    p { (SIGN_IN_TO_READ) }
                    p { a.button href="./" { (SIGN_IN) } }
                }
            },
        ),
        Err(_) => not_found(&here),
    }
}

fn body(d: &Demand) -> Markup {
    let s = &d.summary;
    let open = s.state.is_open();
    let may_act = !d.steps.is_empty() || d.can_join || d.can_add_photos || d.can_add_voice;
    html! {
        section.card.demand {
            p.muted { (NUMBER) " " (s.number) " · " (s.village_name) }
            p.demand-body { (s.text) }
            @if let Some(secs) = d.voice_seconds {
                div.voice {
                    p { (VOICE) " " (secs) "″" }
                    audio controls preload="none" src=(format!("api/demands/{}/voice", s.id)) {}
                }
            }
            p {
                span.tag { (state_text(s.state)) }
                @if s.overdue && open { span.tag.late { (OVERDUE) } }
                span.tag { (if s.public { PUBLIC } else { PRIVATE }) }
                " " (class_text(s.class)) " · " (s.subcategory)
            }
            @if open {
                p {
                    (HELD_BY) " " b { (s.holder_name) } " （" (level_text(s.level)) "）"
                    @if let Some(due) = s.due_at {
                        " · " (DUE_BY) " " b { (due.deadline_day()) "（含当天）" }
                    } @else if s.awaiting_calendar {
                        " · " (NO_DUE_YET)
                    }
                }
            }
            (thumbs(&d.photos, "api/demand-photos", PHOTO, PHOTO))
        }
        @if s.state == DemandState::Closed {
            p.muted {
                (SATISFIED) " " (d.ratings.satisfied) " · " (BASIC) " " (d.ratings.basic) " · "
                (UNSATISFIED) " " (d.ratings.unsatisfied)
                @if let Some(r) = d.my_rating { " · " (YOUR_RATING) (rating_text(r)) }
            }
        }
        @if may_act {
            (app_link(&format!("demands/{}?app", s.id), TO_ACT))
        }
        h2 { (HISTORY) }
        ol.timeline {
            @for e in d.events.iter().rev() {
                li {
                    p { b { (event_text(e.kind)) } " · " (e.at.china_string()) }
                    p.muted {
                        @if let Some(by) = &e.by {
                            (by) "（" (e.role.map(post_text).unwrap_or("")) "）· "
                        }
                        (e.region_name)
                        @if let Some(r) = e.rating { " · " (rating_text(r)) }
                    }
                    @if let Some(n) = &e.note { p.note { (n) } }
                    (thumbs(&e.photos, "api/demand-photos", PHOTO, PHOTO))
                }
            }
        }
    }
}
