//! Reading an IHE XDM package (`IHE_XDM.ZIP`) safely.
//!
//! Layout (IHE ITI TF-1, XDM): `INDEX.HTM` and `README.TXT` at the root, then
//! `IHE_XDM/<SUBSET>/METADATA.XML` and the documents it names. Every entry name is
//! checked (no absolute path, no drive, no `..`, no control character, no link),
//! encrypted entries are refused, and the expansion is bounded (entry count, total
//! size, compression ratio) whatever sizes the archive claims.

use std::io::{Cursor, Read};

use super::cda::{self, CdaDocument};
use super::metadata::{self, DocumentEntry, Metadata};
use super::{DocumentError, Result};

/// Bounds on what a package may expand to.
#[derive(Debug, Clone, Copy)]
pub struct XdmLimits {
    pub max_entries: usize,
    pub max_total_bytes: u64,
    /// Highest uncompressed/compressed ratio of an entry...
    pub max_ratio: u64,
    /// ...checked for entries larger than this (small files compress well).
    pub ratio_floor_bytes: u64,
}

impl Default for XdmLimits {
    fn default() -> Self {
        Self {
            max_entries: 1_000,
            max_total_bytes: 256 * 1024 * 1024,
            max_ratio: 100,
            ratio_floor_bytes: 1024 * 1024,
        }
    }
}

/// One file of the archive, checked and expanded.
#[derive(Debug, Clone)]
pub struct ZipEntryData {
    /// The name with `/` separators, as checked.
    pub name: String,
    pub data: Vec<u8>,
}

/// A document of the package: its metadata entry, bytes and (for CDA) its parse.
#[derive(Debug, Clone, serde::Serialize)]
pub struct XdmDocument {
    pub subset: String,
    /// Path inside the archive.
    pub path: String,
    pub entry: DocumentEntry,
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// The CDA, when the document is one; `Err` holds why it could not be read.
    pub cda: Option<std::result::Result<CdaDocument, String>>,
}

/// One `IHE_XDM/<SUBSET>` folder.
#[derive(Debug, Clone, serde::Serialize)]
pub struct XdmSubset {
    pub name: String,
    pub metadata: Metadata,
}

/// A read package.
#[derive(Debug, Clone, serde::Serialize)]
pub struct XdmPackage {
    pub subsets: Vec<XdmSubset>,
    pub documents: Vec<XdmDocument>,
    pub index_htm: Option<String>,
    pub readme: Option<String>,
}

/// Whether bytes start like a zip archive.
pub fn looks_like_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// Check an entry name; returns it with `/` separators.
fn safe_name(raw: &str) -> Result<String> {
    let unsafe_name = || DocumentError::UnsafePath(raw.chars().take(200).collect());
    if raw.is_empty() || raw.chars().any(|c| c.is_control()) {
        return Err(unsafe_name());
    }
    let name = raw.replace('\\', "/");
    if name.starts_with('/') || name.as_bytes().get(1) == Some(&b':') {
        return Err(unsafe_name());
    }
    for segment in name.split('/') {
        if segment == ".." || segment.contains(':') {
            return Err(unsafe_name());
        }
    }
    Ok(name)
}

/// Expand every file of a zip archive within `limits`.
pub fn read_zip(bytes: &[u8], limits: &XdmLimits) -> Result<Vec<ZipEntryData>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| DocumentError::ZipMalformed(e.to_string()))?;
    let count = archive.len();
    if count > limits.max_entries {
        return Err(DocumentError::ZipTooManyEntries {
            count,
            max: limits.max_entries,
        });
    }
    // First pass: names, flags and declared sizes, without decompressing.
    let mut declared: u64 = 0;
    let mut plan = Vec::with_capacity(count);
    for i in 0..count {
        let file = archive
            .by_index_raw(i)
            .map_err(|e| DocumentError::ZipMalformed(e.to_string()))?;
        let raw_name = file.name().to_owned();
        let name = safe_name(&raw_name)?;
        if file.encrypted() {
            return Err(DocumentError::Encrypted(name));
        }
        if file.is_symlink() {
            return Err(DocumentError::Symlink(name));
        }
        if file.is_dir() || name.ends_with('/') {
            continue;
        }
        declared = declared.saturating_add(file.size());
        if declared > limits.max_total_bytes {
            return Err(DocumentError::ZipTooLarge {
                max: limits.max_total_bytes,
            });
        }
        plan.push((i, name, file.compressed_size()));
    }
    // Second pass: expand, trusting nothing the headers claim.
    let mut total: u64 = 0;
    let mut out = Vec::with_capacity(plan.len());
    for (i, name, compressed) in plan {
        let file = archive.by_index(i).map_err(|e| match e {
            zip::result::ZipError::UnsupportedArchive(m)
                if m == zip::result::ZipError::PASSWORD_REQUIRED =>
            {
                DocumentError::Encrypted(name.clone())
            }
            e => DocumentError::ZipEntry(name.clone(), e.to_string()),
        })?;
        let budget = limits.max_total_bytes - total;
        let mut data = Vec::new();
        file.take(budget.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| DocumentError::ZipEntry(name.clone(), e.to_string()))?;
        let len = data.len() as u64;
        if len > budget {
            return Err(DocumentError::ZipTooLarge {
                max: limits.max_total_bytes,
            });
        }
        total += len;
        if len > limits.ratio_floor_bytes {
            let ratio = len / compressed.max(1);
            if ratio > limits.max_ratio {
                return Err(DocumentError::ZipRatio {
                    name,
                    ratio,
                    max: limits.max_ratio,
                });
            }
        }
        out.push(ZipEntryData { name, data });
    }
    Ok(out)
}

/// Read an XDM package.
pub fn read_xdm(bytes: &[u8], limits: &XdmLimits) -> Result<XdmPackage> {
    let entries = read_zip(bytes, limits)?;
    let find = |path: &str| {
        entries
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(path))
            .map(|e| e.data.as_slice())
    };
    let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let mut subsets = Vec::new();
    let mut documents = Vec::new();
    for e in &entries {
        let parts: Vec<&str> = e.name.split('/').collect();
        let [root, subset, file] = parts.as_slice() else {
            continue;
        };
        if !root.eq_ignore_ascii_case("IHE_XDM") || !file.eq_ignore_ascii_case("METADATA.XML") {
            continue;
        }
        let md = metadata::parse_metadata(&e.data, &e.name)?;
        for entry in &md.entries {
            let uri = entry.uri.trim();
            safe_name(uri)?;
            let path = format!("{root}/{subset}/{uri}");
            let data = find(&path).ok_or_else(|| DocumentError::MissingDocument(uri.to_owned()))?;
            let is_xml = entry.mime_type.contains("xml") || cda::looks_like_cda(data);
            let cda = if is_xml {
                match cda::parse_cda(data, &path) {
                    Ok(doc) => Some(Ok(doc)),
                    Err(
                        e @ (DocumentError::XmlDoctype { .. } | DocumentError::XmlTooDeep { .. }),
                    ) => {
                        return Err(e);
                    }
                    Err(e) => Some(Err(e.to_string())),
                }
            } else {
                None
            };
            documents.push(XdmDocument {
                subset: subset.to_string(),
                path,
                entry: entry.clone(),
                bytes: data.to_vec(),
                cda,
            });
        }
        subsets.push(XdmSubset {
            name: subset.to_string(),
            metadata: md,
        });
    }
    if subsets.is_empty() {
        return Err(DocumentError::NotXdm);
    }
    Ok(XdmPackage {
        subsets,
        documents,
        index_htm: find("INDEX.HTM").map(lossy),
        readme: find("README.TXT").map(lossy),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert_eq!(
            safe_name("IHE_XDM/SUBSET01/DOC0001.XML").unwrap(),
            "IHE_XDM/SUBSET01/DOC0001.XML"
        );
        assert_eq!(
            safe_name("IHE_XDM\\SUBSET01\\A.XML").unwrap(),
            "IHE_XDM/SUBSET01/A.XML"
        );
        for bad in [
            "/etc/passwd",
            "../x",
            "IHE_XDM/../../x",
            "C:/x",
            "C:\\x",
            "a/b:c",
            "a\u{0}b",
            "",
        ] {
            assert!(
                matches!(safe_name(bad), Err(DocumentError::UnsafePath(_))),
                "{bad:?}"
            );
        }
    }
}
