//! The disclosure catalogue (公开目录): a county's items, the entries villages post for
//! them (reviewed and sealed by the township like a month), and completeness (红黄绿).

use std::collections::HashMap;

use axum::{
    Json,
    extract::{DefaultBodyLimit, State},
    http::StatusCode,
};
use serde::Deserialize;
use sunlight_api::{
    ErrorBody, RegionCode, RegionLevel, Timestamp,
    catalogue::{
        self, Catalogue, CatalogueEdit, Completeness, Counts, Entry, EntryReview, EntryStatus, EntryText, Frequency,
        ITEMS_MAX, Item, LEDGER_ITEM, NewCorrection, NewEntry, Obligation, Period, VillageDisclosures, VillageStanding,
        Withdrawal,
    },
    date::{Date, Month},
    demand::{TodoItem, TodoKind},
    error::FieldError,
    ledger::Attachment,
    project::StageFacts,
};
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    AppState,
    error::{ApiError, ApiResult},
    extract::{ApiJson, ApiPath, ApiQuery},
    ledger::{county_to_manage, readable, required, text, village_name},
};
use crate::{
    authz::{Action, Actor, Reader, authorize, permits, permits_reader},
    db::{
        attachments::Owner,
        catalogue::{ItemVersion, NewEntryRow, NewVersion, in_force},
    },
    demands::china_date,
    uploads,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(attach))
        .layer(DefaultBodyLimit::max(uploads::MAX_BYTES + 64 * 1024))
        .routes(routes!(get_catalogue, set_catalogue))
        .routes(routes!(village_disclosures, create))
        .routes(routes!(show, edit, remove))
        .routes(routes!(proof))
        .routes(routes!(correct))
        .routes(routes!(withdraw))
        .routes(routes!(submit))
        .routes(routes!(review))
        .routes(routes!(queue))
        .routes(routes!(file, remove_file))
        .routes(routes!(completeness))
}

/// The month the built-in catalogue is stored as starting from, when a county first
/// changes it.
const BEGINNING: Month = Month { year: 2000, month: 1 };

/// Longest entry title, in characters.
const ENTRY_TITLE_MAX: usize = 60;

/// A county's stored versions, or the built-in catalogue as versions, and whether it is
/// the built-in one.
async fn versions(state: &AppState, county: &RegionCode) -> ApiResult<(Vec<ItemVersion>, bool)> {
    let stored = state.db.catalogue_versions(county).await?;
    if !stored.is_empty() {
        return Ok((stored, false));
    }
    Ok((built_in(), true))
}

fn built_in() -> Vec<ItemVersion> {
    catalogue::default_items()
        .into_iter()
        .enumerate()
        .map(|(i, item)| ItemVersion {
            item,
            since: BEGINNING,
            position: i as i32,
            retired: false,
        })
        .collect()
}

/// The county of a region at county level or below.
fn county_of(code: &RegionCode) -> ApiResult<RegionCode> {
    code.county()
        .ok_or_else(|| ApiError::invalid("region", FieldError::WrongLevel))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct MonthQuery {
    /// `YYYY-MM`; this month when absent.
    month: Option<String>,
}

/// The catalogue in force in a region's county in a month: what its villages must publish,
/// how often and by when. Readable wherever the region's disclosures are.
#[utoipa::path(get, path = "/api/regions/{code}/catalogue", tag = "catalogue", security((), ("sunlight_session" = [])),
    params(("code" = String, Path), MonthQuery),
    responses((status = 200, body = Catalogue), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn get_catalogue(
    State(state): State<AppState>,
    reader: Reader,
    ApiPath(code): ApiPath<RegionCode>,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<Json<Catalogue>> {
    let county = county_of(&code)?;
    readable(&state, &reader, &code).await?;
    state.db.region(&code).await?.ok_or(ApiError::NotFound)?;
    let month = match q.month {
        Some(m) => Month::parse(&m).map_err(ApiError::from)?,
        None => state.clock.this_month(),
    };
    let (versions, default) = versions(&state, &county).await?;
    Ok(Json(Catalogue {
        items: in_force(&versions, month),
        county,
        month,
        default,
    }))
}

/// A county administrator sets the catalogue as it applies from next month (the periods
/// that have begun keep the rules they began under). Items keep their `key`; a new one is
/// sent with an empty key; an item left out is retired from next month. Answers the
/// catalogue as it will stand next month.
#[utoipa::path(put, path = "/api/regions/{code}/catalogue", tag = "catalogue", security(("sunlight_session" = [])),
    params(("code" = String, Path)), request_body = CatalogueEdit,
    responses((status = 200, body = Catalogue), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn set_catalogue(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiJson(body): ApiJson<CatalogueEdit>,
) -> ApiResult<Json<Catalogue>> {
    county_to_manage(&state, &actor, &code).await?;
    if body.items.is_empty() {
        return Err(ApiError::invalid("items", FieldError::Required));
    }
    if body.items.len() > ITEMS_MAX {
        return Err(ApiError::invalid("items", FieldError::TooLong));
    }
    let from = state.clock.this_month().plus(1);
    let (stored, default) = versions(&state, &code).await?;
    let current = in_force(&stored, from);
    let mut next: Vec<Item> = Vec::new();
    for raw in body.items {
        raw.check().map_err(ApiError::from)?;
        let title = required(&raw.title, "title", catalogue::TITLE_MAX)?;
        let key = if raw.key.is_empty() {
            format!("c-{}", &Uuid::new_v4().simple().to_string()[..12])
        } else if stored.iter().any(|v| v.item.key == raw.key) {
            raw.key
        } else {
            return Err(ApiError::invalid("key", FieldError::NotListed));
        };
        if next.iter().any(|i| i.key == key) {
            return Err(ApiError::invalid("key", FieldError::Duplicate));
        }
        // The monthly accounts are the ledger's months: their item stays monthly.
        if key == LEDGER_ITEM && raw.frequency != Frequency::Monthly {
            return Err(ApiError::invalid("frequency", FieldError::NotListed));
        }
        next.push(Item { key, title, ..raw });
    }
    let mut changes: Vec<ItemVersion> = Vec::new();
    for (i, item) in next.iter().enumerate() {
        let before = current.iter().position(|c| c.key == item.key);
        if before.map(|b| (&current[b], b)) != Some((item, i)) {
            changes.push(ItemVersion {
                item: item.clone(),
                since: from,
                position: i as i32,
                retired: false,
            });
        }
    }
    for gone in current.iter().filter(|c| !next.iter().any(|n| n.key == c.key)) {
        changes.push(ItemVersion {
            item: gone.clone(),
            since: from,
            position: i32::MAX,
            retired: true,
        });
    }
    let base = if default { stored } else { Vec::new() };
    state.db.save_catalogue(&code, &base, &changes, actor.0.id).await?;
    Ok(Json(Catalogue {
        county: code,
        month: from,
        items: next,
        default: false,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct YearQuery {
    /// The calendar year; this year when absent.
    year: Option<i32>,
}

/// The year asked for; by default the year of last month, so that in January the view
/// shows the year whose December and fourth quarter are falling due.
fn year_in_range(state: &AppState, year: Option<i32>) -> ApiResult<i32> {
    let this = state.clock.today().year;
    match year {
        None => Ok(state.clock.this_month().minus(1).year),
        Some(y) if (2000..=this).contains(&y) => Ok(y),
        Some(_) => Err(ApiError::invalid("year", FieldError::OutOfRange)),
    }
}

/// A village's disclosures over a year: the items in force, the entries (published ones,
/// and for the village's staff and those above every draft and submitted one), and how the
/// village stands on each item's periods.
#[utoipa::path(get, path = "/api/regions/{code}/disclosures", tag = "catalogue", security((), ("sunlight_session" = [])),
    params(("code" = String, Path), YearQuery),
    responses((status = 200, body = VillageDisclosures), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn village_disclosures(
    State(state): State<AppState>,
    reader: Reader,
    ApiPath(code): ApiPath<RegionCode>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<Json<VillageDisclosures>> {
    Ok(Json(disclosures_for(&state, &reader, code, q.year).await?))
}

/// What `village_disclosures` answers, for the API and the server's page alike.
pub(crate) async fn disclosures_for(
    state: &AppState,
    reader: &Reader,
    code: RegionCode,
    year: Option<i32>,
) -> ApiResult<VillageDisclosures> {
    readable(state, reader, &code).await?;
    let village_name = village_name(state, &code).await?;
    let year = year_in_range(state, year)?;
    let staff = permits_reader(reader, Action::ViewUnpublishedLedger, &code);
    let mut entries = state.db.disclosures_of(&code, year, staff).await?;
    if !staff {
        entries.iter_mut().for_each(|e| e.review_note = None);
    }
    let (obligations, counts) = standings(state, &code, year)
        .await?
        .pop()
        .map(|s| (s.obligations, s.counts))
        .unwrap_or_default();
    let county = county_of(&code)?;
    let (versions, _) = versions(state, &county).await?;
    Ok(VillageDisclosures {
        items: in_force(&versions, state.clock.this_month()),
        village: code,
        village_name,
        year,
        entries,
        obligations,
        light: counts.light(),
        counts,
    })
}

type Found = HashMap<(String, String, String), (Date, Option<Uuid>, Timestamp)>;

/// A village's obligations in a year and their counts.
struct Standing {
    village: RegionCode,
    name: String,
    township: String,
    obligations: Vec<Obligation>,
    counts: Counts,
}

/// Every village of a region with its obligations in `year` and their counts.
async fn standings(state: &AppState, region: &RegionCode, year: i32) -> ApiResult<Vec<Standing>> {
    let today = state.clock.today();
    let villages = state.db.villages_in(region).await?;
    let mut found: Found = HashMap::new();
    let mut events: HashMap<String, Vec<catalogue::PostedEvent>> = HashMap::new();
    for r in state.db.published_in(region, year).await? {
        let day = china_date(r.published_at);
        let at = crate::db::to_wire(r.published_at);
        if r.frequency == Frequency::Event.as_str() {
            let (Ok(period), Some(id)) = (Period::parse(&r.period, Frequency::Event), r.id) else {
                continue;
            };
            events
                .entry(r.village_code.clone())
                .or_default()
                .push((r.item_key, period, day, id, at));
            continue;
        }
        // The first publication of a period counts (a month's corrections come later).
        let slot = found
            .entry((r.village_code, r.item_key, r.period))
            .or_insert((day, r.id, at));
        if at < slot.2 {
            *slot = (day, r.id, at);
        }
    }
    let mut catalogues: HashMap<RegionCode, Vec<ItemVersion>> = HashMap::new();
    let mut out = Vec::new();
    for (village, name, township) in villages {
        let county = county_of(&village)?;
        if !catalogues.contains_key(&county) {
            let (v, _) = versions(state, &county).await?;
            catalogues.insert(county.clone(), v);
        }
        let versions = &catalogues[&county];
        let at = |m: Month| in_force(versions, m);
        let code = village.as_str().to_owned();
        let published = |key: &str, p: Period| found.get(&(code.clone(), key.to_owned(), p.to_string())).copied();
        let none = Vec::new();
        let obligations = catalogue::obligations(&at, &published, events.get(&code).unwrap_or(&none), year, today);
        let mut counts = Counts::default();
        obligations.iter().for_each(|o| counts.add(o, today));
        out.push(Standing {
            village,
            name,
            township,
            obligations,
            counts,
        });
    }
    Ok(out)
}

/// The village's staff start an entry for an item and period (a draft: attach its files,
/// then submit it). The monthly accounts are entered in the ledger, not here.
#[utoipa::path(post, path = "/api/regions/{code}/disclosures", tag = "catalogue", security(("sunlight_session" = [])),
    params(("code" = String, Path)), request_body = NewEntry,
    responses((status = 201, body = Entry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiJson(body): ApiJson<NewEntry>,
) -> ApiResult<(StatusCode, Json<Entry>)> {
    authorize(&actor, Action::PostDisclosure, &code)?;
    village_name(&state, &code).await?;
    let county = county_of(&code)?;
    let (versions, _) = versions(&state, &county).await?;
    if body.item == LEDGER_ITEM {
        return Err(ApiError::invalid("item", FieldError::NotListed));
    }
    // The item as it stood when the period began; its frequency says how to read the period.
    let known = versions
        .iter()
        .find(|v| v.item.key == body.item)
        .ok_or_else(|| ApiError::invalid("item", FieldError::NotListed))?;
    let period = Period::parse(&body.period, known.item.frequency).map_err(ApiError::from)?;
    let today = state.clock.today();
    match period {
        Period::Event(d) if d > today => return Err(ApiError::invalid("period", FieldError::InFuture)),
        p if p.first_month() > today.month() => return Err(ApiError::invalid("period", FieldError::InFuture)),
        _ => {}
    }
    let item = in_force(&versions, period.first_month())
        .into_iter()
        .find(|i| i.key == body.item)
        .ok_or_else(|| ApiError::invalid("item", FieldError::NotListed))?;
    let title = required(&body.title, "title", ENTRY_TITLE_MAX)?;
    let text_body = text(&body.body, "body", catalogue::BODY_MAX)?.unwrap_or_default();
    let id = state
        .db
        .insert_disclosure(NewEntryRow {
            village: &code,
            item: &item,
            period: &period.to_string(),
            title: &title,
            body: &text_body,
            by: actor.0.id,
        })
        .await?
        .ok_or(ApiError::Conflict("period"))?;
    let stored = state.db.disclosure(id).await?.ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(stored.entry)))
}

/// Finds an entry `reader` may see: published ones where the village's disclosures are
/// readable, the rest for staff over the village only (404 otherwise).
pub(crate) async fn visible(state: &AppState, reader: &Reader, id: Uuid) -> ApiResult<Entry> {
    let mut entry = state.db.disclosure(id).await?.ok_or(ApiError::NotFound)?.entry;
    readable(state, reader, &entry.village).await?;
    let staff = permits_reader(reader, Action::ViewUnpublishedLedger, &entry.village);
    if entry.status != EntryStatus::Published && !staff {
        return Err(ApiError::NotFound);
    }
    if !staff {
        entry.review_note = None;
    }
    Ok(entry)
}

/// An entry the actor's village staff may still change (a draft).
async fn own_draft(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Entry> {
    let entry = state.db.disclosure(id).await?.ok_or(ApiError::NotFound)?.entry;
    authorize(actor, Action::PostDisclosure, &entry.village)?;
    Ok(entry)
}

/// One entry with its files.
#[utoipa::path(get, path = "/api/disclosures/{id}", tag = "catalogue", security((), ("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Entry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn show(State(state): State<AppState>, reader: Reader, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<Entry>> {
    Ok(Json(visible(&state, &reader, id).await?))
}

/// A published entry's place in its county's publication log: the signed head and the
/// entry's inclusion proof, for checking what is shown against what was logged (404 for an
/// entry not published).
#[utoipa::path(get, path = "/api/disclosures/{id}/proof", tag = "catalogue", security((), ("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = sunlight_api::published::EntryProof), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn proof(
    State(state): State<AppState>,
    reader: Reader,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<sunlight_api::published::EntryProof>> {
    let entry = visible(&state, &reader, id).await?;
    if entry.status != EntryStatus::Published {
        return Err(ApiError::NotFound);
    }
    Ok(Json(crate::publication::entry_proof(&state, &entry).await?))
}

/// Changes a draft's title and text (409 once submitted or published).
#[utoipa::path(put, path = "/api/disclosures/{id}", tag = "catalogue", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)), request_body = EntryText,
    responses((status = 200, body = Entry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<EntryText>,
) -> ApiResult<Json<Entry>> {
    own_draft(&state, &actor, id).await?;
    let title = required(&body.title, "title", ENTRY_TITLE_MAX)?;
    let text_body = text(&body.body, "body", catalogue::BODY_MAX)?.unwrap_or_default();
    if !state.db.update_disclosure(id, &title, &text_body).await? {
        return Err(ApiError::WrongState("only a draft can change"));
    }
    Ok(Json(state.db.disclosure(id).await?.ok_or(ApiError::NotFound)?.entry))
}

/// Deletes a draft (409 once submitted or published: what was published stays).
#[utoipa::path(delete, path = "/api/disclosures/{id}", tag = "catalogue", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn remove(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<StatusCode> {
    own_draft(&state, &actor, id).await?;
    if !state.db.delete_disclosure(id).await? {
        return Err(ApiError::WrongState("only a draft can be deleted"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a draft to the township for review.
#[utoipa::path(post, path = "/api/disclosures/{id}/submit", tag = "catalogue", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Entry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn submit(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<Entry>> {
    own_draft(&state, &actor, id).await?;
    if !state.db.submit_disclosure(id, state.clock.now()).await? {
        return Err(ApiError::WrongState("only a draft can be submitted"));
    }
    Ok(Json(state.db.disclosure(id).await?.ok_or(ApiError::NotFound)?.entry))
}

/// The township's reviewer publishes (seals) a submitted entry, or returns it to the
/// village with a note saying why (required).
#[utoipa::path(post, path = "/api/disclosures/{id}/review", tag = "catalogue", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)), request_body = EntryReview,
    responses((status = 200, body = Entry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn review(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<EntryReview>,
) -> ApiResult<Json<Entry>> {
    let entry = state.db.disclosure(id).await?.ok_or(ApiError::NotFound)?.entry;
    authorize(&actor, Action::ReviewLedger, &entry.village)?;
    let note = text(&body.note, "note", 500)?;
    if !body.approve && note.is_none() {
        return Err(ApiError::invalid("note", FieldError::Required));
    }
    if !state
        .db
        .review_disclosure(id, body.approve, note.as_deref(), actor.0.id, state.clock.now())
        .await?
    {
        return Err(ApiError::WrongState("only a submitted entry can be reviewed"));
    }
    let entry = state.db.disclosure(id).await?.ok_or(ApiError::NotFound)?.entry;
    if body.approve {
        crate::publication::after_entry_published(&state, &entry).await;
    }
    Ok(Json(entry))
}

/// The village's staff start a correction of a published entry: a new version (a draft,
/// reviewed and published like the first) that says what changed and why. The version it
/// corrects stays as it was published. Only the latest published version is corrected.
#[utoipa::path(post, path = "/api/disclosures/{id}/corrections", tag = "catalogue", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)), request_body = NewCorrection,
    responses((status = 201, body = Entry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn correct(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<NewCorrection>,
) -> ApiResult<(StatusCode, Json<Entry>)> {
    let stored = state.db.disclosure(id).await?.ok_or(ApiError::NotFound)?;
    authorize(&actor, Action::PostDisclosure, &stored.entry.village)?;
    let original = stored.entry;
    if original.status != EntryStatus::Published || original.withdrawn.is_some() {
        return Err(ApiError::WrongState(
            "only a published entry that stands can be corrected",
        ));
    }
    if original.corrected_by.is_some() {
        return Err(ApiError::WrongState("correct its latest version"));
    }
    let title = required(&body.title, "title", ENTRY_TITLE_MAX)?;
    let text_body = text(&body.body, "body", catalogue::BODY_MAX)?.unwrap_or_default();
    let reason = required(&body.reason, "reason", 500)?;
    let facts = corrected_facts(original.project.as_ref(), &body)?;
    let new = state
        .db
        .insert_correction(
            &original,
            stored.frequency,
            NewVersion {
                title: &title,
                body: &text_body,
                reason: &reason,
                facts: facts.as_ref(),
            },
            actor.0.id,
        )
        .await?
        .ok_or(ApiError::WrongState("this version has a correction already"))?;
    let entry = state.db.disclosure(new).await?.ok_or(ApiError::NotFound)?.entry;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// A corrected project stage's figure: the correction's where it gives one, in the stage's
/// range; the original's otherwise. A figure on an entry that is not a stage is refused.
fn corrected_facts(original: Option<&StageFacts>, body: &NewCorrection) -> ApiResult<Option<StageFacts>> {
    let Some(f) = original else {
        if body.progress_pct.is_some() {
            return Err(ApiError::invalid("progress_pct", FieldError::OutOfRange));
        }
        if body.amount_fen.is_some() {
            return Err(ApiError::invalid("amount_fen", FieldError::OutOfRange));
        }
        return Ok(None);
    };
    let mut f = f.clone();
    match (f.stage.takes_progress(), body.progress_pct) {
        (true, Some(p)) if p <= 100 => f.progress_pct = Some(p),
        (_, None) => {}
        _ => return Err(ApiError::invalid("progress_pct", FieldError::OutOfRange)),
    }
    match (f.stage.takes_amount(), body.amount_fen) {
        (true, Some(a)) if a > 0 && a <= sunlight_api::money::MAX_FEN => f.amount_fen = Some(a),
        (_, None) => {}
        _ => return Err(ApiError::invalid("amount_fen", FieldError::OutOfRange)),
    }
    Ok(Some(f))
}

/// The township's reviewer or an administrator withholds a published entry where the law
/// requires it (personal data published by mistake): its title, text and files are removed
/// for good, and a tombstone stands in its place with the reason and who did it, logged in
/// the publication log beside the entry's own record.
#[utoipa::path(post, path = "/api/disclosures/{id}/withdraw", tag = "catalogue", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)), request_body = Withdrawal,
    responses((status = 200, body = Entry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn withdraw(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<Withdrawal>,
) -> ApiResult<Json<Entry>> {
    let entry = state.db.disclosure(id).await?.ok_or(ApiError::NotFound)?.entry;
    authorize(&actor, Action::WithdrawDisclosure, &entry.village)?;
    let reason = required(&body.reason, "reason", 500)?;
    // Logged as it stood first (normally done at publication), so the log keeps that it
    // existed whatever happens next.
    if let Err(e) = crate::publication::log_catalogue_entry(&state, id).await {
        tracing::error!(error = %e, entry = %id, "entry not logged before its withdrawal");
    }
    if !state
        .db
        .withdraw_disclosure(id, &reason, actor.0.id, state.clock.now())
        .await?
    {
        return Err(ApiError::WrongState(
            "only a published entry that stands can be withdrawn",
        ));
    }
    if let Err(e) = crate::publication::log_catalogue_entry(&state, id).await {
        tracing::error!(error = %e, entry = %id, "tombstone not logged yet; the catch-up will log it");
    }
    Ok(Json(state.db.disclosure(id).await?.ok_or(ApiError::NotFound)?.entry))
}

/// Entries submitted in a region and waiting for its reviewer, oldest first.
#[utoipa::path(get, path = "/api/regions/{code}/disclosure-queue", tag = "catalogue", security(("sunlight_session" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = Vec<Entry>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn queue(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
) -> ApiResult<Json<Vec<Entry>>> {
    authorize(&actor, Action::ReviewLedger, &code)?;
    state.db.region(&code).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(state.db.disclosure_queue(&code).await?))
}

/// Attaches a photo or document (PDF) to a draft, through the one upload pipeline.
#[utoipa::path(post, path = "/api/disclosures/{id}/files", tag = "catalogue", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Attachment), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn attach(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    own_draft(&state, &actor, id).await?;
    let body = super::extract::body_bytes(body)?;
    let attachment =
        super::files::store_upload(&state.db, &state.storage, body, Owner::Disclosure(id), actor.0.id).await?;
    Ok((StatusCode::CREATED, Json(attachment)))
}

/// A file of an entry, for whoever may read the entry (`original` for staff only).
#[utoipa::path(get, path = "/api/disclosure-files/{id}/{variant}", tag = "catalogue", security((), ("sunlight_session" = [])),
    params(("id" = Uuid, Path), ("variant" = String, Path, description = "thumb, screen, original or pdf")),
    responses((status = 200, content_type = "image/jpeg"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn file(
    State(state): State<AppState>,
    reader: Reader,
    ApiPath((id, variant)): ApiPath<(Uuid, String)>,
) -> ApiResult<axum::response::Response> {
    let (owner, attachment) = state.db.disclosure_file(id).await?.ok_or(ApiError::NotFound)?;
    let entry = visible(&state, &reader, owner).await?;
    if variant == "original" && !permits_reader(&reader, Action::ViewUnpublishedLedger, &entry.village) {
        return Err(ApiError::Forbidden);
    }
    super::files::serve_stored(&state, &attachment, &variant).await
}

/// Removes a file from a draft.
#[utoipa::path(delete, path = "/api/disclosure-files/{id}", tag = "catalogue", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn remove_file(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<StatusCode> {
    let (owner, _) = state.db.disclosure_file(id).await?.ok_or(ApiError::NotFound)?;
    own_draft(&state, &actor, owner).await?;
    if !state.db.delete_disclosure_file(id).await? {
        return Err(ApiError::WrongState("only a draft's files can be removed"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Completeness: every village of a region over a year, red (something past its deadline
/// unpublished) first, then yellow (published late, or due within three days), then green,
/// with each village's missing items.
#[utoipa::path(get, path = "/api/regions/{code}/completeness", tag = "catalogue", security(("sunlight_session" = [])),
    params(("code" = String, Path), YearQuery),
    responses((status = 200, body = Completeness), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn completeness(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<Json<Completeness>> {
    authorize(&actor, Action::ViewCompleteness, &code)?;
    let region = state.db.region(&code).await?.ok_or(ApiError::NotFound)?;
    let year = year_in_range(&state, q.year)?;
    Ok(Json(completeness_of(&state, &code, region.name, year).await?))
}

/// A region's completeness (for the API and the to-do list).
pub(crate) async fn completeness_of(
    state: &AppState,
    code: &RegionCode,
    region_name: String,
    year: i32,
) -> ApiResult<Completeness> {
    let mut total = Counts::default();
    let mut villages = Vec::new();
    for Standing {
        village,
        name,
        township,
        obligations,
        counts,
    } in standings(state, code, year).await?
    {
        total.on_time += counts.on_time;
        total.late += counts.late;
        total.due += counts.due;
        total.missing += counts.missing;
        total.due_soon += counts.due_soon;
        let mut missing: Vec<Obligation> = obligations
            .into_iter()
            .filter(|o| o.standing == catalogue::Standing::Missing)
            .collect();
        missing.sort_by_key(|o| o.due);
        missing.truncate(10);
        villages.push(VillageStanding {
            township,
            village,
            name,
            light: counts.light(),
            counts,
            missing,
        });
    }
    catalogue::sort_standings(&mut villages);
    let lights = |l| villages.iter().filter(|v| v.light == l).count() as u32;
    Ok(Completeness {
        region: code.clone(),
        region_name,
        year,
        today: state.clock.today(),
        counts: total,
        red: lights(catalogue::Light::Red),
        yellow: lights(catalogue::Light::Yellow),
        green: lights(catalogue::Light::Green),
        villages,
    })
}

/// What the catalogue adds to a person's to-do list: entries waiting for a reviewer, a
/// village's missing items for its staff, the villages in red for those who watch a region.
pub(crate) async fn todo(state: &AppState, actor: &Actor) -> ApiResult<Vec<TodoItem>> {
    // Last year's periods too: what fell due in January (December, the fourth quarter, the
    // year itself) and is still missing stays on the list.
    let this = state.clock.today().year;
    let mut out: Vec<TodoItem> = Vec::new();
    for g in &actor.0.grants {
        let mut push = |kind, count: usize| {
            if count > 0 && !out.iter().any(|i| i.kind == kind && i.region == g.region) {
                out.push(TodoItem {
                    kind,
                    region: g.region.clone(),
                    region_name: g.region_name.clone(),
                    count: count.min(u32::MAX as usize) as u32,
                    year: None,
                });
            }
        };
        if permits(actor, Action::ReviewLedger, &g.region) {
            push(
                TodoKind::DisclosuresToReview,
                state.db.disclosure_queue(&g.region).await?.len(),
            );
        }
        if g.region.county().is_none() || !permits(actor, Action::ViewCompleteness, &g.region) {
            continue;
        }
        let mut missing: HashMap<RegionCode, usize> = HashMap::new();
        for year in [this - 1, this] {
            for s in standings(state, &g.region, year).await? {
                *missing.entry(s.village).or_default() += s.counts.missing as usize;
            }
        }
        if g.region.level() == RegionLevel::Village {
            if permits(actor, Action::PostDisclosure, &g.region) {
                push(TodoKind::DisclosuresMissing, missing.values().sum());
            }
        } else {
            // Anything missing makes a village red.
            push(TodoKind::VillagesInRed, missing.values().filter(|n| **n > 0).count());
        }
    }
    Ok(out)
}
