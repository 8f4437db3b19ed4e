//! `caducee account setup ADDRESS` and `account discover ADDRESS`: find the
//! servers of an address (DNS SRV, autoconfig, or the settings given), read
//! the login methods they offer, propose one, and add the account.

use caducee::i18n::tr1;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use caducee::account::discover::{
    self, DNS_SERVER_ENV, Detection, DiscoverOptions, Discovery, LoginKind,
};
use caducee::account::{
    self, AccountSettings, DEFAULT_ATTACHMENT_LIMIT, OfflineBodies, Security, Server,
};

use super::account::{AuthArg, PscArgs, SecurityArg, auth_method, delegations};
use super::output;
use super::{CmdResult, Ctx, Failure};

#[derive(Args)]
pub struct SetupArgs {
    /// The mail address, e.g. claire.martin@medecin.mssante.fr.
    address: String,
    /// A name for the account (default: the address).
    #[arg(long)]
    name: Option<String>,
    /// Ask this DNS server (IP:PORT) instead of the system's resolver.
    #[arg(long, env = DNS_SERVER_ENV)]
    dns_server: Option<String>,
    /// Fetch autoconfig under this HTTPS base URL instead of the domain's
    /// (`BASE/mail/config-v1.1.xml`, `BASE/.well-known/autoconfig/...`).
    #[arg(long)]
    autoconfig_url: Option<String>,
    /// Extra CA (PEM) trusted besides IGC-Santé: test or private servers only.
    #[arg(long)]
    extra_ca: Option<PathBuf>,
    /// IMAP server, used when nothing is found.
    #[arg(long, requires = "smtp_host")]
    imap_host: Option<String>,
    #[arg(long)]
    imap_port: Option<u16>,
    #[arg(long, value_enum, default_value = "tls")]
    imap_security: SecurityArg,
    /// SMTP submission server, used when nothing is found.
    #[arg(long, requires = "imap_host")]
    smtp_host: Option<String>,
    #[arg(long)]
    smtp_port: Option<u16>,
    #[arg(long, value_enum, default_value = "starttls")]
    smtp_security: SecurityArg,
    /// The login method (default: the one proposed from what the server offers).
    #[arg(long, value_enum)]
    auth: Option<AuthArg>,
    /// Login name (default: the one the autoconfig file gives, else the address).
    #[arg(long)]
    username: Option<String>,
    /// The PKCS#11 module that reads the CPS card.
    #[arg(long)]
    pkcs11_module: Option<PathBuf>,
    /// The application certificate (PKCS#12 file), for a certificate login.
    #[arg(long)]
    pkcs12: Option<PathBuf>,
    #[command(flatten)]
    psc: PscArgs,
    /// Keep bodies offline for the last N days only (default: all).
    #[arg(long)]
    offline_days: Option<u32>,
    /// A professional this account sends for (a secretary's delegation); repeat for several.
    #[arg(long = "send-for", value_name = "ADDRESS")]
    send_for: Vec<String>,
    /// Do not look for a CPS card in the readers when proposing a method.
    #[arg(long)]
    no_card_check: bool,
    /// Show what was found; add nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Report<'a> {
    discovery: &'a Discovery,
    detection: &'a Detection,
    proposed: Option<LoginKind>,
    chosen: Option<LoginKind>,
    account_id: Option<i64>,
}

fn default_port(imap: bool, security: Security) -> u16 {
    match (imap, security) {
        (true, Security::Tls) => 993,
        (true, Security::StartTls) => 143,
        (false, Security::Tls) => 465,
        (false, Security::StartTls) => 587,
    }
}

fn manual(a: &SetupArgs) -> Option<(Server, Server)> {
    let (imap_host, smtp_host) = (a.imap_host.clone()?, a.smtp_host.clone()?);
    let imap_sec: Security = a.imap_security.into();
    let smtp_sec: Security = a.smtp_security.into();
    Some((
        Server {
            host: imap_host,
            port: a.imap_port.unwrap_or(default_port(true, imap_sec)),
            security: imap_sec,
        },
        Server {
            host: smtp_host,
            port: a.smtp_port.unwrap_or(default_port(false, smtp_sec)),
            security: smtp_sec,
        },
    ))
}

fn to_arg(kind: LoginKind) -> AuthArg {
    match kind {
        LoginKind::Cps => AuthArg::Cps,
        LoginKind::Certificate => AuthArg::Certificate,
        LoginKind::ProSanteConnect => AuthArg::Psc,
        LoginKind::Otp => AuthArg::Otp,
        LoginKind::Password => AuthArg::Password,
    }
}

fn from_arg(arg: AuthArg) -> LoginKind {
    match arg {
        AuthArg::Cps => LoginKind::Cps,
        AuthArg::Certificate => LoginKind::Certificate,
        AuthArg::Psc => LoginKind::ProSanteConnect,
        AuthArg::Otp => LoginKind::Otp,
        AuthArg::Password => LoginKind::Password,
    }
}

/// The method to use: `--auth`, else a certificate when a PKCS#12 file is
/// given and EXTERNAL is offered, else the proposal.
fn choose(a: &SetupArgs, detection: &Detection) -> Option<LoginKind> {
    if let Some(arg) = a.auth {
        return Some(from_arg(arg));
    }
    if a.pkcs12.is_some() && detection.methods.contains(&LoginKind::Certificate) {
        return Some(LoginKind::Certificate);
    }
    detection.proposed()
}

pub fn setup(ctx: &Ctx, a: SetupArgs, show_only: bool) -> CmdResult {
    let dry_run = show_only || a.dry_run;
    if let Some(ca) = &a.extra_ca {
        caducee::tls::read_pem_certs(ca)?;
    }
    let options = DiscoverOptions {
        dns_server: a
            .dns_server
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(discover::parse_dns_server)
            .transpose()?,
        autoconfig_base: a.autoconfig_url.clone(),
        extra_ca: a
            .extra_ca
            .clone()
            .map(|p| std::path::absolute(&p).unwrap_or(p)),
        manual: manual(&a),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (found, detection) = rt.block_on(async {
        let mut found = discover::discover(&a.address, &options).await?;
        let detection =
            discover::detect_reachable(&mut found, options.extra_ca.as_deref(), !a.no_card_check)
                .await?;
        Ok::<_, discover::DiscoverError>((found, detection))
    })?;
    let chosen = choose(&a, &detection);
    if !a.json {
        print_found(&found, &detection, chosen);
    }

    let mut account_id = None;
    if !dry_run {
        let kind = chosen.ok_or_else(|| Failure {
            message: tr1(
                "cli-no-known-login",
                "mechanisms",
                &detection.imap_mechanisms.join(" "),
            ),
            code: 2,
        })?;
        let username = a
            .username
            .clone()
            .or_else(|| found.username.clone())
            .unwrap_or_else(|| found.address.clone());
        let auth = auth_method(
            to_arg(kind),
            username,
            a.pkcs12.clone(),
            a.pkcs11_module.clone(),
            &a.psc,
        )?;
        let settings = AccountSettings {
            imap: found.imap.clone(),
            smtp: found.smtp.clone(),
            auth,
            extra_ca: options.extra_ca.clone(),
            attachment_limit: DEFAULT_ATTACHMENT_LIMIT,
            offline_bodies: match a.offline_days {
                Some(days) => OfflineBodies::LastDays { days },
                None => OfflineBodies::All,
            },
            delegations: delegations(&a.send_for)?,
        };
        let (store, _) = ctx.open_store()?;
        let name = a.name.clone().unwrap_or_else(|| found.address.clone());
        let id = account::add(&store, &name, &found.address, &settings)?;
        account_id = Some(id);
        if !a.json {
            println!("account {id} added: {}", found.address);
            if kind == LoginKind::Password {
                println!(
                    "save its password with `caducee account password {}`",
                    found.address
                );
            }
        }
    }
    if a.json {
        output::print_json(&Report {
            discovery: &found,
            detection: &detection,
            proposed: detection.proposed(),
            chosen,
            account_id,
        })?;
    }
    Ok(ExitCode::SUCCESS)
}

fn server_line(s: &Server) -> String {
    let sec = match s.security {
        Security::Tls => "TLS",
        Security::StartTls => "STARTTLS",
    };
    format!("{}:{} ({sec})", s.host, s.port)
}

fn print_found(found: &Discovery, d: &Detection, chosen: Option<LoginKind>) {
    let source = match &found.autoconfig_url {
        Some(url) => format!("{} ({url})", found.source.label()),
        None => found.source.label().to_owned(),
    };
    println!("found by:    {source}");
    println!("imap:        {}", server_line(&found.imap));
    println!("submission:  {}", server_line(&found.smtp));
    println!(
        "offered:     IMAP {}; submission {}",
        d.imap_mechanisms.join(" "),
        d.smtp_mechanisms.join(" ")
    );
    if d.card_present {
        println!("card:        a CPS card is in a reader");
    }
    let methods: Vec<&str> = d.methods.iter().map(|m| m.label()).collect();
    println!(
        "methods:     {}",
        if methods.is_empty() {
            "none this program knows".to_owned()
        } else {
            methods.join(", ")
        }
    );
    if let Some(p) = d.proposed() {
        println!("proposed:    {}", p.label());
    }
    if let Some(c) = chosen
        && Some(c) != d.proposed()
    {
        println!("chosen:      {}", c.label());
    }
    for w in &d.warnings {
        println!("warning:     {w}");
    }
}
