//! Attachments of a received message: safe file names, saving, the IHE XDM mark.

use std::path::{Path, PathBuf};

use mail_parser::{MessageParser, MimeHeaders};

/// The name of the archive that marks an IHE XDM document message.
pub const XDM_ARCHIVE: &str = "IHE_XDM.ZIP";

/// Whether an attachment name is the IHE XDM archive.
pub fn is_xdm(filename: &str) -> bool {
    filename.trim().eq_ignore_ascii_case(XDM_ARCHIVE)
}

/// A file name safe to create: no directory parts, no control or reserved
/// characters, no leading dots, not empty, at most 120 characters.
pub fn sanitize(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| match c {
            c if c.is_control() => '_',
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c => c,
        })
        .collect();
    let trimmed = cleaned
        .trim()
        .trim_start_matches('.')
        .trim_end_matches(['.', ' ']);
    let mut out: String = trimmed.chars().take(120).collect();
    let stem = out
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    const RESERVED: [&str; 6] = ["CON", "PRN", "AUX", "NUL", "COM1", "LPT1"];
    if out.is_empty() || RESERVED.contains(&stem.as_str()) {
        out = format!(
            "piece-jointe{}",
            if out.is_empty() {
                String::new()
            } else {
                format!("-{out}")
            }
        );
    }
    out
}

/// A path in `dir` for `name` that does not exist yet (`name (2).ext`, ...).
pub fn free_path(dir: &Path, name: &str) -> PathBuf {
    let candidate = dir.join(name);
    if !candidate.exists() {
        return candidate;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    (2..)
        .map(|n| dir.join(format!("{stem} ({n}){ext}")))
        .find(|p| !p.exists())
        .unwrap_or(candidate)
}

/// Write attachment `part_index` of a raw message into `dir`; returns the path.
pub fn save(raw: &[u8], part_index: u32, filename: &str, dir: &Path) -> Result<PathBuf, String> {
    let msg = MessageParser::default()
        .parse(raw)
        .ok_or_else(|| "the message cannot be parsed".to_owned())?;
    let part = msg
        .attachments()
        .nth(part_index as usize)
        .ok_or_else(|| format!("no attachment number {}", part_index + 1))?;
    let name = sanitize(part.attachment_name().unwrap_or(filename));
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = free_path(dir, &name);
    std::fs::write(&path, part.contents()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// Where saved attachments go: the user's download directory, else the home.
pub fn download_dir() -> PathBuf {
    directories::UserDirs::new()
        .and_then(|d| {
            d.download_dir()
                .map(Path::to_path_buf)
                .or_else(|| Some(d.home_dir().to_path_buf()))
        })
        .unwrap_or_else(std::env::temp_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_strips_paths_and_bad_characters() {
        assert_eq!(sanitize("../../etc/passwd"), "passwd");
        assert_eq!(sanitize("C:\\Windows\\evil.exe"), "evil.exe");
        assert_eq!(sanitize("compte rendu: IRM?.pdf"), "compte rendu_ IRM_.pdf");
        assert_eq!(sanitize("..hidden"), "hidden");
        assert_eq!(sanitize(""), "piece-jointe");
        assert_eq!(sanitize("CON.txt"), "piece-jointe-CON.txt");
        assert_eq!(sanitize("a\u{0}b"), "a_b");
        assert!(sanitize(&"x".repeat(500)).chars().count() <= 120);
    }

    #[test]
    fn xdm_archive_is_recognised() {
        assert!(is_xdm("IHE_XDM.ZIP"));
        assert!(is_xdm("ihe_xdm.zip"));
        assert!(!is_xdm("IHE_XDM.ZIP.exe"));
    }

    #[test]
    fn save_writes_the_attachment_without_overwriting() {
        let raw = b"From: a@b.fr\r\nTo: c@d.fr\r\nSubject: pj\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\ncorps\r\n\
--XX\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"../note.txt\"\r\n\r\n\
contenu joint\r\n--XX--\r\n";
        let dir = tempfile::tempdir().unwrap();
        let first = save(raw, 0, "x", dir.path()).unwrap();
        let second = save(raw, 0, "x", dir.path()).unwrap();
        assert_eq!(first, dir.path().join("note.txt"));
        assert_eq!(second, dir.path().join("note (2).txt"));
        assert_eq!(
            std::fs::read_to_string(first).unwrap().trim(),
            "contenu joint"
        );
        assert!(save(raw, 5, "x", dir.path()).is_err());
    }
}
