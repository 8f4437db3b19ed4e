//! Recognising a CPS card in a reader: its ATR, the CPx application (SELECT
//! by AID), and whether it can be used (blocked, deactivated, mute).
//!
//! - CPS3 (IAS-ECC): the ATR pattern of the CPx card (contact interface,
//!   `3B AC .. .. .. 00 12 25 00 64 80 .. .. .. 00 90 00`, as OpenSC matches
//!   it) or of its contactless interface (CPxCL).
//! - A card that answers the CPx application but has another ATR is taken as
//!   the CPS4 generation (NXP ChipDoc; its ATR is not in our references).
//! - The card is a CPS only if it answers SELECT of the CPx application AID
//!   `E828BD080F8025000001FF0010` with 9000.
//!
//! Status words of that SELECT: 9000 (or 61xx, data waiting) the CPx
//! application is there; 6283 "selected file invalidated" or 6984/6983 the
//! application is deactivated or blocked; anything else (6A82 file not found,
//! 6A81, 6D00, 6E00...) not a CPS card. The PIN's state is then read without
//! the PIN (ISO 7816-4 VERIFY with no data, which never counts as a try):
//! 63Cx x tries left, 63C0 or 6983 blocked.

use std::ffi::CString;

use ::pcsc::{Card, Context, Disposition, Protocols, ShareMode};
use serde::Serialize;

use super::pcsc::{self as reader, PcscError};

/// The CPx application identifier (CPS3 and CPS4).
pub const CPX_AID: [u8; 13] = [
    0xE8, 0x28, 0xBD, 0x08, 0x0F, 0x80, 0x25, 0x00, 0x00, 0x01, 0xFF, 0x00, 0x10,
];

/// PIN references asked for their state, in order: the global PIN and the
/// local PIN 1 of an IAS-ECC application. The first one the card knows wins.
const PIN_REFERENCES: [u8; 2] = [0x01, 0x81];

/// (ATR, mask) patterns of the CPS3.
const CPS3_ATRS: [(&[u8], &[u8]); 2] = [
    // Contact interface.
    (
        &[
            0x3B, 0xAC, 0x00, 0x40, 0x2A, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x03, 0x10,
            0x00, 0x90, 0x00,
        ],
        &[
            0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00,
            0xFF, 0xFF, 0xFF,
        ],
    ),
    // Contactless interface.
    (
        &[
            0x2B, 0x8F, 0x80, 0x01, 0x00, 0x31, 0xB8, 0x64, 0x04, 0xB0, 0xEC, 0xC1, 0x73, 0x94,
            0x01, 0x80, 0x82, 0x90, 0x00, 0x0E,
        ],
        &[
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xFF, 0xC0, 0xFF, 0xFF,
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        ],
    ),
];

/// Whether an ATR is a CPS3's.
pub fn is_cps3_atr(atr: &[u8]) -> bool {
    CPS3_ATRS.iter().any(|(pattern, mask)| {
        atr.len() == pattern.len()
            && atr
                .iter()
                .zip(pattern.iter().zip(mask.iter()))
                .all(|(a, (p, m))| a & m == p & m)
    })
}

/// Which card it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CardKind {
    Cps3,
    Cps4,
    /// Not a CPS card (no CPx application).
    Unknown,
}

impl CardKind {
    pub fn label(self) -> &'static str {
        match self {
            CardKind::Cps3 => "CPS3",
            CardKind::Cps4 => "CPS4",
            CardKind::Unknown => "unknown card (not a CPS)",
        }
    }
}

/// Whether the card can be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Usability {
    /// Ready for the PIN.
    Ready,
    /// The PIN is blocked (too many wrong PINs): it must be unblocked with the
    /// card's PUK code, or the card renewed.
    PinBlocked,
    /// The CPx application is deactivated or blocked on the card.
    Deactivated,
    /// The card does not answer.
    Mute,
    /// Not a CPS card: nothing to use.
    NotApplicable,
}

impl Usability {
    pub fn is_blocked(self) -> bool {
        matches!(
            self,
            Usability::PinBlocked | Usability::Deactivated | Usability::Mute
        )
    }

    /// A sentence for the user.
    pub fn describe(self) -> &'static str {
        match self {
            Usability::Ready => "ready (PIN not blocked)",
            Usability::PinBlocked => {
                "PIN blocked after too many wrong codes: unblock it with the card's PUK code (or ask your card's issuer)"
            }
            Usability::Deactivated => {
                "blocked: the card's CPx application is deactivated; the card must be renewed"
            }
            Usability::Mute => {
                "the card does not answer: take it out and insert it again; if this persists it may be faulty"
            }
            Usability::NotApplicable => "not a CPS card",
        }
    }
}

/// What was found in one reader.
#[derive(Debug, Clone, Serialize)]
pub struct CardInfo {
    pub reader: String,
    #[serde(serialize_with = "hex_atr")]
    pub atr: Vec<u8>,
    pub kind: CardKind,
    pub usability: Usability,
    /// PIN tries left, when the card tells it without the PIN.
    pub pin_tries_left: Option<u8>,
}

fn hex_atr<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&atr_hex(b))
}

/// `3B AC 00 40 ...`
pub fn atr_hex(atr: &[u8]) -> String {
    atr.iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A response APDU's status word.
fn sw(resp: &[u8]) -> Option<u16> {
    let n = resp.len();
    (n >= 2).then(|| u16::from_be_bytes([resp[n - 2], resp[n - 1]]))
}

/// Send a command, fetching data the card holds back (61xx) and repeating
/// with the length it asks for (6Cxx). Returns the status word.
fn transmit(card: &Card, apdu: &[u8], reader: &str) -> Result<u16, PcscError> {
    let mut buf = [0u8; ::pcsc::MAX_BUFFER_SIZE];
    let resp = card
        .transmit(apdu, &mut buf)
        .map_err(|e| PcscError::from_raw(e, reader))?;
    let mut status = sw(resp).ok_or_else(|| PcscError::Mute(reader.into()))?;
    for _ in 0..8 {
        let [sw1, sw2] = status.to_be_bytes();
        let next: Vec<u8> = match sw1 {
            0x61 => vec![0x00, 0xC0, 0x00, 0x00, sw2],
            0x6C => {
                let mut again = apdu.to_vec();
                again.push(sw2);
                again
            }
            _ => break,
        };
        let resp = card
            .transmit(&next, &mut buf)
            .map_err(|e| PcscError::from_raw(e, reader))?;
        status = sw(resp).ok_or_else(|| PcscError::Mute(reader.into()))?;
    }
    Ok(status)
}

/// SELECT of the CPx application by AID.
fn select_cpx(card: &Card, reader: &str) -> Result<u16, PcscError> {
    let mut apdu = vec![0x00, 0xA4, 0x04, 0x00, CPX_AID.len() as u8];
    apdu.extend_from_slice(&CPX_AID);
    transmit(card, &apdu, reader)
}

/// The PIN's state without presenting it: tries left, or blocked.
fn pin_state(card: &Card, reader: &str) -> Result<(Usability, Option<u8>), PcscError> {
    for reference in PIN_REFERENCES {
        match transmit(card, &[0x00, 0x20, 0x00, reference], reader)? {
            0x6983 | 0x63C0 => return Ok((Usability::PinBlocked, Some(0))),
            s if s & 0xFFF0 == 0x63C0 => return Ok((Usability::Ready, Some((s & 0x0F) as u8))),
            0x9000 => return Ok((Usability::Ready, None)),
            _ => {}
        }
    }
    Ok((Usability::Ready, None))
}

/// The ATR the service holds for the card in a reader, without connecting.
fn reader_atr(ctx: &Context, reader: &std::ffi::CStr) -> Vec<u8> {
    let mut states = [::pcsc::ReaderState::new(reader, ::pcsc::State::UNAWARE)];
    match ctx.get_status_change(std::time::Duration::ZERO, &mut states) {
        Ok(()) => states[0].atr().to_vec(),
        Err(_) => Vec::new(),
    }
}

/// Look at the card in `reader`: ATR, CPS or not, usable or not.
pub fn identify(ctx: &Context, reader: &str) -> Result<CardInfo, PcscError> {
    let name = CString::new(reader).map_err(|_| PcscError::ReaderGone(reader.into()))?;
    let card = match ctx.connect(&name, ShareMode::Shared, Protocols::ANY) {
        Ok(card) => card,
        Err(e) => {
            return match PcscError::from_raw(e, reader) {
                PcscError::Mute(_) => Ok(CardInfo {
                    reader: reader.into(),
                    atr: reader_atr(ctx, &name),
                    kind: CardKind::Unknown,
                    usability: Usability::Mute,
                    pin_tries_left: None,
                }),
                other => Err(other),
            };
        }
    };
    // Left as found (never reset: another program may be logged in), and
    // our commands kept together in a transaction.
    let mut card = card;
    let result = match card.transaction() {
        Ok(tx) => {
            let r = probe(&tx, reader);
            let _ = tx.end(Disposition::LeaveCard);
            r
        }
        Err(e) => Err(PcscError::from_raw(e, reader)),
    };
    if let Err((card, _)) = card.disconnect(Disposition::LeaveCard) {
        // Dropping it would reset the card; its handle is dead anyway.
        std::mem::forget(card);
    }
    result
}

fn probe(card: &Card, reader: &str) -> Result<CardInfo, PcscError> {
    let atr = card
        .status2_owned()
        .map(|s| s.atr().to_vec())
        .map_err(|e| PcscError::from_raw(e, reader))?;
    let mut info = CardInfo {
        reader: reader.into(),
        atr,
        kind: CardKind::Unknown,
        usability: Usability::NotApplicable,
        pin_tries_left: None,
    };
    let status = match select_cpx(card, reader) {
        Ok(s) => s,
        Err(PcscError::Mute(_)) => {
            info.usability = Usability::Mute;
            return Ok(info);
        }
        Err(e) => return Err(e),
    };
    let kind = if is_cps3_atr(&info.atr) {
        CardKind::Cps3
    } else {
        CardKind::Cps4
    };
    match status {
        0x9000 => {
            info.kind = kind;
            (info.usability, info.pin_tries_left) = match pin_state(card, reader) {
                Ok(state) => state,
                Err(PcscError::Mute(_)) => (Usability::Mute, None),
                Err(e) => return Err(e),
            };
        }
        0x6283 | 0x6983 | 0x6984 => {
            info.kind = kind;
            info.usability = Usability::Deactivated;
        }
        other => {
            tracing::debug!(reader, sw = format!("{other:04X}"), "not a CPx card");
        }
    }
    Ok(info)
}

/// One reader in a status report.
#[derive(Debug, Clone, Serialize)]
pub struct ReaderStatus {
    pub reader: String,
    /// The card in it, if any.
    pub card: Option<CardInfo>,
}

/// Every reader and what is in it.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub service: bool,
    pub readers: Vec<ReaderStatus>,
}

/// The state of every reader and card now.
pub fn status() -> Result<Status, PcscError> {
    let ctx = reader::establish()?;
    let mut readers = Vec::new();
    for name in reader::readers(&ctx)? {
        let card = match identify(&ctx, &name) {
            Ok(info) => Some(info),
            Err(PcscError::NoCard(_)) => None,
            Err(e) => return Err(e),
        };
        readers.push(ReaderStatus { reader: name, card });
    }
    Ok(Status {
        service: true,
        readers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cps3_atr_patterns() {
        let cps3 = hex::decode("3BAC00402A001225006480000310009000").unwrap();
        assert!(is_cps3_atr(&cps3));
        // The bytes the mask leaves free may differ.
        let other_issue = hex::decode("3BAC11402A001225006480AB0110009000").unwrap();
        assert!(is_cps3_atr(&other_issue));
        let contactless =
            hex::decode("2B8F80010031B86404B0ECC173940180829000 0E".replace(' ', "")).unwrap();
        assert!(is_cps3_atr(&contactless));
        // A bank card, a shorter ATR, a changed fixed byte: not a CPS3.
        assert!(!is_cps3_atr(
            &hex::decode("3B6800000073C84013009000").unwrap()
        ));
        assert!(!is_cps3_atr(&cps3[..16]));
        let mut changed = cps3.clone();
        changed[6] = 0x13;
        assert!(!is_cps3_atr(&changed));
    }

    #[test]
    fn atr_is_shown_as_spaced_hex() {
        assert_eq!(atr_hex(&[0x3B, 0xAC, 0x00]), "3B AC 00");
    }
}
