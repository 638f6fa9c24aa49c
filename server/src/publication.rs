//! The publication log (公开记录) as the server keeps it: what is appended when a month or
//! a correction is published, each county's tree and signed head, and the proofs phones
//! check (`sunlight_api::published` says what an entry holds and how the phone checks it).
//!
//! An edition is logged right after its publication commits, as villagers see it then.
//! If that fails (the process dies between the two), the edition is logged by the
//! catch-up that runs at start and hourly, or when a phone first asks for its proof; the
//! same catch-up logs what was published before the log existed.

use anyhow::anyhow;
use sunlight_api::{
    RegionCode,
    date::Month,
    error::FieldError,
    ledger::MonthStatus,
    published::{
        ConsistencyProof, EntryKind, LogEntry, MonthProof, ProvenEntry, content_hash, correction_content,
        correction_subject, expected_entries, month_content, month_subject,
    },
    transparency::{self, Hash, TreeHead, to_hex},
};

use crate::{
    db::to_wire,
    http::{
        AppState,
        error::{ApiError, ApiResult},
        ledger::public_month,
    },
};

/// Logs a published month (`correction: None`) or its published correction `n`, as
/// villagers see it now. Appending is idempotent; an edition that is not published is
/// left alone.
pub async fn log_edition(
    state: &AppState,
    village: &RegionCode,
    month: Month,
    correction: Option<u32>,
) -> ApiResult<()> {
    let county = village.county().ok_or(ApiError::NotFound)?;
    let view = public_month(state, village.clone(), month).await?;
    let entry = match correction {
        None => {
            if view.status != Some(MonthStatus::Published) {
                return Ok(());
            }
            let at = state
                .db
                .ledger_month(village, month)
                .await?
                .and_then(|r| r.published_at)
                .ok_or_else(|| anyhow!("a published month without its publication time"))?;
            LogEntry {
                kind: EntryKind::LedgerMonth,
                village: village.clone(),
                subject: month_subject(month),
                at: to_wire(at),
                content: to_hex(&content_hash(&month_content(&view))),
            }
        }
        Some(seq) => {
            let Some(k) = view
                .corrections
                .iter()
                .find(|k| k.seq == seq && k.status == MonthStatus::Published)
            else {
                return Ok(());
            };
            LogEntry {
                kind: EntryKind::LedgerCorrection,
                village: village.clone(),
                subject: correction_subject(month, seq),
                at: k
                    .published_at
                    .ok_or_else(|| anyhow!("a published correction without its publication time"))?,
                content: to_hex(&content_hash(&correction_content(village, month, k))),
            }
        }
    };
    if let Some(index) = state.db.append_log_entry(&county, &entry).await? {
        tracing::info!(county = %county, index, kind = entry.kind.as_str(), "publication logged");
    }
    Ok(())
}

/// Right after a publication commits: logs it. A failure is written to the server's log
/// and left to the catch-up; the publication itself stands.
pub async fn after_publish(state: &AppState, village: &RegionCode, month: Month, correction: Option<u32>) {
    if let Err(e) = log_edition(state, village, month, correction).await {
        tracing::error!(error = %e, village = %village, "publication not logged yet; the catch-up will log it");
    }
}

/// Logs every published edition that has no entry; returns how many.
pub async fn catch_up(state: &AppState) -> anyhow::Result<usize> {
    let missing = state.db.unlogged_publications().await?;
    for (village, month, correction) in &missing {
        log_edition(state, village, *month, *correction)
            .await
            .map_err(|e| anyhow!("logging {village} {month}: {e}"))?;
    }
    if !missing.is_empty() {
        tracing::info!(logged = missing.len(), "publications logged by the catch-up");
    }
    Ok(missing.len())
}

/// A county's log as it stands: its entries, their leaves, and the signed head of them.
pub struct Tree {
    pub entries: Vec<LogEntry>,
    pub leaves: Vec<Hash>,
    pub head: TreeHead,
}

/// The county's tree, signing a head for its present size if none is kept yet. The head
/// served is always the one kept: if the entries no longer give its root (rows edited
/// under the server), the proofs fail in the phone, which is the point; the server says
/// so in its own log too and changes nothing.
pub async fn tree(state: &AppState, county: &RegionCode) -> ApiResult<Tree> {
    let entries = state.db.log_entries(county).await?;
    let leaves: Vec<Hash> = entries.iter().map(LogEntry::leaf).collect();
    let size = leaves.len() as u64;
    let root = transparency::root(&leaves);
    let head = match state.db.log_head(county, size).await? {
        Some(head) => head,
        None => {
            let signed = state.log_key.sign(county, size, &root, to_wire(state.clock.now()));
            state.db.keep_log_head(&signed).await?;
            state
                .db
                .log_head(county, size)
                .await?
                .ok_or_else(|| anyhow!("a head just kept is gone"))?
        }
    };
    if head.root != to_hex(&root) {
        tracing::error!(county = %county, size, "the log's entries no longer give the root signed for them");
    }
    Ok(Tree { entries, leaves, head })
}

/// The county of a log's address: a county that exists.
pub async fn county(state: &AppState, code: &RegionCode) -> ApiResult<RegionCode> {
    if code.county().as_ref() != Some(code) {
        return Err(ApiError::invalid("region", FieldError::WrongLevel));
    }
    state.db.region(code).await?.ok_or(ApiError::NotFound)?;
    Ok(code.clone())
}

/// The entries of a published month and its published corrections, with their proofs
/// against the county's present head. Editions published but not logged yet are logged
/// first. `None` when the month is not published.
pub async fn month_proof(state: &AppState, village: &RegionCode, month: Month) -> ApiResult<Option<MonthProof>> {
    let view = public_month(state, village.clone(), month).await?;
    if view.status != Some(MonthStatus::Published) {
        return Ok(None);
    }
    let county = village.county().ok_or(ApiError::NotFound)?;
    let wanted: Vec<(EntryKind, String)> = expected_entries(&view)
        .into_iter()
        .map(|(kind, subject, _)| (kind, subject))
        .collect();
    for (kind, subject) in &wanted {
        if !state.db.is_logged(*kind, village, subject).await? {
            let correction = match kind {
                EntryKind::LedgerMonth => None,
                EntryKind::LedgerCorrection => subject.rsplit_once('/').and_then(|(_, n)| n.parse().ok()),
            };
            log_edition(state, village, month, correction).await?;
        }
    }
    let tree = tree(state, &county).await?;
    let entries = tree
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| &e.village == village && wanted.iter().any(|(k, s)| *k == e.kind && *s == e.subject))
        .map(|(i, e)| ProvenEntry {
            index: i as u64,
            entry: e.clone(),
            proof: transparency::inclusion_proof(&tree.leaves, i)
                .unwrap_or_default()
                .iter()
                .map(|h| to_hex(h))
                .collect(),
        })
        .collect();
    Ok(Some(MonthProof {
        head: tree.head,
        entries,
    }))
}

/// The proof that the county's tree at `to` entries extends it at `from`.
pub async fn consistency(state: &AppState, county: &RegionCode, from: u64, to: u64) -> ApiResult<ConsistencyProof> {
    let tree = tree(state, county).await?;
    if to > tree.leaves.len() as u64 {
        return Err(ApiError::invalid("to", FieldError::OutOfRange));
    }
    if from > to {
        return Err(ApiError::invalid("from", FieldError::OutOfRange));
    }
    let proof = transparency::consistency_proof(&tree.leaves[..to as usize], from as usize)
        .ok_or_else(|| anyhow!("no consistency proof from {from} to {to}"))?;
    Ok(ConsistencyProof {
        from,
        to,
        proof: proof.iter().map(|h| to_hex(h)).collect(),
    })
}

/// Where each day's file of heads is kept: `log-heads/YYYY-MM-DD.json` in the data
/// directory.
pub fn heads_dir(state: &AppState) -> std::path::PathBuf {
    state.config.data_dir.join("log-heads")
}

/// Writes today's file (China's date) of every county's present signed head, once a day:
/// a file outsiders can copy and keep, to check later heads against. Returns the file
/// written, or `None` when today's exists already.
pub async fn write_daily_heads(state: &AppState) -> anyhow::Result<Option<std::path::PathBuf>> {
    let dir = heads_dir(state);
    let path = dir.join(format!("{}.json", state.clock.today()));
    if tokio::fs::try_exists(&path).await? {
        return Ok(None);
    }
    let mut heads = Vec::new();
    for county in state.db.log_counties().await? {
        heads.push(tree(state, &county).await.map_err(|e| anyhow!("{county}: {e}"))?.head);
    }
    tokio::fs::create_dir_all(&dir).await?;
    // Written whole under another name, then renamed: a reader never sees half a file.
    let partial = dir.join(format!(".{}.partial", uuid::Uuid::new_v4()));
    tokio::fs::write(&partial, serde_json::to_vec_pretty(&heads)?).await?;
    tokio::fs::rename(&partial, &path).await?;
    tracing::info!(file = %path.display(), counties = heads.len(), "daily file of log heads written");
    Ok(Some(path))
}
