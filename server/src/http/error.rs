//! The one error type of the HTTP layer and the one place that knows status codes.

use axum::{
    Json,
    extract::rejection::{JsonRejection, PathRejection, QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sunlight_api::{
    ErrorBody, ErrorCode,
    error::{FieldError, Invalid, RowError},
};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("{0}")]
    Invalid(Invalid),
    #[error("{} rows are invalid", .0.len())]
    InvalidRows(Vec<RowError>),
    #[error("not signed in")]
    NotSignedIn,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("not allowed in this state: {0}")]
    WrongState(&'static str),
    #[error("poll: {0:?}")]
    Poll(ErrorCode),
    #[error("key grant refused: {0:?}")]
    KeyGrant(ErrorCode),
    #[error("{0} did not answer")]
    Unavailable(&'static str),
    #[error("rate limited")]
    RateLimited { retry_after: u32 },
    #[error("mobile number or password is wrong")]
    BadCredentials,
    #[error("invite code is not valid")]
    InviteInvalid,
    #[error("reset code is not valid")]
    ResetCodeInvalid,
    #[error("mutating request without JSON content type or CSRF header")]
    Csrf,
    #[error("{0} holds text we do not accept ({1:?})")]
    InvalidText(String, FieldError),
    #[error("request body too large")]
    TooLarge,
    #[error("spreadsheet unpacks to more than we read")]
    SpreadsheetTooLarge,
    #[error("{0}")]
    Upload(crate::uploads::UploadError),
    #[error("{0}")]
    Voice(crate::voice::VoiceError),
    #[error("the ledger line is sealed or its month published")]
    LedgerLocked,
    #[error("someone has voted on the poll")]
    PollHasVotes,
    #[error("the month has not ended; close it early on purpose to submit it now")]
    MonthNotEnded,
    #[error("the month already has an open correction")]
    CorrectionOpen,
    #[error("the demand's state does not allow this step")]
    DemandStepRefused,
    #[error("already rated")]
    AlreadyRated,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Internal(e.into())
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        ApiError::Invalid(e)
    }
}

impl ApiError {
    pub fn invalid(field: &'static str, reason: FieldError) -> Self {
        ApiError::Invalid(Invalid::new(field, reason))
    }

    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            ApiError::Invalid(_) | ApiError::InvalidRows(_) => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Invalid),
            ApiError::NotSignedIn => (StatusCode::UNAUTHORIZED, ErrorCode::NotSignedIn),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            ApiError::NotFound => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, ErrorCode::Conflict),
            ApiError::WrongState(_) => (StatusCode::CONFLICT, ErrorCode::WrongState),
            ApiError::Poll(code) => (
                match code {
                    ErrorCode::NotEligible => StatusCode::FORBIDDEN,
                    _ => StatusCode::CONFLICT,
                },
                *code,
            ),
            ApiError::KeyGrant(code) => (StatusCode::FORBIDDEN, *code),
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Internal),
            ApiError::BadCredentials => (StatusCode::UNAUTHORIZED, ErrorCode::BadCredentials),
            ApiError::InviteInvalid => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InviteInvalid),
            ApiError::ResetCodeInvalid => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::ResetCodeInvalid),
            ApiError::Csrf => (StatusCode::FORBIDDEN, ErrorCode::CsrfRejected),
            ApiError::InvalidText(..) => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Invalid),
            ApiError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge),
            ApiError::SpreadsheetTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::SpreadsheetTooLarge),
            ApiError::Upload(e) => {
                use crate::uploads::UploadError::*;
                match e {
                    TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge),
                    Heic => (StatusCode::UNSUPPORTED_MEDIA_TYPE, ErrorCode::HeicUnsupported),
                    Unsupported => (StatusCode::UNSUPPORTED_MEDIA_TYPE, ErrorCode::UnsupportedFile),
                    Corrupt => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::DamagedFile),
                    TooManyPixels => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::ImageTooLarge),
                }
            }
            ApiError::Voice(e) => {
                use crate::voice::VoiceError::*;
                match e {
                    TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge),
                    NotAudio => (StatusCode::UNSUPPORTED_MEDIA_TYPE, ErrorCode::NotAudio),
                    TooLong => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::RecordingTooLong),
                    Unavailable => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::VoiceUnavailable),
                }
            }
            ApiError::LedgerLocked => (StatusCode::CONFLICT, ErrorCode::LedgerLocked),
            ApiError::PollHasVotes => (StatusCode::CONFLICT, ErrorCode::PollHasVotes),
            ApiError::MonthNotEnded => (StatusCode::CONFLICT, ErrorCode::MonthNotEnded),
            ApiError::CorrectionOpen => (StatusCode::CONFLICT, ErrorCode::CorrectionOpen),
            ApiError::DemandStepRefused => (StatusCode::CONFLICT, ErrorCode::DemandStepRefused),
            ApiError::AlreadyRated => (StatusCode::CONFLICT, ErrorCode::AlreadyRated),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let mut body = ErrorBody::new(code, self.to_string());
        match &self {
            ApiError::Internal(e) => {
                // The cause goes to the log, never to the client.
                tracing::error!(error = format!("{e:#}"), "internal error");
                body.message = "internal error".into();
            }
            ApiError::Invalid(i) => {
                body.field = Some(i.field.to_owned());
                body.reason = Some(i.reason);
            }
            ApiError::InvalidText(field, reason) => {
                body.field = Some(field.clone());
                body.reason = Some(*reason);
            }
            ApiError::InvalidRows(rows) => body.rows = rows.clone(),
            ApiError::Conflict(field) => body.field = Some((*field).to_owned()),
            ApiError::RateLimited { retry_after } => body.retry_after = Some(*retry_after),
            _ => {}
        }
        let mut res = (status, Json(body)).into_response();
        if let ApiError::RateLimited { retry_after } = self {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        res
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => ApiError::BadRequest(format!("wrong JSON fields: {}", e.body_text())),
            JsonRejection::JsonSyntaxError(_) => ApiError::BadRequest("the body is not valid JSON".into()),
            JsonRejection::MissingJsonContentType(_) => {
                ApiError::BadRequest("the body must be JSON (Content-Type: application/json)".into())
            }
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
            other => ApiError::BadRequest(other.body_text()),
        }
    }
}

impl From<PathRejection> for ApiError {
    // A malformed id or region code names nothing that exists.
    fn from(_: PathRejection) -> Self {
        ApiError::NotFound
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::BadRequest(r.body_text())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
