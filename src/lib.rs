//! Caducée core library: everything a mail client for MSSanté needs, with no user
//! interface. The GUI (`src/app/`) and the CLI (`src/cli/`) are thin faces over it.
//!
//! Each module owns one concern and has its own error type with messages fit to
//! show a user.

pub mod account;
pub mod audit;
pub mod auth;
pub mod demo;
pub mod directory;
pub mod documents;
pub mod i18n;
pub mod imap;
pub mod import;
pub mod mime;
pub mod paths;
pub mod secrets;
pub mod send;
pub mod store;
pub mod sync;
pub mod tls;
pub mod trust;
