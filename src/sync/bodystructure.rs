//! Attachments from an IMAP BODYSTRUCTURE, known before the body is fetched.

use async_imap::imap_proto::{BodyContentCommon, BodyStructure};

use crate::mime::AttachmentInfo;

/// The attachments a BODYSTRUCTURE describes: parts with an attachment
/// disposition, or with a file name and not plain inline text.
pub fn attachments(bs: &BodyStructure<'_>) -> Vec<AttachmentInfo> {
    let mut out = Vec::new();
    walk(bs, &mut out);
    out
}

fn param<'a>(
    params: &'a Option<Vec<(std::borrow::Cow<'_, str>, std::borrow::Cow<'a, str>)>>,
    key: &str,
) -> Option<&'a str> {
    params
        .as_ref()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_ref())
}

fn single(
    common: &BodyContentCommon<'_>,
    octets: u32,
    id: Option<&str>,
    out: &mut Vec<AttachmentInfo>,
) {
    let disposition = common.disposition.as_ref();
    let is_attachment = disposition.is_some_and(|d| d.ty.eq_ignore_ascii_case("attachment"));
    let filename = disposition
        .and_then(|d| param(&d.params, "filename"))
        .or_else(|| param(&common.ty.params, "name"));
    let is_text = common.ty.ty.eq_ignore_ascii_case("text");
    if is_attachment || (filename.is_some() && !is_text) {
        out.push(AttachmentInfo {
            part_index: out.len() as u32,
            filename: filename.unwrap_or("").to_owned(),
            content_type: format!(
                "{}/{}",
                common.ty.ty.to_ascii_lowercase(),
                common.ty.subtype.to_ascii_lowercase()
            ),
            size: octets as u64,
            content_id: id.map(|s| s.trim_matches(|c| c == '<' || c == '>').to_owned()),
        });
    }
}

fn walk(bs: &BodyStructure<'_>, out: &mut Vec<AttachmentInfo>) {
    match bs {
        BodyStructure::Basic { common, other, .. } | BodyStructure::Text { common, other, .. } => {
            single(common, other.octets, other.id.as_deref(), out)
        }
        BodyStructure::Message { common, other, .. } => {
            // A forwarded message counts as one attachment.
            let before = out.len();
            single(common, other.octets, other.id.as_deref(), out);
            if out.len() == before {
                out.push(AttachmentInfo {
                    part_index: out.len() as u32,
                    filename: String::new(),
                    content_type: "message/rfc822".into(),
                    size: other.octets as u64,
                    content_id: None,
                });
            }
        }
        BodyStructure::Multipart { bodies, .. } => {
            for b in bodies {
                walk(b, out);
            }
        }
    }
}
