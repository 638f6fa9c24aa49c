//! Demands (诉求): villagers file them; the village's cadre, then the township's, county's
//! and city's handlers work them; the clock sends up what runs past its limit; filers rate
//! the result. The state machine is `sunlight_api::demand::transition`; the writes that
//! apply it are in `db::demands`; the clock in `crate::demands`.

use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sunlight_api::{
    ErrorBody, Page, RegionCode, RegionLevel,
    demand::{
        self, Demand, DemandEvent, DemandState, DemandSummary, EventKind, Limits, Move, NOTE_MAX, NewDemand, Ratings,
        Satisfaction, Step, StepIn, TEXT_MAX, TodoItem,
    },
    error::FieldError,
    ledger::Attachment,
    wechat::NoticeKind,
};
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    AppState,
    error::{ApiError, ApiResult},
    extract::{ApiJson, ApiPath, ApiQuery},
};
use crate::{
    authz::{Action, Actor, authorize, permits},
    db::{
        cursor,
        demands::{DemandRecord, NewEvent, Scope, StepRefused, StepWrite},
        to_wire,
    },
    demands::{county_of, deadline},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_photo))
        .routes(routes!(add_voice, voice))
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::uploads::MAX_BYTES + 64 * 1024,
        ))
        .routes(routes!(list, file))
        .routes(routes!(similar))
        .routes(routes!(show))
        .routes(routes!(step))
        .routes(routes!(join))
        .routes(routes!(photo))
        .routes(routes!(mine))
        .routes(routes!(todo))
        .routes(routes!(stats))
        .routes(routes!(export))
        .routes(routes!(limits, set_limits))
}

const PAGE: i64 = 30;

fn text(raw: &str, field: &'static str, max: usize, required: bool) -> ApiResult<Option<String>> {
    let t = raw.trim();
    if t.is_empty() {
        return if required {
            Err(ApiError::invalid(field, FieldError::Required))
        } else {
            Ok(None)
        };
    }
    if t.chars().count() > max {
        return Err(ApiError::invalid(field, FieldError::TooLong));
    }
    Ok(Some(t.to_owned()))
}

/// How `actor` relates to a demand, decided once per request.
struct Standing {
    follower: bool,
    /// May read private demands of its village and the filers' contact.
    staff: bool,
    /// Works it now (holds the region that holds it).
    holder: bool,
    inspector: bool,
}

/// The demand, if `actor` may read it: its followers; the staff of its village and above;
/// where it is public, the people of its village. Everyone else gets 404, so that a private
/// demand's existence does not leak.
async fn readable(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<(DemandRecord, Standing)> {
    let d = state.db.demand(id).await?.ok_or(ApiError::NotFound)?;
    let follower = state.db.demand_follower(id, actor.0.id).await?;
    let staff = permits(actor, Action::ViewPrivateDemands, &d.village);
    let public_reader = d.public && permits(actor, Action::ViewDemands, &d.village);
    if !(follower || staff || public_reader) {
        return Err(ApiError::NotFound);
    }
    let standing = Standing {
        follower,
        staff,
        holder: permits(actor, Action::HandleDemands, &d.holder),
        inspector: permits(actor, Action::PressDemands, &d.village),
    };
    Ok((d, standing))
}

/// Region names looked up once per request (a list names the same few regions again and again).
#[derive(Default)]
struct Names(std::collections::HashMap<RegionCode, String>);

impl Names {
    async fn get(&mut self, state: &AppState, code: &RegionCode) -> ApiResult<String> {
        if let Some(n) = self.0.get(code) {
            return Ok(n.clone());
        }
        let name = state.db.region(code).await?.map(|r| r.name).unwrap_or_default();
        self.0.insert(code.clone(), name.clone());
        Ok(name)
    }
}

async fn summary(state: &AppState, names: &mut Names, d: &DemandRecord, mine: bool) -> ApiResult<DemandSummary> {
    let now = state.clock.now();
    Ok(DemandSummary {
        id: d.id,
        number: d.number.clone(),
        village: d.village.clone(),
        village_name: names.get(state, &d.village).await?,
        class: d.class,
        subcategory: d.subcategory.clone(),
        text: d.text.clone(),
        public: d.public,
        state: d.state,
        level: d.level(),
        holder: d.holder.clone(),
        holder_name: names.get(state, &d.holder).await?,
        filed_at: to_wire(d.filed_at),
        due_at: d.due_at.filter(|_| d.state.is_open()).map(to_wire),
        awaiting_calendar: d.state.is_open() && d.due_at.is_none() && d.late_since.is_none(),
        overdue: d.overdue_at(now) || d.overdue,
        followers: d.followers.max(0) as u32,
        closed_at: d.closed_at.map(to_wire),
        mine,
    })
}

/// The steps `actor` may take on `d` now.
fn steps_for(d: &DemandRecord, s: &Standing, my_rating: Option<Satisfaction>, now: DateTime<Utc>) -> Vec<Step> {
    Step::ALL
        .into_iter()
        .filter(|step| demand::transition(d.state, *step, d.level(), d.reopened).is_some())
        .filter(|step| match step {
            _ if step.by_holder() => s.holder,
            Step::Press => s.inspector && d.overdue_at(now),
            Step::Rate => s.follower && my_rating.is_none(),
            Step::Reopen => s.follower && !matches!(my_rating, Some(Satisfaction::Satisfied | Satisfaction::Basic)),
            _ => false,
        })
        .collect()
}

async fn detail(state: &AppState, actor: &Actor, d: DemandRecord, s: &Standing) -> ApiResult<Demand> {
    let now = state.clock.now();
    let ratings = state.db.demand_ratings(d.id).await?;
    let my_rating = ratings.iter().find(|(u, _)| *u == actor.0.id).map(|(_, r)| *r);
    let mut counts = Ratings::default();
    for (_, r) in &ratings {
        match r {
            Satisfaction::Satisfied => counts.satisfied += 1,
            Satisfaction::Basic => counts.basic += 1,
            Satisfaction::Unsatisfied => counts.unsatisfied += 1,
        }
    }
    let photos = state.db.demand_photos(Some(d.id), None).await?;
    let mut names = Names::default();
    let mut events = Vec::new();
    let stored = state.db.demand_events(d.id).await?;
    let mut result_photos: Vec<_> = photos.iter().filter(|p| p.2).collect();
    for e in stored {
        // A close carries the result photos uploaded before it.
        let photos_here = if e.kind == EventKind::Closed {
            let (with, rest): (Vec<_>, Vec<_>) = result_photos.into_iter().partition(|p| p.3 <= e.at);
            result_photos = rest;
            with.into_iter().map(|p| p.1.clone()).collect()
        } else {
            Vec::new()
        };
        let role = e.kind.post(e.holder.level(), e.actor_label.is_some());
        events.push(DemandEvent {
            at: to_wire(e.at),
            kind: e.kind,
            by: e.actor_label.clone(),
            role,
            level: e.holder.level(),
            region_name: names.get(state, &e.holder).await?,
            note: e.note,
            rating: e.rating,
            other: e.other,
            photos: photos_here,
        });
    }
    let contact = if s.staff {
        state.db.me(d.filer).await?.map(|m| format!("{} {}", m.name, m.mobile))
    } else {
        None
    };
    let can_add_photos =
        (s.follower && actor.0.id == d.filer && d.state == DemandState::Filed) || (s.holder && d.state.is_open());
    let can_join = !s.follower && d.state.is_open() && permits(actor, Action::FileDemand, &d.village);
    let voice = state.db.demand_voice(d.id).await?;
    let can_add_voice = voice.is_none() && s.follower && actor.0.id == d.filer && d.state == DemandState::Filed;
    if s.follower {
        state.db.demand_seen(d.id, actor.0.id, now).await?;
    }
    Ok(Demand {
        summary: summary(state, &mut names, &d, s.follower).await?,
        photos: photos.iter().filter(|p| !p.2).map(|p| p.1.clone()).collect(),
        events,
        ratings: counts,
        my_rating,
        reopened: d.reopened,
        merged_into: d.merged_into,
        steps: steps_for(&d, s, my_rating, now),
        can_add_photos,
        voice_seconds: voice.map(|v| v.1),
        can_add_voice,
        can_join,
        contact,
    })
}

/// A demand as `reader` may read it, by the API's rules: the server-rendered page's data.
pub(crate) async fn demand_for(state: &AppState, reader: &crate::authz::Reader, id: Uuid) -> ApiResult<Demand> {
    let actor = reader.person().ok_or(ApiError::NotSignedIn)?;
    let (d, s) = readable(state, actor, id).await?;
    detail(state, actor, d, &s).await
}

fn staff_label(actor: &Actor) -> String {
    actor.0.name.clone()
}

/// Files a demand in the caller's village. A complaint about a cadre (信访举报) is refused
/// with `belongs_in_report`: it goes to the private report page. Filing twice with the same
/// idempotency key files once (200 with the first; 201 when new). One account files at most
/// `MAX_PER_DAY` a day (429 until midnight, China time).
#[utoipa::path(post, path = "/api/regions/{code}/demands", tag = "demands", security(("sunlight_session" = [])),
    params(("code" = String, Path)),
    request_body = NewDemand,
    responses((status = 201, body = Demand), (status = 200, body = Demand), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn file(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiJson(body): ApiJson<NewDemand>,
) -> ApiResult<(StatusCode, Json<Demand>)> {
    authorize(&actor, Action::FileDemand, &code)?;
    if code.level() != RegionLevel::Village {
        return Err(ApiError::invalid("code", FieldError::WrongLevel));
    }
    state.db.region(&code).await?.ok_or(ApiError::NotFound)?;
    if body.class.is_report() {
        return Err(ApiError::invalid("class", FieldError::BelongsInReport));
    }
    let text = text(&body.text, "text", TEXT_MAX, true)?.unwrap_or_default();
    if !body.class.subcategories().contains(&body.subcategory.as_str()) {
        return Err(ApiError::invalid("subcategory", FieldError::NotListed));
    }
    let now = state.clock.now();
    let today = crate::demands::china_date(now);
    if state
        .db
        .demands_filed_on(actor.0.id, &today.to_string(), body.idempotency_key)
        .await?
        >= demand::MAX_PER_DAY
    {
        // Until midnight in China.
        let midnight = crate::demands::end_of(today);
        let wait = midnight.map_or(3600, |m| (m - now).num_seconds().clamp(1, 86_400) as u32);
        return Err(ApiError::RateLimited { retry_after: wait });
    }
    let county = county_of(&code).ok_or(ApiError::NotFound)?;
    let limits = state.db.demand_limits(&county).await?;
    let id = Uuid::new_v4();
    let mut record = DemandRecord {
        id,
        number: number_of(id, now),
        village: code.clone(),
        holder: code.clone(),
        class: body.class,
        subcategory: body.subcategory.clone(),
        text,
        public: body.public,
        state: DemandState::Filed,
        filer: actor.0.id,
        filed_at: now,
        held_since: now,
        due_at: deadline(&state.db.calendar().await?, &limits, &code, now),
        late_since: None,
        overdue: false,
        reopened: false,
        closed_at: None,
        merged_into: None,
        version: 0,
        followers: 1,
    };
    let event = NewEvent {
        at: now,
        kind: EventKind::Filed,
        actor: Some(actor.0.id),
        actor_label: None,
        holder: code.clone(),
        note: None,
        rating: None,
        other: None,
    };
    let mut tries = 0;
    let filed = loop {
        match state.db.insert_demand(&record, body.idempotency_key, &event).await {
            Err(e) if crate::db::is_unique_violation(&e, "demands_number_key") && tries < 3 => {
                tries += 1;
                record.id = Uuid::new_v4();
                record.number = number_of(record.id, now);
            }
            other => break other?,
        }
    };
    let (d, s) = readable(&state, &actor, filed.id).await?;
    let status = if filed.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(detail(&state, &actor, d, &s).await?)))
}

/// A reference people can read out: the filing date and the id's first eight hex digits
/// (unique by constraint; a clash, about one in a million on a busy city's day, files again
/// under a new id).
pub fn number_of(id: Uuid, at: DateTime<Utc>) -> String {
    let d = crate::demands::china_date(at);
    let hex = id.simple().to_string().to_uppercase();
    format!("{:04}{:02}{:02}-{}", d.year, d.month, d.day, &hex[..8])
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// `village` (the village's public demands and the caller's own; the default for
    /// villagers), `region` (every demand of the region, for its staff), `held` (what the
    /// region holds now, for its cadre or handler), `overdue` (open and past a limit).
    #[serde(default)]
    view: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
}

/// A region's demands, newest first (overdue: longest overdue first), 30 a page.
#[utoipa::path(get, path = "/api/regions/{code}/demands", tag = "demands", security(("sunlight_session" = [])),
    params(("code" = String, Path), ListQuery),
    responses((status = 200, body = Page<DemandSummary>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<DemandSummary>>> {
    let view = q.view.as_deref().unwrap_or("village");
    let scope = match view {
        "village" => {
            authorize(&actor, Action::ViewDemands, &code)?;
            if code.level() != RegionLevel::Village {
                return Err(ApiError::invalid("code", FieldError::WrongLevel));
            }
            Scope::Village {
                village: &code,
                user: actor.0.id,
            }
        }
        "region" => {
            authorize(&actor, Action::ViewPrivateDemands, &code)?;
            Scope::Region(&code)
        }
        "held" => {
            authorize(&actor, Action::HandleDemands, &code)?;
            Scope::Holder(&code)
        }
        "overdue" => {
            authorize(&actor, Action::ViewPrivateDemands, &code)?;
            Scope::Overdue(&code)
        }
        _ => return Err(ApiError::invalid("view", FieldError::NotListed)),
    };
    state.db.region(&code).await?.ok_or(ApiError::NotFound)?;
    page_of(&state, &actor, scope, q.cursor.as_deref()).await.map(Json)
}

async fn page_of(
    state: &AppState,
    actor: &Actor,
    scope: Scope<'_>,
    cursor: Option<&str>,
) -> ApiResult<Page<DemandSummary>> {
    let after = match cursor {
        Some(c) => {
            let (key, id) = cursor::decode(c).ok_or_else(|| ApiError::invalid("cursor", FieldError::BadFormat))?;
            let ms: i64 = key
                .parse()
                .map_err(|_| ApiError::invalid("cursor", FieldError::BadFormat))?;
            let at = DateTime::from_timestamp_millis(ms)
                .ok_or_else(|| ApiError::invalid("cursor", FieldError::BadFormat))?;
            Some((at, id))
        }
        None => None,
    };
    let rows = state.db.demands(scope, after, PAGE + 1, state.clock.now()).await?;
    let more = rows.len() as i64 > PAGE;
    let mut items = Vec::new();
    let mut names = Names::default();
    let followed = state.db.followed_by(actor.0.id).await?;
    for d in rows.iter().take(PAGE as usize) {
        items.push(summary(state, &mut names, d, followed.contains(&d.id)).await?);
    }
    let next = if more {
        rows.get(PAGE as usize - 1)
            .map(|d| cursor::encode(&d.filed_at.timestamp_millis().to_string(), d.id))
    } else {
        None
    };
    Ok(Page { items, next })
}

/// The demands the caller filed or follows, newest first.
#[utoipa::path(get, path = "/api/me/demands", tag = "demands", security(("sunlight_session" = [])),
    params(("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<DemandSummary>), (status = 422, body = ErrorBody)))]
async fn mine(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<DemandSummary>>> {
    page_of(&state, &actor, Scope::Following(actor.0.id), q.cursor.as_deref())
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SimilarQuery {
    /// The text being typed.
    text: String,
}

/// Open public demands of the village that look like `text` (most alike first, at most
/// five), so a villager can join one instead of filing the same problem again.
#[utoipa::path(get, path = "/api/regions/{code}/demands/similar", tag = "demands", security(("sunlight_session" = [])),
    params(("code" = String, Path), SimilarQuery),
    responses((status = 200, body = Vec<DemandSummary>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn similar(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiQuery(q): ApiQuery<SimilarQuery>,
) -> ApiResult<Json<Vec<DemandSummary>>> {
    authorize(&actor, Action::FileDemand, &code)?;
    let wanted = bigrams(&q.text);
    let suggested = demand::suggest(&q.text).map(|(_, s)| s);
    let mut scored: Vec<(f64, DemandRecord)> = state
        .db
        .open_public_demands(&code)
        .await?
        .into_iter()
        .map(|d| {
            let theirs = bigrams(&d.text);
            let shared = wanted.intersection(&theirs).count() as f64;
            let base = (wanted.len().min(theirs.len()).max(1)) as f64;
            let same_sub = suggested == Some(d.subcategory.as_str());
            (shared / base + if same_sub { 0.3 } else { 0.0 }, d)
        })
        .filter(|(score, _)| *score >= 0.3)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out = Vec::new();
    let mut names = Names::default();
    let followed = state.db.followed_by(actor.0.id).await?;
    for (_, d) in scored.into_iter().take(5) {
        out.push(summary(&state, &mut names, &d, followed.contains(&d.id)).await?);
    }
    Ok(Json(out))
}

/// Pairs of neighbouring characters, ignoring spaces and punctuation: Chinese has no
/// spaces, and two texts on the same problem share many of them.
fn bigrams(text: &str) -> std::collections::HashSet<(char, char)> {
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// One demand with its history, photos and ratings, and what the caller may do with it.
#[utoipa::path(get, path = "/api/demands/{id}", tag = "demands", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Demand), (status = 404, body = ErrorBody)))]
async fn show(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<Demand>> {
    let (d, s) = readable(&state, &actor, id).await?;
    Ok(Json(detail(&state, &actor, d, &s).await?))
}

/// Takes a step on a demand (see the state machine in ARCHITECTURE.md). A step its state
/// does not allow, or one decided on a state that changed meanwhile, is refused with 409
/// `demand_step_refused`; a step the caller's post may not take, with 403.
#[utoipa::path(post, path = "/api/demands/{id}/steps", tag = "demands", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    request_body = StepIn,
    responses((status = 200, body = Demand), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn step(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<StepIn>,
) -> ApiResult<Json<Demand>> {
    let (d, s) = readable(&state, &actor, id).await?;
    let now = state.clock.now();
    // Who may take it, before whether its state allows it.
    let allowed_post = match body.step {
        step if step.by_holder() => s.holder,
        Step::Press => s.inspector,
        Step::Rate | Step::Reopen => s.follower,
        _ => false,
    };
    if !allowed_post {
        return Err(ApiError::Forbidden);
    }
    let ratings = state.db.demand_ratings(id).await?;
    let my_rating = ratings.iter().find(|(u, _)| *u == actor.0.id).map(|(_, r)| *r);
    if !steps_for(&d, &s, my_rating, now).contains(&body.step) {
        return Err(match (body.step, my_rating) {
            (Step::Rate, Some(_)) => ApiError::AlreadyRated,
            _ => ApiError::DemandStepRefused,
        });
    }
    let note = text(&body.note, "note", NOTE_MAX, body.step.needs_note())?;
    let (state_after, mv) =
        demand::transition(d.state, body.step, d.level(), d.reopened).ok_or(ApiError::DemandStepRefused)?;
    let county = county_of(&d.village).ok_or(ApiError::NotFound)?;
    let limits = state.db.demand_limits(&county).await?;
    let mut after = d.clone();
    after.state = state_after;
    let level = match mv {
        Move::Stay => None,
        Move::Up => demand::level_up(d.level()),
        Move::Down => demand::level_down(d.level()),
    };
    if let Some(level) = level {
        after.holder = demand::region_at(&d.village, level).ok_or(ApiError::DemandStepRefused)?;
        after.due_at = deadline(&state.db.calendar().await?, &limits, &after.holder, now);
        after.held_since = now;
        after.late_since = None;
    }
    let mut rating = None;
    let mut merge_into = None;
    let mut other = None;
    match body.step {
        Step::Close => {
            after.closed_at = Some(now);
            after.due_at = None;
            after.late_since = None;
        }
        Step::Reopen => {
            after.reopened = true;
            after.closed_at = None;
        }
        Step::Rate => {
            let r = body
                .rating
                .ok_or_else(|| ApiError::invalid("rating", FieldError::Required))?;
            rating = Some((actor.0.id, r));
        }
        Step::Merge => {
            let into = body
                .into
                .ok_or_else(|| ApiError::invalid("into", FieldError::Required))?;
            let target = state
                .db
                .demand(into)
                .await?
                .ok_or_else(|| ApiError::invalid("into", FieldError::NotListed))?;
            if into == d.id || target.village != d.village || target.holder != d.holder || !target.state.is_open() {
                return Err(ApiError::invalid("into", FieldError::NotListed));
            }
            after.merged_into = Some(into);
            after.due_at = None;
            after.late_since = None;
            other = Some(into);
            merge_into = Some((
                into,
                NewEvent {
                    at: now,
                    kind: EventKind::Absorbed,
                    actor: Some(actor.0.id),
                    actor_label: Some(staff_label(&actor)),
                    holder: target.holder.clone(),
                    note: None,
                    rating: None,
                    other: Some(d.id),
                },
            ));
        }
        _ => {}
    }
    let kind = match body.step {
        Step::Accept => EventKind::Accepted,
        Step::Answer => EventKind::Answered,
        Step::Close => EventKind::Closed,
        Step::Escalate => EventKind::Escalated,
        Step::SendDown => EventKind::SentDown,
        Step::Press => EventKind::Pressed,
        Step::Rate => EventKind::Rated,
        Step::Reopen => EventKind::Reopened,
        Step::Merge => EventKind::Merged,
    };
    // Villagers are never named in a history others read.
    let staff_step = body.step.by_holder() || body.step == Step::Press;
    let event = NewEvent {
        at: now,
        kind,
        actor: Some(actor.0.id),
        actor_label: staff_step.then(|| staff_label(&actor)),
        holder: after.holder.clone(),
        note,
        rating: body.rating.filter(|_| body.step == Step::Rate),
        other,
    };
    let write = StepWrite {
        after,
        event,
        rating,
        merge_into,
    };
    match state.db.record_step(&write).await? {
        Ok(()) => {}
        Err(StepRefused::AlreadyRated) => return Err(ApiError::AlreadyRated),
        Err(StepRefused::Changed) => return Err(ApiError::DemandStepRefused),
        Err(StepRefused::TargetClosed) => return Err(ApiError::invalid("into", FieldError::NotListed)),
    }
    // Its followers hear of it in WeChat, where they agreed to.
    let told = match body.step {
        Step::Accept => Some((NoticeKind::DemandAccepted, "已受理")),
        Step::Answer => Some((NoticeKind::DemandAnswered, "有了答复")),
        Step::Close => Some((NoticeKind::DemandClosed, "已办结")),
        _ => None,
    };
    if let Some((kind, done)) = told {
        // The step stands whatever happens to its messages.
        let users: Vec<Uuid> = state
            .db
            .demand_followers(id)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|u| *u != actor.0.id)
            .collect();
        let event = format!("demand:{id}:{}:{}", kind.as_str(), now.timestamp_millis());
        // What happened first: a message field holds 20 characters.
        let what = format!("您的诉求{done}：{}", d.subcategory);
        crate::wechat::notify(&state, &users, kind, &event, &d.village, what, format!("demands/{id}")).await;
    }
    let (d, s) = readable(&state, &actor, id).await?;
    Ok(Json(detail(&state, &actor, d, &s).await?))
}

/// Joins an open demand of one's village ("我也遇到了"): the caller follows it like its
/// filer, is kept informed, and rates it when it closes.
#[utoipa::path(post, path = "/api/demands/{id}/join", tag = "demands", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Demand), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn join(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<Demand>> {
    let (d, s) = readable(&state, &actor, id).await?;
    authorize(&actor, Action::FileDemand, &d.village)?;
    if s.follower {
        return Err(ApiError::Conflict("demand"));
    }
    let event = NewEvent {
        at: state.clock.now(),
        kind: EventKind::Joined,
        actor: Some(actor.0.id),
        actor_label: None,
        holder: d.holder.clone(),
        note: None,
        rating: None,
        other: None,
    };
    if !state.db.join_demand(id, d.version, actor.0.id, &event).await? {
        return Err(ApiError::DemandStepRefused);
    }
    let (d, s) = readable(&state, &actor, id).await?;
    Ok(Json(detail(&state, &actor, d, &s).await?))
}

/// Adds a photo (or PDF): the filer's, while the demand waits to be taken; the holder's,
/// of what was done, while it is open. At most nine of each.
#[utoipa::path(post, path = "/api/demands/{id}/photos", tag = "demands", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Attachment), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn add_photo(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    let (d, s) = readable(&state, &actor, id).await?;
    let (result, states): (bool, &[DemandState]) = if s.holder {
        (true, &[DemandState::Filed, DemandState::Accepted])
    } else if s.follower && d.filer == actor.0.id {
        (false, &[DemandState::Filed])
    } else {
        return Err(ApiError::Forbidden);
    };
    let body = super::extract::body_bytes(body)?;
    let (attachment, staged) = super::files::stage_upload(&state.storage, body).await?;
    let publish = staged.clone();
    let storage = state.storage.clone();
    let saved = state
        .db
        .insert_demand_photo(
            id,
            result,
            states,
            demand::MAX_PHOTOS as i64,
            &attachment,
            actor.0.id,
            state.clock.now(),
            || async move { Ok(storage.publish(&publish).await?) },
        )
        .await;
    kept(&state, &staged, saved).await?;
    Ok((StatusCode::CREATED, Json(attachment)))
}

/// What became of files staged for a demand's row whose transaction published them: kept
/// when the row was written; otherwise (a step closed the door first, or the write failed)
/// none of them stays.
async fn kept(state: &AppState, staged: &crate::storage::Staged, saved: anyhow::Result<bool>) -> ApiResult<()> {
    match saved {
        Ok(true) => Ok(()),
        Ok(false) => {
            state.storage.discard(staged).await;
            Err(ApiError::DemandStepRefused)
        }
        Err(e) => {
            state.storage.discard(staged).await;
            Err(e.into())
        }
    }
}

/// Adds the filer's voice note (at most 60 s; WebM, Ogg or MP4 audio as the phone's
/// browser records it), while the demand waits to be taken, once. The server keeps it
/// transcoded to AAC in MP4, which every phone plays.
#[utoipa::path(post, path = "/api/demands/{id}/voice", tag = "demands", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Demand), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
async fn add_voice(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<(StatusCode, Json<Demand>)> {
    let (d, s) = readable(&state, &actor, id).await?;
    if !(s.follower && d.filer == actor.0.id) {
        return Err(ApiError::Forbidden);
    }
    if d.state != DemandState::Filed || state.db.demand_voice(id).await?.is_some() {
        return Err(ApiError::DemandStepRefused);
    }
    let body = super::extract::body_bytes(body)?;
    let voice = crate::uploads::decode(move || crate::voice::transcode(&body))
        .await?
        .map_err(ApiError::Voice)?;
    let file = Uuid::new_v4();
    let bytes = voice.m4a.len();
    let staged = state
        .storage
        .stage(vec![(format!("{file}.m4a"), voice.m4a)])
        .await
        .map_err(anyhow::Error::from)?;
    let publish = staged.clone();
    let storage = state.storage.clone();
    let saved = state
        .db
        .insert_demand_voice(
            file,
            id,
            voice.seconds,
            bytes,
            actor.0.id,
            state.clock.now(),
            || async move { Ok(storage.publish(&publish).await?) },
        )
        .await;
    kept(&state, &staged, saved).await?;
    let (d, s) = readable(&state, &actor, id).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &actor, d, &s).await?)))
}

/// A demand's voice note (AAC in MP4), for whoever may read the demand.
#[utoipa::path(get, path = "/api/demands/{id}/voice", tag = "demands", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "audio/mp4"), (status = 404, body = ErrorBody)))]
async fn voice(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<axum::response::Response> {
    readable(&state, &actor, id).await?;
    let (file, _) = state.db.demand_voice(id).await?.ok_or(ApiError::NotFound)?;
    let bytes = state
        .storage
        .read(&format!("{file}.m4a"))
        .await
        .map_err(anyhow::Error::from)?;
    Ok((
        [
            (header::CONTENT_TYPE, "audio/mp4"),
            (header::CACHE_CONTROL, "private, max-age=86400"),
        ],
        bytes,
    )
        .into_response())
}

/// A demand's photo, for whoever may read the demand (`original` for its staff only).
#[utoipa::path(get, path = "/api/demand-photos/{id}/{variant}", tag = "demands", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path), ("variant" = String, Path, description = "thumb, screen, original or pdf")),
    responses((status = 200, content_type = "image/jpeg"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn photo(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((id, variant)): ApiPath<(Uuid, String)>,
) -> ApiResult<axum::response::Response> {
    let (demand_id, attachment, _, _) = state
        .db
        .demand_photos(None, Some(id))
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    let (_, s) = readable(&state, &actor, demand_id).await?;
    if variant == "original" && !s.staff {
        return Err(ApiError::Forbidden);
    }
    super::files::serve_stored(&state, &attachment, &variant).await
}

/// What waits for the caller, for each of their posts, with counts.
#[utoipa::path(get, path = "/api/me/todo", tag = "demands", security(("sunlight_session" = [])),
    responses((status = 200, body = Vec<TodoItem>)))]
async fn todo(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<TodoItem>>> {
    let mut items = crate::demands::todo(&state.db, &actor, state.clock.now()).await?;
    items.extend(super::catalogue::todo(&state, &actor).await?);
    Ok(Json(items))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StatsQuery {
    /// The calendar year (China time); this year when absent.
    #[serde(default)]
    year: Option<i32>,
    /// For the export: `csv` (the default) or `xlsx`.
    #[serde(default)]
    format: Option<String>,
}

fn year_of(state: &AppState, q: &StatsQuery) -> ApiResult<i32> {
    let this = state.clock.today().year;
    match q.year {
        None => Ok(this),
        Some(y) if (2000..=this).contains(&y) => Ok(y),
        Some(_) => Err(ApiError::invalid("year", FieldError::OutOfRange)),
    }
}

/// A region's demands over a year: received, closed, closed within five calendar days,
/// overdue now and satisfaction, by the regions one level below, by class and by month,
/// with the overdue list first.
#[utoipa::path(get, path = "/api/regions/{code}/demand-stats", tag = "demands", security(("sunlight_session" = [])),
    params(("code" = String, Path), StatsQuery),
    responses((status = 200, body = demand::DemandStats), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn stats(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<demand::DemandStats>> {
    authorize(&actor, Action::ViewDemandStats, &code)?;
    let year = year_of(&state, &q)?;
    let out = crate::demands::stats(&state.db, &code, year, state.clock.now())
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut overdue = Vec::new();
    let mut names = Names::default();
    let followed = state.db.followed_by(actor.0.id).await?;
    for d in state
        .db
        .demands(Scope::Overdue(&code), None, 50, state.clock.now())
        .await?
    {
        overdue.push(summary(&state, &mut names, &d, followed.contains(&d.id)).await?);
    }
    Ok(Json(demand::DemandStats { overdue, ..out }))
}

/// The dashboard as a spreadsheet: CSV (UTF-8 with a byte-order mark) or XLSX, naming the
/// region, the year and when it was exported.
#[utoipa::path(get, path = "/api/regions/{code}/demand-stats/export", tag = "demands", security(("sunlight_session" = [])),
    params(("code" = String, Path), StatsQuery),
    responses((status = 200, content_type = "text/csv"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn export(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<axum::response::Response> {
    authorize(&actor, Action::ViewDemandStats, &code)?;
    let year = year_of(&state, &q)?;
    let now = state.clock.now();
    let s = crate::demands::stats(&state.db, &code, year, now)
        .await?
        .ok_or(ApiError::NotFound)?;
    let rows = crate::demands::stats_table(&s, now);
    let name = format!("demands-{}-{year}", code.as_str());
    match q.format.as_deref().unwrap_or("csv") {
        "csv" => {
            let mut w = csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(vec![0xEF, 0xBB, 0xBF]);
            for r in &rows {
                w.write_record(r).map_err(|e| ApiError::Internal(e.into()))?;
            }
            let body = w
                .into_inner()
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("csv: {e}")))?;
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}.csv\""),
                    ),
                ],
                body,
            )
                .into_response())
        }
        "xlsx" => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            let fail = |e: rust_xlsxwriter::XlsxError| ApiError::Internal(anyhow::anyhow!("xlsx: {e}"));
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    match (r > 3, cell.parse::<f64>()) {
                        (true, Ok(n)) => sheet.write_number(r as u32, c as u16, n).map_err(fail)?,
                        _ => sheet.write_string(r as u32, c as u16, cell).map_err(fail)?,
                    };
                }
            }
            let body = book.save_to_buffer().map_err(fail)?;
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}.xlsx\""),
                    ),
                ],
                body,
            )
                .into_response())
        }
        _ => Err(ApiError::invalid("format", FieldError::NotListed)),
    }
}

/// A county's working-day limits for demands at each level.
#[utoipa::path(get, path = "/api/regions/{code}/demand-limits", tag = "demands", security(("sunlight_session" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = Limits), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn limits(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
) -> ApiResult<Json<Limits>> {
    authorize(&actor, Action::ViewRegion, &code)?;
    let county = county_of(&code).ok_or_else(|| ApiError::invalid("code", FieldError::WrongLevel))?;
    state.db.region(&county).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(state.db.demand_limits(&county).await?))
}

/// Sets a county's limits (1–60 working days each); demands take them from their next
/// level on.
#[utoipa::path(put, path = "/api/regions/{code}/demand-limits", tag = "demands", security(("sunlight_session" = [])),
    params(("code" = String, Path)),
    request_body = Limits,
    responses((status = 200, body = Limits), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn set_limits(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiJson(body): ApiJson<Limits>,
) -> ApiResult<Json<Limits>> {
    authorize(&actor, Action::ManageDemandLimits, &code)?;
    if code.level() != RegionLevel::County {
        return Err(ApiError::invalid("code", FieldError::WrongLevel));
    }
    state.db.region(&code).await?.ok_or(ApiError::NotFound)?;
    if !body.valid() {
        return Err(ApiError::invalid("limits", FieldError::OutOfRange));
    }
    state.db.set_demand_limits(&code, body, actor.0.id).await?;
    Ok(Json(body))
}
