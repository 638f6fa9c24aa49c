//! Who may hold an office's keys (准入): membership proven by signatures, never asserted by
//! the server.
//!
//! Every inspector has, besides their X25519 key pair, an Ed25519 signing key derived from
//! the same secret (so it is locked under the same passphrase). The office's recovery code
//! yields a signing key too: its public half is the office's **root**. When an office is
//! set up, the recovery key admits the founding head; afterwards an admitted member admits
//! each newcomer by signing an [`Admission`]: the office, the newcomer's account and both
//! of their public keys, and the time. A browser trusts a member only when such a chain of
//! signatures leads from the root to the member's current keys ([`verify_members`]), and
//! seals nothing to anyone else. The server stores and serves admissions but, holding no
//! member's secret and no recovery code, cannot make one.
//!
//! Nobody admits themself: a record signed by the member it admits counts for nothing,
//! even with a key that was admitted before. A member who lost their passphrase is let in
//! again by another member or with the recovery code.

use ed25519_dalek::{Signature as DalekSignature, Signer as _, SigningKey, VerifyingKey};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::{Key, KeyPair, RecoveryCode, derive};

/// An Ed25519 signature, 64 bytes.
pub type Signature = [u8; 64];

/// An Ed25519 signing key. Its secret is wiped from memory when dropped.
#[derive(Clone)]
pub struct Signer(SigningKey);

impl Signer {
    /// The signing key grown from 32 secret bytes.
    pub fn from_seed(seed: &Key) -> Signer {
        Signer(SigningKey::from_bytes(seed))
    }

    /// The public key others verify with.
    pub fn public(&self) -> Key {
        self.0.verifying_key().to_bytes()
    }

    fn sign(&self, message: &[u8]) -> Signature {
        self.0.sign(message).to_bytes()
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", crate::fingerprint(&self.public()))
    }
}

impl KeyPair {
    /// The member's signing key, derived from their X25519 secret: whoever unlocks one with
    /// the passphrase has the other, and nothing more needs storing.
    pub fn signer(&self) -> Signer {
        let seed = Zeroizing::new(derive(self.secret(), b"sunlight member v1", b"signing key"));
        Signer::from_seed(&seed)
    }
}

impl RecoveryCode {
    /// The office's root signing key: it admits the founding head, and anyone later who
    /// is let in again with the recovery code.
    pub fn signer(&self) -> Signer {
        let seed = Zeroizing::new(derive(&self.0, b"sunlight recovery v1", b"signing key"));
        Signer::from_seed(&seed)
    }
}

fn verify(public: &Key, message: &[u8], signature: &Signature) -> bool {
    VerifyingKey::from_bytes(public)
        .is_ok_and(|k| k.verify_strict(message, &DalekSignature::from_bytes(signature)).is_ok())
}

fn put_office(out: &mut Vec<u8>, office: &str) {
    // Region codes are 12 ASCII digits; the length keeps any other text unambiguous.
    out.extend_from_slice(&(office.len() as u32).to_le_bytes());
    out.extend_from_slice(office.as_bytes());
}

/// Who signed an admission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdmittedBy {
    /// The office's recovery key (at set-up, or a member let in again with the code).
    Recovery,
    /// A member, by account id.
    Member(Uuid),
}

/// One member's admission: their keys, signed by the recovery key or another member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admission {
    pub member: Uuid,
    /// The newcomer's X25519 public key: what office keys are sealed to.
    pub public_key: Key,
    /// The newcomer's Ed25519 public key: what their own admissions are checked with.
    pub signing_key: Key,
    pub by: AdmittedBy,
    /// Unix milliseconds, as the signer's clock had it.
    pub at_ms: i64,
    pub signature: Signature,
}

fn admission_message(office: &str, member: Uuid, public_key: &Key, signing_key: &Key, at_ms: i64) -> Vec<u8> {
    let mut m = b"sunlight admission v1\0".to_vec();
    put_office(&mut m, office);
    m.extend_from_slice(member.as_bytes());
    m.extend_from_slice(public_key);
    m.extend_from_slice(signing_key);
    m.extend_from_slice(&at_ms.to_le_bytes());
    m
}

impl Admission {
    /// Signs `member`'s keys into `office`. `by` names the signer for the record; the
    /// signature is what counts.
    pub fn sign(
        office: &str,
        member: Uuid,
        public_key: Key,
        signing_key: Key,
        at_ms: i64,
        by: AdmittedBy,
        signer: &Signer,
    ) -> Admission {
        let signature = signer.sign(&admission_message(office, member, &public_key, &signing_key, at_ms));
        Admission {
            member,
            public_key,
            signing_key,
            by,
            at_ms,
            signature,
        }
    }

    /// Whether `signer_key` signed this admission into `office`.
    pub fn signed_by(&self, office: &str, signer_key: &Key) -> bool {
        verify(
            signer_key,
            &admission_message(office, self.member, &self.public_key, &self.signing_key, self.at_ms),
            &self.signature,
        )
    }
}

/// Which admissions chain back to `root` (the office's recovery signing key), by index.
///
/// A record signed by the recovery key is trusted when the signature verifies under
/// `root`. A record signed by a member is trusted when some trusted record of that member
/// carries the signing key it verifies under. Records that admit their own signer, name a
/// signer with no trusted record (a stranger, a removed member), or form a loop that never
/// reaches the root stay untrusted.
pub fn trusted_admissions(office: &str, root: &Key, admissions: &[Admission]) -> Vec<bool> {
    let mut trusted = vec![false; admissions.len()];
    loop {
        let mut grew = false;
        for (i, a) in admissions.iter().enumerate() {
            if trusted[i] {
                continue;
            }
            let ok = match a.by {
                AdmittedBy::Recovery => a.signed_by(office, root),
                AdmittedBy::Member(signer) if signer == a.member => false,
                AdmittedBy::Member(signer) => admissions
                    .iter()
                    .zip(&trusted)
                    .any(|(s, &t)| t && s.member == signer && a.signed_by(office, &s.signing_key)),
            };
            if ok {
                trusted[i] = true;
                grew = true;
            }
        }
        if !grew {
            return trusted;
        }
    }
}

/// A member as the server lists them: account and current public keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberKeys {
    pub account: Uuid,
    pub public_key: Key,
    /// `None` for an inspector enrolled before admissions were signed.
    pub signing_key: Option<Key>,
}

/// For each member (in order), who admitted their current keys, when a trusted admission
/// does; `None` means the member is unproven (未经认证) and must be sealed nothing.
pub fn verify_members(
    office: &str,
    root: &Key,
    admissions: &[Admission],
    members: &[MemberKeys],
) -> Vec<Option<AdmittedBy>> {
    let trusted = trusted_admissions(office, root, admissions);
    members
        .iter()
        .map(|m| {
            let signing_key = m.signing_key?;
            admissions
                .iter()
                .zip(&trusted)
                .find(|&(a, &t)| {
                    t && a.member == m.account && a.public_key == m.public_key && a.signing_key == signing_key
                })
                .map(|(a, _)| a.by)
        })
        .collect()
}

fn office_key_message(office: &str, public_key: &Key) -> Vec<u8> {
    let mut m = b"sunlight office key v1\0".to_vec();
    put_office(&mut m, office);
    m.extend_from_slice(public_key);
    m
}

/// A member vouches for an office key pair they made (at set-up, or on removing someone).
pub fn sign_office_key(office: &str, public_key: &Key, signer: &Signer) -> Signature {
    signer.sign(&office_key_message(office, public_key))
}

/// Whether the holder of `signer_key` signed `public_key` as a key of `office`.
pub fn office_key_signed_by(office: &str, public_key: &Key, signer_key: &Key, signature: &Signature) -> bool {
    verify(signer_key, &office_key_message(office, public_key), signature)
}

/// Whether an office public key was made by an admitted member of that office: `signed_by`
/// has a trusted admission whose signing key verifies `signature`. This is what a browser
/// checks before sealing to another office's key.
pub fn verify_office_key(
    office: &str,
    root: &Key,
    admissions: &[Admission],
    public_key: &Key,
    signed_by: Uuid,
    signature: &Signature,
) -> bool {
    admissions
        .iter()
        .zip(trusted_admissions(office, root, admissions))
        .any(|(a, t)| t && a.member == signed_by && office_key_signed_by(office, public_key, &a.signing_key, signature))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFICE: &str = "359901101000";

    fn os(buf: &mut [u8]) {
        getrandom::fill(buf).unwrap();
    }

    /// An inspector's browser: account, key pair and signing key.
    struct Person {
        id: Uuid,
        keys: KeyPair,
    }

    impl Person {
        fn new() -> Person {
            Person {
                id: Uuid::from_bytes(crate::random(&mut os)),
                keys: KeyPair::generate(&mut os),
            }
        }

        fn member(&self) -> MemberKeys {
            MemberKeys {
                account: self.id,
                public_key: self.keys.public(),
                signing_key: Some(self.keys.signer().public()),
            }
        }

        /// `self` signs `newcomer` in.
        fn admit(&self, newcomer: &Person) -> Admission {
            admit_with(newcomer, AdmittedBy::Member(self.id), &self.keys.signer())
        }
    }

    fn admit_with(newcomer: &Person, by: AdmittedBy, signer: &Signer) -> Admission {
        Admission::sign(
            OFFICE,
            newcomer.id,
            newcomer.keys.public(),
            newcomer.keys.signer().public(),
            1_780_000_000_000,
            by,
            signer,
        )
    }

    /// An office set up by `head`, with its recovery code and the founding admission.
    fn office() -> (RecoveryCode, Person, Admission) {
        let code = RecoveryCode::generate(&mut os);
        let head = Person::new();
        let founding = admit_with(&head, AdmittedBy::Recovery, &code.signer());
        (code, head, founding)
    }

    #[test]
    fn the_chain_runs_from_the_recovery_key_through_members() {
        let (code, head, founding) = office();
        let (a, b) = (Person::new(), Person::new());
        let admissions = vec![head.admit(&a), a.admit(&b), founding];
        let root = code.signer().public();
        assert_eq!(
            verify_members(OFFICE, &root, &admissions, &[head.member(), a.member(), b.member()]),
            vec![
                Some(AdmittedBy::Recovery),
                Some(AdmittedBy::Member(head.id)),
                Some(AdmittedBy::Member(a.id))
            ]
        );
        // The signing key is the same whenever the passphrase unlocks the same secret.
        assert_eq!(
            KeyPair::from_secret(*head.keys.secret()).signer().public(),
            head.keys.signer().public()
        );
        assert_ne!(head.keys.signer().public(), head.keys.public());
    }

    #[test]
    fn a_member_with_no_admission_or_a_forged_one_is_not_trusted() {
        let (code, head, founding) = office();
        let root = code.signer().public();
        let intruder = Person::new();
        // No admission at all: the server only says he is a member.
        assert_eq!(
            verify_members(OFFICE, &root, std::slice::from_ref(&founding), &[intruder.member()]),
            vec![None]
        );
        // Random bytes for a signature, in the head's name.
        let mut forged = head.admit(&intruder);
        forged.signature = crate::random(&mut os);
        // The head's real signature, but over other keys than the ones the server lists.
        let swapped = head.admit(&Person::new());
        let mut swapped = swapped;
        swapped.member = intruder.id;
        // The head's signature for another office.
        let elsewhere = Admission::sign(
            "359901102000",
            intruder.id,
            intruder.keys.public(),
            intruder.keys.signer().public(),
            0,
            AdmittedBy::Member(head.id),
            &head.keys.signer(),
        );
        for bad in [forged, swapped, elsewhere] {
            let admissions = vec![founding.clone(), bad];
            assert_eq!(
                verify_members(OFFICE, &root, &admissions, &[head.member(), intruder.member()]),
                vec![Some(AdmittedBy::Recovery), None]
            );
        }
    }

    #[test]
    fn strangers_loops_and_self_admissions_lead_nowhere() {
        let (code, head, founding) = office();
        let root = code.signer().public();
        let (stranger, x, y) = (Person::new(), Person::new(), Person::new());
        let unknown_signer = stranger.admit(&x);
        // x and y vouch for each other; neither reaches the root.
        let admissions = vec![founding.clone(), unknown_signer, x.admit(&y), y.admit(&x)];
        assert_eq!(
            verify_members(OFFICE, &root, &admissions, &[x.member(), y.member(), stranger.member()]),
            vec![None, None, None]
        );
        // A "recovery" admission signed by a key other than the office's root.
        let fake_root = admit_with(&x, AdmittedBy::Recovery, &RecoveryCode::generate(&mut os).signer());
        assert_eq!(
            verify_members(OFFICE, &root, &[founding.clone(), fake_root], &[x.member()]),
            vec![None]
        );
        // An admitted member signing their own new keys in.
        let renewed = Person {
            id: head.id,
            keys: KeyPair::generate(&mut os),
        };
        let own = admit_with(&renewed, AdmittedBy::Member(head.id), &head.keys.signer());
        assert_eq!(
            verify_members(OFFICE, &root, &[founding, own], &[renewed.member()]),
            vec![None]
        );
        // A member enrolled before signing keys existed is never trusted.
        let mut old = head.member();
        old.signing_key = None;
        assert_eq!(verify_members(OFFICE, &root, &[], &[old]), vec![None]);
    }

    #[test]
    fn a_member_whose_admitter_is_gone_is_no_longer_trusted() {
        let (code, head, founding) = office();
        let root = code.signer().public();
        let (a, b) = (Person::new(), Person::new());
        // A is removed: the server drops A's admission; B, admitted by A, falls with it
        // until the head signs B in again.
        let after = vec![founding.clone(), a.admit(&b)];
        assert_eq!(verify_members(OFFICE, &root, &after, &[b.member()]), vec![None]);
        let resigned = vec![founding, a.admit(&b), head.admit(&b)];
        assert_eq!(
            verify_members(OFFICE, &root, &resigned, &[b.member()]),
            vec![Some(AdmittedBy::Member(head.id))]
        );
    }

    #[test]
    fn office_keys_are_vouched_for_by_admitted_members() {
        let (code, head, founding) = office();
        let root = code.signer().public();
        let key = KeyPair::generate(&mut os).public();
        let signature = sign_office_key(OFFICE, &key, &head.keys.signer());
        let admissions = vec![founding];
        assert!(verify_office_key(OFFICE, &root, &admissions, &key, head.id, &signature));
        // Another key, another office, another root, or a signer nobody admitted: no.
        let other = KeyPair::generate(&mut os).public();
        assert!(!verify_office_key(
            OFFICE,
            &root,
            &admissions,
            &other,
            head.id,
            &signature
        ));
        assert!(!verify_office_key(
            "359901102000",
            &root,
            &admissions,
            &key,
            head.id,
            &signature
        ));
        let stranger_root = RecoveryCode::generate(&mut os).signer().public();
        assert!(!verify_office_key(
            OFFICE,
            &stranger_root,
            &admissions,
            &key,
            head.id,
            &signature
        ));
        let stranger = Person::new();
        let theirs = sign_office_key(OFFICE, &key, &stranger.keys.signer());
        assert!(!verify_office_key(
            OFFICE,
            &root,
            &admissions,
            &key,
            stranger.id,
            &theirs
        ));
    }
}
