//! `caducee account ...`: add, list, and save the password of mail accounts.

use caducee::i18n::{tr, tr1};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};

use caducee::account::{
    self, Account, AccountSettings, AuthMethod, DEFAULT_ATTACHMENT_LIMIT, OfflineBodies, Security,
    Server,
};
use caducee::auth;
use caducee::secrets::Secret;

use super::output::{self, JsonFlag};
use super::{CmdResult, Ctx, Failure};

#[derive(Subcommand)]
pub enum AccountCommand {
    /// Add a mail account.
    Add(Box<AddArgs>),
    /// Set up an account from its address alone: find the servers (DNS SRV,
    /// autoconfig, or the settings given), the login methods they offer, and
    /// add the account.
    Setup(Box<super::account_setup::SetupArgs>),
    /// Find an address's servers and login methods, and only show them.
    Discover(Box<super::account_setup::SetupArgs>),
    /// List the accounts.
    List(JsonFlag),
    /// Save an account's password in the OS keyring, read from stdin.
    Password {
        /// The account's address (or name).
        address: String,
    },
    /// Save the password of an application certificate (PKCS#12) in the OS keyring, read from stdin.
    CertificatePassword {
        /// The account's address (or name).
        address: String,
    },
    /// Let an account send for a professional (a secretary's delegation), or
    /// stop it with --remove.
    Delegate {
        /// The account's address (or name).
        address: String,
        /// The professional's address.
        professional: String,
        #[arg(long)]
        remove: bool,
    },
    /// Save the Pro Santé Connect client secret (confidential clients only) in the OS keyring, read from stdin.
    PscClientSecret {
        /// The account's address (or name).
        address: String,
    },
    /// Sign in with Pro Santé Connect (browser) or a one-time code.
    Login(super::token_login::LoginArgs),
    /// Sign out: end the session and drop the refresh token from the OS keyring.
    Logout {
        /// The account's address (or name).
        address: String,
    },
    /// Who the account's certificate names (CPS card or application certificate).
    Identity {
        /// The account's address (or name).
        address: String,
        #[arg(long)]
        json: bool,
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

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthArg {
    /// Password (LOGIN/PLAIN over TLS).
    Password,
    /// CPS card (client certificate, SASL EXTERNAL).
    Cps,
    /// Application certificate in a PKCS#12 file (client certificate, SASL EXTERNAL).
    Certificate,
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
    /// The PKCS#11 module that reads the CPS card (default: Cryptolib CPS, then OpenSC).
    #[arg(long)]
    pkcs11_module: Option<PathBuf>,
    /// The application certificate (PKCS#12 file) for `--auth certificate`.
    #[arg(long, required_if_eq("auth", "certificate"))]
    pkcs12: Option<PathBuf>,
    /// Keep bodies offline for the last N days only (default: all).
    #[arg(long)]
    offline_days: Option<u32>,
    /// A professional this account sends for (a secretary's delegation); repeat for several.
    #[arg(long = "send-for", value_name = "ADDRESS")]
    send_for: Vec<String>,
    #[command(flatten)]
    psc: PscArgs,
}

pub fn run(ctx: &Ctx, command: AccountCommand) -> CmdResult {
    match command {
        AccountCommand::Add(a) => add(ctx, *a),
        AccountCommand::Setup(a) => super::account_setup::setup(ctx, *a, false),
        AccountCommand::Discover(a) => super::account_setup::setup(ctx, *a, true),
        AccountCommand::List(out) => list(ctx, out),
        AccountCommand::Password { address } => password(ctx, &address),
        AccountCommand::CertificatePassword { address } => certificate_password(ctx, &address),
        AccountCommand::Delegate {
            address,
            professional,
            remove,
        } => delegate(ctx, &address, &professional, remove),
        AccountCommand::Identity { address, json } => identity(ctx, &address, json),
        AccountCommand::PscClientSecret { address } => psc_client_secret(ctx, &address),
        AccountCommand::Login(args) => super::token_login::login(ctx, args),
        AccountCommand::Logout { address } => super::token_login::logout(ctx, &address),
    }
}

fn add(ctx: &Ctx, a: AddArgs) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let username = a.username.unwrap_or_else(|| a.address.clone());
    let auth = auth_method(a.auth, username, a.pkcs12, a.pkcs11_module, &a.psc)?;
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
        delegations: delegations(&a.send_for)?,
    };
    let id = account::add(&store, &a.name, &a.address, &settings)?;
    println!("account {id} added: {}", a.address.trim());
    Ok(ExitCode::SUCCESS)
}

/// The login settings for `kind`.
pub(super) fn auth_method(
    kind: AuthArg,
    username: String,
    pkcs12: Option<PathBuf>,
    pkcs11_module: Option<PathBuf>,
    psc: &PscArgs,
) -> Result<AuthMethod, Failure> {
    Ok(match kind {
        AuthArg::Password => AuthMethod::Password { username },
        AuthArg::Cps => AuthMethod::Cps {
            pkcs11_module: pkcs11_module.map(|p| std::path::absolute(&p).unwrap_or(p)),
        },
        AuthArg::Certificate => {
            let path = pkcs12.ok_or_else(|| Failure {
                message: tr("cli-needs-pkcs12"),
                code: 2,
            })?;
            if !path.is_file() {
                return Err(Failure {
                    message: tr1("cli-no-certificate-file", "path", &path.display()),
                    code: 2,
                });
            }
            AuthMethod::Certificate {
                pkcs12: std::path::absolute(&path).unwrap_or(path),
            }
        }
        AuthArg::Psc => AuthMethod::ProSanteConnect {
            username,
            provider: psc.psc_provider.parse()?,
            client_id: psc.psc_client_id.clone(),
        },
        AuthArg::Otp => AuthMethod::Otp {
            identifier: auth::otp::check_identifier(&username)?.to_owned(),
        },
    })
}

/// The Pro Santé Connect settings of `account add` and `account setup`.
#[derive(clap::Args, Debug, Clone)]
pub(super) struct PscArgs {
    /// Pro Santé Connect: production, sandbox, or an issuer URL.
    #[arg(long, default_value = "production")]
    psc_provider: String,
    /// Pro Santé Connect: the client id the ANS registered for this installation.
    #[arg(long)]
    psc_client_id: Option<String>,
}

/// The addresses of `--send-for`, checked.
pub(super) fn delegations(addresses: &[String]) -> Result<Vec<String>, Failure> {
    let mut out: Vec<String> = Vec::new();
    for a in addresses {
        let a = a.trim();
        match a.split_once('@') {
            Some((l, d)) if !l.is_empty() && d.contains('.') && !d.contains('@') => {}
            _ => {
                return Err(Failure {
                    message: tr1("cli-not-an-address", "address", &a),
                    code: 2,
                });
            }
        }
        if !out.iter().any(|x| x.eq_ignore_ascii_case(a)) {
            out.push(a.to_owned());
        }
    }
    Ok(out)
}

fn delegate(ctx: &Ctx, key: &str, professional: &str, remove: bool) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let acc = account::get(&store, Some(key))?;
    let pro = delegations(&[professional.to_owned()])?.remove(0);
    let mut settings = acc.settings.clone();
    settings
        .delegations
        .retain(|d| !d.trim().eq_ignore_ascii_case(&pro));
    if !remove {
        settings.delegations.push(pro.clone());
    }
    account::update_settings(&store, acc.id, &settings)?;
    if remove {
        println!("{} no longer sends for {pro}", acc.address);
    } else {
        println!("{} may now send for {pro}", acc.address);
    }
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
            if !s.delegations.is_empty() {
                println!("     sends for: {}", s.delegations.join(", "));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_stdin_secret() -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let pw = line.trim_end_matches(['\r', '\n']);
    if pw.is_empty() {
        return Err(Failure {
            message: tr("cli-no-password-stdin"),
            code: 2,
        });
    }
    Ok(pw.to_owned())
}

fn password(ctx: &Ctx, key: &str) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let acc = account::get(&store, Some(key))?;
    let pw = read_stdin_secret()?;
    Secret {
        what: "password",
        account: &acc.address,
        env: caducee::imap::auth::PASSWORD_ENV,
    }
    .set(&pw)?;
    println!("password saved in the OS keyring for {}", acc.address);
    Ok(ExitCode::SUCCESS)
}

fn certificate_password(ctx: &Ctx, key: &str) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let acc = account::get(&store, Some(key))?;
    let AuthMethod::Certificate { pkcs12 } = &acc.settings.auth else {
        return Err(Failure {
            message: tr1("cli-not-certificate-file", "address", &acc.address),
            code: 2,
        });
    };
    let pw = read_stdin_secret()?;
    // Refuse a wrong password now rather than at the next connection.
    auth::pkcs12::load(pkcs12, &pw)?;
    Secret {
        what: auth::pkcs12::PKCS12_SECRET,
        account: &acc.address,
        env: auth::pkcs12::PKCS12_PASSWORD_ENV,
    }
    .set(&pw)?;
    println!(
        "certificate password saved in the OS keyring for {}",
        acc.address
    );
    Ok(ExitCode::SUCCESS)
}

fn psc_client_secret(ctx: &Ctx, key: &str) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let acc = account::get(&store, Some(key))?;
    if !matches!(acc.settings.auth, AuthMethod::ProSanteConnect { .. }) {
        return Err(Failure {
            message: tr1("cli-not-psc", "address", &acc.address),
            code: 2,
        });
    }
    let secret = read_stdin_secret()?;
    Secret {
        what: auth::oidc::CLIENT_SECRET,
        account: &acc.address,
        env: auth::oidc::CLIENT_SECRET_ENV,
    }
    .set(&secret)?;
    println!(
        "Pro Santé Connect client secret saved in the OS keyring for {}",
        acc.address
    );
    Ok(ExitCode::SUCCESS)
}

/// The certificate an account logs in with, without logging in to the card
/// (certificates are public objects; no PIN needed).
fn certificate_of(acc: &Account) -> Result<Vec<u8>, Failure> {
    match &acc.settings.auth {
        AuthMethod::Cps { pkcs11_module } => {
            Ok(auth::token::authentication_certificate(pkcs11_module.as_deref())?.der)
        }
        AuthMethod::Certificate { pkcs12 } => {
            let password = auth::sessions::pkcs12_password(acc)?;
            Ok(auth::pkcs12::load(pkcs12, &password)?
                .certificate_der()
                .to_vec())
        }
        _ => Err(Failure {
            message: tr1("cli-not-a-certificate-login", "address", &acc.address),
            code: 2,
        }),
    }
}

fn identity(ctx: &Ctx, key: &str, json: bool) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let acc = account::get(&store, Some(key))?;
    let id = auth::Identity::from_der(&certificate_of(&acc)?)?;
    if json {
        output::print_json(&id)?;
    } else {
        print_identity(&id);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_identity(id: &auth::Identity) {
    println!("name:         {}", id.name);
    if let Some(n) = &id.national_id {
        println!(
            "national id:  {n}{}",
            id.national_id_kind()
                .map(|k| format!(" ({k})"))
                .unwrap_or_default()
        );
    }
    if let Some(p) = &id.profession {
        println!("profession:   {p}");
    }
    if let Some(o) = &id.organisation {
        println!("organisation: {o}");
    }
    println!("subject:      {}", id.subject);
    println!("issuer:       {}", id.issuer);
    println!("valid until:  {}", output::date(id.not_after));
}

/// For certificate accounts, log in with the card (the PIN is asked here) or
/// open the certificate file, and say who it names; on stderr when stdout
/// carries JSON. Nothing for other accounts.
pub fn print_card_login(acc: &Account, to_stderr: bool) -> Result<(), Failure> {
    if let Some(id) = auth::card_login(acc)? {
        let what = match acc.settings.auth {
            AuthMethod::Cps { .. } => "card",
            _ => "certificate",
        };
        let line = format!("{what} login: {}", id.summary());
        if to_stderr {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    }
    Ok(())
}
