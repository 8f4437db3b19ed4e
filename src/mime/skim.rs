//! Reading a message without decoding its attachments.
//!
//! Indexing a message needs its headers, its text and the name, type and
//! size of each attachment, not the attachments' bytes; yet a full parse
//! decodes every base64 attachment, which is most of the bytes of medical
//! mail (PDF reports, images) and most of the time of an import. So the
//! message is first outlined without any transfer decoding, the bodies of
//! its large binary parts are cut out (their decoded size computed from the
//! encoded text), and the much smaller rest is parsed in full.
//!
//! Messages with a nested message part are parsed in full: without transfer
//! decoding, an encoded `message/rfc822` part would be outlined as something
//! it is not.

use mail_parser::{HeaderName, MessageParser, PartType};

/// Smallest attachment body worth cutting out.
const MIN_CUT: usize = 8 * 1024;

/// A message with its large binary bodies cut out, and the decoded size of
/// each cut part, by the offset of its headers in `raw`.
pub(super) struct Skimmed {
    pub raw: Vec<u8>,
    pub sizes: Vec<(u32, u64)>,
}

/// Cut the large binary bodies out of `raw`; `None` when there is nothing
/// to gain or the message must be parsed whole.
pub(super) fn skim(raw: &[u8]) -> Option<Skimmed> {
    if raw.len() < MIN_CUT {
        return None;
    }
    // The MIME headers are needed to find the parts; without any transfer
    // encoding nothing is decoded.
    let outline = MessageParser::new()
        .with_mime_headers()
        .ignore_header(HeaderName::ContentTransferEncoding)
        .parse(raw)?;
    // Cuts in order: the range of the body removed, and the decoded size.
    let mut cuts: Vec<(u32, std::ops::Range<usize>, u64)> = Vec::new();
    for part in &outline.parts {
        match &part.body {
            PartType::Message(_) => return None,
            PartType::Binary(_) | PartType::InlineBinary(_) if !part.is_encoding_problem => {}
            _ => continue,
        }
        let (start, end) = (part.offset_body as usize, part.offset_end as usize);
        if end <= start || end > raw.len() || end - start < MIN_CUT {
            continue;
        }
        let Some(size) = decoded_size(transfer_encoding(raw, part), &raw[start..end]) else {
            continue;
        };
        cuts.push((part.offset_header, start..end, size));
    }
    if cuts.is_empty() {
        return None;
    }
    let removed: usize = cuts.iter().map(|(_, r, _)| r.len()).sum();
    let mut out = Vec::with_capacity(raw.len() - removed);
    let mut sizes = Vec::with_capacity(cuts.len());
    let mut at = 0;
    for (header, range, size) in cuts {
        if range.start < at {
            // Overlapping parts: the outline is not what it seems.
            return None;
        }
        let shift = at - out.len();
        sizes.push((header - shift as u32, size));
        out.extend_from_slice(&raw[at..range.start]);
        at = range.end;
    }
    out.extend_from_slice(&raw[at..]);
    Some(Skimmed { raw: out, sizes })
}

/// The part's Content-Transfer-Encoding, lower-cased ("" when absent).
fn transfer_encoding(raw: &[u8], part: &mail_parser::MessagePart<'_>) -> String {
    part.headers
        .iter()
        .find(|h| h.name == HeaderName::ContentTransferEncoding)
        .and_then(|h| raw.get(h.offset_start as usize..h.offset_end as usize))
        .map(|v| String::from_utf8_lossy(v).trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// The size of the decoded body, for the encodings whose size is known
/// without decoding.
fn decoded_size(encoding: String, body: &[u8]) -> Option<u64> {
    match encoding.as_str() {
        "base64" => {
            // Branch-free tests over blocks, so that the compiler can count
            // many bytes at a time.
            let digit = |b: u8| {
                ((b | 0x20).wrapping_sub(b'a') < 26)
                    | (b.wrapping_sub(b'0') < 10)
                    | (b == b'+')
                    | (b == b'/')
            };
            let layout =
                |b: u8| (b == b'\r') | (b == b'\n') | (b == b' ') | (b == b'\t') | (b == b'=');
            // Byte-wide sums over blocks of at most 255 bytes cannot overflow,
            // and keep 16 bytes per instruction.
            let (mut digits, mut other) = (0usize, 0usize);
            for block in body.chunks(255) {
                let d = block
                    .iter()
                    .fold(0u8, |n, &b| n.wrapping_add(u8::from(digit(b))));
                let o = block.iter().fold(0u8, |n, &b| {
                    n.wrapping_add(u8::from(!digit(b) & !layout(b)))
                });
                digits += usize::from(d);
                other += usize::from(o);
            }
            // Anything else than base64 and line breaks: the full parse
            // keeps such a body as it is, so its size is not the decoded one.
            (other == 0).then_some(digits as u64 * 3 / 4)
        }
        "" | "7bit" | "8bit" | "binary" => Some(body.len() as u64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    /// Bytes that look like a PDF, not compressible, not text.
    fn binary(len: usize) -> Vec<u8> {
        let mut x: u32 = 0x9e37_79b9;
        let mut out = b"%PDF-1.7\n".to_vec();
        while out.len() < len {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            out.push((x >> 24) as u8);
        }
        out
    }

    /// base64 in 76-character lines, as mail clients write it.
    fn encoded(data: &[u8]) -> String {
        let text = base64::engine::general_purpose::STANDARD.encode(data);
        text.as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\r\n")
    }

    fn message(parts: &[String]) -> Vec<u8> {
        let mut m = String::from(
            "From: =?utf-8?q?Service_de_n=C3=A9phrologie?= <nephro@chu-lyon.mssante.fr>\r\n\
             To: Dr Claire Moreau <claire.moreau@medecin.mssante.fr>\r\n\
             Subject: =?utf-8?b?Q29tcHRlIHJlbmR1IGQnaG9zcGl0YWxpc2F0aW9u?=\r\n\
             Date: Tue, 3 Nov 2026 08:30:00 +0100\r\n\
             Message-ID: <skim@chu-lyon.mssante.fr>\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n",
        );
        for p in parts {
            m.push_str("--b1\r\n");
            m.push_str(p);
            m.push_str("\r\n");
        }
        m.push_str("--b1--\r\n");
        m.into_bytes()
    }

    fn text_part() -> String {
        let body =
            encoded("Clairance de la créatinine à 42 mL/min, insuffisance rénale.".as_bytes());
        format!(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}"
        )
    }

    fn pdf_part(name: &str, len: usize) -> String {
        format!(
            "Content-Type: application/pdf; name=\"{name}\"\r\n\
             Content-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}",
            encoded(&binary(len))
        )
    }

    fn assert_same(raw: &[u8]) -> Option<usize> {
        let skimmed = skim(raw);
        let full = super::super::parse_with_sizes(raw, &[]).unwrap();
        assert_eq!(super::super::parse(raw).unwrap(), full);
        skimmed.map(|s| s.raw.len())
    }

    #[test]
    fn cut_attachments_keep_their_name_type_and_size() {
        let raw = message(&[
            text_part(),
            pdf_part("compte-rendu.pdf", 300_000),
            pdf_part("ordonnance.pdf", 20_001),
            // Too small to be worth cutting.
            pdf_part("petit.pdf", 1_000),
            // Sent as is, without transfer encoding.
            format!(
                "Content-Type: application/octet-stream; name=\"brut.bin\"\r\n\r\n{}",
                "0123456789".repeat(2000)
            ),
        ]);
        let kept = assert_same(&raw).expect("the large attachments are cut out");
        assert!(kept < raw.len() / 10, "{kept} bytes of {} kept", raw.len());
        let p = super::super::parse(&raw).unwrap();
        let sizes: Vec<u64> = p.attachments.iter().map(|a| a.size).collect();
        assert_eq!(sizes, vec![300_000, 20_001, 1_000, 20_000]);
        assert!(p.text.contains("insuffisance rénale"));
    }

    #[test]
    fn inline_images_and_quoted_printable_parts() {
        let image = format!(
            "Content-Type: image/png; name=\"scanner.png\"\r\nContent-ID: <img1@chu>\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}",
            encoded(&binary(50_000))
        );
        let related = format!(
            "Content-Type: multipart/related; boundary=\"r1\"\r\n\r\n--r1\r\n\
             Content-Type: text/html; charset=utf-8\r\n\r\n<p>Voir l'image <img src=\"cid:img1@chu\"></p>\r\n\
             --r1\r\n{image}\r\n--r1--"
        );
        let qp = format!(
            "Content-Type: application/octet-stream; name=\"notes.dat\"\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\n{}",
            "r=C3=A9nale ".repeat(2000)
        );
        let raw = message(&[related, qp]);
        assert!(assert_same(&raw).is_some());
        let p = super::super::parse(&raw).unwrap();
        assert_eq!(p.attachments[0].content_id.as_deref(), Some("img1@chu"));
        assert_eq!(p.attachments[0].size, 50_000);
    }

    #[test]
    fn nested_messages_are_parsed_whole() {
        let inner =
            String::from_utf8(message(&[text_part(), pdf_part("joint.pdf", 40_000)])).unwrap();
        let forwarded = format!("Content-Type: message/rfc822\r\n\r\n{inner}");
        let raw = message(&[text_part(), forwarded]);
        assert_eq!(assert_same(&raw), None);
    }

    #[test]
    fn damaged_base64_and_small_messages() {
        let mut broken = pdf_part("abime.pdf", 30_000);
        broken.truncate(broken.len() - 5_001);
        broken.push_str("!!!* pas du base64 *!!!");
        let raw = message(&[text_part(), broken]);
        assert_same(&raw);
        let small = message(&[text_part()]);
        assert_eq!(assert_same(&small), None);
    }

    #[test]
    fn demo_messages_read_the_same() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo");
        let mut seen = 0;
        for folder in std::fs::read_dir(dir).unwrap() {
            for file in std::fs::read_dir(folder.unwrap().path()).unwrap() {
                let raw = std::fs::read(file.unwrap().path()).unwrap();
                assert_same(&raw);
                seen += 1;
            }
        }
        assert!(seen >= 10);
    }
}
