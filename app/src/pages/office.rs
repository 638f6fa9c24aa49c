//! 纪检监察 office: the inspector's side of private reports. Everything is decrypted here, in
//! the inspector's browser: the office's secret keys are sealed to each member's own key,
//! whose secret is locked under their passphrase (Argon2id). Unlocked keys live in this
//! page's memory only, until it is closed or reloaded.
//!
//! Whom this page seals office keys to is decided here, not by the server: a member counts
//! only when a chain of signed admissions leads from the office's root key (its recovery
//! code's) to their current keys (`seal::prove_office`). Members the server lists without
//! such a chain are shown as 未经认证 and sealed nothing.

use std::collections::HashMap;

use crate::router;
use leptos::{prelude::*, task::spawn_local};
use sunlight_api::report::{
    AccessEntry, Enroll, GrantMember, InboxItem, KeyWrap, MemberWrap, OfficeCounts, OfficeState, RemoveMember,
    ReportStatus, SetupOffice,
};
use sunlight_seal::{
    Admission, AdmittedBy, KdfParams, Key, KeyPair, RecoveryCode, b64, fingerprint, lock_key, open_sealed_key,
    seal_key, trust::sign_office_key, unb64, unlock_key,
};
use uuid::Uuid;

use crate::{
    api::{self, Failure},
    components::{Empty, ErrorRetry, FormError, Go, Loading, Page},
    i18n::{T, t},
    pages::report_text::status_name,
    paths, seal,
};

/// An office's keys as unlocked in this page: the inspector's own pair and every office
/// key pair they hold, by key id.
#[derive(Clone)]
pub struct Unlocked {
    pub me: KeyPair,
    pub keys: Vec<(Uuid, KeyPair)>,
}

/// Unlocked offices, by office code, for this page's lifetime.
#[derive(Clone, Copy)]
pub struct OfficeKeys(pub RwSignal<HashMap<String, Unlocked>>);

impl OfficeKeys {
    pub fn get(code: &str) -> Option<Unlocked> {
        expect_context::<OfficeKeys>().0.with(|m| m.get(code).cloned())
    }
}

pub(super) fn key32(b64text: &str) -> Option<Key> {
    unb64(b64text)?.try_into().ok()
}

/// Opens every office key sealed to `me`.
fn open_wraps(me: &KeyPair, wraps: &[KeyWrap]) -> Vec<(Uuid, KeyPair)> {
    wraps
        .iter()
        .filter_map(|w| {
            let secret = open_sealed_key(me, &unb64(&w.sealed)?).ok()?;
            Some((w.key_id, KeyPair::from_secret(secret)))
        })
        .collect()
}

const MIN_PASSPHRASE: usize = 10;

/// The office page: set up, unlock, inbox, members, access log and numbers.
#[component]
pub fn OfficePage() -> impl IntoView {
    let code = router::param("code").unwrap_or_default();
    let code = move || code.clone();
    let state = api::Fetch::<OfficeState>::new(move || {
        let code = code();
        format!("api/offices/{code}")
    });
    let title = Signal::derive(move || match state.get() {
        Some(Ok(s)) => format!("{}{}", s.name, t(T::InspectionOffice)),
        _ => t(T::InspectionOffice).to_owned(),
    });
    view! {
        <Page title=title>
            {move || match state.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| state.refetch()/> }.into_any(),
                Some(Ok(s)) => {
                    let code = s.code.to_string();
                    view! {
                        <Office state=s reload=Callback::new(move |_| state.refetch())/>
                        // Numbers need no key: a county sees its townships' without unlocking.
                        <Counts code=code/>
                    }.into_any()
                }
            }}
        </Page>
    }
}

#[component]
fn Office(state: OfficeState, reload: Callback<()>) -> impl IntoView {
    let keys = expect_context::<OfficeKeys>();
    let code = state.code.to_string();
    let code2 = code.clone();
    let unlocked = Signal::derive(move || keys.0.with(|m| m.get(&code2).cloned()));
    let state = StoredValue::new(state);
    move || {
        let s = state.get_value();
        match (&s.me, unlocked.get()) {
            (None, _) => view! { <EnrollForm code=code.clone() reload=reload/> }.into_any(),
            (Some(_), None) => view! { <UnlockForm state=s reload=reload/> }.into_any(),
            (Some(_), Some(u)) => view! { <Unlocked state=s unlocked=u reload=reload/> }.into_any(),
        }
    }
}

/// First visit: the inspector chooses a passphrase; their key pair is made here.
#[component]
fn EnrollForm(code: String, reload: Callback<()>) -> impl IntoView {
    let office_keys = expect_context::<OfficeKeys>();
    let pass = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let p = pass.get_untracked();
        if p.chars().count() < MIN_PASSPHRASE {
            error.set(Some(Failure::invalid(
                "passphrase",
                sunlight_api::error::FieldError::TooShort,
            )));
            return;
        }
        if p != again.get_untracked() {
            error.set(Some(Failure::invalid(
                "passphrase_again",
                sunlight_api::error::FieldError::BadFormat,
            )));
            return;
        }
        let code = code.clone();
        busy.set(true);
        spawn_local(async move {
            seal::breathe().await;
            let me = KeyPair::generate(&mut seal::fill);
            let mut salt = [0u8; 16];
            seal::fill(&mut salt);
            let params = KdfParams::DEFAULT;
            let Ok(wrap) = seal::passphrase_key(&p, &salt, params).await else {
                return;
            };
            let body = Enroll {
                public_key: b64(&me.public()),
                signing_key: b64(&me.signer().public()),
                locked_secret: b64(&lock_key(&wrap, me.secret(), &mut seal::fill)),
                salt: b64(&salt),
                memory_kib: params.memory_kib,
                passes: params.passes,
            };
            match api::post::<_, serde_json::Value>(&format!("api/offices/{code}/members"), &body).await {
                Ok(_) => {
                    office_keys.0.update(|m| {
                        m.insert(code.clone(), Unlocked { me, keys: Vec::new() });
                    });
                    reload.run(());
                }
                Err(f) => error.set(Some(f)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card">
            <h2>{t(T::SetPassphrase)}</h2>
            <p>{t(T::SetPassphraseHint)}</p>
            <form on:submit=submit>
                <crate::components::Field id="passphrase" label=T::Passphrase value=pass kind="password" autocomplete="new-password"/>
                <crate::components::Field id="passphrase-again" label=T::PassphraseAgain value=again kind="password" autocomplete="new-password"/>
                <FormError error=error/>
                {move || busy.get().then(|| view! { <p class="muted" role="status">{t(T::Deriving)}</p> })}
                <button type="submit" class="big" disabled=move || busy.get()>{t(T::Save)}</button>
            </form>
        </section>
    }
}

/// Unlocking: the passphrase opens the inspector's key, which opens the office keys.
#[component]
fn UnlockForm(state: OfficeState, reload: Callback<()>) -> impl IntoView {
    let office_keys = expect_context::<OfficeKeys>();
    let my_id = me_id();
    let pass = RwSignal::new(String::new());
    let recovery = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let me = state.me.clone().expect("enrolled");
    let code = state.code.to_string();
    let recovery_wraps = state.recovery_wraps.clone();
    let served_root = state.root_key.clone();
    let keys_ids: Vec<Uuid> = state.keys.iter().map(|k| k.id).collect();
    let no_keys = state.keys.is_empty();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let me = me.clone();
        let code = code.clone();
        let p = pass.get_untracked();
        let rec = recovery.get_untracked();
        let recovery_wraps = recovery_wraps.clone();
        let keys_ids = keys_ids.clone();
        let served_root = served_root.clone();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let salt: Option<[u8; 16]> = unb64(&me.salt).and_then(|s| s.try_into().ok());
            let params = KdfParams {
                memory_kib: me.memory_kib,
                passes: me.passes,
            };
            let opened = match salt {
                Some(salt) => match seal::passphrase_key(&p, &salt, params).await {
                    Ok(wrap) => unb64(&me.locked_secret).and_then(|l| unlock_key(&wrap, &l).ok()),
                    Err(_) => None,
                },
                None => None,
            };
            let Some(secret) = opened else {
                error.set(Some(Failure::invalid(
                    "passphrase",
                    sunlight_api::error::FieldError::BadFormat,
                )));
                busy.set(false);
                return;
            };
            let mine = KeyPair::from_secret(secret);
            let mut keys = open_wraps(&mine, &me.wraps);
            // With the recovery code, the inspector lets themself in again.
            if !rec.trim().is_empty() {
                let Some(rc) = RecoveryCode::parse(&rec) else {
                    error.set(Some(Failure::invalid(
                        "recovery",
                        sunlight_api::error::FieldError::BadFormat,
                    )));
                    busy.set(false);
                    return;
                };
                let recovered = open_wraps(&rc.key_pair(), &recovery_wraps);
                // The code must be this office's: its signing key is the root this browser
                // trusts, or the admission it signs would prove nothing.
                let root_ok = seal::root(&code, served_root.as_deref()) == seal::Root::Trusted(rc.signer().public());
                if recovered.len() != keys_ids.len() || recovered.is_empty() || !root_ok {
                    error.set(Some(Failure::invalid(
                        "recovery",
                        sunlight_api::error::FieldError::BadFormat,
                    )));
                    busy.set(false);
                    return;
                }
                let wraps = recovered
                    .iter()
                    .map(|(id, pair)| KeyWrap {
                        key_id: *id,
                        sealed: b64(&seal_key(&mine.public(), pair.secret(), &mut seal::fill)),
                    })
                    .collect();
                let admission = Admission::sign(
                    &code,
                    my_id,
                    mine.public(),
                    mine.signer().public(),
                    seal::now_ms(),
                    AdmittedBy::Recovery,
                    &rc.signer(),
                );
                let body = GrantMember {
                    member: my_id,
                    wraps,
                    admission: seal::wire(&admission),
                };
                if let Err(f) = api::post::<_, serde_json::Value>(&format!("api/offices/{code}/grants"), &body).await {
                    error.set(Some(f));
                    busy.set(false);
                    return;
                }
                keys = recovered;
            }
            office_keys.0.update(|m| {
                m.insert(code.clone(), Unlocked { me: mine, keys });
            });
            busy.set(false);
            reload.run(());
        });
    };
    let fp =
        fingerprint(&key32(&state.me.as_ref().map(|m| m.public_key.clone()).unwrap_or_default()).unwrap_or_default());
    view! {
        <section class="card">
            <h2>{t(T::UnlockOffice)}</h2>
            <p>{t(T::UnlockHint)}</p>
            <form on:submit=submit>
                <crate::components::Field id="passphrase" label=T::Passphrase value=pass kind="password" autocomplete="current-password"/>
                {(!no_keys).then(|| view! {
                    <details>
                        <summary>{t(T::UseRecovery)}</summary>
                        <crate::components::Field id="recovery" label=T::RecoveryCode value=recovery autocomplete="off" hint=T::RecoveryHint/>
                    </details>
                })}
                <FormError error=error/>
                {move || busy.get().then(|| view! { <p class="muted" role="status">{t(T::Deriving)}</p> })}
                <button type="submit" class="big" disabled=move || busy.get()>{t(T::Unlock)}</button>
            </form>
            <p class="hint fingerprint">{t(T::MyFingerprint)}" "{fp}</p>
        </section>
    }
}

/// The signed-in person's id.
fn me_id() -> Uuid {
    crate::session::Session::get()
        .0
        .get_untracked()
        .flatten()
        .map(|m| m.id)
        .unwrap_or_default()
}

#[component]
fn Unlocked(state: OfficeState, unlocked: Unlocked, reload: Callback<()>) -> impl IntoView {
    let code = state.code.to_string();
    // Keys sealed to this member since they unlocked (a member let them in) open now.
    let fresh = open_wraps(
        &unlocked.me,
        &state.me.as_ref().map(|m| m.wraps.clone()).unwrap_or_default(),
    );
    let unlocked = if fresh.len() > unlocked.keys.len() {
        let office_keys = expect_context::<OfficeKeys>();
        let newer = Unlocked {
            me: unlocked.me.clone(),
            keys: fresh,
        };
        let (c, n) = (code.clone(), newer.clone());
        spawn_local(async move {
            office_keys.0.update(|m| {
                m.insert(c, n);
            });
        });
        newer
    } else {
        unlocked
    };
    let head = state.me.as_ref().is_some_and(|m| m.head);
    let view_setup = state.keys.is_empty();
    let holds_all = !state.keys.is_empty()
        && state
            .keys
            .iter()
            .all(|k| unlocked.keys.iter().any(|(id, _)| *id == k.id));
    let active = state.keys.iter().find(|k| k.active).cloned();
    let proof = seal::prove_office(&state);
    let key_proven = active.as_ref().is_some_and(|k| {
        key32(&k.public_key).is_some_and(|p| proof.vouches_for_key(&code, &p, k.signed_by, k.signature.as_deref()))
    });
    let root_fp = match proof.root {
        seal::Root::Trusted(r) => Some(fingerprint(&r)),
        _ => None,
    };
    let root_changed = proof.root == seal::Root::Changed;
    view! {
        {root_changed.then(|| view! { <p class="notice" role="alert">{t(T::RootChanged)}</p> })}
        {if view_setup {
            view! { <SetupForm code=code.clone() me=unlocked.me.clone() reload=reload/> }.into_any()
        } else if !holds_all {
            view! {
                <section class="card">
                    <h2>{t(T::WaitingForGrant)}</h2>
                    <p>{t(T::WaitingForGrantHint)}</p>
                    <p class="fingerprint">{t(T::MyFingerprint)}" "{fingerprint(&unlocked.me.public())}</p>
                    <button type="button" class="secondary" on:click=move |_| reload.run(())>{t(T::Refresh)}</button>
                </section>
            }.into_any()
        } else {
            view! { <Inbox code=code.clone()/> }.into_any()
        }}
        {active.map(|k| view! {
            <section class="card">
                <h2>{t(T::OfficeKeys)}</h2>
                // Computed here from the key itself, never taken from the server's text.
                <p class="fingerprint">{t(T::OfficeFingerprint)}" "{key32(&k.public_key).map(|p| fingerprint(&p)).unwrap_or_default()}</p>
                {(!key_proven).then(|| view! { <p class="notice">{t(T::KeyUnproven)}</p> })}
                {root_fp.clone().map(|f| view! { <p class="fingerprint muted">{t(T::RootFingerprint)}" "{f}</p> })}
                <p class="hint">{t(T::FingerprintHint)}</p>
            </section>
        })}
        {holds_all.then(|| view! { <Members state=state.clone() unlocked=unlocked.clone() proof=proof.clone() head=head reload=reload/> })}
        {head.then(|| view! { <AccessLog code=code.clone()/> })}
    }
}

/// The office's first key pair and its recovery code, made here; the code is shown once.
#[component]
fn SetupForm(code: String, me: KeyPair, reload: Callback<()>) -> impl IntoView {
    let office_keys = expect_context::<OfficeKeys>();
    let shown = RwSignal::new(None::<(String, String, String)>);
    let error = RwSignal::new(None::<Failure>);
    let noted = RwSignal::new(false);
    let pending = StoredValue::new(None::<(String, Unlocked)>);
    let my_id = me_id();
    let done = move |_| {
        if let Some((code, u)) = pending.get_value() {
            office_keys.0.update(|m| {
                m.insert(code, u);
            });
        }
        reload.run(());
    };
    let start = move |_| {
        let code = code.clone();
        let me = me.clone();
        spawn_local(async move {
            let office = KeyPair::generate(&mut seal::fill);
            let recovery = RecoveryCode::generate(&mut seal::fill);
            let root = recovery.signer();
            // The recovery key admits the founding head; the head vouches for the office key.
            let admission = Admission::sign(
                &code,
                my_id,
                me.public(),
                me.signer().public(),
                seal::now_ms(),
                AdmittedBy::Recovery,
                &root,
            );
            let body = SetupOffice {
                public_key: b64(&office.public()),
                recovery_public_key: b64(&recovery.key_pair().public()),
                my_wrap: b64(&seal_key(&me.public(), office.secret(), &mut seal::fill)),
                recovery_wrap: b64(&seal_key(
                    &recovery.key_pair().public(),
                    office.secret(),
                    &mut seal::fill,
                )),
                recovery_signing_key: b64(&root.public()),
                key_signature: b64(&sign_office_key(&code, &office.public(), &me.signer())),
                admission: seal::wire(&admission),
            };
            match api::post::<_, serde_json::Value>(&format!("api/offices/{code}/setup"), &body).await {
                Ok(_) => {
                    seal::pin_root(&code, &root.public());
                    // The new office key is held from now on, without unlocking again.
                    let mut keys = Vec::new();
                    if let Ok(state) = api::get::<OfficeState>(&format!("api/offices/{code}")).await
                        && let Some(m) = state.me
                    {
                        keys = open_wraps(&me, &m.wraps);
                    }
                    // Held back until the code is noted: taking the keys re-renders the page.
                    pending.set_value(Some((code.clone(), Unlocked { me: me.clone(), keys })));
                    shown.set(Some((
                        recovery.display(),
                        fingerprint(&office.public()),
                        fingerprint(&root.public()),
                    )));
                }
                Err(f) => error.set(Some(f)),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{t(T::SetupOffice)}</h2>
            {move || match shown.get() {
                None => view! {
                    <p>{t(T::SetupOfficeHint)}</p>
                    <FormError error=error/>
                    <button type="button" class="big" on:click=start.clone()>{t(T::SetupOffice)}</button>
                }.into_any(),
                Some((code, fp, root_fp)) => view! {
                    <p>{t(T::RecoveryShownOnce)}</p>
                    <p class="code receipt">{code}</p>
                    <p class="fingerprint">{t(T::OfficeFingerprint)}" "{fp}</p>
                    // Printed with the code: what members compare when a browser meets the
                    // office for the first time.
                    <p class="fingerprint">{t(T::RootFingerprint)}" "{root_fp}</p>
                    <button type="button" class="secondary" on:click=move |_| { let _ = window().print(); }>{t(T::Print)}</button>
                    <label class="choice"><input type="checkbox" on:change=move |ev| noted.set(event_target_checked(&ev))/>" "{t(T::RecoveryNoted)}</label>
                    <button type="button" class="big" disabled=move || !noted.get() on:click=done>{t(T::Continue)}</button>
                }.into_any(),
            }}
        </section>
    }
}

pub(super) fn status_class(s: ReportStatus) -> &'static str {
    match s {
        ReportStatus::Received => "tag",
        ReportStatus::Accepted | ReportStatus::Investigating => "tag ok",
        ReportStatus::NotAccepted | ReportStatus::Concluded => "tag muted",
    }
}

#[component]
fn Inbox(code: String) -> impl IntoView {
    let url = format!("api/offices/{code}/reports");
    let data = api::Fetch::<Vec<InboxItem>>::new(move || url.clone());
    view! {
        <section class="card">
            <h2>{t(T::ReportInbox)}</h2>
            {move || match data.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <Empty text=t(T::NoReports)/> }.into_any(),
                Some(Ok(mut list)) => view! {
                    <ul class="rows">
                        {
                            // What waits for an answer first, the late ones first, then by
                            // when each is due; the rest as they came.
                            list.sort_by_key(|r| (!r.late, r.answer_due.is_none(), r.answer_due.map(|d| d.0)));
                            list.into_iter().map(|r| view! {
                            <li>
                                <Go href=paths::office_report(&code, &r.id)>
                                    <span class=status_class(r.status)>{status_name(r.status)}</span>" "
                                    {r.late.then(|| view! { <span class="tag late">{t(T::AnswerLate)}</span>" " })}
                                    {r.case_number.clone().unwrap_or_else(|| t(T::NoCaseNumber).to_owned())}
                                </Go>
                                {r.answer_due.map(|d| view! {
                                    <p class=if r.late { "late" } else { "" }>{t(T::AnswerDue).replace("{}", &d.deadline_day())}</p>
                                })}
                                <p class="muted">{t(T::FiledAt)}" "{r.filed_at.china_string()}
                                    {r.assignee.clone().map(|a| format!(" · {}{a}", t(T::AssignedTo)))}
                                    {(r.messages > 0).then(|| format!(" · {} {}", r.messages, t(T::Messages)))}
                                </p>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}

/// Members: who holds the keys and who let them in, letting newcomers in after checking
/// their fingerprint, and (for the head) removing someone, which starts a new office key.
/// Every seal here goes to a member this browser proved (`proof`), whatever the server
/// says of the others.
#[component]
fn Members(
    state: OfficeState,
    unlocked: Unlocked,
    proof: seal::Proof,
    head: bool,
    reload: Callback<()>,
) -> impl IntoView {
    let code = state.code.to_string();
    let error = RwSignal::new(None::<Failure>);
    let members = state.members.clone();
    let me_id = me_id();
    let office_keys = expect_context::<OfficeKeys>();
    let i_am_proven = proof.admitted_by(me_id).is_some();
    let any_unproven = members.iter().any(|m| proof.admitted_by(m.account).is_none());
    let name_of = {
        let members = members.clone();
        move |id: Uuid| {
            members
                .iter()
                .find(|m| m.account == id)
                .map(|m| m.name.clone())
                .unwrap_or_default()
        }
    };
    view! {
        <section class="card">
            <h2>{t(T::OfficeMembers)}</h2>
            {any_unproven.then(|| view! { <p class="notice" role="alert">{t(T::UnprovenWarning)}</p> })}
            {(!i_am_proven).then(|| view! { <p class="notice">{t(T::SelfUnproven)}</p> })}
            <ul class="rows">
                {members.clone().into_iter().map(|m| {
                    let code = code.clone();
                    let code2 = code.clone();
                    let unlocked = unlocked.clone();
                    let unlocked2 = unlocked.clone();
                    let others = members.clone();
                    let proof2 = proof.clone();
                    let newcomer = m.public_key.clone();
                    let newcomer_signing = m.signing_key.clone();
                    let admitted = proof.admitted_by(m.account);
                    let removable = head && m.account != me_id;
                    let grant = move |_| {
                        let (Some(public), Some(signing)) = (key32(&newcomer), newcomer_signing.as_deref().and_then(key32)) else {
                            error.set(Some(Failure::invalid("member", sunlight_api::error::FieldError::BadFormat)));
                            return;
                        };
                        // Letting someone in is signing their keys (after the fingerprint
                        // check) as well as sealing the office keys to them.
                        let admission = Admission::sign(
                            &code,
                            m.account,
                            public,
                            signing,
                            seal::now_ms(),
                            AdmittedBy::Member(me_id),
                            &unlocked.me.signer(),
                        );
                        let body = GrantMember {
                            member: m.account,
                            wraps: unlocked
                                .keys
                                .iter()
                                .map(|(id, pair)| KeyWrap { key_id: *id, sealed: b64(&seal_key(&public, pair.secret(), &mut seal::fill)) })
                                .collect(),
                            admission: seal::wire(&admission),
                        };
                        let code = code.clone();
                        spawn_local(async move {
                            match api::post::<_, serde_json::Value>(&format!("api/offices/{code}/grants"), &body).await {
                                Ok(_) => reload.run(()),
                                Err(f) => error.set(Some(f)),
                            }
                        });
                    };
                    let remove = move |_| {
                        if !window().confirm_with_message(t(T::ConfirmRemove)).unwrap_or(false) {
                            return;
                        }
                        let office = KeyPair::generate(&mut seal::fill);
                        let me = unlocked2.me.clone();
                        // The new key goes to proven members only; the head signs each other
                        // one in again, so no admission hangs on the removed member's.
                        let stay: Vec<(Uuid, Key, Key)> = others
                            .iter()
                            .filter(|o| o.account != m.account && proof2.admitted_by(o.account).is_some())
                            .filter_map(|o| Some((o.account, key32(&o.public_key)?, o.signing_key.as_deref().and_then(key32)?)))
                            .collect();
                        let wraps = stay
                            .iter()
                            .map(|(id, public, _)| MemberWrap { member: *id, sealed: b64(&seal_key(public, office.secret(), &mut seal::fill)) })
                            .collect();
                        let at = seal::now_ms();
                        let admissions = stay
                            .iter()
                            .filter(|(id, _, _)| *id != me_id)
                            .map(|(id, public, signing)| {
                                seal::wire(&Admission::sign(&code2, *id, *public, *signing, at, AdmittedBy::Member(me_id), &me.signer()))
                            })
                            .collect();
                        let key_signature = b64(&sign_office_key(&code2, &office.public(), &me.signer()));
                        let code = code2.clone();
                        let mut keys = unlocked2.keys.clone();
                        spawn_local(async move {
                            let Ok(s) = api::get::<OfficeState>(&format!("api/offices/{code}")).await else { return };
                            let Some(recovery_public) = s.recovery_public_key.as_deref().and_then(key32) else {
                                error.set(Some(Failure::invalid("recovery", sunlight_api::error::FieldError::Required)));
                                return;
                            };
                            let body = RemoveMember {
                                member: m.account,
                                public_key: b64(&office.public()),
                                key_signature,
                                wraps,
                                recovery_wrap: b64(&seal_key(&recovery_public, office.secret(), &mut seal::fill)),
                                admissions,
                            };
                            match api::post::<_, serde_json::Value>(&format!("api/offices/{code}/removals"), &body).await {
                                Ok(_) => {
                                    if let Ok(s) = api::get::<OfficeState>(&format!("api/offices/{code}")).await
                                        && let Some(mine) = s.me
                                    {
                                        keys = open_wraps(&me, &mine.wraps);
                                    }
                                    office_keys.0.update(|m| {
                                        m.insert(code.clone(), Unlocked { me: me.clone(), keys });
                                    });
                                    reload.run(());
                                }
                                Err(f) => error.set(Some(f)),
                            }
                        });
                    };
                    let admitted_text = admitted.map(|by| match by {
                        AdmittedBy::Recovery => t(T::AdmittedByRecovery).to_owned(),
                        AdmittedBy::Member(id) => format!("{}{}", t(T::AdmittedByMember), name_of(id)),
                    });
                    // The fingerprint is computed here from the key itself.
                    let fp = key32(&m.public_key).map(|k| fingerprint(&k)).unwrap_or_default();
                    let can_let_in = i_am_proven && m.account != me_id;
                    view! {
                        <li>
                            <b>{m.name.clone()}</b>{m.head.then(|| format!(" · {}", t(T::OfficeHead)))}
                            <p class="fingerprint muted">{t(T::MemberFingerprint)}" "{fp}</p>
                            {match (admitted_text, m.granted) {
                                (Some(by), true) => view! {
                                    <span class="tag ok">{t(T::HoldsKeys)}</span>
                                    <p class="muted">{by}</p>
                                }.into_any(),
                                (Some(by), false) => view! {
                                    <p class="muted">{by}</p>
                                    {can_let_in.then(|| view! { <button type="button" on:click=grant.clone()>{t(T::LetIn)}</button> })}
                                }.into_any(),
                                (None, granted) => view! {
                                    {if granted {
                                        view! {
                                            <span class="tag warn">{t(T::Unproven)}</span>
                                            <p class="notice">{t(T::UnprovenHint)}</p>
                                        }.into_any()
                                    } else {
                                        view! { <p class="notice">{t(T::CheckFingerprint)}</p> }.into_any()
                                    }}
                                    {can_let_in.then(|| view! { <button type="button" on:click=grant.clone()>{t(T::LetIn)}</button> })}
                                }.into_any(),
                            }}
                            {removable.then(|| view! { <button type="button" class="secondary" on:click=remove>{t(T::RemoveMember)}</button> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <FormError error=error/>
        </section>
    }
}

#[component]
fn AccessLog(code: String) -> impl IntoView {
    let url = format!("api/offices/{code}/access-log");
    let data = api::Fetch::<Vec<AccessEntry>>::new(move || url.clone());
    view! {
        <section class="card">
            <details>
                <summary>{t(T::AccessLog)}</summary>
                {move || match data.get() {
                    None => view! { <Loading/> }.into_any(),
                    Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! { <Empty text=t(T::NoAccess)/> }.into_any(),
                    Some(Ok(list)) => view! {
                        <ul class="plain">
                            {list.into_iter().map(|a| view! {
                                <li>{a.at.china_string()}" · "{a.who}" · "{access_action(&a.action)}" · "{a.case_number.unwrap_or_else(|| t(T::NoCaseNumber).to_owned())}</li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
            </details>
        </section>
    }
}

fn access_action(a: &str) -> &'static str {
    t(match a {
        "open" => T::ActionOpen,
        "file" => T::ActionFile,
        "status" => T::ActionStatus,
        "message" => T::ActionMessage,
        "assign" => T::ActionAssign,
        "transfer" => T::ActionTransfer,
        _ => T::ActionOpen,
    })
}

/// Numbers per office in this office's region: for dashboards, no content.
#[component]
fn Counts(code: String) -> impl IntoView {
    let url = format!("api/report-counts?region={code}");
    let data = api::Fetch::<Vec<OfficeCounts>>::new(move || url.clone());
    view! {
        <section class="card">
            <h2>{t(T::ReportCounts)}</h2>
            {move || match data.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <Empty text=t(T::NoReports)/> }.into_any(),
                Some(Ok(list)) => view! {
                    <table class="counts">
                        <thead><tr><th>{t(T::Office)}</th><th>{t(T::StatusReceived)}</th><th>{t(T::StatusAccepted)}</th><th>{t(T::StatusConcluded)}</th><th>{t(T::Open)}</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|c| view! {
                                <tr><td>{c.name}</td><td>{c.received}</td><td>{c.accepted}</td><td>{c.concluded}</td><td>{c.open}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}
