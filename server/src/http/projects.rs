//! Projects (工程项目) and disposals (资产处置) along their chain, the ledger lines that
//! paid them, and villagers' questions on published entries (a project's stage or any
//! catalogue entry). A stage is a catalogue entry: files, submit, review, corrections and
//! withdrawal go through `/api/disclosures/{id}/…` like every entry.

use axum::{Json, extract::State, http::StatusCode};
use sunlight_api::{
    ErrorBody, RegionCode,
    catalogue::{Entry, EntryStatus},
    error::FieldError,
    ledger::{MonthStatus, Text},
    project::{
        self, NOTE_MAX, NewProject, NewStage, Payment, PaymentLink, Project, ProjectSummary, StageFacts, TITLE_MAX,
    },
    wechat::NoticeKind,
};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    AppState,
    catalogue::visible,
    error::{ApiError, ApiResult},
    extract::{ApiJson, ApiPath},
    ledger::{readable, required, text, village_name},
};
use crate::{
    authz::{Action, Actor, Reader, authorize, permits_reader},
    db::projects::{NewProjectRow, NewStageRow, ProjectRecord},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show))
        .routes(routes!(record_stage))
        .routes(routes!(link_payment))
        .routes(routes!(unlink_payment))
        .routes(routes!(ask))
        .routes(routes!(answer))
}

/// Whether `reader` is the village's staff, who see drafts and unpublished payments.
fn is_staff(reader: &Reader, village: &RegionCode) -> bool {
    permits_reader(reader, Action::ViewUnpublishedLedger, village)
}

/// A project as `reader` may see it: the public see published stages and the payments of
/// published months; a project with no published stage does not exist for them.
async fn view(state: &AppState, reader: &Reader, rec: ProjectRecord) -> ApiResult<Project> {
    readable(state, reader, &rec.village).await?;
    let staff = is_staff(reader, &rec.village);
    let mut stages = state.db.project_stages(&[rec.id]).await?;
    let mut payments: Vec<Payment> = state
        .db
        .project_payments(&[rec.id])
        .await?
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    let (stage, progress_pct, money) = project::summarize(rec.kind, &stages, &payments);
    let next = match reader {
        Reader::Person(actor) if staff && crate::authz::permits(actor, Action::PostDisclosure, &rec.village) => {
            project::next_stages(&stages)
        }
        _ => Vec::new(),
    };
    if !staff {
        stages.retain(|e| e.status == EntryStatus::Published);
        if stages.is_empty() {
            return Err(ApiError::NotFound);
        }
        for e in &mut stages {
            e.review_note = None;
        }
        payments.retain(|p| p.published);
    }
    Ok(Project {
        id: rec.id,
        village_name: village_name(state, &rec.village).await?,
        village: rec.village,
        kind: rec.kind,
        title: rec.title,
        description: rec.description,
        budget_fen: rec.budget_fen,
        created_at: rec.created_at,
        money,
        stage,
        progress_pct,
        stages,
        payments,
        next,
    })
}

/// A village's projects and disposals, newest first: for everyone who may read the
/// village, those with a published stage; for its staff, all.
#[utoipa::path(get, path = "/api/regions/{code}/projects", tag = "projects", security((), ("sunlight_session" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = Vec<ProjectSummary>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    reader: Reader,
    ApiPath(code): ApiPath<RegionCode>,
) -> ApiResult<Json<Vec<ProjectSummary>>> {
    village_name(&state, &code).await?;
    readable(&state, &reader, &code).await?;
    Ok(Json(summaries(&state, &code, is_staff(&reader, &code)).await?))
}

/// A village's projects as its list shows them (staff: every one; others: those with a
/// published stage).
pub(crate) async fn summaries(state: &AppState, code: &RegionCode, staff: bool) -> ApiResult<Vec<ProjectSummary>> {
    let records = state.db.projects_of(code).await?;
    let ids: Vec<Uuid> = records.iter().map(|r| r.id).collect();
    let stages = state.db.project_stages(&ids).await?;
    let payments = state.db.project_payments(&ids).await?;
    let mut out = Vec::new();
    for r in records {
        let mine: Vec<Entry> = stages
            .iter()
            .filter(|e| e.project.as_ref().is_some_and(|f| f.project == r.id))
            .cloned()
            .collect();
        let paid: Vec<Payment> = payments
            .iter()
            .filter(|(p, _)| *p == r.id)
            .map(|(_, p)| p.clone())
            .collect();
        let (stage, progress_pct, money) = project::summarize(r.kind, &mine, &paid);
        if !staff && stage.is_none() {
            continue;
        }
        out.push(ProjectSummary {
            id: r.id,
            kind: r.kind,
            title: r.title,
            budget_fen: r.budget_fen,
            money,
            stage,
            progress_pct,
            created_at: r.created_at,
        });
    }
    Ok(out)
}

/// The village's accountant or cadre opens a project or disposal (its stages are then
/// recorded one by one, from 立项).
#[utoipa::path(post, path = "/api/regions/{code}/projects", tag = "projects", security(("sunlight_session" = [])),
    params(("code" = String, Path)), request_body = NewProject,
    responses((status = 201, body = Project), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiJson(body): ApiJson<NewProject>,
) -> ApiResult<(StatusCode, Json<Project>)> {
    authorize(&actor, Action::PostDisclosure, &code)?;
    village_name(&state, &code).await?;
    let title = required(&body.title, "title", TITLE_MAX)?;
    let description = text(&body.description, "description", NOTE_MAX)?.unwrap_or_default();
    if !(0..=sunlight_api::money::MAX_FEN).contains(&body.budget_fen) {
        return Err(ApiError::invalid("budget_fen", FieldError::OutOfRange));
    }
    let id = state
        .db
        .insert_project(NewProjectRow {
            village: &code,
            kind: body.kind,
            title: &title,
            description: &description,
            budget_fen: body.budget_fen,
            by: actor.0.id,
            at: state.clock.now(),
        })
        .await?;
    let rec = state.db.project(id).await?.ok_or(ApiError::NotFound)?;
    Ok((
        StatusCode::CREATED,
        Json(view(&state, &Reader::Person(actor), rec).await?),
    ))
}

/// One project with its chain, money and payments.
#[utoipa::path(get, path = "/api/projects/{id}", tag = "projects", security((), ("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Project), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn show(State(state): State<AppState>, reader: Reader, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<Project>> {
    let rec = state.db.project(id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(view(&state, &reader, rec).await?))
}

/// A project as `reader` may see it, for the server-rendered page.
pub(crate) async fn project_for(state: &AppState, reader: &Reader, id: Uuid) -> ApiResult<Project> {
    let rec = state.db.project(id).await?.ok_or(ApiError::NotFound)?;
    view(state, reader, rec).await
}

/// A project the actor's village staff may change.
async fn own_project(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<ProjectRecord> {
    let rec = state.db.project(id).await?.ok_or(ApiError::NotFound)?;
    authorize(actor, Action::PostDisclosure, &rec.village)?;
    Ok(rec)
}

/// Records the next stage as a draft entry (attach its photos and documents, then submit
/// it for the township's review). A stage comes only after the one before it; building
/// progress is recorded as often as it moves and never goes back.
#[utoipa::path(post, path = "/api/projects/{id}/stages", tag = "projects", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)), request_body = NewStage,
    responses((status = 201, body = Entry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn record_stage(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<NewStage>,
) -> ApiResult<(StatusCode, Json<Entry>)> {
    let rec = own_project(&state, &actor, id).await?;
    let stages = state.db.project_stages(&[id]).await?;
    project::check_stage(&stages, &body, state.clock.today()).map_err(ApiError::from)?;
    let note = text(&body.note, "note", NOTE_MAX)?.unwrap_or_default();
    let facts = StageFacts {
        project: id,
        stage: body.stage,
        progress_pct: body.progress_pct,
        amount_fen: body.amount_fen,
    };
    let entry = state
        .db
        .insert_stage(NewStageRow {
            village: &rec.village,
            label: body.stage.label(rec.kind),
            date: &body.date.to_string(),
            title: &project::stage_title(&rec.title, rec.kind, body.stage),
            note: &note,
            facts: &facts,
            by: actor.0.id,
            at: state.clock.now(),
        })
        .await?;
    let stored = state.db.disclosure(entry).await?.ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(stored.entry)))
}

/// Links a line of the village's accounts to the project: spending for works, income for
/// a disposal; a line pays one project. Counted (and shown to villagers) once its month
/// is published.
#[utoipa::path(post, path = "/api/projects/{id}/payments", tag = "projects", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)), request_body = PaymentLink,
    responses((status = 200, body = Project), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn link_payment(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<PaymentLink>,
) -> ApiResult<Json<Project>> {
    let rec = own_project(&state, &actor, id).await?;
    let place = state.db.line_place(body.line).await?;
    let line = state.db.ledger_line(body.line).await?;
    let (Some(place), Some(line)) = (place, line) else {
        return Err(ApiError::invalid("line", FieldError::NotListed));
    };
    if place.village != rec.village {
        return Err(ApiError::invalid("line", FieldError::NotInRegion));
    }
    if line.kind != rec.kind.line_kind() {
        return Err(ApiError::invalid("line", FieldError::NotListed));
    }
    if !state.db.link_payment(id, body.line, actor.0.id).await? {
        return Err(ApiError::Conflict("line"));
    }
    Ok(Json(view(&state, &Reader::Person(actor), rec).await?))
}

/// Unlinks a line, while its month is not published (a published payment stays where it
/// was shown).
#[utoipa::path(delete, path = "/api/projects/{id}/payments/{line}", tag = "projects", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path), ("line" = Uuid, Path)),
    responses((status = 200, body = Project), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn unlink_payment(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((id, line)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<Project>> {
    let rec = own_project(&state, &actor, id).await?;
    let place = state.db.line_place(line).await?.ok_or(ApiError::NotFound)?;
    if state.db.payment_project(line).await? != Some(id) {
        return Err(ApiError::NotFound);
    }
    if place.edition_status == MonthStatus::Published {
        return Err(ApiError::WrongState("a payment of a published month stays linked"));
    }
    state.db.unlink_payment(id, line).await?;
    Ok(Json(view(&state, &Reader::Person(actor), rec).await?))
}

/// A villager asks about a published entry (a project's stage, or any catalogue entry).
/// Who asked is kept and never shown.
#[utoipa::path(post, path = "/api/disclosures/{id}/questions", tag = "projects", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)), request_body = Text,
    responses((status = 201, body = Entry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn ask(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<Text>,
) -> ApiResult<(StatusCode, Json<Entry>)> {
    let reader = Reader::Person(actor.clone());
    let entry = visible(&state, &reader, id).await?;
    authorize(&actor, Action::AskAboutLedger, &entry.village)?;
    let question = required(&body.text, "text", 300)?;
    if !state
        .db
        .ask_about_entry(id, actor.0.id, &question, state.clock.now())
        .await?
    {
        return Err(ApiError::WrongState(
            "only a published entry that stands takes questions",
        ));
    }
    Ok((StatusCode::CREATED, Json(visible(&state, &reader, id).await?)))
}

/// The village's accountant or cadre answers a question once; the answer stays on record
/// under the entry.
#[utoipa::path(post, path = "/api/disclosure-questions/{id}/answer", tag = "projects", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)), request_body = Text,
    responses((status = 200, body = Entry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn answer(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<Text>,
) -> ApiResult<Json<Entry>> {
    let entry_id = state.db.question_entry(id).await?.ok_or(ApiError::NotFound)?;
    let entry = state.db.disclosure(entry_id).await?.ok_or(ApiError::NotFound)?.entry;
    authorize(&actor, Action::PostDisclosure, &entry.village)?;
    let answer = required(&body.text, "text", 500)?;
    if !state
        .db
        .answer_about_entry(id, actor.0.id, &answer, state.clock.now())
        .await?
    {
        return Err(ApiError::WrongState("the question is answered already"));
    }
    if let Some(asker) = state.db.entry_question_asker(id).await? {
        let what = format!("您的提问有了回答：{}", entry.title);
        let page = match &entry.project {
            Some(f) => format!("projects/{}#entry-{}", f.project, entry.id),
            None => format!("disclosures/{}#entry-{}", entry.village, entry.id),
        };
        let event = format!("entry-answer:{id}");
        crate::wechat::notify(
            &state,
            &[asker],
            NoticeKind::QuestionAnswered,
            &event,
            &entry.village,
            what,
            page,
        )
        .await;
    }
    Ok(Json(
        state.db.disclosure(entry_id).await?.ok_or(ApiError::NotFound)?.entry,
    ))
}
