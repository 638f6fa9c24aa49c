//! Attaching invoice photos and PDFs to ledger lines, and serving them back to those who
//! may see them.

use axum::{
    Json,
    body::Bytes,
    extract::{DefaultBodyLimit, State, rejection::BytesRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sunlight_api::{
    ErrorBody,
    ledger::{Attachment, AttachmentKind, MonthStatus},
};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    AppState,
    error::{ApiError, ApiResult},
    extract::ApiPath,
    ledger::editable,
};
use crate::{
    authz::{Action, Actor, Reader, authorize_reader, permits_reader},
    db::{Db, attachments::Owner},
    storage::{Staged, Storage},
    uploads::{self, Processed},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload))
        .layer(DefaultBodyLimit::max(uploads::MAX_BYTES + 64 * 1024))
        .routes(routes!(file))
        .routes(routes!(remove))
}

/// Attaches a photo or PDF to a line the accountant may still change. The body is the
/// file itself. Photos are re-encoded without any metadata; HEIC is refused.
#[utoipa::path(post, path = "/api/ledger-lines/{id}/attachments", tag = "files", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Attachment), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn upload(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(line): ApiPath<Uuid>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    editable(&state, &actor, line).await?;
    let body = super::extract::body_bytes(body)?;
    let attachment = store_upload(&state.db, &state.storage, body, Owner::Line(line), actor.0.id).await?;
    Ok((StatusCode::CREATED, Json(attachment)))
}

/// Runs an upload through the pipeline and stores it for `owner`: the files are staged,
/// moved into place inside the row's transaction, and thrown away if it does not commit.
pub(crate) async fn store_upload(
    db: &Db,
    storage: &Storage,
    body: Bytes,
    owner: Owner,
    by: Uuid,
) -> ApiResult<Attachment> {
    let (attachment, staged) = stage_upload(storage, body).await?;
    let publish = staged.clone();
    let saved = db
        .insert_attachment(owner, &attachment, by, || async move {
            Ok(storage.publish(&publish).await?)
        })
        .await;
    match saved {
        Ok(true) => Ok(attachment),
        Ok(false) => {
            storage.discard(&staged).await;
            Err(match owner {
                Owner::Poll(_) => ApiError::PollHasVotes,
                Owner::Line(_) => ApiError::LedgerLocked,
                Owner::Disclosure(_) => ApiError::WrongState("the entry is no longer a draft"),
            })
        }
        Err(e) => {
            storage.discard(&staged).await;
            Err(e.into())
        }
    }
}

/// Runs an upload through the pipeline and writes its files under temporary names; the
/// caller commits its row with `storage.publish` inside the transaction, or discards.
pub(crate) async fn stage_upload(storage: &Storage, body: Bytes) -> ApiResult<(Attachment, Staged)> {
    let processed = uploads::decode(move || uploads::process(body.to_vec()))
        .await?
        .map_err(ApiError::Upload)?;
    let id = Uuid::new_v4();
    let (attachment, files) = match processed {
        Processed::Image {
            original,
            screen,
            thumb,
            width,
            height,
        } => (
            Attachment {
                id,
                kind: AttachmentKind::Image,
                width: Some(width),
                height: Some(height),
            },
            vec![
                (format!("{id}-original.jpg"), original),
                (format!("{id}-screen.jpg"), screen),
                (format!("{id}-thumb.jpg"), thumb),
            ],
        ),
        Processed::Pdf(pdf) => (
            Attachment {
                id,
                kind: AttachmentKind::Pdf,
                width: None,
                height: None,
            },
            vec![(format!("{id}.pdf"), pdf)],
        ),
    };
    let staged = storage.stage(files).await.map_err(anyhow::Error::from)?;
    Ok((attachment, staged))
}

/// Finds an attachment and checks the reader may see it: its village's published ledger
/// (anyone's, where the county keeps it public), and, while its month or correction is
/// unpublished, only staff (and the village's financial oversight group while the month
/// waits for review).
async fn visible(state: &AppState, reader: &Reader, id: Uuid) -> ApiResult<(Attachment, crate::db::ledger::LinePlace)> {
    let found = state.db.attachment(id).await?.ok_or(ApiError::NotFound)?;
    let place = state.db.line_place(found.line_id).await?.ok_or(ApiError::NotFound)?;
    let public = state.db.disclosures_public(&place.village).await?;
    authorize_reader(reader, Action::ViewLedger, &place.village, public)?;
    if place.edition_status != MonthStatus::Published
        && !permits_reader(reader, Action::ViewUnpublishedLedger, &place.village)
        && !super::oversight::group_reads(state, reader, &place.village, place.edition_status).await?
    {
        return Err(ApiError::NotFound);
    }
    Ok((found.attachment, place))
}

/// A stored file: `thumb` or `screen` of a photo for everyone who may read the ledger,
/// `original` for staff, `pdf` for a PDF (always as a download).
#[utoipa::path(get, path = "/api/files/{id}/{variant}", tag = "files", security((), ("sunlight_session" = [])),
    params(("id" = Uuid, Path), ("variant" = String, Path, description = "thumb, screen, original or pdf")),
    responses((status = 200, content_type = "image/jpeg"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn file(
    State(state): State<AppState>,
    reader: Reader,
    ApiPath((id, variant)): ApiPath<(Uuid, String)>,
) -> ApiResult<Response> {
    let (attachment, place) = visible(&state, &reader, id).await?;
    let staff = permits_reader(&reader, Action::ViewUnpublishedLedger, &place.village);
    if variant == "original" && !staff {
        return Err(ApiError::Forbidden);
    }
    serve_stored(&state, &attachment, &variant).await
}

/// Sends a stored file: `thumb`, `screen` or `original` of a picture (callers decide who
/// may have the original), `pdf` of a PDF (always as a download).
pub(super) async fn serve_stored(state: &AppState, attachment: &Attachment, variant: &str) -> ApiResult<Response> {
    let id = attachment.id;
    let (name, content_type) = match (attachment.kind, variant) {
        (AttachmentKind::Image, "thumb" | "screen" | "original") => (format!("{id}-{variant}.jpg"), "image/jpeg"),
        (AttachmentKind::Pdf, "pdf") => (format!("{id}.pdf"), "application/pdf"),
        _ => return Err(ApiError::NotFound),
    };
    let bytes = state
        .storage
        .read(&name)
        .await
        .map_err(|e| anyhow::anyhow!("stored file {name}: {e}"))?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Ids are random and files never change: the phone may keep them.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    if attachment.kind == AttachmentKind::Pdf {
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&format!("attachment; filename=\"{id}.pdf\"")).map_err(anyhow::Error::from)?,
        );
    }
    Ok(res)
}

/// Removes an attachment from a line the accountant may still change.
#[utoipa::path(delete, path = "/api/attachments/{id}", tag = "files", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn remove(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<StatusCode> {
    let found = state.db.attachment(id).await?.ok_or(ApiError::NotFound)?;
    editable(&state, &actor, found.line_id).await?;
    // The row goes now; the files follow with the next storage sweep.
    if !state.db.delete_attachment(id).await? {
        return Err(ApiError::LedgerLocked);
    }
    Ok(StatusCode::NO_CONTENT)
}
