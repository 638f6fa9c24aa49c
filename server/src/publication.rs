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
        ConsistencyProof, EntryKind, EntryProof, LogEntry, MonthProof, ProvenEntry, content_hash, correction_content,
        correction_subject, entry_content, month_content, month_subject, of_month, tombstone_content,
    },
    transparency::{self, Hash, TreeHead, to_hex},
    wechat::NoticeKind,
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

/// Right after a publication commits: logs it and tells the village's group. A failure to
/// log is written to the server's log and left to the catch-up; the publication itself
/// stands.
pub async fn after_publish(state: &AppState, village: &RegionCode, month: Month, correction: Option<u32>) {
    if let Err(e) = log_edition(state, village, month, correction).await {
        tracing::error!(error = %e, village = %village, "publication not logged yet; the catch-up will log it");
    }
    crate::push::month_published(state, village, month, correction).await;
    if correction.is_none() {
        let kind = NoticeKind::MonthPublished;
        match state.db.notice_recipients(village, kind).await {
            Ok(users) => {
                let what = format!("{}年{}月收支账目已公开", month.year, month.month);
                let event = format!("month:{village}:{month}");
                crate::wechat::notify(
                    state,
                    &users,
                    kind,
                    &event,
                    village,
                    what,
                    format!("ledger/{village}/{month}"),
                )
                .await
            }
            Err(e) => tracing::error!(error = %e, "the month's WeChat messages could not be queued"),
        }
    }
}

/// Logs a published catalogue entry as readers see it now or, withdrawn, its tombstone
/// (idempotent; an entry that is not published is left alone).
pub async fn log_catalogue_entry(state: &AppState, id: uuid::Uuid) -> ApiResult<()> {
    let Some(stored) = state.db.disclosure(id).await? else {
        return Ok(());
    };
    let mut e = stored.entry;
    if e.status != sunlight_api::catalogue::EntryStatus::Published {
        return Ok(());
    }
    e.review_note = None;
    let county = e.village.county().ok_or(ApiError::NotFound)?;
    let entry = match &e.withdrawn {
        None => LogEntry {
            kind: EntryKind::CatalogueEntry,
            village: e.village.clone(),
            subject: id.to_string(),
            at: e
                .published_at
                .ok_or_else(|| anyhow!("a published entry without its publication time"))?,
            content: to_hex(&content_hash(&entry_content(&e))),
        },
        Some(t) => LogEntry {
            kind: EntryKind::Tombstone,
            village: e.village.clone(),
            subject: id.to_string(),
            at: t.at,
            content: to_hex(&content_hash(&tombstone_content(&e, t))),
        },
    };
    if let Some(index) = state.db.append_log_entry(&county, &entry).await? {
        tracing::info!(county = %county, index, kind = entry.kind.as_str(), "publication logged");
    }
    Ok(())
}

/// Right after a catalogue entry's publication commits: logs it and tells the group.
pub async fn after_entry_published(state: &AppState, entry: &sunlight_api::catalogue::Entry) {
    if let Err(e) = log_catalogue_entry(state, entry.id).await {
        tracing::error!(error = %e, village = %entry.village, "entry not logged yet; the catch-up will log it");
    }
    crate::push::entry_published(state, entry).await;
}

/// The entry's log entry with its proof against the county's present head. Nothing is
/// logged here.
pub async fn entry_proof(state: &AppState, e: &sunlight_api::catalogue::Entry) -> ApiResult<EntryProof> {
    let county = e.village.county().ok_or(ApiError::NotFound)?;
    let tree = tree(state, &county).await?;
    let subject = e.id.to_string();
    let proven = |kind: EntryKind| {
        tree.entries
            .iter()
            .position(|x| x.kind == kind && x.village == e.village && x.subject == subject)
            .map(|i| ProvenEntry {
                index: i as u64,
                entry: tree.entries[i].clone(),
                proof: transparency::inclusion_proof(&tree.leaves, i)
                    .unwrap_or_default()
                    .iter()
                    .map(|h| to_hex(h))
                    .collect(),
            })
    };
    Ok(EntryProof {
        entry: proven(EntryKind::CatalogueEntry),
        tombstone: proven(EntryKind::Tombstone),
        head: tree.head,
    })
}

/// Logs every published edition and catalogue entry that has no entry; returns how many.
pub async fn catch_up(state: &AppState) -> anyhow::Result<usize> {
    let missing = state.db.unlogged_publications().await?;
    let mut logged = 0;
    for id in state.db.unlogged_catalogue_entries().await? {
        match log_catalogue_entry(state, id).await {
            Ok(()) => logged += 1,
            Err(e) => tracing::error!(error = %e, entry = %id, "catalogue entry not logged"),
        }
    }
    // One edition that cannot be logged (a corrupt row) holds none of the others back.
    for (village, month, correction) in &missing {
        match log_edition(state, village, *month, *correction).await {
            Ok(()) => logged += 1,
            Err(e) => tracing::error!(error = %e, village = %village, month = %month, "publication not logged"),
        }
    }
    if logged > 0 {
        tracing::info!(logged, "publications logged by the catch-up");
    }
    Ok(logged)
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
            extends_what_was_signed(state, county, &leaves).await?;
            let signed = state.log_key.sign(county, size, &root, to_wire(state.clock.now()));
            state.db.keep_log_head(&signed).await?;
            let kept = state
                .db
                .log_head(county, size)
                .await?
                .ok_or_else(|| anyhow!("a head just kept is gone"))?;
            remember_signed(state, &kept).await?;
            kept
        }
    };
    if head.root != to_hex(&root) {
        tracing::error!(county = %county, size, "the log's entries no longer give the root signed for them");
    }
    Ok(Tree { entries, leaves, head })
}

/// The last head this server signed for a county, kept in the data directory beside the
/// key rather than in the database: what someone who can write only the database cannot
/// rewrite.
fn last_signed_path(state: &AppState, county: &RegionCode) -> std::path::PathBuf {
    heads_dir(state).join("last").join(format!("{county}.json"))
}

/// Refuses to sign a new head unless the entries extend both the newest head kept in the
/// database and the last one this server signed (kept outside it): entries edited, removed
/// or reordered after a head was signed are never signed over. The server then answers
/// 500 for the county's log, which the phones show as a warning.
async fn extends_what_was_signed(state: &AppState, county: &RegionCode, leaves: &[Hash]) -> ApiResult<()> {
    let mut signed = Vec::new();
    if let Some(h) = state.db.latest_log_head(county).await? {
        signed.push(h);
    }
    match tokio::fs::read(last_signed_path(state, county)).await {
        Ok(bytes) => {
            signed.push(serde_json::from_slice(&bytes).map_err(|e| anyhow!("the last signed head of {county}: {e}"))?)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(anyhow!("the last signed head of {county}: {e}").into()),
    }
    for h in signed {
        let extends = usize::try_from(h.size)
            .ok()
            .and_then(|n| leaves.get(..n))
            .is_some_and(|prefix| to_hex(&transparency::root(prefix)) == h.root);
        if !extends {
            tracing::error!(county = %county, signed_size = h.size, size = leaves.len(),
                "the log's entries no longer extend a head this server signed: refusing to sign");
            return Err(anyhow!("the publication log of {county} was changed under the server").into());
        }
    }
    Ok(())
}

async fn remember_signed(state: &AppState, head: &TreeHead) -> anyhow::Result<()> {
    let path = last_signed_path(state, &head.log);
    let dir = path.parent().ok_or_else(|| anyhow!("no folder"))?;
    tokio::fs::create_dir_all(dir).await?;
    let partial = dir.join(format!(".{}.partial", uuid::Uuid::new_v4()));
    tokio::fs::write(&partial, serde_json::to_vec(head)?).await?;
    tokio::fs::rename(&partial, &path).await?;
    Ok(())
}

/// The county of a log's address: a county that exists.
pub async fn county(state: &AppState, code: &RegionCode) -> ApiResult<RegionCode> {
    if code.county().as_ref() != Some(code) {
        return Err(ApiError::invalid("region", FieldError::WrongLevel));
    }
    state.db.region(code).await?.ok_or(ApiError::NotFound)?;
    Ok(code.clone())
}

/// Every entry the log holds of a published month (the month and any correction of it,
/// whatever the database says of them now), with their proofs against the county's
/// present head; the phone requires each to be what it shows. Nothing is logged here: a
/// read never adds to the log. `None` when the month is not published.
pub async fn month_proof(state: &AppState, village: &RegionCode, month: Month) -> ApiResult<Option<MonthProof>> {
    let view = public_month(state, village.clone(), month).await?;
    if view.status != Some(MonthStatus::Published) {
        return Ok(None);
    }
    let county = village.county().ok_or(ApiError::NotFound)?;
    let tree = tree(state, &county).await?;
    let entries = tree
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| of_month(e, village, month))
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
    // Written whole under another name, then linked into place, which fails if another
    // process wrote the day's file first: a reader never sees half a file, and a day's
    // file never changes once written.
    let partial = dir.join(format!(".{}.partial", uuid::Uuid::new_v4()));
    tokio::fs::write(&partial, serde_json::to_vec_pretty(&heads)?).await?;
    let linked = tokio::fs::hard_link(&partial, &path).await;
    tokio::fs::remove_file(&partial).await?;
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    tracing::info!(file = %path.display(), counties = heads.len(), "daily file of log heads written");
    Ok(Some(path))
}
