//! The Fluent files of the core's messages, one per module and language.
//! A module's file is added to both lists.

macro_rules! files {
    ($lang:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../i18n/", $lang, "/errors/", $name, ".ftl")))),*]
    };
}

pub const FR: &[(&str, &str)] = files!("fr":
    "documents",
    "paths",
    "send",
    "trust",
);
pub const EN: &[(&str, &str)] = files!("en":
    "documents",
    "paths",
    "send",
    "trust",
);
