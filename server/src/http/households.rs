//! Households of a village: list, create one, import many from CSV.

use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;
use sunlight_api::{
    ErrorBody, Page, PersonName, RegionCode, RegionLevel,
    dto::{Household, HouseholdImport, ImportResult, NewHousehold},
    error::{FieldError, Invalid, RowError},
};
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    AppState,
    error::{ApiError, ApiResult},
    extract::{ApiJson, ApiPath, ApiQuery},
};
use crate::{
    authz::{Action, Actor, authorize},
    db::{self, households::CreateError},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(import))
}

/// A keyset page request.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next` value of the previous page.
    pub cursor: Option<String>,
    /// Rows per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

impl PageQuery {
    pub fn parse(&self) -> ApiResult<(Option<(String, uuid::Uuid)>, i64)> {
        let after = match &self.cursor {
            Some(c) => Some(db::cursor::decode(c).ok_or_else(|| ApiError::invalid("cursor", FieldError::BadFormat))?),
            None => None,
        };
        let limit = self.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(ApiError::invalid("limit", FieldError::OutOfRange));
        }
        Ok((after, limit))
    }
}

const MAX_NUMBER_CHARS: usize = 20;
const MAX_IMPORT_ROWS: usize = 5000;

/// Checks a household number (户号): 1–20 characters, letters, digits, hyphens.
fn parse_number(raw: &str) -> Result<String, Invalid> {
    let n = raw.trim();
    if n.is_empty() {
        return Err(Invalid::new("number", FieldError::Required));
    }
    if n.chars().count() > MAX_NUMBER_CHARS {
        return Err(Invalid::new("number", FieldError::TooLong));
    }
    if !n.chars().all(|c| c.is_alphanumeric() || c == '-') {
        return Err(Invalid::new("number", FieldError::BadFormat));
    }
    Ok(n.to_owned())
}

/// Authorizes a household action and checks the region is a village that exists.
async fn village(state: &AppState, actor: &Actor, code: &RegionCode) -> ApiResult<()> {
    authorize(actor, Action::ManageHouseholds, code)?;
    if code.level() != RegionLevel::Village {
        return Err(ApiError::invalid("region", FieldError::WrongLevel));
    }
    state.db.region(code).await?.ok_or(ApiError::NotFound)?;
    Ok(())
}

/// The village's households, by number.
#[utoipa::path(get, path = "/api/regions/{code}/households", tag = "households", security(("sunlight_session" = [])),
    params(("code" = String, Path), PageQuery),
    responses((status = 200, body = Page<Household>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Household>>> {
    village(&state, &actor, &code).await?;
    let (after, limit) = page.parse()?;
    let (items, next) = state.db.list_households(&code, after, limit).await?;
    Ok(Json(Page { items, next }))
}

/// Adds one household.
#[utoipa::path(post, path = "/api/regions/{code}/households", tag = "households", security(("sunlight_session" = [])),
    params(("code" = String, Path)), request_body = NewHousehold,
    responses((status = 201, body = Household), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiJson(req): ApiJson<NewHousehold>,
) -> ApiResult<(StatusCode, Json<Household>)> {
    village(&state, &actor, &code).await?;
    let number = parse_number(&req.number)?;
    let head_name = PersonName::parse_field(&req.head_name, "head_name")?.into_inner();
    let ids = match state
        .db
        .create_households(&code, &[db::households::NewHousehold { number, head_name }])
        .await
    {
        Ok(ids) => ids,
        Err(CreateError::Duplicate(_)) => return Err(ApiError::Conflict("number")),
        Err(CreateError::Db(e)) => return Err(e.into()),
    };
    let created = state.db.household(ids[0]).await?.ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Imports households from CSV (`户号,户主姓名`, a header line first). Every bad row is
/// reported with its line number; nothing is saved unless every row is good.
#[utoipa::path(post, path = "/api/regions/{code}/households/import", tag = "households", security(("sunlight_session" = [])),
    params(("code" = String, Path)), request_body = HouseholdImport,
    responses((status = 201, body = ImportResult), (status = 422, body = ErrorBody)))]
async fn import(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiJson(req): ApiJson<HouseholdImport>,
) -> ApiResult<(StatusCode, Json<ImportResult>)> {
    village(&state, &actor, &code).await?;
    let (batch, lines) = parse_csv(&req.csv)?;
    match state.db.create_households(&code, &batch).await {
        Ok(ids) => Ok((
            StatusCode::CREATED,
            Json(ImportResult {
                created: ids.len() as u32,
            }),
        )),
        Err(CreateError::Duplicate(i)) => Err(ApiError::InvalidRows(vec![RowError {
            row: lines[i],
            field: "number".into(),
            code: FieldError::Duplicate,
        }])),
        Err(CreateError::Db(e)) => Err(e.into()),
    }
}

/// Parses the import file, collecting every bad row. Returns the households and the line
/// number each came from.
fn parse_csv(text: &str) -> ApiResult<(Vec<db::households::NewHousehold>, Vec<u32>)> {
    let text = text.trim_start_matches('\u{feff}');
    let mut batch = Vec::new();
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // Line by line, so every error names the line a person sees in their spreadsheet; a
    // household row never needs a quoted line break. The first line is the header.
    for (i, raw) in text.lines().enumerate().skip(1) {
        let line = i as u32 + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(raw.as_bytes());
        let record = match reader.records().next() {
            Some(Ok(r)) => r,
            _ => {
                errors.push(RowError {
                    row: line,
                    field: "row".into(),
                    code: FieldError::BadFormat,
                });
                continue;
            }
        };
        let number = parse_number(record.get(0).unwrap_or(""));
        let head = PersonName::parse_field(record.get(1).unwrap_or(""), "head_name");
        match (number, head) {
            (Ok(number), Ok(head)) => {
                if !seen.insert(number.clone()) {
                    errors.push(RowError {
                        row: line,
                        field: "number".into(),
                        code: FieldError::Duplicate,
                    });
                } else {
                    batch.push(db::households::NewHousehold {
                        number,
                        head_name: head.into_inner(),
                    });
                    lines.push(line);
                }
            }
            (n, h) => {
                for e in [n.err(), h.err()].into_iter().flatten() {
                    errors.push(RowError {
                        row: line,
                        field: e.field.into(),
                        code: e.reason,
                    });
                }
            }
        }
        if batch.len() + errors.len() > MAX_IMPORT_ROWS {
            return Err(ApiError::invalid("csv", FieldError::TooLong));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::InvalidRows(errors));
    }
    if batch.is_empty() {
        return Err(ApiError::invalid("csv", FieldError::Required));
    }
    Ok((batch, lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_are_checked_and_numbered() {
        let (batch, lines) = parse_csv("\u{feff}户号,户主姓名\n001,张三\n\n002, 李四 \n").unwrap();
        assert_eq!(batch.len(), 2);
        assert_eq!(batch[1].head_name, "李四");
        assert_eq!(lines, vec![2, 4]);
        let Err(ApiError::InvalidRows(rows)) = parse_csv("户号,户主姓名\n001,张三\n,王五\n001,赵六\n003,\n")
        else {
            panic!("expected row errors");
        };
        let got: Vec<(u32, &str, FieldError)> = rows.iter().map(|r| (r.row, r.field.as_str(), r.code)).collect();
        assert_eq!(
            got,
            vec![
                (3, "number", FieldError::Required),
                (4, "number", FieldError::Duplicate),
                (5, "head_name", FieldError::Required),
            ]
        );
        assert!(matches!(parse_csv("户号,户主姓名\n"), Err(ApiError::Invalid(_))));
        // A name that would read backwards on the village's pages is refused by its row.
        let Err(ApiError::InvalidRows(rows)) = parse_csv("户号,户主姓名\n001,张\u{202e}三丰\n") else {
            panic!("expected a row error");
        };
        assert_eq!(
            (rows[0].row, rows[0].field.as_str(), rows[0].code),
            (2, "head_name", FieldError::InvisibleCharacter)
        );
    }
}
