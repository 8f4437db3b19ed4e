//! The MSSanté client headers: `X-MSS-NIL` (the product's reference) on every
//! message; with an IHE XDM attachment (`IHE_XDM.ZIP`), `X-MSS-CODECDA` and
//! `X-MSS-INS`, read from the zip's metadata.

use crate::store::Store;

use super::{Attachment, SendError};

/// The setting that holds the product reference sent in `X-MSS-NIL`.
pub const NIL_SETTING: &str = "send.mss_nil";

/// The reference used when the setting is absent.
pub const DEFAULT_NIL: &str = concat!("Caducee/", env!("CARGO_PKG_VERSION"));

/// The name of an IHE XDM attachment.
pub const XDM_NAME: &str = "IHE_XDM.ZIP";

/// The product reference for `X-MSS-NIL`.
pub fn product_reference(store: &Store) -> Result<String, SendError> {
    let value = store
        .setting(NIL_SETTING)?
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_NIL.to_owned());
    // A header value is one line of printable ASCII.
    Ok(value
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .collect())
}

/// The MSSanté headers for a message with these attachments.
pub fn mss_headers(
    store: &Store,
    attachments: &[Attachment],
) -> Result<Vec<(&'static str, String)>, SendError> {
    let mut out = vec![("X-MSS-NIL", product_reference(store)?)];
    if let Some(xdm) = attachments
        .iter()
        .find(|a| a.filename.eq_ignore_ascii_case(XDM_NAME))
    {
        out.extend(xdm_headers(&xdm.data)?);
    }
    Ok(out)
}

/// `X-MSS-CODECDA` and `X-MSS-INS` for an XDM zip. A package that cannot be
/// read safely stops the send: its documents would not be readable either.
fn xdm_headers(zip: &[u8]) -> Result<Vec<(&'static str, String)>, SendError> {
    let headers = crate::documents::mss_headers(zip).map_err(|e| SendError::Xdm(e.to_string()))?;
    Ok(vec![
        ("X-MSS-CODECDA", headers.codecda_header()),
        ("X-MSS-INS", headers.ins_header().to_owned()),
    ])
}
