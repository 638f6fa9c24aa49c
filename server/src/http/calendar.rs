//! The working-day calendar deadlines count on: anyone signed in reads it; an
//! administrator of the whole deployment (a city's) adds next year's table when the State
//! Council publishes it.

use axum::{Json, extract::State};
use sunlight_api::{
    ErrorBody,
    workdays::{CalendarIn, CalendarView},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    AppState,
    error::{ApiError, ApiResult},
    extract::{ApiJson, ApiPath},
};
use crate::{
    authz::{Action, Actor, authorize_deployment},
    demands::china_date,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(calendar)).routes(routes!(set_year))
}

async fn view(state: &AppState) -> ApiResult<CalendarView> {
    let years = state.db.calendar_years().await?;
    let waiting = state.db.count_undated_demands().await?;
    let calendar = sunlight_api::workdays::Calendar::from_years(&years);
    Ok(CalendarView {
        missing: calendar.year_to_add(china_date(state.clock.now()), waiting > 0),
        demands_waiting: waiting.clamp(0, u32::MAX as i64) as u32,
        years,
    })
}

/// The years the calendar covers, with their holidays and make-up working days, and the
/// year an administrator should add now.
#[utoipa::path(get, path = "/api/calendar", tag = "calendar", security(("sunlight_session" = [])),
    responses((status = 200, body = CalendarView), (status = 401, body = ErrorBody)))]
async fn calendar(State(state): State<AppState>, _actor: Actor) -> ApiResult<Json<CalendarView>> {
    Ok(Json(view(&state).await?))
}

/// Adds a year's table or corrects one: every day of that year the notice names. Demands
/// that waited for the year get their deadlines at once; deadlines already counted stay as
/// they were counted.
#[utoipa::path(put, path = "/api/calendar/{year}", tag = "calendar", security(("sunlight_session" = [])),
    params(("year" = i32, Path)),
    request_body = CalendarIn,
    responses((status = 200, body = CalendarView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_year(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(year): ApiPath<i32>,
    ApiJson(body): ApiJson<CalendarIn>,
) -> ApiResult<Json<CalendarView>> {
    authorize_deployment(&actor, Action::ManageCalendar)?;
    let now = state.clock.now();
    // Past years are history; more than one year ahead is not published yet.
    let this_year = china_date(now).year;
    if !(this_year - 1..=this_year + 1).contains(&year) {
        return Err(ApiError::invalid("year", sunlight_api::error::FieldError::OutOfRange));
    }
    body.check(year).map_err(|(field, why)| ApiError::invalid(field, why))?;
    state.db.set_calendar_year(year, &body, actor.0.id, now).await?;
    crate::demands::date_waiting(&state.db, &state.db.calendar().await?).await?;
    tracing::info!(year, days = body.days.len(), "working-day calendar year set");
    Ok(Json(view(&state).await?))
}
