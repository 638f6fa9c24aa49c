//! Files under the data directory, behind one interface. A file is written under a
//! temporary name first and moved to its final name only as its database row commits, so
//! a failure leaves nothing half-saved; [`Storage::sweep`] removes what a crash left.

use std::{
    io,
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Storage {
    root: PathBuf,
}

/// Files written under temporary names, waiting for their row to commit.
#[derive(Debug, Clone)]
pub struct Staged {
    files: Vec<(PathBuf, String)>,
}

impl Storage {
    pub fn new(data_dir: &Path) -> Storage {
        Storage {
            root: data_dir.join("files"),
        }
    }

    fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// Final names shard by the first two characters so no folder grows too large.
    fn path_of(&self, name: &str) -> PathBuf {
        self.root.join(&name[..2.min(name.len())]).join(name)
    }

    /// Writes each `(final name, bytes)` under a temporary name.
    pub async fn stage(&self, files: Vec<(String, Vec<u8>)>) -> io::Result<Staged> {
        tokio::fs::create_dir_all(self.tmp_dir()).await?;
        let mut staged = Staged { files: Vec::new() };
        for (name, bytes) in files {
            let tmp = self.tmp_dir().join(format!("{}.part", Uuid::new_v4()));
            if let Err(e) = tokio::fs::write(&tmp, bytes).await {
                self.discard(&staged).await;
                return Err(e);
            }
            staged.files.push((tmp, name));
        }
        Ok(staged)
    }

    /// Moves staged files to their final names; call it just before the row commits.
    pub async fn publish(&self, staged: &Staged) -> io::Result<()> {
        for (tmp, name) in &staged.files {
            let path = self.path_of(name);
            if let Some(dir) = path.parent() {
                tokio::fs::create_dir_all(dir).await?;
            }
            tokio::fs::rename(tmp, &path).await?;
        }
        Ok(())
    }

    /// Throws staged files away, whether or not they were published: after a failed
    /// commit nothing of them may remain.
    pub async fn discard(&self, staged: &Staged) {
        for (tmp, name) in &staged.files {
            let _ = tokio::fs::remove_file(tmp).await;
            let _ = tokio::fs::remove_file(self.path_of(name)).await;
        }
    }

    pub async fn read(&self, name: &str) -> io::Result<Vec<u8>> {
        tokio::fs::read(self.path_of(name)).await
    }

    /// Removes temporary files and files whose owner `is_known` denies, once they are
    /// older than `grace` (so an upload in flight is never swept). Returns how many.
    pub async fn sweep(&self, grace: Duration, is_known: impl Fn(&str) -> bool) -> io::Result<usize> {
        let mut removed = 0;
        let old = |p: &Path| {
            std::fs::metadata(p)
                .and_then(|m| m.modified())
                .map(|t| SystemTime::now().duration_since(t).unwrap_or_default() >= grace)
                .unwrap_or(false)
        };
        let Ok(mut dirs) = tokio::fs::read_dir(&self.root).await else {
            return Ok(0);
        };
        while let Some(dir) = dirs.next_entry().await? {
            if !dir.file_type().await?.is_dir() {
                continue;
            }
            let is_tmp = dir.path() == self.tmp_dir();
            let mut files = tokio::fs::read_dir(dir.path()).await?;
            while let Some(f) = files.next_entry().await? {
                let name = f.file_name().to_string_lossy().into_owned();
                if (is_tmp || !is_known(&name)) && old(&f.path()) {
                    tokio::fs::remove_file(f.path()).await?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stage_publish_read_and_sweep() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::new(dir.path());
        let staged = s.stage(vec![("abc-thumb.jpg".into(), b"x".to_vec())]).await.unwrap();
        assert!(s.read("abc-thumb.jpg").await.is_err(), "not visible before publishing");
        s.publish(&staged).await.unwrap();
        assert_eq!(s.read("abc-thumb.jpg").await.unwrap(), b"x");
        let left = s.stage(vec![("def.pdf".into(), b"y".to_vec())]).await.unwrap();
        drop(left);
        // Within the grace period nothing goes; after it, temporaries and unknown files do.
        assert_eq!(s.sweep(Duration::from_secs(3600), |_| false).await.unwrap(), 0);
        assert_eq!(s.sweep(Duration::ZERO, |n| n.starts_with("abc")).await.unwrap(), 1);
        assert!(s.read("abc-thumb.jpg").await.is_ok());
        assert_eq!(s.sweep(Duration::ZERO, |_| false).await.unwrap(), 1);
        assert!(s.read("abc-thumb.jpg").await.is_err());
    }
}
