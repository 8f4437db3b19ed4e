//! The messages of the sign-in and account errors: the English text as it was
//! written in the sources before the Fluent files, and a French text for each.

use std::path::PathBuf;

use crate::account::AccountError;
use crate::account::discover::DiscoverError;
use crate::account::discover::smtp_ehlo::SmtpProbeError;
use crate::i18n::{Lang, localized};

use super::lock::LockError;
use super::oidc::OidcError;
use super::otp::{self, OtpError};
use super::pcsc::PcscError;
use super::session::SessionError;
use super::token_login::{PSC_KIND, TokenLoginError};
use super::{AuthError, PinTries};

fn s(text: &str) -> String {
    text.to_owned()
}

/// Each error with its English text.
fn cases() -> Vec<(Box<dyn std::fmt::Display>, &'static str)> {
    let p = || PathBuf::from("/opt/x.so");
    vec![
        (
            Box::new(AuthError::ModuleNotFound { tried: s("a, b") }),
            "no PKCS#11 module for the CPS card was found (tried: a, b). Install the ANS “Cryptolib CPS” middleware, or OpenSC, or give the module's path with `--pkcs11-module PATH` when adding the account",
        ),
        (
            Box::new(AuthError::ModuleLoad {
                path: p(),
                reason: s("R"),
            }),
            "the PKCS#11 module /opt/x.so cannot be loaded: R. Reinstall the CPS middleware (Cryptolib CPS or OpenSC)",
        ),
        (
            Box::new(AuthError::NoToken { module: p() }),
            "no card found: insert your CPS card in the reader (the module /opt/x.so sees no card). If the card is in, check that the reader is connected and the PC/SC service runs",
        ),
        (
            Box::new(AuthError::NoAuthCertificate { token: s("T") }),
            "the card “T” holds no authentication certificate (an object whose CKA_ID ends in 0x20): is it a CPS card?",
        ),
        (
            Box::new(AuthError::NoAuthKey {
                token: s("T"),
                id: s("0120"),
            }),
            "the card “T” holds no private key for its authentication certificate (CKA_ID 0120)",
        ),
        (
            Box::new(AuthError::UnsupportedKey(s("EC"))),
            "the card's key is of a kind that cannot sign TLS logins (EC); only RSA is supported",
        ),
        (
            Box::new(AuthError::WrongPin {
                token: s("T"),
                tries: PinTries::FinalTry,
            }),
            "wrong PIN for the card “T”: one try left: one more wrong PIN locks the card. Check the PIN before typing it again",
        ),
        (
            Box::new(AuthError::WrongPin {
                token: s("T"),
                tries: PinTries::CountLow,
            }),
            "wrong PIN for the card “T”: the card reports that tries are running low (it does not tell how many remain); a CPS card locks after 3 wrong PINs in a row",
        ),
        (
            Box::new(AuthError::WrongPin {
                token: s("T"),
                tries: PinTries::Unknown,
            }),
            "wrong PIN for the card “T”: the card does not tell how many tries remain; a CPS card locks after 3 wrong PINs in a row",
        ),
        (
            Box::new(AuthError::PinLocked { token: s("T") }),
            "the PIN of the card “T” is locked after too many wrong tries: unblock it with its unblocking code (PUK) or ask the card's issuer (ANS) for help",
        ),
        (
            Box::new(AuthError::PinLength {
                token: s("T"),
                reason: s("R"),
            }),
            "the PIN for the card “T” has the wrong length (R)",
        ),
        (
            Box::new(AuthError::NoPin { env: "ENV" }),
            "the card PIN is needed: type it when asked, or for headless use set ENV",
        ),
        (Box::new(AuthError::PinCancelled), "PIN entry was cancelled"),
        (
            Box::new(AuthError::CardRemoved),
            "the card was removed: insert it again and log in with the PIN",
        ),
        (
            Box::new(AuthError::Token {
                operation: "read the card's state",
                reason: s("R"),
            }),
            "the card refused the operation (read the card's state): R",
        ),
        (
            Box::new(AuthError::Certificate(s("R"))),
            "the certificate on the card cannot be read: R",
        ),
        (
            Box::new(AuthError::Pkcs12 {
                path: p(),
                reason: s("R"),
            }),
            "the certificate file /opt/x.so cannot be read: R",
        ),
        (
            Box::new(AuthError::Pkcs12Password {
                path: p(),
                env: "ENV",
            }),
            "the password of the certificate file /opt/x.so is wrong: save the right one with `caducee account certificate-password ADDRESS`, or for headless use set ENV",
        ),
        (
            Box::new(OidcError::NoClientId),
            "no Pro Santé Connect client id is set for this account: give the one the ANS registered for this installation with `--psc-client-id` when adding the account",
        ),
        (
            Box::new(OidcError::BadUrl(s("U"), s("R"))),
            "the Pro Santé Connect address U is not valid: R",
        ),
        (
            Box::new(OidcError::NotHttps(s("U"))),
            "the Pro Santé Connect issuer U is not served over HTTPS (plain http is accepted only on this computer's loopback address)",
        ),
        (
            Box::new(OidcError::Unreachable(s("R"))),
            "Pro Santé Connect cannot be reached (R). Check the network and try again",
        ),
        (
            Box::new(OidcError::Discovery(s("R"))),
            "the Pro Santé Connect discovery document is unusable: R",
        ),
        (
            Box::new(OidcError::Browser(s("R"))),
            "the browser cannot be opened (R); open the address shown yourself",
        ),
        (
            Box::new(OidcError::Redirect(s("R"))),
            "the sign-in redirect failed: R",
        ),
        (
            Box::new(OidcError::StateMismatch),
            "the answer that came back to Caducée does not belong to this sign-in (state mismatch): it was ignored. Sign in again",
        ),
        (
            Box::new(OidcError::Denied {
                error: s("access_denied"),
                description: s("D"),
            }),
            "Pro Santé Connect refused the sign-in: access_denied D",
        ),
        (
            Box::new(OidcError::LoginTimeout(300)),
            "the sign-in was not completed within 300 seconds: sign in again",
        ),
        (
            Box::new(OidcError::Token(s("R"))),
            "Pro Santé Connect refused to issue tokens: R",
        ),
        (
            Box::new(OidcError::NoIdToken),
            "Pro Santé Connect sent no ID token",
        ),
        (
            Box::new(OidcError::IdToken(s("R"))),
            "the ID token from Pro Santé Connect was refused: R. Nothing was saved; sign in again",
        ),
        (
            Box::new(OidcError::NoSubjectNameId),
            "the ID token carries no national identifier (claim SubjectNameID)",
        ),
        (
            Box::new(PcscError::NoService),
            "the smart card service (PC/SC) is not running: start it (Linux: the pcscd service; Windows and macOS: built in) and try again",
        ),
        (
            Box::new(PcscError::NoReader),
            "no smart card reader is connected: plug in the card reader",
        ),
        (
            Box::new(PcscError::NoCard(s("Rd"))),
            "no card in the reader \"Rd\": insert your CPS card",
        ),
        (
            Box::new(PcscError::ReaderGone(s("Rd"))),
            "the reader \"Rd\" is no longer connected: plug it in again",
        ),
        (
            Box::new(PcscError::Mute(s("Rd"))),
            "the card in \"Rd\" does not answer: take it out and insert it again; if this persists, the card or the reader may be faulty",
        ),
        (
            Box::new(PcscError::Busy(s("Rd"))),
            "the card in \"Rd\" is in use by another program: close that program and try again",
        ),
        (
            Box::new(PcscError::Service(s("R"))),
            "smart card service error: R",
        ),
        (
            Box::new(LockError::NoCard),
            "insert your CPS card in the reader first",
        ),
        (
            Box::new(LockError::Locked),
            "the session is locked: the CPS card was taken out; insert it and type your PIN to resume",
        ),
        (
            Box::new(TokenLoginError::NotTokenAccount(s("a@b.fr"))),
            "a@b.fr does not sign in with Pro Santé Connect or a one-time code",
        ),
        (
            Box::new(OtpError::BadIdentifier(s("12"))),
            "“12” is not a national identifier: type 8 followed by the 11 digits of the RPPS number, or 0 followed by the 9 characters of the ADELI number",
        ),
        (
            Box::new(OtpError::NoService),
            "the address of the one-time-code service is not set: set CADUCEE_OTP_URL to the URL the national operator gives",
        ),
        (
            Box::new(OtpError::BadService(s("U"), s("R"))),
            "the one-time-code service address U is not valid: R",
        ),
        (
            Box::new(OtpError::Unreachable(s("R"))),
            "the one-time-code service cannot be reached (R). Check the network and try again",
        ),
        (
            Box::new(OtpError::WrongCredentials),
            "wrong identifier or password: check them and try again",
        ),
        (
            Box::new(OtpError::WrongCode { tries_left: 2 }),
            "wrong code: 2 tries left. Check the code you received and type it again",
        ),
        (
            Box::new(OtpError::CodeExpired),
            "the code has expired: ask for a new one by signing in again",
        ),
        (
            Box::new(OtpError::Locked),
            "this account is locked after too many failed sign-ins: contact the national operator's support to unlock it",
        ),
        (
            Box::new(OtpError::TooManyAttempts(1200)),
            "too many attempts: wait 1200 seconds before trying again",
        ),
        (
            Box::new(OtpError::SlowDown(4)),
            "wait 4 seconds before trying again",
        ),
        (
            Box::new(OtpError::Cancelled),
            "sign-in cancelled: no code was given",
        ),
        (
            Box::new(OtpError::Protocol(s("R"))),
            "the one-time-code service answered something unexpected: R",
        ),
        (
            Box::new(SessionError::NotLoggedIn {
                account: s("a@b.fr"),
                kind: PSC_KIND,
            }),
            "not signed in with Pro Santé Connect for a@b.fr: sign in with `caducee account login a@b.fr`",
        ),
        (
            Box::new(SessionError::NotLoggedIn {
                account: s("a@b.fr"),
                kind: otp::KIND,
            }),
            "not signed in with one-time code for a@b.fr: sign in with `caducee account login a@b.fr`",
        ),
        (
            Box::new(SessionError::Ended {
                account: s("a@b.fr"),
                kind: otp::KIND,
                reason: s("R"),
            }),
            "the one-time code session of a@b.fr has ended (R): sign in again with `caducee account login a@b.fr`. Nothing queued was lost: waiting messages are sent after the new sign-in",
        ),
        (
            Box::new(SessionError::Stale {
                account: s("a@b.fr"),
                reason: s("R"),
            }),
            "the access token of a@b.fr expired and could not be renewed yet (R); Caducée keeps trying",
        ),
        (
            Box::new(SessionError::Keyring {
                account: s("a@b.fr"),
                reason: s("R"),
            }),
            "the refresh token of a@b.fr cannot be kept: R",
        ),
        (
            Box::new(AccountError::NotFound(s("x"))),
            "no account “x” (see `caducee account list`)",
        ),
        (
            Box::new(AccountError::Exists(s("a@b.fr"))),
            "an account for a@b.fr already exists",
        ),
        (
            Box::new(AccountError::BadAddress(s("x"))),
            "“x” is not an e-mail address",
        ),
        (
            Box::new(AccountError::BadSettings(s("a@b.fr"), s("R"))),
            "the settings of account a@b.fr are damaged: R",
        ),
        (
            Box::new(AccountError::Plaintext),
            "plain connections without TLS are refused: choose tls or starttls",
        ),
        (
            Box::new(DiscoverError::BadAddress(s("x"))),
            "“x” is not an e-mail address",
        ),
        (
            Box::new(DiscoverError::BadDnsServer(s("x"))),
            "“x” is not a DNS server address: give it as IP:port, e.g. 192.0.2.53:53",
        ),
        (
            Box::new(DiscoverError::Stopped(s("R"))),
            "the search for the servers stopped unexpectedly (R); try again",
        ),
        (
            Box::new(DiscoverError::AutoconfigPlaintext {
                url: s("U"),
                what: "IMAP",
            }),
            "the autoconfig file at U offers IMAP only over plain connections without TLS; they are refused. Ask the mail operator for TLS settings, or give the servers by hand",
        ),
        (
            Box::new(DiscoverError::AutoconfigIncomplete {
                url: s("U"),
                what: "SMTP",
            }),
            "the autoconfig file at U has no SMTP server; give the servers by hand (--imap-host, --smtp-host)",
        ),
        (
            Box::new(DiscoverError::NothingFound {
                domain: s("b.fr"),
                tried: s("DNS SRV: none\n  autoconfig: none"),
            }),
            "no mail server settings were found for b.fr. Tried:\n  DNS SRV: none\n  autoconfig: none\nGive the servers by hand: `caducee account setup ADDRESS --imap-host HOST --smtp-host HOST` (or `caducee account add`)",
        ),
        (
            Box::new(SmtpProbeError::Connect {
                host: s("h"),
                port: 10587,
                reason: s("R"),
            }),
            "cannot reach the mail submission server h:10587: R. Check the server name and port, and the network",
        ),
        (
            Box::new(SmtpProbeError::NoStartTls(s("h"))),
            "the mail submission server h does not offer STARTTLS; plain connections are refused: use implicit TLS (port 465) if the server offers it",
        ),
        (
            Box::new(SmtpProbeError::Protocol {
                host: s("h"),
                reason: s("R"),
            }),
            "the mail submission server h answered unexpectedly: R",
        ),
        (
            Box::new(SmtpProbeError::Timeout(s("h"))),
            "the mail submission server h timed out",
        ),
    ]
}

#[test]
fn english_text_is_unchanged_and_french_is_a_translation() {
    for (error, english) in cases() {
        assert_eq!(localized(&*error, Lang::En), english);
        let french = localized(&*error, Lang::Fr);
        assert_ne!(french, english);
        assert!(
            !french.contains("auth-") && !french.contains("account-"),
            "a key instead of a text: {french}"
        );
    }
}

#[test]
fn card_operations_have_both_languages() {
    let operations = [
        "list the card readers",
        "open a session",
        "list the certificates",
        "read a certificate",
        "read the card's state",
        "log in",
        "find the authentication key",
        "read the authentication key",
        "sign",
        "load the module",
    ];
    for operation in operations {
        let error = AuthError::Token {
            operation,
            reason: s("R"),
        };
        assert_eq!(
            localized(&error, Lang::En),
            format!("the card refused the operation ({operation}): R")
        );
        let french = localized(&error, Lang::Fr);
        assert!(
            !french.contains(&format!("({operation})")),
            "{operation} untranslated: {french}"
        );
    }
}

#[test]
fn french_keeps_the_values_and_the_layout() {
    let error = DiscoverError::NothingFound {
        domain: s("b.fr"),
        tried: s("DNS SRV: none\n  autoconfig: none"),
    };
    let french = localized(&error, Lang::Fr);
    assert!(
        french.contains(
            "b.fr. Recherches effectuées :\n  DNS SRV: none\n  autoconfig: none\nIndiquez"
        ),
        "{french}"
    );
    let error = SessionError::Ended {
        account: s("a@b.fr"),
        kind: otp::KIND,
        reason: s("R"),
    };
    assert!(
        localized(&error, Lang::Fr).contains("connexion avec un code à usage unique"),
        "{}",
        localized(&error, Lang::Fr)
    );
}

#[test]
fn reasons_inside_the_messages_have_both_languages() {
    let reasons = [
        ("auth-reason-pin-digits", "a CPS card PIN has 4 digits"),
        ("auth-reason-earlier-login", "an earlier login failed"),
        (
            "auth-reason-earlier-module",
            "an earlier use of the module failed",
        ),
        (
            "auth-reason-earlier-signature",
            "an earlier signature failed",
        ),
        ("auth-session-renewing", "renewal under way"),
        ("auth-session-expired", "the session token expired"),
    ];
    for (id, english) in reasons {
        assert_eq!(
            crate::i18n::with_lang(Lang::En, || crate::i18n::tr(id)),
            english
        );
        let french = crate::i18n::with_lang(Lang::Fr, || crate::i18n::tr(id));
        assert!(french != english && french != id, "{id}: {french}");
    }
}
