//! The Fluent files of the core's messages, one per module and language.
//! A module's file is named once, for both languages.

macro_rules! files {
    ($($name:literal),* $(,)?) => {
        pub const FR: &[(&str, &str)] =
            &[$(($name, include_str!(concat!("../../i18n/fr/errors/", $name, ".ftl")))),*];
        pub const EN: &[(&str, &str)] =
            &[$(($name, include_str!(concat!("../../i18n/en/errors/", $name, ".ftl")))),*];
    };
}

files!(
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
