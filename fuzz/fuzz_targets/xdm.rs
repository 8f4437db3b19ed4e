//! Fuzz the readers of received documents: XDM zip, XDS metadata, CDA, HPRIM.
//! Run with a nightly toolchain: `cargo +nightly fuzz run xdm` (from the project root).
#![no_main]

use caducee::documents::{cda, hprim, metadata, mss_headers, read_xdm, received};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_xdm(data, &Default::default());
    let _ = mss_headers(data);
    let _ = cda::parse_cda(data, "fuzz.xml");
    let _ = metadata::parse_metadata(data, "METADATA.XML");
    let _ = received::message_documents(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = hprim::parse_hprim(text);
    }
});
