//! The error body every failed API call returns. The server sends a stable `code`; the
//! client owns the words shown to people (see the app's message table).

use serde::{Deserialize, Serialize};

/// Stable, machine-readable error codes. Adding one is a contract change: the client's
/// message table must give it words in every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not valid JSON or not the expected shape.
    BadRequest,
    /// A field failed validation; `field` names it.
    Invalid,
    /// No valid session.
    NotSignedIn,
    /// Signed in, but this role may not do this here.
    Forbidden,
    /// No such thing, or it lies outside the caller's region.
    NotFound,
    /// It already exists (e.g. a mobile number already registered).
    Conflict,
    /// The month or line is not in a state that allows this (e.g. already published).
    WrongState,
    /// The poll has not opened yet.
    PollNotOpen,
    /// The poll has closed.
    PollClosed,
    /// This person or household has voted already.
    AlreadyVoted,
    /// Not on the poll's list of voters (fixed when it opened).
    NotEligible,
    /// Too many attempts; wait and try again.
    RateLimited,
    /// Mobile number and password do not match an account.
    BadCredentials,
    /// The invite code is unknown, used up, revoked or expired.
    InviteInvalid,
    /// The password reset code is unknown, used or expired.
    ResetCodeInvalid,
    /// A mutating request without the JSON content type or the CSRF header.
    CsrfRejected,
    /// The request body is too large (an upload over 15 MB).
    TooLarge,
    /// An iPhone HEIC photo: ask for one taken with the camera in "most compatible" mode.
    HeicUnsupported,
    /// Not a JPEG, PNG, WebP or PDF.
    UnsupportedFile,
    /// The file is damaged or too large to decode.
    DamagedFile,
    /// A picture with more pixels than the server decodes (24 megapixels).
    ImageTooLarge,
    /// A spreadsheet that unpacks to more than the server reads (a compressed "bomb").
    SpreadsheetTooLarge,
    /// Something failed on the server; details are in its log, not here.
    Internal,
    /// The ledger line is sealed or its month published: it can no longer change.
    LedgerLocked,
    /// Someone has voted on the poll: its documents stay as the voters saw them.
    PollHasVotes,
    /// The month has not ended yet: it can be submitted only after its last day, or
    /// closed early on purpose.
    MonthNotEnded,
    /// The month already has a correction being entered or reviewed: finish that one first.
    CorrectionOpen,
    /// A ballot change whose token is not the one this person's phone got when they
    /// voted (another person's, or lost).
    BallotTokenUnknown,
    /// The poll's results are not shown yet (after closing, or live from a minimum count).
    ResultsNotShown,
    /// An inspector tried to give office keys to themself (only the recovery key may).
    GrantToSelf,
    /// An inspector tried to give office keys they do not hold themself.
    KeyNotHeld,
    /// A step the demand's state machine does not allow from where it stands (or the
    /// demand changed while the step was on its way: someone else acted first).
    DemandStepRefused,
    /// The person has rated this demand already.
    AlreadyRated,
    /// Not a recording the server reads (WebM, Ogg or MP4 audio), or too short to hear.
    NotAudio,
    /// A voice note longer than 60 seconds.
    RecordingTooLong,
    /// The server cannot transcode voice notes now: send the text alone.
    VoiceUnavailable,
}

/// One rejected row of a bulk import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowError {
    /// 1-based line number in the uploaded file, counting the header line.
    pub row: u32,
    pub field: String,
    pub code: FieldError,
}

/// Why a field was refused. The client turns each into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldError {
    Required,
    TooLong,
    TooShort,
    BadFormat,
    Duplicate,
    WrongLevel,
    OutOfRange,
    NotInRegion,
    /// Not one of the configured choices (e.g. a category not in the county's list).
    NotListed,
    /// A number whose check digit does not match (an ID card number mistyped).
    BadChecksum,
    /// Text with an invisible or direction-changing character (see `text`).
    InvisibleCharacter,
    /// A line break in a field that holds one line.
    LineBreak,
    /// Not one well-formed amount in yuan (`1234.50`, `1,234.50`, `¥12`, `12元`).
    NotAnAmount,
    /// A ledger month outside the months open for entry: this month and the
    /// [`crate::ledger::BACK_ENTRY_MONTHS`] before it.
    MonthNotOpen,
    /// A date after today.
    InFuture,
    /// A ledger line's date outside the month it is entered in.
    NotInMonth,
    /// A complaint about a cadre (信访举报): it goes to the private report page, never into
    /// a demand the village can read.
    BelongsInReport,
    /// A make-up working day (调休上班) that is not a Saturday or Sunday.
    NotAWeekend,
}

/// The JSON body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub code: ErrorCode,
    /// A short English explanation for developers and logs; people see the client's words.
    pub message: String,
    /// The field that failed, for `invalid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<FieldError>,
    /// Every bad row of a bulk import, for `invalid`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<RowError>,
    /// Seconds to wait, for `rate_limited`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            code,
            message: message.into(),
            field: None,
            reason: None,
            rows: Vec::new(),
            retry_after: None,
        }
    }
}

/// A field that failed to parse: which one and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid {
    pub field: &'static str,
    pub reason: FieldError,
}

impl Invalid {
    pub fn new(field: &'static str, reason: FieldError) -> Self {
        Invalid { field, reason }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is invalid ({:?})", self.field, self.reason)
    }
}

impl std::error::Error for Invalid {}
