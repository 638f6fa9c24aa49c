//! Authorization: the one place that decides whether an actor may do an action in a region.
//!
//! Handlers never compare roles themselves; they name an [`Action`] and the region the
//! resource lives in, and call [`authorize`]. The rules, stated once:
//! - A grant covers its own region and everything below it (a villager's grant covers
//!   only their village).
//! - A resource in a region no grant of the actor covers answers 404 Not Found, exactly
//!   as if it did not exist, so its existence does not leak.
//! - A covered resource whose action none of the covering grants' roles permits answers
//!   403 Forbidden.
//!
//! The test suite checks these rules as a matrix over every role, every relation between
//! the actor's and the resource's region, and every endpoint.

use sunlight_api::{
    RegionCode, Role,
    dto::{Grant, Me},
};

use crate::http::error::ApiError;

/// Everything a signed-in person may attempt that depends on role and region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See a region's name, parents and children.
    ViewRegion,
    /// List, create and import households (户).
    ManageHouseholds,
    /// Issue, list and revoke household invite codes.
    ManageInvites,
    /// List the accounts holding roles in a region.
    ListAccounts,
    /// Create staff accounts and grant staff roles.
    ManageStaff,
    /// Issue a one-time password reset code for someone.
    IssueResetCode,
    /// See every reset code issued in a region, by whom and whether it was used: the check
    /// on cadres who could take over an account with one.
    ViewPasswordResets,
    /// Read a village's published accounts (公示).
    ViewLedger,
    /// Read months not yet published, with review notes and duplicate-invoice flags.
    ViewUnpublishedLedger,
    /// Enter, fix and submit the village's monthly accounts.
    EditLedger,
    /// See which lines share an invoice number with another line of the county. The flag
    /// looks at every village of the county, published or not, so it is shown only to
    /// reviewers, whose work it is; an accountant would learn from it which invoice numbers
    /// exist in other villages' unpublished months.
    SeeDuplicateInvoices,
    /// Approve, reject and publish submitted months.
    ReviewLedger,
    /// Ask a question on a published line of one's own village.
    AskAboutLedger,
    /// Answer villagers' questions on the village's lines.
    AnswerAboutLedger,
    /// Sign a month before the township publishes it, as a member of the village's
    /// financial oversight group (民主理财小组): villagers the cadre appointed, checked
    /// against the group besides this role.
    SignMonths,
    /// Set a county's disclosure catalogue and ledger categories.
    ManageCatalogue,
    /// Write the village's entries for the catalogue's items, attach their files and
    /// submit them to the township.
    PostDisclosure,
    /// Withhold a published catalogue entry by law (personal data published by mistake),
    /// leaving a tombstone signed by name.
    WithdrawDisclosure,
    /// Set the village's group robot (WeCom or DingTalk) and see what it was sent.
    ManageGroupRobot,
    /// See which villages have published what the catalogue asks, and what is late or
    /// missing (completeness, 红黄绿).
    ViewCompleteness,
    /// See the polls of a region.
    ViewPolls,
    /// Create polls, see their suggestions and export their results.
    ManagePolls,
    /// Cast a ballot.
    Vote,
    /// Work an office's reports (举报): its key group, inbox, reports and messages. Held
    /// only at the office's own region: a higher office's inspectors cover a township but
    /// never read its reports.
    WorkReports,
    /// See how many reports each office below has received, accepted and concluded.
    ViewReportCounts,
    /// File a demand (诉求) in one's village.
    FileDemand,
    /// Read a village's public demands (never who filed them).
    ViewDemands,
    /// Read every demand of a region, private ones and their filers' contact included.
    ViewPrivateDemands,
    /// Work the demands a region holds: accept, answer, close, pass up, send down, merge.
    /// Held at the holding region itself (a village's cadre, a township's, county's or
    /// city's handler), never from above: a county handler does not work what a township
    /// holds, but gets it when it is sent up.
    HandleDemands,
    /// Press (督办) an overdue demand.
    PressDemands,
    /// See a region's demand dashboard and export it.
    ViewDemandStats,
    /// Set a county's working-day limits for demands.
    ManageDemandLimits,
    /// Add or correct a year of the working-day calendar (the whole deployment's).
    ManageCalendar,
}

impl Action {
    /// The roles that may perform this action in regions they cover.
    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Action::ViewRegion => &[Villager, Accountant, Cadre, Reviewer, Handler, Inspector, Admin],
            Action::ManageHouseholds | Action::ManageInvites | Action::ListAccounts => &[Cadre, Admin],
            Action::ManageStaff => &[Admin],
            Action::IssueResetCode => &[Cadre, Admin],
            Action::ViewPasswordResets => &[Admin, Inspector],
            Action::ViewLedger => &[Villager, Accountant, Cadre, Reviewer, Handler, Inspector, Admin],
            Action::ViewUnpublishedLedger => &[Accountant, Cadre, Reviewer, Handler, Inspector, Admin],
            Action::EditLedger => &[Accountant],
            Action::ReviewLedger | Action::SeeDuplicateInvoices => &[Reviewer],
            Action::AskAboutLedger => &[Villager],
            Action::AnswerAboutLedger => &[Accountant],
            Action::SignMonths => &[Villager],
            Action::ManageCatalogue => &[Admin],
            Action::PostDisclosure => &[Accountant, Cadre],
            Action::ManageGroupRobot => &[Cadre, Admin],
            Action::WithdrawDisclosure => &[Reviewer, Admin],
            Action::ViewCompleteness => &[Accountant, Cadre, Reviewer, Inspector, Admin],
            Action::ViewPolls => &[Villager, Accountant, Cadre, Reviewer, Handler, Inspector, Admin],
            Action::ManagePolls => &[Cadre, Admin],
            Action::Vote => &[Villager],
            Action::WorkReports | Action::ViewReportCounts => &[Inspector],
            Action::FileDemand => &[Villager],
            Action::ViewDemands => &[Villager, Accountant, Cadre, Reviewer, Handler, Inspector, Admin],
            Action::ViewPrivateDemands => &[Cadre, Handler, Inspector],
            Action::HandleDemands => &[Cadre, Handler],
            Action::PressDemands => &[Inspector],
            Action::ViewDemandStats => &[Handler, Inspector],
            Action::ManageDemandLimits => &[Admin],
            Action::ManageCalendar => &[Admin],
        }
    }

    /// Whether a grant must be held at the resource's own region, not above it.
    pub fn exact_region(self) -> bool {
        matches!(self, Action::WorkReports | Action::HandleDemands)
    }
}

/// A signed-in person: who they are and every role they hold.
#[derive(Debug, Clone)]
pub struct Actor(pub Me);

impl Actor {
    fn covering<'a>(&'a self, region: &'a RegionCode) -> impl Iterator<Item = &'a Grant> + 'a {
        self.0.grants.iter().filter(move |g| g.region.contains(region))
    }

    /// True when some grant of the actor covers this region.
    pub fn sees(&self, region: &RegionCode) -> bool {
        self.covering(region).next().is_some()
    }
}

/// Decides whether `actor` may perform `action` on a resource in `region`.
pub fn authorize(actor: &Actor, action: Action, region: &RegionCode) -> Result<(), ApiError> {
    let mut covering = actor.covering(region).peekable();
    if covering.peek().is_none() {
        return Err(ApiError::NotFound);
    }
    if covering.any(|g| action.roles().contains(&g.role) && (!action.exact_region() || &g.region == region)) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Decides whether `actor` may perform an `action` that holds for the whole deployment (the
/// working-day calendar every county's deadlines count on): only with a grant at the city,
/// the top of a deployment, so that one county's administrator cannot move every county's
/// deadlines.
pub fn authorize_deployment(actor: &Actor, action: Action) -> Result<(), ApiError> {
    let top = actor
        .0
        .grants
        .iter()
        .any(|g| action.roles().contains(&g.role) && g.region.level() == sunlight_api::RegionLevel::City);
    if top { Ok(()) } else { Err(ApiError::Forbidden) }
}

/// Whether `actor` may perform `action` in `region`, for shaping an answer rather than
/// refusing it (e.g. whether drafts are included).
pub fn permits(actor: &Actor, action: Action, region: &RegionCode) -> bool {
    authorize(actor, action, region).is_ok()
}

/// Whoever reads a page that may be public: a signed-in person, or anyone (no session, or
/// one that is no longer valid: a stale cookie reads what anyone reads).
#[derive(Debug, Clone)]
pub enum Reader {
    Person(Actor),
    Anyone,
}

impl Reader {
    pub fn person(&self) -> Option<&Actor> {
        match self {
            Reader::Person(a) => Some(a),
            Reader::Anyone => None,
        }
    }
}

/// Whether an action is open to everyone where a village's disclosures are public: reading
/// what is published (and its invoice files), and a poll with its results under the one
/// results rule; never drafts, review notes, suggestions, who voted or anything else.
fn public_action(action: Action) -> bool {
    matches!(action, Action::ViewLedger | Action::ViewPolls)
}

/// Decides whether `reader` may perform a reading `action` in `region`, whose county keeps
/// its disclosures `public` or not. Where they are public, anyone (signed in or not, of
/// that village or not) may do the public actions; otherwise, and for every other action,
/// [`authorize`] decides, and nobody signed in gets 401.
pub fn authorize_reader(reader: &Reader, action: Action, region: &RegionCode, public: bool) -> Result<(), ApiError> {
    if public && public_action(action) {
        return Ok(());
    }
    match reader {
        Reader::Person(actor) => authorize(actor, action, region),
        Reader::Anyone => Err(ApiError::NotSignedIn),
    }
}

/// Whether `reader` may perform `action` in `region` beyond what is public, for shaping an
/// answer (drafts, review notes): only a signed-in person whom [`authorize`] allows.
pub fn permits_reader(reader: &Reader, action: Action, region: &RegionCode) -> bool {
    reader.person().is_some_and(|a| permits(a, action, region))
}

/// Decides whether `actor` may act on another person's account (e.g. issue them a reset
/// code). The actor must be allowed the action over every region where the target holds a
/// role, and a village cadre may act only on plain villagers: staff accounts are the
/// admins' to look after.
pub fn authorize_on_person(actor: &Actor, action: Action, target: &[Grant]) -> Result<(), ApiError> {
    if target.is_empty() || !target.iter().any(|g| actor.sees(&g.region)) {
        return Err(ApiError::NotFound);
    }
    for g in target {
        let allowed = actor
            .covering(&g.region)
            .any(|mine| action.roles().contains(&mine.role) && (mine.role == Role::Admin || g.role == Role::Villager));
        if !allowed {
            return Err(ApiError::Forbidden);
        }
    }
    Ok(())
}

/// Decides whether `actor`, already allowed to work an office's reports, is that office's
/// head (who removes members and reads the access log). `head` is the stored flag of the
/// actor's own membership, `None` when not enrolled.
pub fn authorize_office_head(head: Option<bool>) -> Result<(), ApiError> {
    match head {
        Some(true) => Ok(()),
        _ => Err(ApiError::Forbidden),
    }
}

/// Decides whether a member of an office may seal its keys to `target`. Nobody lets
/// themself in: a member gives keys to others only (and only keys they hold, which the
/// write checks), and seals to themself only with an admission signed by the office's
/// recovery key (`by_recovery`), which is checked before the write.
pub fn authorize_key_grant(actor: &Actor, target: uuid::Uuid, by_recovery: bool) -> Result<(), ApiError> {
    match (actor.0.id == target, by_recovery) {
        (false, false) | (true, true) => Ok(()),
        (true, false) => Err(ApiError::KeyGrant(sunlight_api::ErrorCode::GrantToSelf)),
        // The recovery key admits only the one who holds its code, to themself.
        (false, true) => Err(ApiError::invalid(
            "admission",
            sunlight_api::error::FieldError::NotListed,
        )),
    }
}

/// The actor's villager grant in one of `villages`: who they vote as.
pub fn villager_grant<'a>(actor: &'a Actor, villages: &[RegionCode]) -> Option<&'a Grant> {
    actor
        .0
        .grants
        .iter()
        .find(|g| g.role == Role::Villager && villages.contains(&g.region))
}

/// Whether `role` can be held at the level of `region` (an accountant at a village, a
/// reviewer at a township, …). Villagers join through invite codes, not staff creation.
pub fn staff_role_fits(role: Role, region: &RegionCode) -> bool {
    role.is_staff() && role.levels().contains(&region.level())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sunlight_api::RegionLevel;
    use uuid::Uuid;

    fn actor(grants: &[(Role, &str)]) -> Actor {
        Actor(Me {
            id: Uuid::nil(),
            name: "t".into(),
            mobile: "13800000000".into(),
            password_resets: vec![],
            grants: grants
                .iter()
                .map(|(role, code)| {
                    let region = RegionCode::parse(code).unwrap();
                    Grant {
                        role: *role,
                        region_level: region.level(),
                        region,
                        region_name: String::new(),
                        household: None,
                    }
                })
                .collect(),
        })
    }

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn outside_is_not_found_inside_without_role_is_forbidden() {
        let cadre = actor(&[(Role::Cadre, "359901101201")]);
        assert!(authorize(&cadre, Action::ManageHouseholds, &code("359901101201")).is_ok());
        assert!(matches!(
            authorize(&cadre, Action::ManageStaff, &code("359901101201")),
            Err(ApiError::Forbidden)
        ));
        assert!(matches!(
            authorize(&cadre, Action::ManageHouseholds, &code("359901101202")),
            Err(ApiError::NotFound)
        ));
        assert!(matches!(
            authorize(&cadre, Action::ViewRegion, &code("359901101000")),
            Err(ApiError::NotFound)
        ));
    }

    #[test]
    fn a_second_role_can_grant_what_the_first_cannot() {
        let both = actor(&[(Role::Villager, "359901101201"), (Role::Admin, "359901000000")]);
        assert!(authorize(&both, Action::ManageStaff, &code("359901101201")).is_ok());
    }

    #[test]
    fn cadres_reset_only_villagers() {
        let cadre = actor(&[(Role::Cadre, "359901101201")]);
        let villager = actor(&[(Role::Villager, "359901101201")]).0.grants;
        let accountant = actor(&[(Role::Accountant, "359901101201")]).0.grants;
        let elsewhere = actor(&[(Role::Villager, "359901101202")]).0.grants;
        assert!(authorize_on_person(&cadre, Action::IssueResetCode, &villager).is_ok());
        assert!(matches!(
            authorize_on_person(&cadre, Action::IssueResetCode, &accountant),
            Err(ApiError::Forbidden)
        ));
        assert!(matches!(
            authorize_on_person(&cadre, Action::IssueResetCode, &elsewhere),
            Err(ApiError::NotFound)
        ));
        let admin = actor(&[(Role::Admin, "359901101000")]);
        assert!(authorize_on_person(&admin, Action::IssueResetCode, &accountant).is_ok());
    }

    #[test]
    fn reports_are_worked_only_at_the_office_itself() {
        let township = actor(&[(Role::Inspector, "359901101000")]);
        let county = actor(&[(Role::Inspector, "359901000000")]);
        let admin = actor(&[(Role::Admin, "359901101000")]);
        let office = code("359901101000");
        assert!(authorize(&township, Action::WorkReports, &office).is_ok());
        assert!(matches!(
            authorize(&county, Action::WorkReports, &office),
            Err(ApiError::Forbidden)
        ));
        assert!(authorize(&county, Action::ViewReportCounts, &office).is_ok());
        assert!(matches!(
            authorize(&admin, Action::WorkReports, &office),
            Err(ApiError::Forbidden)
        ));
        assert!(matches!(
            authorize(&township, Action::WorkReports, &code("359901102000")),
            Err(ApiError::NotFound)
        ));
    }

    #[test]
    fn staff_roles_fit_levels() {
        assert!(staff_role_fits(Role::Reviewer, &code("359901101000")));
        assert!(!staff_role_fits(Role::Reviewer, &code("359901101201")));
        assert!(!staff_role_fits(Role::Villager, &code("359901101201")));
        assert!(staff_role_fits(Role::Admin, &code("359900000000")));
        assert_eq!(code("359900000000").level(), RegionLevel::City);
    }
}
