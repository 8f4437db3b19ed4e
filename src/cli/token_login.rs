//! `caducee account login|logout`, and the token session that the one-shot
//! commands (`sync`, `outbox flush`, `send`) start for Pro Santé Connect and
//! one-time-code accounts.

use caducee::i18n::{tr, tr1};
use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Args;

use caducee::account::{self, Account, AuthMethod};
use caducee::auth::oidc;
use caducee::auth::otp::{self, Channel, OtpClient, OtpError};
use caducee::auth::session::KeyringVault;
use caducee::auth::token_login;

use super::{CmdResult, Ctx, Failure};

#[derive(Args)]
pub struct LoginArgs {
    /// The account's address (or name).
    address: String,
    /// Do not open the browser: only print the address to open.
    #[arg(long)]
    no_browser: bool,
    /// One-time code: where the code is sent (sms or mail).
    #[arg(long, default_value = "sms")]
    channel: String,
    /// One-time code: the code received, for scripts (else it is asked).
    #[arg(long, env = otp::CODE_ENV, hide_env_values = true)]
    code: Option<String>,
}

pub fn login(ctx: &Ctx, args: LoginArgs) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let acc = account::get(&store, Some(&args.address))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let _inside = rt.enter();
    match &acc.settings.auth {
        AuthMethod::ProSanteConnect { .. } => {
            let (psc, pending) = token_login::psc_begin(&acc)?;
            println!("To sign in with Pro Santé Connect, open this address in your browser:");
            println!("{}", pending.url);
            if !args.no_browser {
                // A browser command that does not return must not hold up
                // the wait for its redirect.
                let url = pending.url.clone();
                std::thread::spawn(move || {
                    if let Err(e) = oidc::open_browser(&url) {
                        eprintln!("caducee: {e}");
                    }
                });
            }
            eprintln!("{}", tr("cli-waiting-browser"));
            let (who, _) =
                token_login::psc_finish(&acc, psc, pending, KeyringVault::shared(&acc.address))?;
            let name = [who.given_name.as_deref(), who.family_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            println!(
                "signed in: {name}, national id {}; the refresh token is kept in the OS keyring",
                who.national_id
            );
        }
        AuthMethod::Otp { .. } => {
            let channel: Channel = args.channel.parse()?;
            otp_login(&acc, channel, args.code)?;
            println!(
                "signed in with a one-time code. The session token is kept in memory only: `sync` and `outbox flush` sign in again each time"
            );
        }
        _ => {
            return Err(Failure {
                message: tr1("cli-not-token", "address", &acc.address),
                code: 2,
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn logout(ctx: &Ctx, key: &str) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let acc = account::get(&store, Some(key))?;
    let how = match token_login::logout(&acc)? {
        token_login::Logout::Revoked => "revoked at the provider and dropped".to_owned(),
        token_login::Logout::NoRevocationEndpoint => {
            "dropped (the provider offers no revocation)".to_owned()
        }
        token_login::Logout::RevocationFailed(why) => {
            format!("dropped, but the provider could not be told ({why})")
        }
        token_login::Logout::NothingToRevoke => "dropped (none was kept)".to_owned(),
    };
    println!("signed out: the refresh token of {} was {how}", acc.address);
    Ok(ExitCode::SUCCESS)
}

/// The one-time-code login, asking what is not given (the password from
/// `CADUCEE_OTP_PASSWORD` or a prompt; the code from `code` or a prompt).
fn otp_login(acc: &Account, channel: Channel, code: Option<String>) -> Result<(), Failure> {
    let mut client = OtpClient::from_environment()?;
    let password = match std::env::var(otp::PASSWORD_ENV) {
        Ok(p) if !p.is_empty() => p,
        _ if std::io::stdin().is_terminal() => {
            rpassword::prompt_password("national operator password: ")?
        }
        _ => {
            return Err(Failure {
                message: tr1("cli-password-needed", "env", &otp::PASSWORD_ENV),
                code: 2,
            });
        }
    };
    let mut given = code;
    let mut ask = |c: &otp::Challenge, refused: Option<&OtpError>| -> Option<String> {
        if let Some(e) = refused {
            eprintln!("caducee: {e}");
        }
        if let Some(code) = given.take() {
            return Some(code);
        }
        if refused.is_some() && !std::io::stdin().is_terminal() {
            return None;
        }
        if !std::io::stdin().is_terminal() {
            return None;
        }
        rpassword::prompt_password(format!(
            "code sent to {} (valid {} minutes): ",
            c.masked_destination,
            c.expires_in.div_ceil(60)
        ))
        .ok()
    };
    token_login::otp_login(acc, &mut client, &password, channel, &mut ask)?;
    Ok(())
}

/// Before a one-shot command: the session of a token account (Pro Santé
/// Connect resumed from the keyring's refresh token; one-time code signed in
/// again). Nothing for other accounts. Runs on `rt`, which then keeps the
/// token renewed while the command works.
pub fn start_session(rt: &tokio::runtime::Runtime, acc: &Account) -> Result<(), Failure> {
    match &acc.settings.auth {
        AuthMethod::ProSanteConnect { .. } => {
            rt.block_on(token_login::resume(acc))?;
            Ok(())
        }
        AuthMethod::Otp { .. } => {
            if caducee::auth::session::current(&acc.address)
                .is_some_and(|s| s.access_token().is_ok())
            {
                return Ok(());
            }
            let _inside = rt.enter();
            otp_login(acc, Channel::Sms, std::env::var(otp::CODE_ENV).ok())
        }
        _ => Ok(()),
    }
}
