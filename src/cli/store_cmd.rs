//! `caducee store ...`

use std::process::ExitCode;

use clap::Subcommand;

use super::output::{self, JsonFlag};
use super::{CmdResult, Ctx};

#[derive(Subcommand)]
pub enum StoreCommand {
    /// Path, size, schema level, counts, encryption.
    Info(JsonFlag),
}

pub fn run(ctx: &Ctx, command: StoreCommand) -> CmdResult {
    match command {
        StoreCommand::Info(flag) => {
            let (store, key_source) = ctx.open_store()?;
            let info = store.info()?;
            if flag.json {
                let mut value = serde_json::to_value(&info)?;
                value["key_source"] = serde_json::to_value(key_source)?;
                output::print_json(&value)?;
            } else {
                println!("path:        {}", info.path.display());
                println!("size:        {}", output::size(info.size_bytes as i64));
                println!("schema:      level {}", info.schema_level);
                println!(
                    "encryption:  {} (key from {})",
                    match &info.cipher_version {
                        Some(v) => format!("on, SQLCipher {v}"),
                        None => "OFF".into(),
                    },
                    serde_json::to_value(key_source)?.as_str().unwrap_or("?")
                );
                println!("accounts:    {}", info.accounts);
                println!("folders:     {}", info.folders);
                println!("messages:    {} ({} unread)", info.messages, info.unread);
                println!("raw mail:    {}", output::size(info.blobs_bytes));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
