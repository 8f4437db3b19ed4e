//! Embeds the demo mailbox (`assets/demo/<folder>/*.eml`) into the binary.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=assets/demo");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let mut out = String::from("pub(crate) const DEMO_MESSAGES: &[(&str, &[u8])] = &[\n");
    let mut folders: Vec<_> = std::fs::read_dir(&root)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    folders.retain(|p: &std::path::PathBuf| p.is_dir());
    folders.sort();
    for folder in folders {
        let name = folder
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("INBOX");
        let mut files: Vec<_> = std::fs::read_dir(&folder)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|e| e == "eml"));
        files.sort();
        for file in files {
            let _ = writeln!(
                out,
                "    ({name:?}, include_bytes!({:?})),",
                file.display().to_string()
            );
        }
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("demo_messages.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        panic!("cannot write {}: {e}", dest.display());
    }
}
