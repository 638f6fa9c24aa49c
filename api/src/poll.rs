//! Polls and suggestions (投票、征求意见): secret ballots, one per person or per household.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{RegionCode, Timestamp};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Live results stay hidden until at least this many ballots are in, and then move only
/// in steps of this many ballots (the counts as they stood when the number of ballots last
/// reached a multiple of it), so that no single ballot can be told apart by watching them.
pub const MIN_LIVE_BALLOTS: i64 = 5;

/// One vote per person, or one per household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Per {
    Person,
    Household,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// 单选
    Single,
    /// 多选, up to `max_choices`
    Multiple,
    /// 评分 1–5
    Rating,
    /// 意见建议 (free text)
    Text,
}

impl QuestionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Single => "single",
            QuestionKind::Multiple => "multiple",
            QuestionKind::Rating => "rating",
            QuestionKind::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<QuestionKind> {
        [
            QuestionKind::Single,
            QuestionKind::Multiple,
            QuestionKind::Rating,
            QuestionKind::Text,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewQuestion {
    pub kind: QuestionKind,
    pub prompt: String,
    /// The choices, for single and multiple choice (2–10).
    #[serde(default)]
    pub options: Vec<String>,
    /// For multiple choice: how many may be chosen.
    #[serde(default)]
    pub max_choices: u32,
}

/// `POST /api/regions/{code}/polls`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewPoll {
    pub title: String,
    pub questions: Vec<NewQuestion>,
    /// The villages whose people may vote; empty means the region itself (a village).
    #[serde(default)]
    pub villages: Vec<RegionCode>,
    pub per: Per,
    pub opens_at: Timestamp,
    pub closes_at: Timestamp,
    /// Results visible while the poll is open (from five ballots on, updated every five
    /// ballots), or only after closing. The same for staff.
    pub live_results: bool,
    /// Voters may change their ballot until closing (the phone keeps a secret token).
    pub allow_change: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PollState {
    Upcoming,
    Open,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PollSummary {
    pub id: Uuid,
    pub title: String,
    pub state: PollState,
    pub opens_at: Timestamp,
    pub closes_at: Timestamp,
    /// Whether this person (or their household) has voted.
    pub voted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PollOption {
    pub id: Uuid,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PollQuestion {
    pub id: Uuid,
    pub kind: QuestionKind,
    pub prompt: String,
    pub max_choices: u32,
    pub options: Vec<PollOption>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct QuestionResult {
    pub question: Uuid,
    /// Votes per option, in the options' order.
    pub votes: Vec<i64>,
    /// How many gave 1, 2, 3, 4 and 5, for a rating.
    pub ratings: Vec<i64>,
    /// Free-text suggestions, for staff only and never with names.
    pub texts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PollResults {
    /// Ballots counted: all of them once closed; while open, a multiple of
    /// [`MIN_LIVE_BALLOTS`].
    pub ballots: i64,
    /// Persons or households eligible when the poll opened.
    pub eligible: i64,
    pub questions: Vec<QuestionResult>,
}

/// `GET /api/polls/{id}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Poll {
    pub id: Uuid,
    pub title: String,
    pub per: Per,
    pub state: PollState,
    pub opens_at: Timestamp,
    pub closes_at: Timestamp,
    pub live_results: bool,
    pub allow_change: bool,
    pub questions: Vec<PollQuestion>,
    pub voted: bool,
    /// Whether this person may vote now (open, eligible, not voted, or may change).
    pub can_vote: bool,
    /// Present when the poll's rules let this person see them.
    pub results: Option<PollResults>,
    /// How many may vote (the households or people on the list fixed when it opened);
    /// absent before it opens.
    #[serde(default)]
    pub eligible: Option<i64>,
    /// Documents to read before voting (e.g. the renovation plan).
    #[serde(default)]
    pub documents: Vec<crate::ledger::Attachment>,
}

/// One answer of a ballot.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AnswerIn {
    pub question: Uuid,
    #[serde(default)]
    pub options: Vec<Uuid>,
    #[serde(default)]
    pub rating: Option<u8>,
    #[serde(default)]
    pub text: Option<String>,
}

/// `POST /api/polls/{id}/ballots`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BallotIn {
    pub answers: Vec<AnswerIn>,
    /// For polls that allow changing: a random secret the phone keeps for this person;
    /// the same person sending the same token again replaces their ballot.
    #[serde(default)]
    pub token: Option<String>,
}
