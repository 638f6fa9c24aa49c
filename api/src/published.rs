//! What was published, as the publication log (公开记录) records it: one canonical
//! encoding of each disclosure as villagers see it, the log's entries, and the phone's
//! check that what it shows is what was logged.
//!
//! The server hashes a disclosure through these functions when it logs it; the phone
//! hashes what it decoded and shows through the same functions, so a row edited in the
//! database after publication no longer matches its entry. The encoding is binary and
//! unambiguous: every string carries its length, every list its count, every optional
//! value a marker, and each kind of record starts with its own versioned label. It covers
//! what a reader sees of a published edition, private persons' names masked as villagers
//! see them (so a staff member's fuller view hashes the same), and nothing that changes
//! after publication or that only staff see (questions and answers, the village's name,
//! review notes).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{
    RegionCode, Timestamp,
    date::Month,
    fields::mask_name,
    ledger::{AttachmentKind, Correction, LedgerMonth, Line},
    transparency::{Hash, TreeHead, from_hex, leaf_hash, to_hex, verify_consistency, verify_inclusion},
};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The canonical encoder.
struct Canon(Vec<u8>);

impl Canon {
    fn new(label: &str) -> Canon {
        let mut c = Canon(Vec::with_capacity(512));
        c.text(label);
        c
    }

    fn text(&mut self, s: &str) {
        self.0.extend_from_slice(&(s.len() as u64).to_be_bytes());
        self.0.extend_from_slice(s.as_bytes());
    }

    fn opt_text(&mut self, s: Option<&str>) {
        match s {
            None => self.0.push(0),
            Some(s) => {
                self.0.push(1);
                self.text(s);
            }
        }
    }

    fn int(&mut self, n: i64) {
        self.0.extend_from_slice(&n.to_be_bytes());
    }

    fn opt_int(&mut self, n: Option<i64>) {
        match n {
            None => self.0.push(0),
            Some(n) => {
                self.0.push(1);
                self.int(n);
            }
        }
    }

    fn flag(&mut self, b: bool) {
        self.0.push(u8::from(b));
    }

    fn count(&mut self, n: usize) {
        self.int(n as i64);
    }

    fn line(&mut self, l: &Line) {
        self.text(&l.id.to_string());
        self.text(&l.date.to_string());
        self.text(l.kind.as_str());
        self.int(l.amount_fen);
        self.text(&l.category);
        // A private person's name as villagers see it, whoever is shown the line: staff,
        // who see the whole name, hash the same month as villagers do.
        if l.counterparty_is_person {
            self.text(&mask_name(&l.counterparty));
        } else {
            self.text(&l.counterparty);
        }
        self.flag(l.counterparty_is_person);
        self.opt_text(l.invoice_no.as_deref());
        self.opt_text(l.note.as_deref());
        self.text(l.status.as_str());
        match &l.seal {
            None => self.0.push(0),
            Some(s) => {
                self.0.push(1);
                self.text(&s.township);
                self.text(&s.reviewer);
                self.int(s.at.0);
            }
        }
        self.opt_text(l.no_invoice_reason.as_deref());
        self.count(l.attachments.len());
        for a in &l.attachments {
            self.text(&a.id.to_string());
            self.text(match a.kind {
                AttachmentKind::Image => "image",
                AttachmentKind::Pdf => "pdf",
            });
            self.opt_int(a.width.map(i64::from));
            self.opt_int(a.height.map(i64::from));
        }
    }
}

/// The canonical bytes of a published month as readers see it: its own lines, totals and
/// spending by category (its corrections are entries of their own).
pub fn month_content(m: &LedgerMonth) -> Vec<u8> {
    let mut c = Canon::new("sunlight ledger month v1");
    c.text(m.village.as_str());
    c.text(&m.month.to_string());
    c.opt_text(m.status.map(|s| s.as_str()));
    c.flag(m.closed_early);
    c.int(m.income_fen);
    c.int(m.expense_fen);
    c.count(m.categories.len());
    for t in &m.categories {
        c.text(&t.category);
        c.int(t.expense_fen);
    }
    c.count(m.lines.len());
    for l in &m.lines {
        c.line(l);
    }
    c.0
}

/// The canonical bytes of a published correction of `village`'s `month`.
pub fn correction_content(village: &RegionCode, month: Month, k: &Correction) -> Vec<u8> {
    let mut c = Canon::new("sunlight ledger correction v1");
    c.text(village.as_str());
    c.text(&month.to_string());
    c.int(i64::from(k.seq));
    c.text(&k.reason);
    c.text(k.status.as_str());
    c.int(k.opened_at.0);
    c.opt_int(k.published_at.map(|t| t.0));
    c.int(k.income_fen);
    c.int(k.expense_fen);
    c.count(k.lines.len());
    for l in &k.lines {
        c.line(l);
    }
    c.0
}

/// The canonical bytes of a published catalogue entry as readers see it (never the
/// township's review note, which is staff's).
pub fn entry_content(e: &crate::catalogue::Entry) -> Vec<u8> {
    let mut c = Canon::new("sunlight catalogue entry v1");
    c.text(&e.id.to_string());
    c.text(e.village.as_str());
    c.text(&e.item);
    c.text(&e.item_title);
    c.text(e.section.as_str());
    c.text(&e.period);
    c.text(&e.title);
    c.text(&e.body);
    c.text(e.status.as_str());
    c.opt_int(e.published_at.map(|t| t.0));
    c.opt_text(e.published_by.as_deref());
    c.count(e.files.len());
    for a in &e.files {
        c.text(&a.id.to_string());
        c.text(match a.kind {
            AttachmentKind::Image => "image",
            AttachmentKind::Pdf => "pdf",
        });
        c.opt_int(a.width.map(i64::from));
        c.opt_int(a.height.map(i64::from));
    }
    // A project's stage also binds its project, stage and figure (absent from catalogue
    // entries, whose bytes stay as they were).
    if let Some(f) = &e.project {
        c.text("project stage");
        c.text(&f.project.to_string());
        c.text(f.stage.as_str());
        c.opt_int(f.progress_pct.map(i64::from));
        c.opt_int(f.amount_fen);
    }
    c.0
}

/// The canonical bytes of the tombstone of a withdrawn catalogue entry.
pub fn tombstone_content(e: &crate::catalogue::Entry, t: &crate::catalogue::Tombstone) -> Vec<u8> {
    let mut c = Canon::new("sunlight tombstone v1");
    c.text(&e.id.to_string());
    c.text(e.village.as_str());
    c.text(&t.reason);
    c.text(&t.by);
    c.int(t.at.0);
    c.0
}

/// SHA-256 of a canonical encoding: what an entry records of a disclosure.
pub fn content_hash(content: &[u8]) -> Hash {
    Sha256::digest(content).into()
}

/// What a log entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A month of a village's accounts, published.
    LedgerMonth,
    /// A correction (更正) of a published month, published.
    LedgerCorrection,
    /// An entry of the disclosure catalogue (公开事项), published; its subject is its id.
    CatalogueEntry,
    /// A catalogue entry withheld by law; its subject is the entry's id. The entry's own
    /// log entry stays: the log keeps that it existed, not what it said.
    Tombstone,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::LedgerMonth => "ledger_month",
            EntryKind::LedgerCorrection => "ledger_correction",
            EntryKind::CatalogueEntry => "catalogue_entry",
            EntryKind::Tombstone => "tombstone",
        }
    }

    pub fn parse(s: &str) -> Option<EntryKind> {
        match s {
            "ledger_month" => Some(EntryKind::LedgerMonth),
            "ledger_correction" => Some(EntryKind::LedgerCorrection),
            "catalogue_entry" => Some(EntryKind::CatalogueEntry),
            "tombstone" => Some(EntryKind::Tombstone),
            _ => None,
        }
    }
}

/// The subject of a month's entry ("2026-05") and of its correction n ("2026-05/n").
pub fn month_subject(month: Month) -> String {
    month.to_string()
}

pub fn correction_subject(month: Month, seq: u32) -> String {
    format!("{month}/{seq}")
}

/// One entry of a county's log: that this disclosure of this village was published at
/// this time with this content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LogEntry {
    pub kind: EntryKind,
    pub village: RegionCode,
    /// Which disclosure of the village: "2026-05" for a month, "2026-05/1" for its first
    /// correction.
    pub subject: String,
    /// When it was published.
    pub at: Timestamp,
    /// SHA-256 of its canonical encoding, 64 hex digits.
    pub content: String,
}

impl LogEntry {
    /// The entry's own canonical bytes, which the tree's leaf hashes.
    pub fn encode(&self) -> Vec<u8> {
        let mut c = Canon::new("sunlight log entry v1");
        c.text(self.kind.as_str());
        c.text(self.village.as_str());
        c.text(&self.subject);
        c.int(self.at.0);
        c.text(&self.content);
        c.0
    }

    /// The entry as a leaf of its county's tree.
    pub fn leaf(&self) -> Hash {
        leaf_hash(&self.encode())
    }
}

/// An entry with where it sits in the tree of a head, and the path that proves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ProvenEntry {
    /// Its place in the log, from 0.
    pub index: u64,
    pub entry: LogEntry,
    /// The inclusion proof against `head`, each node 64 hex digits.
    pub proof: Vec<String>,
}

/// `GET /api/regions/{code}/ledger/{month}/proof`: the log's signed head and the entries
/// of a published month and its published corrections, each with its inclusion proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MonthProof {
    pub head: TreeHead,
    pub entries: Vec<ProvenEntry>,
}

/// `GET /api/disclosures/{id}/proof`: the log's signed head and the catalogue entry's own
/// log entry with its inclusion proof (none when it was never logged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EntryProof {
    pub head: TreeHead,
    pub entry: Option<ProvenEntry>,
    /// The tombstone's log entry, for an entry withheld by law.
    #[serde(default)]
    pub tombstone: Option<ProvenEntry>,
}

/// `GET /api/regions/{code}/log/consistency?from=&to=`: the path that shows the tree of
/// `to` entries extends the tree of `from` entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ConsistencyProof {
    pub from: u64,
    pub to: u64,
    /// Each node 64 hex digits.
    pub proof: Vec<String>,
}

/// `GET /api/log-key`: the public half of the key that signs every county's heads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PublicKey {
    /// Ed25519, 64 hex digits.
    pub public_key: String,
}

/// Why a check failed, each one a different warning for the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The head is not signed by the pinned key (or is malformed).
    BadSignature,
    /// The head is another county's log.
    WrongLog,
    /// What is shown has no entry in the log.
    NotLogged,
    /// The log holds an edition of this month (a correction) that is not shown.
    Hidden,
    /// What is shown differs from what was logged when it was published.
    Altered,
    /// An entry's path does not lead to the signed root.
    BadProof,
    /// The log is smaller than one this phone saw before.
    RolledBack,
    /// The log no longer extends one this phone saw before: its history was rewritten.
    Forked,
}

fn hashes(nodes: &[String]) -> Option<Vec<Hash>> {
    nodes
        .iter()
        .map(|n| from_hex(n).and_then(|b| b.try_into().ok()))
        .collect()
}

/// What the reader is shown of a published month, as the entries its log must hold: the
/// month, then each published correction.
pub fn expected_entries(m: &LedgerMonth) -> Vec<(EntryKind, String, Hash)> {
    let mut out = vec![(
        EntryKind::LedgerMonth,
        month_subject(m.month),
        content_hash(&month_content(m)),
    )];
    for k in m
        .corrections
        .iter()
        .filter(|k| k.status == crate::ledger::MonthStatus::Published)
    {
        out.push((
            EntryKind::LedgerCorrection,
            correction_subject(m.month, k.seq),
            content_hash(&correction_content(&m.village, m.month, k)),
        ));
    }
    out
}

/// Whether an entry is of `village`'s `month`: the month itself or one of its corrections.
pub fn of_month(e: &LogEntry, village: &RegionCode, month: Month) -> bool {
    let month = month_subject(month);
    &e.village == village
        && (e.subject == month
            || e.subject
                .strip_prefix(month.as_str())
                .is_some_and(|r| r.starts_with('/')))
}

/// The phone's check of a published month it shows: the head is signed by `key` and is
/// the village's county's; the month and each published correction, hashed as shown,
/// have an entry whose path leads to the head's root; and every entry of the month the
/// server gave is one of them (a logged correction left out of the page is caught, as long
/// as the server gives its entry: one it leaves out of both is what kept heads and
/// outsiders' copies are for). Returns the verified root.
pub fn check_month(m: &LedgerMonth, proof: &MonthProof, key: &[u8; 32]) -> Result<Hash, Problem> {
    let root = proof.head.verify(key).ok_or(Problem::BadSignature)?;
    if m.village.county().as_ref() != Some(&proof.head.log) {
        return Err(Problem::WrongLog);
    }
    let expected = expected_entries(m);
    if proof.entries.iter().any(|p| {
        of_month(&p.entry, &m.village, m.month)
            && !expected
                .iter()
                .any(|(k, s, _)| *k == p.entry.kind && *s == p.entry.subject)
    }) {
        return Err(Problem::Hidden);
    }
    for (kind, subject, content) in expected {
        let proven = proof
            .entries
            .iter()
            .find(|p| p.entry.kind == kind && p.entry.village == m.village && p.entry.subject == subject)
            .ok_or(Problem::NotLogged)?;
        if proven.entry.content != to_hex(&content) {
            return Err(Problem::Altered);
        }
        let path = hashes(&proven.proof).ok_or(Problem::BadProof)?;
        if !verify_inclusion(&proven.entry.leaf(), proven.index, proof.head.size, &path, &root) {
            return Err(Problem::BadProof);
        }
    }
    Ok(root)
}

/// The check of a published catalogue entry as shown: the head signed by `key` and the
/// entry's county's, the entry (or, withdrawn, its tombstone) logged under its id with the
/// content shown, on a path to the signed root. Returns the verified root.
pub fn check_entry(e: &crate::catalogue::Entry, proof: &EntryProof, key: &[u8; 32]) -> Result<Hash, Problem> {
    let root = proof.head.verify(key).ok_or(Problem::BadSignature)?;
    if e.village.county().as_ref() != Some(&proof.head.log) {
        return Err(Problem::WrongLog);
    }
    // A withdrawn entry is checked by its tombstone: what it said is gone on purpose.
    let (kind, found, content) = match &e.withdrawn {
        None => (EntryKind::CatalogueEntry, &proof.entry, entry_content(e)),
        Some(t) => (EntryKind::Tombstone, &proof.tombstone, tombstone_content(e, t)),
    };
    let proven = found
        .as_ref()
        .filter(|p| p.entry.kind == kind && p.entry.village == e.village && p.entry.subject == e.id.to_string())
        .ok_or(Problem::NotLogged)?;
    if proven.entry.content != to_hex(&content_hash(&content)) {
        return Err(Problem::Altered);
    }
    let path = hashes(&proven.proof).ok_or(Problem::BadProof)?;
    if verify_inclusion(&proven.entry.leaf(), proven.index, proof.head.size, &path, &root) {
        Ok(root)
    } else {
        Err(Problem::BadProof)
    }
}

/// Whether `new` (already checked) extends `old`, a head this phone kept from before:
/// both signed by `key`, of the same log, `new` no smaller, and `proof` connecting them.
pub fn check_extends(old: &TreeHead, new: &TreeHead, proof: &ConsistencyProof, key: &[u8; 32]) -> Result<(), Problem> {
    let old_root = old.verify(key).ok_or(Problem::BadSignature)?;
    let new_root = new.verify(key).ok_or(Problem::BadSignature)?;
    if old.log != new.log {
        return Err(Problem::WrongLog);
    }
    if new.size < old.size {
        return Err(Problem::RolledBack);
    }
    if proof.from != old.size || proof.to != new.size {
        return Err(Problem::Forked);
    }
    let path = hashes(&proof.proof).ok_or(Problem::Forked)?;
    if verify_consistency(old.size, &old_root, new.size, &new_root, &path) {
        Ok(())
    } else {
        Err(Problem::Forked)
    }
}
