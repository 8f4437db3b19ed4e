//! `caducee account ...`: add, list, and save the password of mail accounts.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};

use caducee::account::{
    self, AccountSettings, AuthMethod, DEFAULT_ATTACHMENT_LIMIT, OfflineBodies, Security, Server,
};
use caducee::secrets::Secret;

use super::output::{self, JsonFlag};
use super::{CmdResult, Ctx, Failure};

#[derive(Subcommand)]
pub enum AccountCommand {
    /// Add a mail account.
    Add(AddArgs),
    /// List the accounts.
    List(JsonFlag),
    /// Save an account's password in the OS keyring, read from stdin.
    Password {
        /// The account's address (or name).
        address: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SecurityArg {
    Tls,
    Starttls,
}

impl From<SecurityArg> for Security {
    fn from(s: SecurityArg) -> Self {
        match s {
            SecurityArg::Tls => Security::Tls,
            SecurityArg::Starttls => Security::StartTls,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum AuthArg {
    /// Password (LOGIN/PLAIN over TLS).
    Password,
    /// CPS card (client certificate, SASL EXTERNAL).
    Cps,
    /// Pro Santé Connect (e-CPS, XOAUTH2).
    Psc,
    /// The national operator's password + one-time code.
    Otp,
}

#[derive(Args)]
pub struct AddArgs {
    #[arg(long)]
    name: String,
    #[arg(long)]
    address: String,
    #[arg(long)]
    imap_host: String,
    #[arg(long, default_value_t = 993)]
    imap_port: u16,
    #[arg(long, value_enum, default_value = "tls")]
    imap_security: SecurityArg,
    #[arg(long)]
    smtp_host: String,
    #[arg(long, default_value_t = 587)]
    smtp_port: u16,
    #[arg(long, value_enum, default_value = "starttls")]
    smtp_security: SecurityArg,
    #[arg(long, value_enum, default_value = "password")]
    auth: AuthArg,
    /// Login name (default: the address).
    #[arg(long)]
    username: Option<String>,
    /// Extra CA (PEM) trusted besides IGC-Santé: test or private servers only.
    #[arg(long)]
    extra_ca: Option<PathBuf>,
    /// Keep bodies offline for the last N days only (default: all).
    #[arg(long)]
    offline_days: Option<u32>,
}

pub fn run(ctx: &Ctx, command: AccountCommand) -> CmdResult {
    match command {
        AccountCommand::Add(a) => add(ctx, a),
        AccountCommand::List(out) => list(ctx, out),
        AccountCommand::Password { address } => password(ctx, &address),
    }
}

fn add(ctx: &Ctx, a: AddArgs) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let username = a.username.unwrap_or_else(|| a.address.clone());
    let auth = match a.auth {
        AuthArg::Password => AuthMethod::Password { username },
        AuthArg::Cps => AuthMethod::Cps {
            pkcs11_module: None,
        },
        AuthArg::Psc => AuthMethod::ProSanteConnect { username },
        AuthArg::Otp => AuthMethod::Otp {
            identifier: username,
        },
    };
    if let Some(ca) = &a.extra_ca {
        caducee::tls::read_pem_certs(ca)?;
    }
    let settings = AccountSettings {
        imap: Server {
            host: a.imap_host,
            port: a.imap_port,
            security: a.imap_security.into(),
        },
        smtp: Server {
            host: a.smtp_host,
            port: a.smtp_port,
            security: a.smtp_security.into(),
        },
        auth,
        extra_ca: a.extra_ca.map(|p| std::path::absolute(&p).unwrap_or(p)),
        attachment_limit: DEFAULT_ATTACHMENT_LIMIT,
        offline_bodies: match a.offline_days {
            Some(days) => OfflineBodies::LastDays { days },
            None => OfflineBodies::All,
        },
        delegations: vec![],
    };
    let id = account::add(&store, &a.name, &a.address, &settings)?;
    println!("account {id} added: {}", a.address.trim());
    Ok(ExitCode::SUCCESS)
}

fn list(ctx: &Ctx, out: JsonFlag) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let accounts = account::list(&store)?;
    if out.json {
        output::print_json(&accounts)?;
    } else if accounts.is_empty() {
        println!("no account; add one with `caducee account add`");
    } else {
        for a in accounts {
            let s = &a.settings;
            println!(
                "{:<4} {:<32} {:<16} imap {}:{} ({:?})",
                a.id, a.address, a.name, s.imap.host, s.imap.port, s.imap.security
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn password(ctx: &Ctx, key: &str) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let acc = account::get(&store, Some(key))?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let pw = line.trim_end_matches(['\r', '\n']);
    if pw.is_empty() {
        return Err(Failure {
            message: "no password on stdin".into(),
            code: 2,
        });
    }
    Secret {
        what: "password",
        account: &acc.address,
        env: caducee::imap::auth::PASSWORD_ENV,
    }
    .set(pw)?;
    println!("password saved in the OS keyring for {}", acc.address);
    Ok(ExitCode::SUCCESS)
}
