//! The key that signs the publication log's tree heads (`sunlight_api::transparency`).
//!
//! It is made once, by `sunlight key`, and never at start: every server process of a
//! deployment must sign with the same key, and a key made silently whenever a data
//! directory was new would change under the phones that pinned the old one, which would
//! then warn (rightly) that the log can no longer be trusted.

use std::{fmt, io::Write, path::Path};

use anyhow::{Context, bail};
use ed25519_dalek::{Signer, SigningKey};
use sunlight_api::{
    RegionCode, Timestamp,
    transparency::{Hash, TreeHead, from_hex, to_hex},
};

/// The log's signing key. Its `Debug` shows the public half only.
pub struct LogKey(SigningKey);

impl fmt::Debug for LogKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LogKey(public {})", to_hex(&self.public()))
    }
}

impl LogKey {
    /// Makes a new key and writes its secret (64 hex digits and a newline) to `path`, which
    /// must not exist yet; on Unix only its owner may read it.
    pub fn generate(path: &Path) -> anyhow::Result<LogKey> {
        let seed: [u8; 32] = rand::random();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(path)
            .with_context(|| format!("cannot create {} (an existing key is never replaced)", path.display()))?;
        file.write_all(format!("{}\n", to_hex(&seed)).as_bytes())
            .and_then(|()| file.sync_all())
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(LogKey(SigningKey::from_bytes(&seed)))
    }

    /// Reads the key `generate` wrote.
    pub fn load(path: &Path) -> anyhow::Result<LogKey> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let Some(seed) = from_hex(text.trim()).and_then(|b| <[u8; 32]>::try_from(b).ok()) else {
            bail!(
                "{} does not hold a log key (64 hex digits, as `sunlight key` writes)",
                path.display()
            );
        };
        Ok(LogKey(SigningKey::from_bytes(&seed)))
    }

    /// The public half, which phones pin and outsiders check heads against.
    pub fn public(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }

    /// The signed head of `log` at `size` entries with root `root`.
    pub fn sign(&self, log: &RegionCode, size: u64, root: &Hash, at: Timestamp) -> TreeHead {
        let signature = self.0.sign(&TreeHead::message(log, size, root, at));
        TreeHead {
            log: log.clone(),
            size,
            root: to_hex(root),
            at,
            signature: to_hex(&signature.to_bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use sunlight_api::transparency::{leaf_hash, root};

    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("sunlight-log-key-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("log.key")
    }

    #[test]
    fn a_key_is_made_once_read_back_and_signs_heads_the_phone_checks() {
        let path = scratch("made");
        let made = LogKey::generate(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let again = LogKey::generate(&path).unwrap_err();
        assert!(format!("{again:#}").contains("never replaced"), "{again:#}");
        let loaded = LogKey::load(&path).unwrap();
        assert_eq!(loaded.public(), made.public(), "the file holds the key that was made");
        assert!(!format!("{loaded:?}").contains(std::fs::read_to_string(&path).unwrap().trim()));

        let county = RegionCode::parse("359901000000").unwrap();
        let tree = root(&[leaf_hash(b"a month"), leaf_hash(b"a correction")]);
        let head = loaded.sign(&county, 2, &tree, Timestamp(1_764_000_000_000));
        assert_eq!(head.verify(&made.public()), Some(tree));
        // Anything changed, and the signature no longer holds.
        let other = LogKey::generate(&scratch("other")).unwrap();
        assert_eq!(head.verify(&other.public()), None, "another key");
        let mut bigger = head.clone();
        bigger.size = 3;
        assert_eq!(bigger.verify(&made.public()), None, "another size");
        let mut moved = head.clone();
        moved.log = RegionCode::parse("359902000000").unwrap();
        assert_eq!(moved.verify(&made.public()), None, "another county's log");
        let mut rerooted = head.clone();
        rerooted.root = to_hex(&leaf_hash(b"a month"));
        assert_eq!(rerooted.verify(&made.public()), None, "another root");
        let mut later = head;
        later.at = Timestamp(later.at.0 + 1);
        assert_eq!(later.verify(&made.public()), None, "another time");
    }

    #[test]
    fn a_file_that_is_not_a_key_is_refused_plainly() {
        let path = scratch("bad");
        std::fs::write(&path, "not a key\n").unwrap();
        let e = LogKey::load(&path).unwrap_err();
        assert!(format!("{e:#}").contains("does not hold a log key"), "{e:#}");
        assert!(LogKey::load(&path.with_extension("missing")).is_err());
    }
}
