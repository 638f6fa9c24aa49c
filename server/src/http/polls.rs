//! Polls and suggestions (投票、征求意见): staff of a village or township create them;
//! villagers of the eligible villages vote, one ballot per person or per household, in
//! secret; results show as the poll says.

use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};
use chrono::DateTime;
use sha2::{Digest, Sha256};
use sunlight_api::{
    ErrorBody, ErrorCode, RegionCode, RegionLevel,
    error::FieldError,
    poll::{BallotIn, MIN_LIVE_BALLOTS, NewPoll, Per, Poll, PollResults, PollState, PollSummary, QuestionKind},
    wechat::NoticeKind,
};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    AppState,
    error::{ApiError, ApiResult},
    extract::{ApiJson, ApiPath},
};
use crate::{
    authz::{Action, Actor, Reader, authorize, authorize_reader, permits, permits_reader, villager_grant},
    db::{
        now,
        polls::{Answer, BallotLayout, LIVE_BATCH, PollRow, PollSpec, TEXT_MAX_CHARS, TOKEN_HASH_LEN, VoteError},
        to_wire,
    },
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(attach))
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::uploads::MAX_BYTES + 64 * 1024,
        ))
        .routes(routes!(list, create))
        .routes(routes!(show))
        .routes(routes!(vote))
        .routes(routes!(export))
        .routes(routes!(export_xlsx))
        .routes(routes!(document))
}

/// Attaches a document (a plan, a drawing: photo or PDF) to a poll, for its voters to read:
/// only before the first vote, so that every voter saw the same documents (409 after).
#[utoipa::path(post, path = "/api/polls/{id}/documents", tag = "polls", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = sunlight_api::ledger::Attachment), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn attach(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<(StatusCode, Json<sunlight_api::ledger::Attachment>)> {
    let (poll, _) = visible(&state, &actor, id).await?;
    let region = RegionCode::parse(&poll.region_code).map_err(|e| anyhow::anyhow!("stored region: {e}"))?;
    authorize(&actor, Action::ManagePolls, &region)?;
    let body = super::extract::body_bytes(body)?;
    let attachment = super::files::store_upload(
        &state.db,
        &state.storage,
        body,
        crate::db::attachments::Owner::Poll(id),
        actor.0.id,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(attachment)))
}

/// A poll document for whoever may read the poll: its villages, and anyone where its
/// county keeps disclosures public, as the poll itself (`original` for its staff only).
#[utoipa::path(get, path = "/api/poll-documents/{id}/{variant}", tag = "polls", security((), ("sunlight_session" = [])),
    params(("id" = Uuid, Path), ("variant" = String, Path, description = "thumb, screen, original or pdf")),
    responses((status = 200, content_type = "image/jpeg"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn document(
    State(state): State<AppState>,
    reader: Reader,
    ApiPath((id, variant)): ApiPath<(Uuid, String)>,
) -> ApiResult<axum::response::Response> {
    let (poll_id, attachment) = state
        .db
        .poll_documents(None, Some(id))
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    let (poll, _) = readable(&state, &reader, poll_id).await?;
    let region = RegionCode::parse(&poll.region_code).map_err(|e| anyhow::anyhow!("stored region: {e}"))?;
    if variant == "original" && !permits_reader(&reader, Action::ManagePolls, &region) {
        return Err(ApiError::Forbidden);
    }
    super::files::serve_stored(&state, &attachment, &variant).await
}

fn text(raw: &str, field: &'static str, max: usize) -> ApiResult<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(ApiError::invalid(field, FieldError::Required));
    }
    if t.chars().count() > max {
        return Err(ApiError::invalid(field, FieldError::TooLong));
    }
    Ok(t.to_owned())
}

fn state_of(p: &PollRow) -> PollState {
    let t = now();
    if t < p.opens_at {
        PollState::Upcoming
    } else if t >= p.closes_at {
        PollState::Closed
    } else {
        PollState::Open
    }
}

/// The poll, if the actor may see it: staff over its region or its villages, villagers of
/// its villages. Anyone else learns nothing of it.
async fn visible(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<(PollRow, Vec<RegionCode>)> {
    let poll = state.db.poll(id).await?.ok_or(ApiError::NotFound)?;
    let villages = poll_villages(state, id).await?;
    let region = RegionCode::parse(&poll.region_code).map_err(|e| anyhow::anyhow!("stored region: {e}"))?;
    if !covers(actor, &region, &villages) {
        return Err(ApiError::NotFound);
    }
    Ok((poll, villages))
}

async fn poll_villages(state: &AppState, id: Uuid) -> ApiResult<Vec<RegionCode>> {
    Ok(state
        .db
        .poll_villages(id)
        .await?
        .iter()
        .filter_map(|v| RegionCode::parse(v).ok())
        .collect())
}

fn covers(actor: &Actor, region: &RegionCode, villages: &[RegionCode]) -> bool {
    actor.sees(region) || villages.iter().any(|v| actor.sees(v))
}

/// The poll as `reader` may read it: as [`visible`] for the people it concerns, and for
/// anyone where its county keeps disclosures public (`authz::authorize_reader`), as a
/// notice board shows a vote's outcome.
pub(crate) async fn readable(state: &AppState, reader: &Reader, id: Uuid) -> ApiResult<(PollRow, Vec<RegionCode>)> {
    if let Reader::Person(actor) = reader
        && let Ok(found) = visible(state, actor, id).await
    {
        return Ok(found);
    }
    let poll = state.db.poll(id).await?.ok_or(ApiError::NotFound)?;
    let villages = poll_villages(state, id).await?;
    let region = RegionCode::parse(&poll.region_code).map_err(|e| anyhow::anyhow!("stored region: {e}"))?;
    let public = state.db.disclosures_public(&region).await?;
    match authorize_reader(reader, Action::ViewPolls, &region, public) {
        Ok(()) => Ok((poll, villages)),
        // A person the poll does not concern learns nothing of it where it is not public.
        Err(ApiError::Forbidden) => Err(ApiError::NotFound),
        Err(e) => Err(e),
    }
}

/// Who this actor votes as in this poll: their id, or their household's; `None` when they
/// are no villager of an eligible village.
fn voter_key(actor: &Actor, poll: &PollRow, villages: &[RegionCode]) -> Option<Uuid> {
    let grant = villager_grant(actor, villages)?;
    match poll.per() {
        Per::Person => Some(actor.0.id),
        Per::Household => grant.household,
    }
}

/// The polls of a region: those its villages may vote in, and those its staff made.
#[utoipa::path(get, path = "/api/regions/{code}/polls", tag = "polls", security(("sunlight_session" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = Vec<PollSummary>), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
) -> ApiResult<Json<Vec<PollSummary>>> {
    authorize(&actor, Action::ViewPolls, &code)?;
    state.db.region(&code).await?.ok_or(ApiError::NotFound)?;
    let mut out = Vec::new();
    for p in state.db.polls_for(&code).await? {
        let villages: Vec<RegionCode> = state
            .db
            .poll_villages(p.id)
            .await?
            .iter()
            .filter_map(|v| RegionCode::parse(v).ok())
            .collect();
        let voted = match voter_key(&actor, &p, &villages) {
            Some(key) => state.db.poll_flags(p.id, key).await?.1,
            None => false,
        };
        out.push(PollSummary {
            id: p.id,
            title: p.title.clone(),
            state: state_of(&p),
            opens_at: to_wire(p.opens_at),
            closes_at: to_wire(p.closes_at),
            voted,
        });
    }
    Ok(Json(out))
}

/// Creates a poll for villages inside the region (a village's own, or several of a
/// township's).
#[utoipa::path(post, path = "/api/regions/{code}/polls", tag = "polls", security(("sunlight_session" = [])),
    params(("code" = String, Path)), request_body = NewPoll,
    responses((status = 201, body = Poll), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiJson(req): ApiJson<NewPoll>,
) -> ApiResult<(StatusCode, Json<Poll>)> {
    authorize(&actor, Action::ManagePolls, &code)?;
    state.db.region(&code).await?.ok_or(ApiError::NotFound)?;
    let title = text(&req.title, "title", 60)?;
    let villages = if req.villages.is_empty() {
        if code.level() != RegionLevel::Village {
            return Err(ApiError::invalid("villages", FieldError::Required));
        }
        vec![code.clone()]
    } else {
        req.villages.clone()
    };
    for v in &villages {
        if v.level() != RegionLevel::Village || !code.contains(v) || state.db.region(v).await?.is_none() {
            return Err(ApiError::invalid("villages", FieldError::NotInRegion));
        }
    }
    if req.questions.is_empty() || req.questions.len() > 10 {
        return Err(ApiError::invalid("questions", FieldError::OutOfRange));
    }
    let mut questions = Vec::new();
    for q in &req.questions {
        let prompt = text(&q.prompt, "prompt", 200)?;
        let (max, options) = match q.kind {
            QuestionKind::Single | QuestionKind::Multiple => {
                let options = q
                    .options
                    .iter()
                    .map(|o| text(o, "options", 40))
                    .collect::<ApiResult<Vec<_>>>()?;
                if !(2..=10).contains(&options.len()) {
                    return Err(ApiError::invalid("options", FieldError::OutOfRange));
                }
                let max = if q.kind == QuestionKind::Single {
                    1
                } else {
                    q.max_choices
                };
                if max == 0 || max as usize > options.len() {
                    return Err(ApiError::invalid("max_choices", FieldError::OutOfRange));
                }
                (max, options)
            }
            QuestionKind::Rating | QuestionKind::Text => (0, Vec::new()),
        };
        questions.push((q.kind, prompt, max, options));
    }
    let opens_at =
        DateTime::from_timestamp_millis(req.opens_at.0).ok_or(ApiError::invalid("opens_at", FieldError::BadFormat))?;
    let closes_at = DateTime::from_timestamp_millis(req.closes_at.0)
        .ok_or(ApiError::invalid("closes_at", FieldError::BadFormat))?;
    if closes_at <= opens_at || closes_at <= now() {
        return Err(ApiError::invalid("closes_at", FieldError::OutOfRange));
    }
    let spec = PollSpec {
        title,
        villages,
        per: req.per,
        opens_at,
        closes_at,
        live_results: req.live_results,
        allow_change: req.allow_change,
        questions,
    };
    let id = state.db.create_poll(&code, &spec, actor.0.id).await?;
    // The villages' people hear of it in WeChat, where they agreed to.
    for v in &spec.villages {
        // The poll stands whatever happens to its messages.
        let users = state
            .db
            .notice_recipients(v, NoticeKind::PollOpened)
            .await
            .unwrap_or_default();
        let what = format!("新投票：{}", spec.title);
        crate::wechat::notify(
            &state,
            &users,
            NoticeKind::PollOpened,
            &format!("poll:{id}"),
            v,
            what,
            format!("polls/{id}"),
        )
        .await;
    }
    let poll = poll_for(&state, &Reader::Person(actor), id).await?;
    Ok((StatusCode::CREATED, Json(poll)))
}

/// A poll with this person's standing and, where the poll's rules allow, its results.
/// Where its county keeps disclosures public, anyone may read it (and its results, under
/// the same rule), as on a notice board.
#[utoipa::path(get, path = "/api/polls/{id}", tag = "polls", security((), ("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Poll), (status = 404, body = ErrorBody)))]
async fn show(State(state): State<AppState>, reader: Reader, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<Poll>> {
    Ok(Json(poll_for(&state, &reader, id).await?))
}

/// What `reader` sees of a poll.
pub(crate) async fn poll_for(state: &AppState, reader: &Reader, id: Uuid) -> ApiResult<Poll> {
    let (poll, villages) = readable(state, reader, id).await?;
    state.db.fix_eligible(&poll).await?;
    let st = state_of(&poll);
    let (eligible, voted) = match reader.person().and_then(|a| voter_key(a, &poll, &villages)) {
        Some(key) => state.db.poll_flags(id, key).await?,
        None => (false, false),
    };
    let questions = state.db.poll_questions(id).await?;
    let results = shown_results(state, reader.person(), &poll, &questions).await?;
    Ok(Poll {
        id,
        title: poll.title.clone(),
        per: poll.per(),
        state: st,
        opens_at: to_wire(poll.opens_at),
        closes_at: to_wire(poll.closes_at),
        live_results: poll.live_results,
        allow_change: poll.allow_change,
        questions,
        voted,
        can_vote: st == PollState::Open && eligible && (!voted || poll.allow_change),
        results,
        eligible: match st {
            PollState::Upcoming => None,
            _ => Some(state.db.poll_eligible_count(id).await?),
        },
        documents: state
            .db
            .poll_documents(Some(id), None)
            .await?
            .into_iter()
            .map(|(_, a)| a)
            .collect(),
    })
}

/// The one rule for who sees which results, the same for villagers, staff and exports:
/// exact counts once the poll has closed; while it is open, only on a poll that shows live
/// results, and then only the snapshot taken when the number of ballots last reached a
/// multiple of [`LIVE_BATCH`] (from [`MIN_LIVE_BALLOTS`] on), so that what anyone sees
/// change is the sum of a whole batch of ballots, never one. Free-text suggestions go to
/// the poll's staff only, under the same rule.
async fn shown_results(
    state: &AppState,
    actor: Option<&Actor>,
    poll: &PollRow,
    questions: &[sunlight_api::poll::PollQuestion],
) -> ApiResult<Option<PollResults>> {
    let tally = match state_of(poll) {
        PollState::Closed => Some(state.db.poll_results(poll.id, questions).await?),
        PollState::Open if poll.live_results => state
            .db
            .poll_live_results(poll.id)
            .await?
            .filter(|(ballots, _, _)| *ballots >= MIN_LIVE_BALLOTS && ballots % LIVE_BATCH == 0),
        PollState::Open | PollState::Upcoming => None,
    };
    let Some((ballots, eligible, mut per_question)) = tally else {
        return Ok(None);
    };
    let region = RegionCode::parse(&poll.region_code).map_err(|e| anyhow::anyhow!("stored region: {e}"))?;
    if !actor.is_some_and(|a| permits(a, Action::ManagePolls, &region)) {
        for q in &mut per_question {
            q.texts.clear();
        }
    }
    Ok(Some(PollResults {
        ballots,
        eligible,
        questions: per_question,
    }))
}

/// What a slot keeps of a change token: a hash over the poll, the person who voted (even
/// on a per-household poll) and the token, so a token read off a shared phone changes
/// nothing for anyone else, and the server keeps no link from voter to ballot.
fn token_hash(poll: Uuid, person: Uuid, token: &str) -> [u8; TOKEN_HASH_LEN] {
    let mut h = Sha256::new();
    h.update(b"sunlight ballot token\0");
    h.update(poll.as_bytes());
    h.update(person.as_bytes());
    h.update(token.as_bytes());
    h.finalize().into()
}

/// Casts (or, where the poll allows and the phone sends its token, replaces) a ballot.
#[utoipa::path(post, path = "/api/polls/{id}/ballots", tag = "polls", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)), request_body = BallotIn,
    responses((status = 201), (status = 200), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn vote(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(ballot): ApiJson<BallotIn>,
) -> ApiResult<StatusCode> {
    let (poll, villages) = visible(&state, &actor, id).await?;
    let Some(village) = villages.iter().find(|v| actor.sees(v)).or(villages.first()) else {
        return Err(ApiError::NotFound);
    };
    authorize(&actor, Action::Vote, village)?;
    let key = voter_key(&actor, &poll, &villages).ok_or(ApiError::Forbidden)?;
    match state_of(&poll) {
        PollState::Upcoming => return Err(ApiError::Poll(ErrorCode::PollNotOpen)),
        PollState::Closed => return Err(ApiError::Poll(ErrorCode::PollClosed)),
        PollState::Open => {}
    }
    state.db.fix_eligible(&poll).await?;
    let (eligible, voted) = state.db.poll_flags(id, key).await?;
    if !eligible {
        return Err(ApiError::Poll(ErrorCode::NotEligible));
    }
    let questions = state.db.poll_questions(id).await?;
    let answers = check_answers(&questions, &ballot)?;
    let layout = BallotLayout::new(&questions);
    let blob = layout.encode(&answers)?;
    let token = match (&ballot.token, poll.allow_change) {
        (Some(t), true) if t.len() >= 16 && t.len() <= 128 => Some(token_hash(id, actor.0.id, t)),
        (Some(_), true) => return Err(ApiError::invalid("token", FieldError::BadFormat)),
        _ => None,
    };
    let replace = async |hash: [u8; TOKEN_HASH_LEN]| match state.db.replace_ballot(id, &hash, &blob).await {
        Ok(()) => Ok(StatusCode::OK),
        Err(VoteError::UnknownToken) => Err(ApiError::Poll(ErrorCode::BallotTokenUnknown)),
        Err(VoteError::AlreadyVoted) => Err(ApiError::Poll(ErrorCode::AlreadyVoted)),
        Err(VoteError::Db(e)) => Err(e.into()),
    };
    if voted {
        let Some(hash) = token else {
            return Err(ApiError::Poll(ErrorCode::AlreadyVoted));
        };
        return replace(hash).await;
    }
    // Without a token the slot keeps random bytes where a hash would be, like a blank slot.
    match state
        .db
        .cast_ballot(id, key, &token.unwrap_or_else(rand::random), &blob, &layout)
        .await
    {
        Ok(()) => Ok(StatusCode::CREATED),
        // A second tap that raced the first, from a phone that may change its ballot.
        Err(VoteError::AlreadyVoted) => match token {
            Some(hash) => replace(hash).await,
            None => Err(ApiError::Poll(ErrorCode::AlreadyVoted)),
        },
        Err(VoteError::UnknownToken) => Err(ApiError::Poll(ErrorCode::AlreadyVoted)),
        Err(VoteError::Db(e)) => Err(e.into()),
    }
}

/// Every question answered once as its kind says; option ids must be the question's own.
fn check_answers(questions: &[sunlight_api::poll::PollQuestion], ballot: &BallotIn) -> ApiResult<Vec<Answer>> {
    let mut out = Vec::new();
    for a in &ballot.answers {
        if !questions.iter().any(|q| q.id == a.question) {
            return Err(ApiError::invalid("answers", FieldError::BadFormat));
        }
    }
    for q in questions {
        let given: Vec<_> = ballot.answers.iter().filter(|a| a.question == q.id).collect();
        if given.len() > 1 {
            return Err(ApiError::invalid("answers", FieldError::Duplicate));
        }
        let Some(a) = given.first() else {
            if q.kind == QuestionKind::Text {
                continue;
            }
            return Err(ApiError::invalid("answers", FieldError::Required));
        };
        match q.kind {
            QuestionKind::Single | QuestionKind::Multiple => {
                if a.options.iter().any(|o| !q.options.iter().any(|x| x.id == *o)) {
                    return Err(ApiError::invalid("options", FieldError::BadFormat));
                }
                let mut chosen = a.options.clone();
                chosen.sort();
                chosen.dedup();
                if chosen.is_empty() {
                    return Err(ApiError::invalid("options", FieldError::Required));
                }
                if chosen.len() > q.max_choices as usize {
                    return Err(ApiError::invalid("options", FieldError::OutOfRange));
                }
                out.extend(chosen.into_iter().map(|o| Answer::Option(q.id, o)));
            }
            QuestionKind::Rating => match a.rating {
                Some(r @ 1..=5) => out.push(Answer::Rating(q.id, i32::from(r))),
                _ => return Err(ApiError::invalid("rating", FieldError::OutOfRange)),
            },
            QuestionKind::Text => {
                if let Some(t) = a.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                    if t.chars().count() > TEXT_MAX_CHARS {
                        return Err(ApiError::invalid("text", FieldError::TooLong));
                    }
                    out.push(Answer::Text(q.id, t.to_owned()));
                }
            }
        }
    }
    Ok(out)
}

/// The results as a table for staff, under the same rule as on screen: a header, then per option (or rating) its votes and
/// share, every suggestion (without names), and the turnout last.
async fn results_table(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Vec<[String; 4]>> {
    let (poll, _) = visible(state, actor, id).await?;
    let region = RegionCode::parse(&poll.region_code).map_err(|e| anyhow::anyhow!("stored region: {e}"))?;
    authorize(actor, Action::ManagePolls, &region)?;
    let questions = state.db.poll_questions(id).await?;
    let PollResults {
        ballots,
        eligible,
        questions: results,
    } = shown_results(state, Some(actor), &poll, &questions)
        .await?
        .ok_or(ApiError::Poll(ErrorCode::ResultsNotShown))?;
    let mut rows = vec![["问题", "选项", "票数", "占比"].map(str::to_owned)];
    for (q, r) in questions.iter().zip(&results) {
        let total: i64 = r.votes.iter().sum::<i64>() + r.ratings.iter().sum::<i64>();
        let share = |n: i64| {
            if total == 0 {
                "0%".to_owned()
            } else {
                format!("{:.1}%", n as f64 * 100.0 / total as f64)
            }
        };
        for (o, n) in q.options.iter().zip(&r.votes) {
            rows.push([q.prompt.clone(), o.label.clone(), n.to_string(), share(*n)]);
        }
        for (i, n) in r.ratings.iter().enumerate().filter(|_| q.kind == QuestionKind::Rating) {
            rows.push([q.prompt.clone(), format!("{} 分", i + 1), n.to_string(), share(*n)]);
        }
        for t in &r.texts {
            rows.push([q.prompt.clone(), t.clone(), String::new(), String::new()]);
        }
    }
    rows.push([
        "投票人数".to_owned(),
        ballots.to_string(),
        "应投".to_owned(),
        eligible.to_string(),
    ]);
    Ok(rows)
}

fn download(content_type: &'static str, name: &'static str, body: Vec<u8>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, name),
        ],
        body,
    )
}

/// The results as CSV (UTF-8 with a byte-order mark, so Excel shows the Chinese).
#[utoipa::path(get, path = "/api/polls/{id}/results.csv", tag = "polls", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "text/csv"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn export(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    for row in results_table(&state, &actor, id).await? {
        w.write_record(&row).map_err(anyhow::Error::from)?;
    }
    let body = w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?;
    Ok(download(
        "text/csv; charset=utf-8",
        "attachment; filename=\"poll-results.csv\"",
        body,
    ))
}

/// The results as an XLSX workbook.
#[utoipa::path(get, path = "/api/polls/{id}/results.xlsx", tag = "polls", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn export_xlsx(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<impl IntoResponse> {
    let rows = results_table(&state, &actor, id).await?;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let fail = |e: rust_xlsxwriter::XlsxError| ApiError::Internal(anyhow::anyhow!("xlsx: {e}"));
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match (r > 0 && c == 2, cell.parse::<f64>()) {
                (true, Ok(n)) => sheet.write_number(r as u32, c as u16, n).map_err(fail)?,
                _ => sheet.write_string(r as u32, c as u16, cell).map_err(fail)?,
            };
        }
    }
    let body = book.save_to_buffer().map_err(fail)?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "attachment; filename=\"poll-results.xlsx\"",
        body,
    ))
}
