//! The cryptography of private reports (举报).
//!
//! Everything here runs where people are: in the filer's phone and in the inspector's
//! browser (compiled to wasm), and natively in the tests. The server stores what these
//! functions produce and never opens any of it.
//!
//! - An office holds X25519 key pairs. A report's content key is [`seal`]ed to the office's
//!   current public key with `crypto_box` (an ephemeral key pair per message, XChaCha20-
//!   Poly1305), so only a holder of the office's secret key can open it.
//! - The report itself, its messages and its evidence are [`lock`]ed under that random
//!   content key (XChaCha20-Poly1305).
//! - The filer keeps a [`Receipt`] code (80 random bits). From it come the lookup token the
//!   server knows the report by (stored hashed) and a key that unlocks the content key, so
//!   the filer can follow up from any phone.
//! - Office secret keys are sealed to each inspector's own key pair, whose secret is locked
//!   under a key derived from the inspector's passphrase with Argon2id ([`passphrase_key`]),
//!   and to a recovery key pair derived from a printable [`RecoveryCode`].
//!
//! - Who may hold the office keys is proven by signed admissions, checked back to the
//!   office's recovery key ([`trust`]).
//!
//! Randomness comes from the caller (`fill`), so this crate has no platform dependency: the
//! browser passes `crypto.getRandomValues`, the tests the operating system's generator.

use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, KeyInit},
};
use crypto_box::{ChaChaBox, PublicKey, SecretKey};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub mod trust;
pub use trust::{Admission, AdmittedBy, MemberKeys, Signature, Signer};

/// Fills a buffer with cryptographically secure random bytes.
pub type Fill<'a> = &'a mut dyn FnMut(&mut [u8]);

/// A symmetric key or an X25519 key, 32 bytes.
pub type Key = [u8; 32];

const VERSION: u8 = 1;
const NONCE: usize = 24;

/// Why something could not be opened: wrong key, damaged or forged data. Deliberately
/// says no more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenError;

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cannot open: wrong key or damaged data")
    }
}

impl std::error::Error for OpenError {}

fn random<const N: usize>(fill: Fill) -> [u8; N] {
    let mut b = [0u8; N];
    fill(&mut b);
    b
}

/// An X25519 key pair. The secret is wiped from memory when dropped.
#[derive(Clone)]
pub struct KeyPair {
    secret: Zeroizing<Key>,
    public: Key,
}

impl KeyPair {
    pub fn generate(fill: Fill) -> KeyPair {
        KeyPair::from_secret(random(fill))
    }

    pub fn from_secret(secret: Key) -> KeyPair {
        let public = *SecretKey::from(secret).public_key().as_bytes();
        KeyPair {
            secret: Zeroizing::new(secret),
            public,
        }
    }

    pub fn public(&self) -> Key {
        self.public
    }

    pub fn secret(&self) -> &Key {
        &self.secret
    }
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyPair({})", fingerprint(&self.public))
    }
}

/// A public key's fingerprint for people to compare aloud or on paper: the first 128 bits
/// of its SHA-256, as eight groups of four hex digits.
pub fn fingerprint(public: &Key) -> String {
    let digest = Sha256::digest(public);
    digest[..16]
        .chunks(2)
        .map(|c| format!("{:02X}{:02X}", c[0], c[1]))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Encrypts `plain` so that only the holder of `to`'s secret key can read it.
/// Layout: version, ephemeral public key (32), nonce (24), ciphertext.
pub fn seal(to: &Key, plain: &[u8], fill: Fill) -> Vec<u8> {
    let ephemeral = KeyPair::generate(fill);
    let nonce: [u8; NONCE] = random(fill);
    let sealer = ChaChaBox::new(&PublicKey::from(*to), &SecretKey::from(*ephemeral.secret()));
    let ct = sealer
        .encrypt(&nonce.into(), plain)
        .expect("encryption of an in-memory buffer cannot fail");
    let mut out = Vec::with_capacity(1 + 32 + NONCE + ct.len());
    out.push(VERSION);
    out.extend_from_slice(&ephemeral.public());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

/// Opens what [`seal`] made for `me`.
pub fn open_sealed(me: &KeyPair, sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
    if sealed.len() < 1 + 32 + NONCE + 16 || sealed[0] != VERSION {
        return Err(OpenError);
    }
    let ephemeral: Key = sealed[1..33].try_into().map_err(|_| OpenError)?;
    let nonce: [u8; NONCE] = sealed[33..33 + NONCE].try_into().map_err(|_| OpenError)?;
    let opener = ChaChaBox::new(&PublicKey::from(ephemeral), &SecretKey::from(*me.secret()));
    opener
        .decrypt(&nonce.into(), &sealed[33 + NONCE..])
        .map_err(|_| OpenError)
}

/// Seals a 32-byte key (a content key, an office secret).
pub fn seal_key(to: &Key, key: &Key, fill: Fill) -> Vec<u8> {
    seal(to, key, fill)
}

/// Opens a key sealed with [`seal_key`].
pub fn open_sealed_key(me: &KeyPair, sealed: &[u8]) -> Result<Key, OpenError> {
    let plain = Zeroizing::new(open_sealed(me, sealed)?);
    plain.as_slice().try_into().map_err(|_| OpenError)
}

/// A fresh random symmetric key (a report's content key).
pub fn new_key(fill: Fill) -> Key {
    random(fill)
}

/// Encrypts `plain` under a symmetric key. Layout: version, nonce (24), ciphertext.
pub fn lock(key: &Key, plain: &[u8], fill: Fill) -> Vec<u8> {
    let nonce: [u8; NONCE] = random(fill);
    let ct = XChaCha20Poly1305::new(key.into())
        .encrypt(&XNonce::from(nonce), plain)
        .expect("encryption of an in-memory buffer cannot fail");
    let mut out = Vec::with_capacity(1 + NONCE + ct.len());
    out.push(VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

/// Opens what [`lock`] made.
pub fn unlock(key: &Key, locked: &[u8]) -> Result<Vec<u8>, OpenError> {
    if locked.len() < 1 + NONCE + 16 || locked[0] != VERSION {
        return Err(OpenError);
    }
    let nonce: [u8; NONCE] = locked[1..1 + NONCE].try_into().map_err(|_| OpenError)?;
    XChaCha20Poly1305::new(key.into())
        .decrypt(&nonce.into(), &locked[1 + NONCE..])
        .map_err(|_| OpenError)
}

/// Locks a 32-byte key under another.
pub fn lock_key(key: &Key, inner: &Key, fill: Fill) -> Vec<u8> {
    lock(key, inner, fill)
}

/// Unlocks a key locked with [`lock_key`].
pub fn unlock_key(key: &Key, locked: &[u8]) -> Result<Key, OpenError> {
    let plain = Zeroizing::new(unlock(key, locked)?);
    plain.as_slice().try_into().map_err(|_| OpenError)
}

fn derive(ikm: &[u8], salt: &[u8], info: &[u8]) -> Key {
    let mut out = [0u8; 32];
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(info, &mut out)
        .expect("32 bytes is a valid HKDF output length");
    out
}

// Crockford's base32: no I, L, O or U, so nothing reads as another letter or a digit.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn to_base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Reads base32 as people type it: any case, spaces and dashes ignored, I and L taken as
/// 1, O as 0. `None` for any other character or the wrong length.
fn from_base32(text: &str, bytes: usize) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes);
    let (mut acc, mut bits) = (0u32, 0u32);
    let mut chars = 0;
    for c in text.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' | '\u{3000}' => continue,
            'I' | 'L' => '1',
            'O' => '0',
            c => c,
        };
        let v = ALPHABET.iter().position(|&a| a as char == c)? as u32;
        chars += 1;
        acc = (acc << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (chars == (bytes * 8).div_ceil(5) && out.len() == bytes && acc == 0).then_some(out)
}

fn grouped(s: &str) -> String {
    s.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A filer's receipt code: 80 random bits, written as four groups of four characters
/// (`7KQ2 M9XD 4HWT 0BCE`). Whoever holds it can follow the report up; nobody else can.
#[derive(Clone, PartialEq, Eq)]
pub struct Receipt([u8; 10]);

impl Receipt {
    pub fn generate(fill: Fill) -> Receipt {
        Receipt(random(fill))
    }

    /// Reads a code as typed; `None` when it is not a receipt code.
    pub fn parse(text: &str) -> Option<Receipt> {
        from_base32(text, 10).and_then(|b| b.try_into().ok()).map(Receipt)
    }

    /// The code for people: four groups of four.
    pub fn display(&self) -> String {
        grouped(&to_base32(&self.0))
    }

    /// The token the server knows the report by (it stores only its SHA-256), as hex.
    pub fn lookup(&self) -> String {
        hex(&derive(&self.0, b"sunlight receipt v1", b"lookup"))
    }

    /// The key that unlocks the report's content key for the filer.
    pub fn key(&self) -> Key {
        derive(&self.0, b"sunlight receipt v1", b"content key")
    }
}

impl std::fmt::Debug for Receipt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Receipt(…)")
    }
}

/// An office's recovery code: 160 random bits, eight groups of four characters, printed
/// when the office is set up and kept in its safe. It yields a key pair to which every
/// office secret key is also sealed.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode([u8; 20]);

impl RecoveryCode {
    pub fn generate(fill: Fill) -> RecoveryCode {
        RecoveryCode(random(fill))
    }

    pub fn parse(text: &str) -> Option<RecoveryCode> {
        from_base32(text, 20).and_then(|b| b.try_into().ok()).map(RecoveryCode)
    }

    pub fn display(&self) -> String {
        grouped(&to_base32(&self.0))
    }

    pub fn key_pair(&self) -> KeyPair {
        KeyPair::from_secret(derive(&self.0, b"sunlight recovery v1", b"key pair"))
    }
}

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(…)")
    }
}

/// Standard base64, as binary travels in JSON.
pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Reads standard base64; `None` for anything else.
pub fn unb64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// An evidence file before it is locked: its clear header (JSON) and its bytes, as
/// `u32` little-endian header length, header, bytes.
pub fn pack(header: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + header.len() + body.len());
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(header);
    out.extend_from_slice(body);
    out
}

/// Splits what [`pack`] made into header and bytes.
pub fn unpack(packed: &[u8]) -> Option<(&[u8], &[u8])> {
    let len = u32::from_le_bytes(packed.get(..4)?.try_into().ok()?) as usize;
    let header = packed.get(4..4usize.checked_add(len)?)?;
    Some((header, &packed[4 + len..]))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a lookup token, as the server stores it.
pub fn lookup_hash(lookup: &str) -> String {
    hex(&Sha256::digest(lookup.as_bytes()))
}

/// Argon2id cost of an inspector's passphrase key: OWASP's recommended minimum
/// (19 MiB, 2 passes), a second or two on a slow phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub passes: u32,
}

impl KdfParams {
    pub const DEFAULT: KdfParams = KdfParams {
        memory_kib: 19 * 1024,
        passes: 2,
    };

    /// Whether stored parameters are within what a phone can afford and no weaker than
    /// the floor; anything else is refused rather than run.
    pub fn acceptable(self) -> bool {
        (8 * 1024..=64 * 1024).contains(&self.memory_kib) && (1..=10).contains(&self.passes)
    }
}

/// The key that locks an inspector's own secret key, from their passphrase (Argon2id).
#[cfg(feature = "passphrase")]
pub fn passphrase_key(passphrase: &str, salt: &[u8; 16], params: KdfParams) -> Result<Key, OpenError> {
    if !params.acceptable() {
        return Err(OpenError);
    }
    let p = argon2::Params::new(params.memory_kib, params.passes, 1, Some(32)).map_err(|_| OpenError)?;
    let mut out = [0u8; 32];
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, p)
        .hash_password_into(passphrase.as_bytes(), salt, &mut out)
        .map_err(|_| OpenError)?;
    Ok(out)
}

/// Proof of work for anonymous filings: find `nonce` so that SHA-256(challenge ‖ nonce)
/// starts with `bits` zero bits. About 2^bits hashes for the phone, one for the server.
pub fn pow_solve(challenge: &str, bits: u32) -> u64 {
    (0u64..).find(|&n| pow_check(challenge, bits, n)).unwrap_or(0)
}

pub fn pow_check(challenge: &str, bits: u32, nonce: u64) -> bool {
    let mut h = Sha256::new();
    h.update(challenge.as_bytes());
    h.update(nonce.to_le_bytes());
    let digest = h.finalize();
    let mut need = bits;
    for byte in digest {
        if need == 0 {
            return true;
        }
        let zeros = byte.leading_zeros().min(8);
        if need <= 8 {
            return zeros >= need;
        }
        if zeros < 8 {
            return false;
        }
        need -= 8;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(buf: &mut [u8]) {
        getrandom::fill(buf).unwrap();
    }

    #[test]
    fn sealed_opens_only_with_the_right_key() {
        let office = KeyPair::generate(&mut os);
        let other = KeyPair::generate(&mut os);
        let sealed = seal(&office.public(), b"secret words", &mut os);
        assert_eq!(open_sealed(&office, &sealed).unwrap(), b"secret words");
        assert_eq!(open_sealed(&other, &sealed), Err(OpenError));
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(open_sealed(&office, &tampered), Err(OpenError));
        assert_eq!(open_sealed(&office, &sealed[..20]), Err(OpenError));
        // Two seals of the same text differ: nothing repeats on disk.
        assert_ne!(sealed, seal(&office.public(), b"secret words", &mut os));
    }

    #[test]
    fn locked_opens_only_with_its_key() {
        let key = new_key(&mut os);
        let locked = lock(&key, "举报内容".as_bytes(), &mut os);
        assert_eq!(unlock(&key, &locked).unwrap(), "举报内容".as_bytes());
        assert_eq!(unlock(&new_key(&mut os), &locked), Err(OpenError));
        let inner = new_key(&mut os);
        assert_eq!(unlock_key(&key, &lock_key(&key, &inner, &mut os)).unwrap(), inner);
        let office = KeyPair::generate(&mut os);
        assert_eq!(
            open_sealed_key(&office, &seal_key(&office.public(), &inner, &mut os)).unwrap(),
            inner
        );
    }

    #[test]
    fn receipt_codes_read_as_typed() {
        let r = Receipt::generate(&mut os);
        let shown = r.display();
        assert_eq!(shown.len(), 19, "{shown}");
        assert_eq!(shown.split(' ').count(), 4);
        assert_eq!(Receipt::parse(&shown), Some(r.clone()));
        assert_eq!(Receipt::parse(&shown.to_lowercase().replace(' ', "-")), Some(r.clone()));
        let confusable = shown.replace('1', "l").replace('0', "o");
        assert_eq!(Receipt::parse(&confusable), Some(r.clone()));
        assert_eq!(Receipt::parse(&shown[..14]), None);
        assert_eq!(Receipt::parse(&format!("{shown}A")), None);
        assert_eq!(Receipt::parse("UUUU UUUU UUUU UUUU"), None);
        assert_eq!(r.lookup().len(), 64);
        assert_ne!(r.lookup(), hex(&r.key()));
        assert_ne!(Receipt::generate(&mut os).lookup(), r.lookup());
    }

    #[test]
    fn recovery_code_gives_the_same_key_pair() {
        let code = RecoveryCode::generate(&mut os);
        let shown = code.display();
        assert_eq!(shown.split(' ').count(), 8);
        let again = RecoveryCode::parse(&shown).unwrap();
        assert_eq!(again.key_pair().public(), code.key_pair().public());
        assert_eq!(fingerprint(&code.key_pair().public()).len(), 39);
    }

    #[cfg(feature = "passphrase")]
    #[test]
    fn passphrase_keys_depend_on_passphrase_and_salt() {
        let fast = KdfParams {
            memory_kib: 8 * 1024,
            passes: 1,
        };
        let a = passphrase_key("正确的口令", &[1; 16], fast).unwrap();
        assert_eq!(a, passphrase_key("正确的口令", &[1; 16], fast).unwrap());
        assert_ne!(a, passphrase_key("错误的口令", &[1; 16], fast).unwrap());
        assert_ne!(a, passphrase_key("正确的口令", &[2; 16], fast).unwrap());
        let weak = KdfParams {
            memory_kib: 16,
            passes: 1,
        };
        assert_eq!(passphrase_key("x", &[1; 16], weak), Err(OpenError));
    }

    #[test]
    fn packed_files_split_back() {
        let p = pack(b"{\"name\":\"a\"}", b"bytes");
        assert_eq!(unpack(&p), Some((&b"{\"name\":\"a\"}"[..], &b"bytes"[..])));
        assert_eq!(unpack(&[255, 255, 255, 255, 1]), None);
        assert_eq!(unpack(&[1]), None);
    }

    #[test]
    fn proof_of_work() {
        let n = pow_solve("challenge", 10);
        assert!(pow_check("challenge", 10, n));
        assert!(pow_check("challenge", 0, 12345));
        // A solution for one challenge is almost never one for another at 16 bits.
        let m = pow_solve("other", 16);
        assert!(pow_check("other", 16, m));
        assert!(!(0..50).all(|k| pow_check("other", 16, m + 1 + k)));
    }
}
