//! Voice notes: a recording from the phone's browser (WebM/Opus on Android, MP4/AAC on
//! iOS, Ogg/Opus on some others) checked and transcoded by ffmpeg to AAC in MP4, which
//! every phone plays, at most 60 seconds, mono, 48 kbit/s. ffmpeg runs as its own process on
//! a blocking thread that holds one of the decode slots, with one thread, a time limit
//! and its output cut at 60 s, on files in a temporary folder removed afterwards.

use std::{
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

/// The largest recording accepted: 60 s of the highest bit rate browsers record voice at
/// (iOS: 128 kbit/s AAC) is under 1 MB.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;
/// The longest voice note, in seconds.
pub const MAX_SECONDS: f64 = 60.0;
/// A recording may run this much over (the phone stops its timer a little late).
const SLACK_SECONDS: f64 = 1.5;
/// ffmpeg gets this long for one recording before it is killed.
const TIME_LIMIT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VoiceError {
    #[error("the recording is larger than 4 MB")]
    TooLarge,
    #[error("not a recording the server reads (WebM, Ogg or MP4 audio)")]
    NotAudio,
    #[error("the recording is longer than 60 seconds")]
    TooLong,
    #[error("the server cannot transcode voice notes (ffmpeg is missing or failed)")]
    Unavailable,
}

/// A transcoded voice note.
#[derive(Debug)]
pub struct Voice {
    pub m4a: Vec<u8>,
    pub seconds: u32,
}

/// What the first bytes say: a container a browser records audio in, as ffmpeg's demuxer
/// for it. ffmpeg is told that demuxer and nothing else (no probing of its hundreds of
/// others), and may open no protocol but the one file.
pub fn demuxer(b: &[u8]) -> Option<&'static str> {
    if b.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Some("matroska") // WebM
    } else if b.starts_with(b"OggS") {
        Some("ogg")
    } else if b.len() >= 12 && &b[4..8] == b"ftyp" {
        Some("mov") // MP4 / M4A
    } else {
        None
    }
}

/// The ffmpeg the server runs: `SUNLIGHT_FFMPEG`, or `ffmpeg` on the path.
fn ffmpeg() -> String {
    std::env::var("SUNLIGHT_FFMPEG").unwrap_or_else(|_| "ffmpeg".into())
}

/// Whether ffmpeg can be run here (checked once at start, for the log and `/api/health`).
pub fn available() -> bool {
    Command::new(ffmpeg())
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Checks and transcodes a recording; call it through [`crate::uploads::decode`].
pub fn transcode(bytes: &[u8]) -> Result<Voice, VoiceError> {
    if bytes.len() > MAX_BYTES {
        return Err(VoiceError::TooLarge);
    }
    let Some(format) = demuxer(bytes) else {
        return Err(VoiceError::NotAudio);
    };
    let dir = tempfile::tempdir().map_err(|_| VoiceError::Unavailable)?;
    let input = dir.path().join("in");
    let output = dir.path().join("out.m4a");
    std::fs::write(&input, bytes).map_err(|_| VoiceError::Unavailable)?;
    // Read the length as ffmpeg decodes it: the container's own header may be missing
    // (a browser's WebM has no duration) or lie.
    let seconds = decoded_seconds(&input, format)?;
    if seconds > MAX_SECONDS + SLACK_SECONDS {
        return Err(VoiceError::TooLong);
    }
    if seconds < 0.3 {
        return Err(VoiceError::NotAudio);
    }
    let status = run(Command::new(ffmpeg())
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1"])
        .args(["-protocol_whitelist", "file", "-f", format, "-i"])
        .arg(&input)
        .args(["-map", "0:a:0", "-vn", "-sn", "-dn", "-map_metadata", "-1", "-t", "60"])
        .args([
            "-ac",
            "1",
            "-ar",
            "24000",
            "-c:a",
            "aac",
            "-b:a",
            "48k",
            "-movflags",
            "+faststart",
        ])
        .args(["-f", "mp4", "-y"])
        .arg(&output))?;
    if !status {
        return Err(VoiceError::NotAudio);
    }
    let m4a = std::fs::read(&output).map_err(|_| VoiceError::Unavailable)?;
    Ok(Voice {
        m4a,
        seconds: (seconds.min(MAX_SECONDS).round() as u32).max(1),
    })
}

/// Decodes the audio to nothing and reads how long it played; refuses what does not decode.
fn decoded_seconds(input: &Path, format: &str) -> Result<f64, VoiceError> {
    let dir = input.parent().ok_or(VoiceError::Unavailable)?;
    let report = dir.join("probe.txt");
    let ok = run(Command::new(ffmpeg())
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1"])
        .args(["-protocol_whitelist", "file", "-f", format, "-i"])
        .arg(input)
        .args(["-map", "0:a:0", "-t", "120", "-f", "null", "-progress"])
        .arg(&report)
        .arg("-"))?;
    if !ok {
        return Err(VoiceError::NotAudio);
    }
    let text = std::fs::read_to_string(&report).map_err(|_| VoiceError::Unavailable)?;
    // `out_time_us=` lines, the last one being where decoding ended.
    let micros = text
        .lines()
        .rev()
        .filter_map(|l| l.strip_prefix("out_time_us="))
        .find_map(|v| v.trim().parse::<i64>().ok())
        .ok_or(VoiceError::NotAudio)?;
    Ok(micros.max(0) as f64 / 1e6)
}

/// Runs one ffmpeg, killed past the time limit. `Ok(false)`: it ran and refused the input.
fn run(cmd: &mut Command) -> Result<bool, VoiceError> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|_| VoiceError::Unavailable)?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status.success()),
            Ok(None) if start.elapsed() > TIME_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(VoiceError::NotAudio);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => return Err(VoiceError::Unavailable),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_audio_containers_reach_ffmpeg() {
        assert_eq!(demuxer(&[0x1A, 0x45, 0xDF, 0xA3, 0, 0]), Some("matroska"));
        assert_eq!(demuxer(b"OggS\0\x02"), Some("ogg"));
        assert_eq!(demuxer(b"\0\0\0\x20ftypM4A \0\0\0\0"), Some("mov"));
        assert_eq!(demuxer(b"\xFF\xD8\xFF\xE0 a JPEG"), None);
        assert_eq!(
            demuxer(b"#EXTM3U\nhttp://example.com/a.ts"),
            None,
            "no playlist that fetches"
        );
        assert_eq!(transcode(b"not audio at all").unwrap_err(), VoiceError::NotAudio);
        assert_eq!(transcode(&vec![0x1A; MAX_BYTES + 1]).unwrap_err(), VoiceError::TooLarge);
    }
}
