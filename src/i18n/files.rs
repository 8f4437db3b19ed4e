//! The Fluent files of the core's messages, one per module and language.
//! A module's file is added to both lists.

macro_rules! files {
    ($lang:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../i18n/", $lang, "/errors/", $name, ".ftl")))),*]
    };
}

pub const FR: &[(&str, &str)] = files!(
    "fr":
    "account",
    "account-discover",
    "account-smtp-ehlo",
    "audit",
    "auth",
    "auth-lock",
    "auth-oidc",
    "auth-otp",
    "auth-pcsc",
    "auth-session",
    "auth-token-login",
    "cli",
    "directory",
    "directory-fhir",
    "documents",
    "imap",
    "import",
    "mime",
    "paths",
    "secrets",
    "send",
    "store",
    "store-key",
    "store-schema",
    "sync",
    "tls",
    "trust",
);
pub const EN: &[(&str, &str)] = files!(
    "en":
    "account",
    "account-discover",
    "account-smtp-ehlo",
    "audit",
    "auth",
    "auth-lock",
    "auth-oidc",
    "auth-otp",
    "auth-pcsc",
    "auth-session",
    "auth-token-login",
    "cli",
    "directory",
    "directory-fhir",
    "documents",
    "imap",
    "import",
    "mime",
    "paths",
    "secrets",
    "send",
    "store",
    "store-key",
    "store-schema",
    "sync",
    "tls",
    "trust",
);
