//! The tamper-evident log of what was published (公开记录), in the style of Certificate
//! Transparency (RFC 9162 §2.1): a Merkle tree over the log's entries, in the order they
//! were appended, with the proofs that one entry is in a tree (inclusion) and that a later
//! tree extends an earlier one without changing it (consistency).
//!
//! The server computes trees and proofs; the phone verifies them with the same code, so
//! both sides agree on every byte. Hashes are SHA-256 with RFC 9162's prefixes: a leaf is
//! `H(0x00 || entry)`, an inner node `H(0x01 || left || right)`, so a leaf can never be
//! passed off as a node.

use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{RegionCode, Timestamp};

/// A SHA-256 digest: a leaf's, a node's or a tree's root.
pub type Hash = [u8; 32];

/// The root of the empty tree: the hash of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The hash of one entry (its canonical encoding) as a leaf of the tree.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry);
    h.finalize().into()
}

/// The hash of an inner node from its two children.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two smaller than `n` (for `n > 1`): where RFC 9162 splits a tree.
fn split(n: usize) -> usize {
    debug_assert!(n > 1);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// The root of the tree over `leaves` (each already a leaf hash): RFC 9162's MTH.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The proof that leaf `index` is in the tree over `leaves` (RFC 9162's PATH), or `None`
/// when there is no such leaf.
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Option<Vec<Hash>> {
    fn path(leaves: &[Hash], m: usize, out: &mut Vec<Hash>) {
        let n = leaves.len();
        if n <= 1 {
            return;
        }
        let k = split(n);
        if m < k {
            path(&leaves[..k], m, out);
            out.push(root(&leaves[k..]));
        } else {
            path(&leaves[k..], m - k, out);
            out.push(root(&leaves[..k]));
        }
    }
    (index < leaves.len()).then(|| {
        let mut out = Vec::new();
        path(leaves, index, &mut out);
        out
    })
}

/// The proof that the tree over `leaves` extends the tree over its first `size` leaves
/// (RFC 9162's PROOF), or `None` when `size` is larger than the tree.
pub fn consistency_proof(leaves: &[Hash], size: usize) -> Option<Vec<Hash>> {
    fn subproof(leaves: &[Hash], m: usize, whole: bool, out: &mut Vec<Hash>) {
        let n = leaves.len();
        if m == n {
            if !whole {
                out.push(root(leaves));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            subproof(&leaves[..k], m, whole, out);
            out.push(root(&leaves[k..]));
        } else {
            subproof(&leaves[k..], m - k, false, out);
            out.push(root(&leaves[..k]));
        }
    }
    if size > leaves.len() {
        return None;
    }
    let mut out = Vec::new();
    if size > 0 {
        subproof(leaves, size, true, &mut out);
    }
    Some(out)
}

/// Whether `proof` shows the leaf `leaf` at `index` in the tree of `size` leaves whose
/// root is `root` (RFC 9162 §2.1.3.2). `size` and `root` must come from the same signed
/// tree head: the path alone does not prove the size.
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == *root
}

/// Whether `proof` shows that the tree of `second_size` leaves with root `second_root`
/// extends the tree of `first_size` leaves with root `first_root`: every entry the first
/// tree held is still there, in the same place, unchanged (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    first_size: u64,
    first_root: &Hash,
    second_size: u64,
    second_root: &Hash,
    proof: &[Hash],
) -> bool {
    if first_size > second_size {
        return false;
    }
    if first_size == second_size {
        return proof.is_empty() && first_root == second_root;
    }
    if first_size == 0 {
        // Every tree extends the empty one.
        return proof.is_empty();
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if first_size.is_power_of_two() {
        path.push(*first_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let (mut f, mut s) = (first_size - 1, second_size - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    fr == *first_root && sr == *second_root && s == 0
}

/// A signed tree head: the log of one county at one size, as the server vouched for it.
/// Whoever keeps a copy can later ask the server to prove that a newer head extends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TreeHead {
    /// The county whose log this is (each county keeps its own).
    pub log: RegionCode,
    /// How many entries the tree holds.
    pub size: u64,
    /// The tree's root, 64 hex digits.
    pub root: String,
    /// When the server signed it.
    pub at: Timestamp,
    /// Ed25519 over `TreeHead::message`, 128 hex digits.
    pub signature: String,
}

impl TreeHead {
    /// The bytes a head's signature covers: a fixed label, the county, the size, the root
    /// and the time, in fixed widths, so that no two heads share a message.
    pub fn message(log: &RegionCode, size: u64, root: &Hash, at: Timestamp) -> Vec<u8> {
        let mut m = Vec::with_capacity(64 + 12 + 8 + 32 + 8);
        m.extend_from_slice(b"sunlight tree head v1\n");
        m.extend_from_slice(log.as_str().as_bytes());
        m.push(b'\n');
        m.extend_from_slice(&size.to_be_bytes());
        m.extend_from_slice(root);
        m.extend_from_slice(&at.0.to_be_bytes());
        m
    }

    /// The root this head vouches for, when `key` signed it as it stands; `None` for a
    /// head that was altered, signed by another key, or malformed.
    pub fn verify(&self, key: &[u8; 32]) -> Option<Hash> {
        let root: Hash = from_hex(&self.root)?.try_into().ok()?;
        let signature: [u8; 64] = from_hex(&self.signature)?.try_into().ok()?;
        let key = VerifyingKey::from_bytes(key).ok()?;
        key.verify_strict(
            &Self::message(&self.log, self.size, &root, self.at),
            &Signature::from_bytes(&signature),
        )
        .ok()?;
        Some(root)
    }
}

/// Lower-case hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// The bytes of a hex string (either case), or `None` when it is not hex.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    s.as_bytes()
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(format!("entry {i}").as_bytes())).collect()
    }

    #[test]
    fn the_empty_tree_and_a_single_leaf() {
        // SHA-256 of nothing, as RFC 9162 defines the empty tree's root.
        assert_eq!(
            root(&[]).iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let one = leaves(1);
        assert_eq!(root(&one), one[0]);
        assert_ne!(
            leaf_hash(b""),
            empty_root(),
            "a leaf is prefixed, so never the empty root"
        );
    }

    #[test]
    fn a_leaf_cannot_pose_as_a_node() {
        let l = leaves(2);
        let mut joined = Vec::new();
        joined.extend_from_slice(&l[0]);
        joined.extend_from_slice(&l[1]);
        assert_ne!(leaf_hash(&joined), root(&l));
    }

    #[test]
    fn every_leaf_of_every_tree_up_to_70_is_proved_in_it() {
        for n in 1..=70 {
            let all = leaves(n);
            let r = root(&all);
            for (i, leaf) in all.iter().enumerate() {
                let proof = inclusion_proof(&all, i).unwrap();
                assert!(
                    verify_inclusion(leaf, i as u64, n as u64, &proof, &r),
                    "leaf {i} of {n}"
                );
                // The same proof fails for another entry, another place or another root. (The
                // size is not proved by the path: a signed tree head binds size and root.)
                let other = leaf_hash(b"something else");
                assert!(!verify_inclusion(&other, i as u64, n as u64, &proof, &r));
                if n > 1 {
                    let j = (i + 1) % n;
                    assert!(
                        !verify_inclusion(leaf, j as u64, n as u64, &proof, &r),
                        "leaf {i} at {j} of {n}"
                    );
                }
                assert!(!verify_inclusion(leaf, i as u64, n as u64, &proof, &empty_root()));
            }
            assert!(inclusion_proof(&all, n).is_none());
            assert!(!verify_inclusion(&all[0], n as u64, n as u64, &[], &r));
        }
    }

    #[test]
    fn every_tree_up_to_50_extends_each_of_its_prefixes() {
        for n in 0..=50 {
            let all = leaves(n);
            let second = root(&all);
            for m in 0..=n {
                let first = root(&all[..m]);
                let proof = consistency_proof(&all, m).unwrap();
                assert!(
                    verify_consistency(m as u64, &first, n as u64, &second, &proof),
                    "{m} within {n}"
                );
                if m > 0 && m < n {
                    // History rewritten: one entry of the first tree changed.
                    let mut rewritten = all.clone();
                    rewritten[m - 1] = leaf_hash(b"rewritten");
                    let forged = root(&rewritten);
                    assert!(
                        !verify_consistency(m as u64, &first, n as u64, &forged, &proof),
                        "{m} within {n}"
                    );
                    let forged_proof = consistency_proof(&rewritten, m).unwrap();
                    assert!(
                        !verify_consistency(m as u64, &first, n as u64, &forged, &forged_proof),
                        "a rewritten log cannot prove it extends the tree seen before ({m} within {n})"
                    );
                    assert!(!verify_consistency(m as u64 + 1, &first, n as u64, &second, &proof));
                }
            }
            assert!(consistency_proof(&all, n + 1).is_none());
        }
    }

    #[test]
    fn hex_both_ways() {
        assert_eq!(to_hex(&[0, 1, 0xab, 0xff]), "0001abff");
        assert_eq!(from_hex("0001ABff"), Some(vec![0, 1, 0xab, 0xff]));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
        assert_eq!(from_hex("+1"), None, "a sign is not a digit");
    }

    #[test]
    fn a_tree_does_not_extend_a_larger_one() {
        let all = leaves(5);
        assert!(!verify_consistency(5, &root(&all), 4, &root(&all[..4]), &[]));
        assert!(!verify_consistency(3, &root(&all[..3]), 3, &root(&all[..4]), &[]));
    }
}
