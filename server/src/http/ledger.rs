//! The village ledger (台账): accountants enter a month's lines and submit them; the
//! township's reviewer approves (seals) or rejects each line and publishes the month;
//! villagers read what is published.

use axum::{
    Json,
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::{StatusCode, header},
    response::IntoResponse,
};
use serde::Deserialize;
use sunlight_api::{
    ErrorBody, RegionCode, RegionLevel,
    date::{Date, Month},
    dto::ImportResult,
    error::{FieldError, RowError},
    fields::mask_name,
    ledger::{
        Categories, CategoryTotal, Correction, DEFAULT_CATEGORIES, DisclosureAccess, Kind, LedgerMonth, LedgerYear,
        Line, LineInput, LineStatus, MonthStatus, MySubsidies, OpenCorrection, QueueItem, Review, SubmitMonth,
        SubsidyPayment, Text, is_subsidy_category, open_for_entry,
    },
    money,
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
    authz::{Action, Actor, Reader, authorize, authorize_reader, permits, permits_reader},
    db::{
        corrections::{OpenRefused, totals},
        ledger::{LineFields, LinePlace, MonthRecord},
    },
    ledger_import::{self, ReadError},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(year))
        .routes(routes!(month))
        .routes(routes!(add_line))
        .routes(routes!(edit_line, delete_line))
        .routes(routes!(submit))
        .routes(routes!(open_correction))
        .routes(routes!(queue))
        .routes(routes!(review))
        .routes(routes!(publish))
        .routes(routes!(import))
        .routes(routes!(template))
        .routes(routes!(ask))
        .routes(routes!(answer))
        .routes(routes!(get_categories, set_categories))
        .routes(routes!(get_access, set_access))
        .routes(routes!(my_subsidies))
}

/// Checks the region is a village that exists and returns its name.
pub(crate) async fn village_name(state: &AppState, code: &RegionCode) -> ApiResult<String> {
    if code.level() != RegionLevel::Village {
        return Err(ApiError::invalid("region", FieldError::WrongLevel));
    }
    Ok(state.db.region(code).await?.ok_or(ApiError::NotFound)?.name)
}

fn parse_month(raw: &str) -> ApiResult<Month> {
    Month::parse(raw).map_err(|_| ApiError::NotFound)
}

/// Optional free text: trimmed, at most `max` characters, `None` when empty.
pub(crate) fn text(raw: &str, field: &'static str, max: usize) -> ApiResult<Option<String>> {
    let t = raw.trim();
    if t.chars().count() > max {
        return Err(ApiError::invalid(field, FieldError::TooLong));
    }
    // The same rule as for every JSON string, so that an imported cell meets it too.
    sunlight_api::text::check(t, sunlight_api::text::is_multi_line(field)).map_err(|e| ApiError::invalid(field, e))?;
    Ok((!t.is_empty()).then(|| t.to_owned()))
}

pub(crate) fn required(raw: &str, field: &'static str, max: usize) -> ApiResult<String> {
    text(raw, field, max)?.ok_or_else(|| ApiError::invalid(field, FieldError::Required))
}

/// The county a region belongs to (itself for a county); none for a city.
fn county_of(code: &RegionCode) -> Option<RegionCode> {
    let mut c = code.clone();
    while c.level() > RegionLevel::County {
        c = c.parent()?;
    }
    (c.level() == RegionLevel::County).then_some(c)
}

/// The categories lines in `code` may use: its county's list, or the default one.
async fn categories_for(state: &AppState, code: &RegionCode) -> ApiResult<Categories> {
    let configured = match county_of(code) {
        Some(county) => state.db.ledger_categories(county.as_str()).await?,
        None => Vec::new(),
    };
    Ok(if configured.is_empty() {
        Categories {
            categories: DEFAULT_CATEGORIES.iter().map(|c| (*c).to_owned()).collect(),
            default: true,
        }
    } else {
        Categories {
            categories: configured,
            default: false,
        }
    })
}

/// Validates a line as the accountant typed it; the date must fall in `month` and not
/// after `today`, and the category must be one of `categories`.
pub fn parse_line(input: &LineInput, month: Month, today: Date, categories: &[String]) -> ApiResult<LineFields> {
    let date = Date::parse(&input.date)?;
    if !month.contains(&date) {
        return Err(ApiError::invalid("date", FieldError::NotInMonth));
    }
    if date > today {
        return Err(ApiError::invalid("date", FieldError::InFuture));
    }
    let invoice_no = text(&input.invoice_no, "invoice_no", 40)?;
    if let Some(no) = &invoice_no
        && !no.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/')
    {
        return Err(ApiError::invalid("invoice_no", FieldError::BadFormat));
    }
    Ok(LineFields {
        date,
        kind: input.kind,
        amount_fen: money::parse_yuan(&input.amount, "amount")?,
        category: {
            let c = required(&input.category, "category", 20)?;
            if !categories.contains(&c) {
                return Err(ApiError::invalid("category", FieldError::NotListed));
            }
            c
        },
        counterparty: required(&input.counterparty, "counterparty", 50)?,
        counterparty_is_person: input.counterparty_is_person,
        invoice_no,
        note: text(&input.note, "note", 200)?,
    })
}

/// A line as a member of staff sees it: the duplicate-invoice flag, which looks at other
/// villages' unpublished months, only for those `authz` lets see it.
fn for_staff(actor: &Actor, village: &RegionCode, mut line: Line) -> Line {
    if !permits(actor, Action::SeeDuplicateInvoices, village) {
        line.duplicate_invoice = false;
    }
    line
}

/// The month lines are entered into: an existing one, or `None` for a new one, which must
/// be open for entry (created with [`create_month`] once the lines are valid).
async fn month_for_entry(
    state: &AppState,
    code: &RegionCode,
    month: Month,
) -> ApiResult<Option<crate::db::ledger::MonthRecord>> {
    let existing = state.db.ledger_month(code, month).await?;
    if existing.is_none() {
        open_for_entry(month, state.clock.this_month())?;
    }
    Ok(existing)
}

/// The month found by [`month_for_entry`], or a new draft.
async fn create_month(
    state: &AppState,
    code: &RegionCode,
    month: Month,
    existing: Option<crate::db::ledger::MonthRecord>,
) -> ApiResult<crate::db::ledger::MonthRecord> {
    match existing {
        Some(record) => Ok(record),
        None => Ok(state.db.ensure_ledger_month(code, month).await?),
    }
}

/// What a villager may see of a line: private persons' names masked, no review notes.
fn for_villagers(mut line: Line) -> Line {
    if line.counterparty_is_person {
        line.counterparty = mask_name(&line.counterparty);
    }
    line.reject_reason = None;
    line.duplicate_invoice = false;
    line
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The calendar year, e.g. 2026.
    pub year: i32,
}

/// The months of a year with their totals. Villagers see published months only; so does
/// anyone, signed in or not, where the county keeps its villages' disclosures public.
#[utoipa::path(get, path = "/api/regions/{code}/ledger", tag = "ledger", security((), ("sunlight_session" = [])),
    params(("code" = String, Path), YearQuery),
    responses((status = 200, body = LedgerYear), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn year(
    State(state): State<AppState>,
    reader: Reader,
    ApiPath(code): ApiPath<RegionCode>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<Json<LedgerYear>> {
    Ok(Json(year_for(&state, &reader, code, q.year).await?))
}

/// What `reader` sees of a village's year.
pub(crate) async fn year_for(state: &AppState, reader: &Reader, code: RegionCode, year: i32) -> ApiResult<LedgerYear> {
    readable(state, reader, &code).await?;
    let village_name = village_name(state, &code).await?;
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::invalid("year", FieldError::OutOfRange));
    }
    let published_only = !permits_reader(reader, Action::ViewUnpublishedLedger, &code);
    let months = state.db.ledger_year(&code, year, published_only).await?;
    Ok(LedgerYear {
        village: code,
        village_name,
        year,
        months,
    })
}

/// Checks `reader` may read the disclosures of `code` (whose level the caller checks next).
pub(crate) async fn readable(state: &AppState, reader: &Reader, code: &RegionCode) -> ApiResult<()> {
    let public = state.db.disclosures_public(code).await?;
    authorize_reader(reader, Action::ViewLedger, code, public)
}

/// One month: totals, spending by category, and every line with its seal. A month that
/// is not published looks empty to villagers.
#[utoipa::path(get, path = "/api/regions/{code}/ledger/{month}", tag = "ledger", security((), ("sunlight_session" = [])),
    params(("code" = String, Path), ("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, body = LedgerMonth), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn month(
    State(state): State<AppState>,
    reader: Reader,
    ApiPath((code, month)): ApiPath<(RegionCode, String)>,
) -> ApiResult<Json<LedgerMonth>> {
    let month = parse_month(&month)?;
    Ok(Json(month_for(&state, &reader, code, month).await?))
}

/// What `reader` sees of a village's month: staff everything, everyone else the published
/// month and corrections with private persons' names masked.
pub(crate) async fn month_for(
    state: &AppState,
    reader: &Reader,
    code: RegionCode,
    month: Month,
) -> ApiResult<LedgerMonth> {
    readable(state, reader, &code).await?;
    let mut staff_actor = reader
        .person()
        .filter(|a| permits(a, Action::ViewUnpublishedLedger, &code));
    // The village's financial oversight group reviews the month once it is submitted.
    if staff_actor.is_none()
        && let Some(a) = reader.person()
        && let Some(r) = state.db.ledger_month(&code, month).await?
        && super::oversight::group_reads(state, reader, &code, r.status).await?
    {
        staff_actor = Some(a);
    }
    month_view(state, code, month, staff_actor).await
}

/// What villagers see of a month (its published editions, private persons' names
/// masked), whoever asks: what the publication log records of it.
pub(crate) async fn public_month(state: &AppState, code: RegionCode, month: Month) -> ApiResult<LedgerMonth> {
    month_view(state, code, month, None).await
}

async fn month_view(
    state: &AppState,
    code: RegionCode,
    month: Month,
    staff_actor: Option<&Actor>,
) -> ApiResult<LedgerMonth> {
    let village_name = village_name(state, &code).await?;
    let staff = staff_actor.is_some();
    let record = state.db.ledger_month(&code, month).await?;
    let visible = record.filter(|r| staff || r.status == MonthStatus::Published);
    let visible_closed_early = visible.as_ref().is_some_and(|r| r.closed_early);
    let shown = |lines: Vec<Line>| -> Vec<Line> {
        if let Some(actor) = staff_actor {
            lines.into_iter().map(|l| for_staff(actor, &code, l)).collect()
        } else {
            lines.into_iter().map(for_villagers).collect()
        }
    };
    let (status, lines, corrections) = match visible {
        Some(r) => {
            let mut all = state.db.month_lines(r.id).await?;
            let of = |all: &mut Vec<(Option<Uuid>, Line)>, edition: Option<Uuid>| {
                shown(all.extract_if(.., |(c, _)| *c == edition).map(|(_, l)| l).collect())
            };
            let lines = of(&mut all, None);
            let mut corrections = Vec::new();
            for c in state.db.corrections(r.id).await? {
                if !staff && c.status != MonthStatus::Published {
                    continue;
                }
                let lines = of(&mut all, Some(c.id));
                let (income_fen, expense_fen) = totals(&lines);
                corrections.push(Correction {
                    seq: c.seq as u32,
                    reason: c.reason,
                    status: c.status,
                    opened_at: crate::db::to_wire(c.created_at),
                    published_at: c.published_at.map(crate::db::to_wire),
                    income_fen,
                    expense_fen,
                    lines,
                });
            }
            (Some(r.status), lines, corrections)
        }
        None => (None, Vec::new(), Vec::new()),
    };
    let sum = |k: Kind| lines.iter().filter(|l| l.kind == k).map(|l| l.amount_fen).sum::<i64>();
    let mut categories: Vec<CategoryTotal> = Vec::new();
    for l in lines.iter().filter(|l| l.kind == Kind::Expense) {
        match categories.iter_mut().find(|c| c.category == l.category) {
            Some(c) => c.expense_fen += l.amount_fen,
            None => categories.push(CategoryTotal {
                category: l.category.clone(),
                expense_fen: l.amount_fen,
            }),
        }
    }
    categories.sort_by(|a, b| b.expense_fen.cmp(&a.expense_fen).then(a.category.cmp(&b.category)));
    Ok(LedgerMonth {
        village: code,
        village_name,
        month,
        status,
        closed_early: visible_closed_early,
        income_fen: sum(Kind::Income),
        expense_fen: sum(Kind::Expense),
        categories,
        lines,
        corrections,
    })
}

/// Adds a line to a month that is not yet published, or to the open correction of a
/// published one.
#[utoipa::path(post, path = "/api/regions/{code}/ledger/{month}/lines", tag = "ledger", security(("sunlight_session" = [])),
    params(("code" = String, Path), ("month" = String, Path)), request_body = LineInput,
    responses((status = 201, body = Line), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_line(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((code, month)): ApiPath<(RegionCode, String)>,
    ApiJson(input): ApiJson<LineInput>,
) -> ApiResult<(StatusCode, Json<Line>)> {
    authorize(&actor, Action::EditLedger, &code)?;
    let month = parse_month(&month)?;
    village_name(&state, &code).await?;
    let existing = month_for_entry(&state, &code, month).await?;
    let today = state.clock.today();
    let fields = parse_line(&input, month, today, &categories_for(&state, &code).await?.categories)?;
    let record = create_month(&state, &code, month, existing).await?;
    let correction = open_correction_for_entry(&state, &record).await?;
    // The edition's state is checked by the write itself, which publication cannot pass.
    let id = state
        .db
        .insert_ledger_line(record.id, correction, &fields, actor.0.id)
        .await?
        .ok_or(ApiError::LedgerLocked)?;
    let line = state.db.ledger_line(id).await?.ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(for_staff(&actor, &code, line))))
}

/// Where new lines of a month go: the month itself (`None`) while it is not published,
/// then its open correction; a published month with none open is locked.
async fn open_correction_for_entry(state: &AppState, record: &MonthRecord) -> ApiResult<Option<Uuid>> {
    if record.status != MonthStatus::Published {
        return Ok(None);
    }
    match state.db.open_correction_of(record.id).await? {
        Some(c) => Ok(Some(c.id)),
        None => Err(ApiError::LedgerLocked),
    }
}

/// A line the accountant may change, as far as can be told before writing: its month is
/// not published and it is not sealed. This saves work on a request bound to fail; the
/// write itself checks again, and its answer is the one that counts.
pub(super) async fn editable(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<LinePlace> {
    let place = state.db.line_place(id).await?.ok_or(ApiError::NotFound)?;
    authorize(actor, Action::EditLedger, &place.village)?;
    if place.edition_status == MonthStatus::Published || place.line_status == LineStatus::Approved {
        return Err(ApiError::LedgerLocked);
    }
    Ok(place)
}

/// Fixes a line; it goes back to the reviewer.
#[utoipa::path(put, path = "/api/ledger-lines/{id}", tag = "ledger", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)), request_body = LineInput,
    responses((status = 200, body = Line), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit_line(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<LineInput>,
) -> ApiResult<Json<Line>> {
    let place = editable(&state, &actor, id).await?;
    let fields = parse_line(
        &input,
        place.month,
        state.clock.today(),
        &categories_for(&state, &place.village).await?.categories,
    )?;
    if !state.db.update_ledger_line(id, &fields).await? {
        return Err(ApiError::LedgerLocked);
    }
    let line = state.db.ledger_line(id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(for_staff(&actor, &place.village, line)))
}

/// Removes a line that is not sealed.
#[utoipa::path(delete, path = "/api/ledger-lines/{id}", tag = "ledger", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 409, body = ErrorBody)))]
async fn delete_line(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<StatusCode> {
    editable(&state, &actor, id).await?;
    if !state.db.delete_ledger_line(id).await? {
        return Err(ApiError::LedgerLocked);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Authorizes `action` on a village's month and finds the month, which must exist.
async fn existing_month(
    state: &AppState,
    actor: &Actor,
    action: Action,
    code: &RegionCode,
    month: &str,
) -> ApiResult<crate::db::ledger::MonthRecord> {
    authorize(actor, action, code)?;
    let month = parse_month(month)?;
    village_name(state, code).await?;
    state.db.ledger_month(code, month).await?.ok_or(ApiError::NotFound)
}

/// Submits a draft month to the township for review: after its last day (China time), or
/// before that only when the accountant closes it early on purpose, which is recorded and
/// shown to everyone who reads the month. An empty body (`null`) is a plain submission.
#[utoipa::path(post, path = "/api/regions/{code}/ledger/{month}/submit", tag = "ledger", security(("sunlight_session" = [])),
    params(("code" = String, Path), ("month" = String, Path)), request_body = Option<SubmitMonth>,
    responses((status = 204), (status = 409, body = ErrorBody)))]
async fn submit(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((code, month)): ApiPath<(RegionCode, String)>,
    ApiJson(body): ApiJson<Option<SubmitMonth>>,
) -> ApiResult<StatusCode> {
    let record = existing_month(&state, &actor, Action::EditLedger, &code, &month).await?;
    if record.status == MonthStatus::Published {
        // The month's open correction goes to review; a correction needs no month end.
        let c = state
            .db
            .open_correction_of(record.id)
            .await?
            .ok_or(ApiError::LedgerLocked)?;
        let (pending, approved, rejected) = state.db.line_counts(record.id, Some(c.id)).await?;
        if pending + approved + rejected == 0 {
            return Err(ApiError::WrongState("the correction has no lines"));
        }
        if !state.db.submit_correction(c.id).await? {
            return Err(ApiError::WrongState("the correction is not a draft"));
        }
        return Ok(StatusCode::NO_CONTENT);
    }
    let ended = parse_month(&month)?.last_day() < state.clock.today();
    let close_early = body.unwrap_or_default().close_early;
    if !ended && !close_early {
        return Err(ApiError::MonthNotEnded);
    }
    let (pending, approved, rejected) = state.db.line_counts(record.id, None).await?;
    if pending + approved + rejected == 0 {
        return Err(ApiError::WrongState("the month has no lines"));
    }
    if !state.db.submit_ledger_month_as(record.id, !ended).await? {
        return Err(ApiError::WrongState("the month is not a draft"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Opens a correction (更正) of a published month, saying why: lines found after
/// publication are then added to it, and it is submitted, sealed and published like a
/// month, beside the month, which stays as it was published.
#[utoipa::path(post, path = "/api/regions/{code}/ledger/{month}/corrections", tag = "ledger", security(("sunlight_session" = [])),
    params(("code" = String, Path), ("month" = String, Path)), request_body = OpenCorrection,
    responses((status = 201), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn open_correction(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((code, month)): ApiPath<(RegionCode, String)>,
    ApiJson(body): ApiJson<OpenCorrection>,
) -> ApiResult<StatusCode> {
    let record = existing_month(&state, &actor, Action::EditLedger, &code, &month).await?;
    let reason = required(&body.reason, "reason", 200)?;
    match state.db.open_correction(record.id, &reason, actor.0.id).await? {
        Ok(_) => Ok(StatusCode::CREATED),
        Err(OpenRefused::NotPublished) => Err(ApiError::WrongState("the month is not published")),
        Err(OpenRefused::AlreadyOpen) => Err(ApiError::CorrectionOpen),
    }
}

/// Submitted months of the villages in the region, oldest first, with duplicate invoice
/// numbers counted.
#[utoipa::path(get, path = "/api/regions/{code}/review-queue", tag = "ledger", security(("sunlight_session" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = Vec<QueueItem>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn queue(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
) -> ApiResult<Json<Vec<QueueItem>>> {
    authorize(&actor, Action::ReviewLedger, &code)?;
    state.db.region(&code).await?.ok_or(ApiError::NotFound)?;
    let mut items = state.db.review_queue(&code).await?;
    items.extend(state.db.correction_queue(&code).await?);
    items.sort_by_key(|q| q.submitted_at);
    Ok(Json(items))
}

/// Approves (seals) or rejects one pending line of a submitted month.
#[utoipa::path(post, path = "/api/ledger-lines/{id}/review", tag = "ledger", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)), request_body = Review,
    responses((status = 200, body = Line), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn review(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<Review>,
) -> ApiResult<Json<Line>> {
    let place = state.db.line_place(id).await?.ok_or(ApiError::NotFound)?;
    authorize(&actor, Action::ReviewLedger, &place.village)?;
    let line = state.db.ledger_line(id).await?.ok_or(ApiError::NotFound)?;
    // Rejecting always needs a reason; sealing needs one when a spending line has no
    // invoice (the write checks this again, against an invoice removed meanwhile).
    if place.edition_status != MonthStatus::Submitted {
        return Err(ApiError::WrongState("the month is not submitted"));
    }
    let reason = if !input.approve || line.lacks_invoice() {
        Some(required(&input.reason, "reason", 200)?)
    } else {
        None
    };
    if !state
        .db
        .review_ledger_line(id, input.approve, reason.as_deref(), actor.0.id)
        .await?
    {
        return Err(ApiError::WrongState("the line is not waiting for review"));
    }
    let line = state.db.ledger_line(id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(for_staff(&actor, &place.village, line)))
}

/// Publishes a submitted month once every line is sealed; villagers see it from now on.
#[utoipa::path(post, path = "/api/regions/{code}/ledger/{month}/publish", tag = "ledger", security(("sunlight_session" = [])),
    params(("code" = String, Path), ("month" = String, Path)),
    responses((status = 204), (status = 409, body = ErrorBody)))]
async fn publish(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((code, month)): ApiPath<(RegionCode, String)>,
) -> ApiResult<StatusCode> {
    let record = existing_month(&state, &actor, Action::ReviewLedger, &code, &month).await?;
    if record.status == MonthStatus::Published {
        let c = state
            .db
            .open_correction_of(record.id)
            .await?
            .ok_or(ApiError::LedgerLocked)?;
        if !state.db.publish_correction(c.id, actor.0.id).await? {
            return Err(ApiError::WrongState(
                "the correction is not submitted with every line sealed",
            ));
        }
        crate::publication::after_publish(&state, &code, parse_month(&month)?, Some(c.seq as u32)).await;
        return Ok(StatusCode::NO_CONTENT);
    }
    // The village's financial oversight group, where it has one, signs first (民主理财).
    if !state.db.group_members(&code).await?.is_empty()
        && !state.db.signatures(record.id).await?.iter().any(|(_, s)| s.agree)
    {
        return Err(ApiError::invalid("signatures", FieldError::Required));
    }
    if !state.db.publish_ledger_month(record.id, actor.0.id).await? {
        return Err(ApiError::WrongState(
            "the month is not submitted with every line sealed",
        ));
    }
    crate::publication::after_publish(&state, &code, parse_month(&month)?, None).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Imports a month's lines from a spreadsheet sent as the body: XLSX, or CSV in UTF-8 or
/// GBK, with the template's columns. Every bad row is reported with its line number and
/// nothing is saved unless every row is good. Spreadsheet numbers are rounded to the fen
/// as `ledger_import` states.
#[utoipa::path(post, path = "/api/regions/{code}/ledger/{month}/import", tag = "ledger", security(("sunlight_session" = [])),
    params(("code" = String, Path), ("month" = String, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = ImportResult), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((code, month)): ApiPath<(RegionCode, String)>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<ImportResult>)> {
    authorize(&actor, Action::EditLedger, &code)?;
    let month = parse_month(&month)?;
    village_name(&state, &code).await?;
    let existing = month_for_entry(&state, &code, month).await?;
    let body = super::extract::body_bytes(body)?;
    let rows = crate::uploads::decode(move || ledger_import::read(&body)).await?;
    let rows = rows.map_err(|e| match e {
        ReadError::Unreadable => ApiError::invalid("file", FieldError::BadFormat),
        ReadError::TooBig => ApiError::SpreadsheetTooLarge,
        ReadError::TooManyRows => ApiError::invalid("file", FieldError::TooLong),
        ReadError::MissingColumns(rows) => ApiError::InvalidRows(rows),
    })?;
    let categories = categories_for(&state, &code).await?.categories;
    let today = state.clock.today();
    let mut lines = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for row in rows {
        if let Some(code) = row.kind_error {
            errors.push(RowError {
                row: row.line,
                field: "kind".into(),
                code,
            });
        }
        match parse_line(&row.input, month, today, &categories) {
            Ok(fields) => lines.push(fields),
            Err(ApiError::Invalid(i)) => errors.push(RowError {
                row: row.line,
                field: i.field.into(),
                code: i.reason,
            }),
            Err(e) => return Err(e),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::InvalidRows(errors));
    }
    let record = create_month(&state, &code, month, existing).await?;
    let correction = open_correction_for_entry(&state, &record).await?;
    let created = state
        .db
        .insert_ledger_lines(record.id, correction, &lines, actor.0.id)
        .await?
        .ok_or(ApiError::LedgerLocked)?
        .len() as u32;
    Ok((StatusCode::CREATED, Json(ImportResult { created })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateQuery {
    /// The month the example rows are dated in (e.g. 2026-11); this month when left out.
    #[param(value_type = Option<String>, pattern = r"^\d{4}-\d{2}$")]
    pub month: Option<String>,
}

/// The import template: an XLSX workbook with the columns and two example rows, dated in
/// the month asked for and not after today, so that importing it unchanged succeeds.
#[utoipa::path(get, path = "/api/ledger-template.xlsx", tag = "ledger", params(TemplateQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 422, body = ErrorBody)))]
async fn template(State(state): State<AppState>, ApiQuery(q): ApiQuery<TemplateQuery>) -> ApiResult<impl IntoResponse> {
    let today = state.clock.today();
    let month = match q.month {
        Some(m) => Month::parse(&m)?,
        None => state.clock.this_month(),
    };
    let bytes = ledger_import::template_xlsx(month, today).map_err(|e| anyhow::anyhow!("template: {e}"))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"ledger-template.xlsx\"; filename*=UTF-8''%E5%8F%B0%E8%B4%A6%E6%A8%A1%E6%9D%BF.xlsx",
            ),
            (header::CACHE_CONTROL, "private, no-cache"),
        ],
        bytes,
    ))
}

/// Asks a question on a published line. Who asked is kept but never shown.
#[utoipa::path(post, path = "/api/ledger-lines/{id}/questions", tag = "ledger", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)), request_body = Text,
    responses((status = 201, body = Line), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn ask(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<Text>,
) -> ApiResult<(StatusCode, Json<Line>)> {
    let place = state.db.line_place(id).await?.ok_or(ApiError::NotFound)?;
    authorize(&actor, Action::ViewLedger, &place.village)?;
    // An unpublished line does not exist for the people who may ask.
    if place.edition_status != MonthStatus::Published && !permits(&actor, Action::ViewUnpublishedLedger, &place.village)
    {
        return Err(ApiError::NotFound);
    }
    authorize(&actor, Action::AskAboutLedger, &place.village)?;
    if place.edition_status != MonthStatus::Published {
        return Err(ApiError::WrongState("the month is not published"));
    }
    let text = required(&body.text, "text", 300)?;
    state.db.ask_question(id, actor.0.id, &text).await?;
    let line = state.db.ledger_line(id).await?.ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(for_villagers(line))))
}

/// The accountant answers a question once; the answer stays on record under the line.
#[utoipa::path(post, path = "/api/ledger-questions/{id}/answer", tag = "ledger", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)), request_body = Text,
    responses((status = 200, body = Line), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn answer(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<Text>,
) -> ApiResult<Json<Line>> {
    let line = state.db.question_line(id).await?.ok_or(ApiError::NotFound)?;
    let place = state.db.line_place(line).await?.ok_or(ApiError::NotFound)?;
    authorize(&actor, Action::AnswerAboutLedger, &place.village)?;
    let text = required(&body.text, "text", 500)?;
    if !state.db.answer_question(id, actor.0.id, &text).await? {
        return Err(ApiError::WrongState("the question is answered already"));
    }
    if let Some((asker, _)) = state.db.ledger_question_asker(id).await? {
        let what = "您对账目的提问有了回答".to_owned();
        let page = format!("ledger/{}", place.village);
        crate::wechat::notify(
            &state,
            &[asker],
            NoticeKind::QuestionAnswered,
            &format!("ledger-answer:{id}"),
            &place.village,
            what,
            page,
        )
        .await;
    }
    let line = state.db.ledger_line(line).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(for_staff(&actor, &place.village, line)))
}

/// Whether a county keeps its villages' disclosures to villagers (see [`DisclosureAccess`]).
#[utoipa::path(get, path = "/api/regions/{code}/disclosure-access", tag = "ledger", security(("sunlight_session" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = DisclosureAccess), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_access(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
) -> ApiResult<Json<DisclosureAccess>> {
    county_to_manage(&state, &actor, &code).await?;
    Ok(Json(DisclosureAccess {
        villagers_only: !state.db.disclosures_public(&code).await?,
    }))
}

/// A county admin keeps the county's disclosures to villagers, or opens them to anyone
/// with the link. Applies at once to every page and file.
#[utoipa::path(put, path = "/api/regions/{code}/disclosure-access", tag = "ledger", security(("sunlight_session" = [])),
    params(("code" = String, Path)), request_body = DisclosureAccess,
    responses((status = 200, body = DisclosureAccess), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_access(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiJson(body): ApiJson<DisclosureAccess>,
) -> ApiResult<Json<DisclosureAccess>> {
    county_to_manage(&state, &actor, &code).await?;
    state.db.set_villagers_only(&code, body.villagers_only).await?;
    Ok(Json(body))
}

/// A county whose catalogue `actor` manages.
pub(crate) async fn county_to_manage(state: &AppState, actor: &Actor, code: &RegionCode) -> ApiResult<()> {
    authorize(actor, Action::ManageCatalogue, code)?;
    if code.level() != RegionLevel::County {
        return Err(ApiError::invalid("region", FieldError::WrongLevel));
    }
    state.db.region(code).await?.ok_or(ApiError::NotFound)?;
    Ok(())
}

/// The ledger categories that apply in a region: its county's list, or the default.
#[utoipa::path(get, path = "/api/regions/{code}/ledger-categories", tag = "ledger", security(("sunlight_session" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = Categories), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_categories(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
) -> ApiResult<Json<Categories>> {
    authorize(&actor, Action::ViewLedger, &code)?;
    state.db.region(&code).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(categories_for(&state, &code).await?))
}

/// A county admin sets the county's categories (1–50, each 1–20 characters, no repeats).
/// Lines already entered keep theirs.
#[utoipa::path(put, path = "/api/regions/{code}/ledger-categories", tag = "ledger", security(("sunlight_session" = [])),
    params(("code" = String, Path)), request_body = Categories,
    responses((status = 200, body = Categories), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_categories(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiJson(body): ApiJson<Categories>,
) -> ApiResult<Json<Categories>> {
    county_to_manage(&state, &actor, &code).await?;
    let mut names: Vec<String> = Vec::new();
    for raw in &body.categories {
        let Some(name) = text(raw, "categories", 20)? else {
            continue;
        };
        if names.contains(&name) {
            return Err(ApiError::invalid("categories", FieldError::Duplicate));
        }
        names.push(name);
    }
    if names.is_empty() {
        return Err(ApiError::invalid("categories", FieldError::Required));
    }
    if names.len() > 50 {
        return Err(ApiError::invalid("categories", FieldError::TooLong));
    }
    state.db.set_ledger_categories(code.as_str(), &names).await?;
    Ok(Json(Categories {
        categories: names,
        default: false,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubsidiesQuery {
    /// The calendar year; this year when absent.
    pub year: Option<i32>,
}

/// 我的补助: the subsidies the published accounts record as paid to the reader's household
/// in a year, beside the village's whole published list of them, names masked. 404 for
/// someone who belongs to no household.
#[utoipa::path(get, path = "/api/me/subsidies", tag = "ledger", security(("sunlight_session" = [])), params(SubsidiesQuery),
    responses((status = 200, body = MySubsidies), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn my_subsidies(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<SubsidiesQuery>,
) -> ApiResult<Json<MySubsidies>> {
    Ok(Json(subsidies_for(&state, &actor, q.year).await?))
}

/// What `my_subsidies` answers, for the API and the server's page alike. Payments are
/// matched to the household by the name of its head as the village recorded it (the
/// accounts record a name, not a person). Never by the names people gave their own
/// accounts: anyone could register as a neighbour and so unmask the neighbour's payments.
/// A namesake's payment is matched too, which the page says.
pub(crate) async fn subsidies_for(state: &AppState, actor: &Actor, year: Option<i32>) -> ApiResult<MySubsidies> {
    let Some((village, household)) = actor
        .0
        .grants
        .iter()
        .find_map(|g| g.household.map(|h| (g.region.clone(), h)))
    else {
        return Err(ApiError::NotFound);
    };
    authorize(actor, Action::ViewLedger, &village)?;
    let year = year.unwrap_or_else(|| state.clock.this_month().year);
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::invalid("year", FieldError::OutOfRange));
    }
    let village_name = village_name(state, &village).await?;
    let household = state.db.household(household).await?.ok_or(ApiError::NotFound)?;
    let members = vec![household.head_name.clone()];
    let (mut mine, mut list) = (Vec::new(), Vec::new());
    for (line, month, date, category, recipient, amount_fen, note) in state.db.paid_to_persons(&village, year).await? {
        if !is_subsidy_category(&category) {
            continue;
        }
        let ours = members.iter().any(|m| *m == recipient.trim());
        let payment = SubsidyPayment {
            line,
            month,
            date,
            category,
            recipient: mask_name(&recipient),
            amount_fen,
            note,
            mine: ours,
        };
        if ours {
            mine.push(SubsidyPayment {
                recipient,
                ..payment.clone()
            });
        }
        list.push(payment);
    }
    let sum = |v: &[SubsidyPayment]| v.iter().map(|p| p.amount_fen).sum();
    Ok(MySubsidies {
        village,
        village_name,
        year,
        household: household.number,
        members,
        mine_fen: sum(&mine),
        mine,
        list_fen: sum(&list),
        list,
    })
}
