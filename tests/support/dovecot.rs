//! A private Dovecot 2.3 for one test: IMAPS, IMAP+STARTTLS, submission
//! (STARTTLS and implicit TLS) and LMTP on free 127.0.0.1 ports, passwd-file
//! users, Maildir, TLS with a CA made for the test. Started from a config in a
//! temp dir, stopped by pid when dropped.
//!
//! Submission relays to Dovecot's own LMTP through a small in-test relay that
//! speaks SMTP to submission and LMTP to Dovecot, so a message sent through
//! submission lands in the recipient's mailbox.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::ca::TestCa;
use super::free_port;

/// A mail user of the test server.
#[derive(Debug, Clone)]
pub struct User {
    /// Login name (the local part); the full address logs in too.
    pub name: String,
    pub address: String,
    pub password: String,
}

pub struct Dovecot {
    pub dir: tempfile::TempDir,
    /// IMAP with implicit TLS.
    pub imaps_port: u16,
    /// IMAP with STARTTLS (plain login refused before TLS).
    pub imap_port: u16,
    /// Submission with STARTTLS.
    pub submission_port: u16,
    /// Submission with implicit TLS.
    pub submissions_port: u16,
    pub lmtp_port: u16,
    pub users: Vec<User>,
    /// The CA that issued the server certificate (and can issue client ones).
    pub ca: TestCa,
    /// The CA certificate, PEM: give it to accounts as their extra CA.
    pub ca_path: PathBuf,
    /// Host name the server certificate is valid for.
    pub host: String,
    pid: u32,
    owner: (u32, u32),
}

/// The mail domain of test users.
pub const DOMAIN: &str = "test.mssante.fr";

/// How the test server lets users log in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Login {
    /// Passwords (PLAIN, LOGIN), or EXTERNAL with a client certificate.
    #[default]
    PasswordOrCertificate,
    /// Client certificates only: the TLS handshake must carry a certificate
    /// issued by the server's CA (`auth_ssl_require_client_cert`), the only
    /// mechanism is EXTERNAL and the user name is the certificate's common name.
    CertificateOnly,
    /// Bearer tokens only (SASL XOAUTH2 and OAUTHBEARER): an `oauth2` passdb
    /// asks the introspection endpoint given to [`Dovecot::start_oauth2`]
    /// (RFC 7662, POST) about each token; users log in by full address.
    OAuth2,
}

impl Dovecot {
    /// Start a server with these users (each with password "secret-<name>").
    pub fn start(user_names: &[&str]) -> Dovecot {
        Self::start_with(user_names, Login::default())
    }

    /// Start a server with these users, logging in as `login` says.
    pub fn start_with(user_names: &[&str], login: Login) -> Dovecot {
        assert_ne!(login, Login::OAuth2, "use start_oauth2");
        Self::start_full(user_names, login, None)
    }

    /// Start a server whose users log in with bearer tokens checked by
    /// `introspection_url`.
    pub fn start_oauth2(user_names: &[&str], introspection_url: &str) -> Dovecot {
        Self::start_full(user_names, Login::OAuth2, Some(introspection_url))
    }

    fn start_full(user_names: &[&str], login: Login, introspection_url: Option<&str>) -> Dovecot {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        set_mode(root, 0o755);
        for sub in ["tls", "run", "state", "log", "mail"] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
        }
        let ca = TestCa::new("Caducee Test CA");
        let ca_path = ca.write(&root.join("tls"), "ca.crt");
        ca.server(&["localhost", "127.0.0.1"])
            .write(&root.join("tls"), "server");

        let (mail_user, mail_group, login_user, owner) = run_as();
        let users: Vec<User> = user_names
            .iter()
            .map(|n| User {
                name: n.to_string(),
                address: format!("{n}@{DOMAIN}"),
                password: format!("secret-{n}"),
            })
            .collect();
        let passwd: String = users
            .iter()
            .map(|u| format!("{}:{{PLAIN}}{}::::::\n", u.name, u.password))
            .collect();
        std::fs::write(root.join("users"), passwd).unwrap();
        for u in &users {
            let md = root.join("mail").join(&u.name).join("Maildir");
            for sub in ["cur", "new", "tmp"] {
                std::fs::create_dir_all(md.join(sub)).unwrap();
            }
            chown_tree(&root.join("mail").join(&u.name), owner);
        }
        chown_tree(&root.join("mail"), owner);
        let oauth2_passdb = match introspection_url {
            Some(url) => {
                std::fs::write(
                    root.join("dovecot-oauth2.conf.ext"),
                    format!(
                        "introspection_url = {url}\nintrospection_mode = post\n\
                         username_attribute = username\nactive_attribute = active\n\
                         active_value = true\n"
                    ),
                )
                .unwrap();
                format!(
                    "passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {}/dovecot-oauth2.conf.ext\n}}",
                    root.display()
                )
            }
            None => String::new(),
        };

        // Free ports are picked, then released for Dovecot to bind: another test
        // may take one in between. Try again with new ports when binding fails.
        let mut attempt = 0;
        let (imaps_port, imap_port, submission_port, submissions_port, lmtp_port) = loop {
            attempt += 1;
            let imaps_port = free_port();
            let imap_port = free_port();
            let submission_port = free_port();
            let submissions_port = free_port();
            let lmtp_port = free_port();
            let relay_port = start_lmtp_relay(lmtp_port);
            let dh = if Path::new("/usr/share/dovecot/dh.pem").exists() {
                "ssl_dh = </usr/share/dovecot/dh.pem"
            } else {
                ""
            };
            let conf = CONFIG
                .replace("@DIR@", &root.display().to_string())
                .replace("@MAIL_USER@", &mail_user)
                .replace("@MAIL_GROUP@", &mail_group)
                .replace("@LOGIN_USER@", &login_user)
                .replace("@SSL_DH@", dh)
                .replace(
                    "@AUTH@",
                    match login {
                        Login::PasswordOrCertificate => {
                            "auth_mechanisms = plain login external\nauth_ssl_username_from_cert = yes"
                        }
                        Login::CertificateOnly => {
                            "auth_mechanisms = external\nauth_ssl_username_from_cert = yes\nauth_ssl_require_client_cert = yes"
                        }
                        Login::OAuth2 => "auth_mechanisms = xoauth2 oauthbearer",
                    },
                )
                .replace("@OAUTH2_PASSDB@", &oauth2_passdb)
                .replace("@IMAP_PORT@", &imap_port.to_string())
                .replace("@IMAPS_PORT@", &imaps_port.to_string())
                .replace("@SUB_PORT@", &submission_port.to_string())
                .replace("@SUBS_PORT@", &submissions_port.to_string())
                .replace("@LMTP_PORT@", &lmtp_port.to_string())
                .replace("@RELAY_PORT@", &relay_port.to_string());
            let conf_path = root.join("dovecot.conf");
            std::fs::write(&conf_path, conf).unwrap();
            // Dovecot's master keeps inherited pipes open: its start-up errors go
            // to a file instead.
            let errors = root.join("log/start-errors.txt");
            let status = Command::new("dovecot")
                .arg("-c")
                .arg(&conf_path)
                .stdout(std::process::Stdio::null())
                .stderr(std::fs::File::create(&errors).unwrap())
                .status()
                .expect("dovecot is not installed (apt-get install dovecot-imapd dovecot-submissiond dovecot-lmtpd)");
            if status.success() {
                break (
                    imaps_port,
                    imap_port,
                    submission_port,
                    submissions_port,
                    lmtp_port,
                );
            }
            assert!(
                attempt < 5,
                "dovecot did not start: {}{}",
                std::fs::read_to_string(&errors).unwrap_or_default(),
                log(root)
            );
            std::thread::sleep(Duration::from_millis(200));
        };
        let pid_path = root.join("run/master.pid");
        let deadline = Instant::now() + Duration::from_secs(15);
        let pid = loop {
            if let Some(pid) = std::fs::read_to_string(&pid_path)
                .ok()
                .and_then(|s| s.trim().parse::<u32>().ok())
            {
                break pid;
            }
            assert!(Instant::now() < deadline, "no dovecot pid: {}", log(root));
            std::thread::sleep(Duration::from_millis(20));
        };
        let server = Dovecot {
            dir,
            imaps_port,
            imap_port,
            submission_port,
            submissions_port,
            lmtp_port,
            users,
            ca,
            ca_path,
            host: "localhost".into(),
            pid,
            owner,
        };
        for port in [
            imaps_port,
            imap_port,
            submission_port,
            submissions_port,
            lmtp_port,
        ] {
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(
                    Instant::now() < deadline,
                    "dovecot does not listen on {port}: {}",
                    server.log()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        server
    }

    pub fn user(&self, name: &str) -> &User {
        self.users.iter().find(|u| u.name == name).unwrap()
    }

    /// The Maildir of a user.
    pub fn maildir(&self, user: &str) -> PathBuf {
        self.dir.path().join("mail").join(user).join("Maildir")
    }

    /// The Maildir directory of one folder ("INBOX", "Sent", "A/B").
    pub fn folder_dir(&self, user: &str, folder: &str) -> PathBuf {
        let md = self.maildir(user);
        if folder.eq_ignore_ascii_case("INBOX") {
            md
        } else {
            md.join(format!(".{}", folder.replace('/', ".")))
        }
    }

    /// Drop a message into a folder as a new Maildir file (creating the
    /// folder's directories); Dovecot picks it up at the next access.
    pub fn deliver(&self, user: &str, folder: &str, raw: &[u8], seen: bool) -> PathBuf {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = self.folder_dir(user, folder);
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let n = N.fetch_add(1, Ordering::Relaxed);
        let base = format!(
            "{}.M{n}P{}.caducee-test,S={}",
            now(),
            std::process::id(),
            raw.len()
        );
        let path = if seen {
            dir.join("cur").join(format!("{base}:2,S"))
        } else {
            dir.join("new").join(base)
        };
        let tmp = dir.join("tmp").join(format!("t{n}"));
        std::fs::write(&tmp, raw).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        chown_tree(&dir, self.owner);
        path
    }

    /// Number of message files in a folder of a user's Maildir.
    pub fn count_files(&self, user: &str, folder: &str) -> usize {
        let dir = self.folder_dir(user, folder);
        ["cur", "new"]
            .iter()
            .map(|s| {
                std::fs::read_dir(dir.join(s))
                    .map(|d| d.count())
                    .unwrap_or(0)
            })
            .sum()
    }

    /// The server log, for assertion messages.
    pub fn log(&self) -> String {
        log(self.dir.path())
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Path::new(&format!("/proc/{}", self.pid)).exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn log(root: &Path) -> String {
    std::fs::read_to_string(root.join("log/dovecot.log")).unwrap_or_default()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn id(args: &[&str]) -> String {
    let out = Command::new("id").args(args).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Users the server runs as: (mail user, mail group, login user, (uid, gid)).
/// As root, Dovecot's own unprivileged users; otherwise the current user.
fn run_as() -> (String, String, String, (u32, u32)) {
    if id(&["-u"]) == "0" {
        let uid = id(&["-u", "dovecot"]).parse().unwrap();
        let gid = id(&["-g", "dovecot"]).parse().unwrap();
        (
            "dovecot".into(),
            "dovecot".into(),
            "dovenull".into(),
            (uid, gid),
        )
    } else {
        let user = id(&["-un"]);
        let group = id(&["-gn"]);
        let uid = id(&["-u"]).parse().unwrap();
        let gid = id(&["-g"]).parse().unwrap();
        (user.clone(), group, user, (uid, gid))
    }
}

fn chown_tree(path: &Path, (uid, gid): (u32, u32)) {
    let _ = std::os::unix::fs::chown(path, Some(uid), Some(gid));
    if let Ok(entries) = std::fs::read_dir(path) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                chown_tree(&p, (uid, gid));
            } else {
                let _ = std::os::unix::fs::chown(&p, Some(uid), Some(gid));
            }
        }
    }
}

/// A relay that speaks SMTP to Dovecot's submission service and LMTP to its
/// LMTP service: EHLO becomes LHLO, PIPELINING/CHUNKING are not offered, and
/// the per-recipient replies to DATA are folded into one. Returns its port.
fn start_lmtp_relay(lmtp_port: u16) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = relay(client, lmtp_port);
            });
        }
    });
    port
}

fn read_reply(r: &mut impl BufRead) -> std::io::Result<Vec<String>> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let last = line.as_bytes().get(3) != Some(&b'-');
        lines.push(line);
        if last {
            return Ok(lines);
        }
    }
}

fn relay(client: TcpStream, lmtp_port: u16) -> std::io::Result<()> {
    let server = TcpStream::connect(("127.0.0.1", lmtp_port))?;
    let mut c_in = BufReader::new(client.try_clone()?);
    let mut c_out = client;
    let mut s_in = BufReader::new(server.try_clone()?);
    let mut s_out = server;
    c_out.write_all(read_reply(&mut s_in)?.concat().as_bytes())?;
    let mut recipients = 0usize;
    loop {
        let mut line = String::new();
        if c_in.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        if verb == "EHLO" || verb == "HELO" {
            line = format!("LHLO{}", &line[4..]);
        }
        s_out.write_all(line.as_bytes())?;
        let reply = read_reply(&mut s_in)?;
        let ok = reply.last().is_some_and(|l| l.starts_with('2'));
        match verb.as_str() {
            "EHLO" | "HELO" => {
                let n = reply.len();
                let kept: Vec<String> = reply
                    .into_iter()
                    .filter(|l| {
                        let u = l.to_ascii_uppercase();
                        !u.contains("PIPELINING") && !u.contains("CHUNKING")
                    })
                    .collect();
                let mut out = String::new();
                for (i, l) in kept.iter().enumerate() {
                    let sep = if i + 1 == kept.len() { ' ' } else { '-' };
                    out.push_str(&l[..3]);
                    out.push(sep);
                    out.push_str(&l[4..]);
                }
                if kept.is_empty() || n == 0 {
                    out = "250 localhost\r\n".into();
                }
                c_out.write_all(out.as_bytes())?;
                continue;
            }
            "MAIL" | "RSET" => recipients = 0,
            "RCPT" if ok => recipients += 1,
            "DATA" if reply.last().is_some_and(|l| l.starts_with("354")) => {
                c_out.write_all(reply.concat().as_bytes())?;
                loop {
                    let mut data = Vec::new();
                    if c_in.read_until(b'\n', &mut data)? == 0 {
                        return Ok(());
                    }
                    s_out.write_all(&data)?;
                    if data == b".\r\n" || data == b".\n" {
                        break;
                    }
                }
                let mut folded = None;
                for _ in 0..recipients.max(1) {
                    let r = read_reply(&mut s_in)?;
                    let good = r.last().is_some_and(|l| l.starts_with('2'));
                    if folded.is_none() || !good {
                        folded = Some(r);
                    }
                }
                recipients = 0;
                c_out.write_all(folded.unwrap_or_default().concat().as_bytes())?;
                continue;
            }
            _ => {}
        }
        c_out.write_all(reply.concat().as_bytes())?;
    }
}

const CONFIG: &str = r#"instance_name = caducee-test
base_dir = @DIR@/run
state_dir = @DIR@/state
log_path = @DIR@/log/dovecot.log
info_log_path = @DIR@/log/dovecot.log
debug_log_path = @DIR@/log/dovecot.log

protocols = imap submission lmtp
listen = 127.0.0.1
default_login_user = @LOGIN_USER@
default_internal_user = @MAIL_USER@
default_internal_group = @MAIL_GROUP@
first_valid_uid = 0
first_valid_gid = 0

ssl = required
ssl_cert = <@DIR@/tls/server.crt
ssl_key = <@DIR@/tls/server.key
ssl_ca = <@DIR@/tls/ca.crt
@SSL_DH@
ssl_min_protocol = TLSv1.2
ssl_verify_client_cert = yes
ssl_cert_username_field = commonName
ssl_require_crl = no

disable_plaintext_auth = yes
@AUTH@
@OAUTH2_PASSDB@
passdb {
  driver = static
  args = nopassword=y
  mechanisms = external
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n @DIR@/users
  mechanisms = plain login
}
userdb {
  driver = passwd-file
  args = username_format=%n @DIR@/users
  default_fields = uid=@MAIL_USER@ gid=@MAIL_GROUP@ home=@DIR@/mail/%n mail=maildir:~/Maildir
}

mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \Drafts
    auto = subscribe
  }
  mailbox Trash {
    special_use = \Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \Junk
    auto = subscribe
  }
}

mail_plugins = $mail_plugins quota
protocol imap {
  mail_plugins = $mail_plugins imap_quota
  mail_max_userip_connections = 50
}
plugin {
  quota = maildir:User quota
  quota_rule = *:storage=100M
}

hostname = localhost
submission_relay_host = 127.0.0.1
submission_relay_port = @RELAY_PORT@
submission_relay_trusted = yes

service imap-login {
  chroot =
  inet_listener imap {
    port = @IMAP_PORT@
  }
  inet_listener imaps {
    port = @IMAPS_PORT@
    ssl = yes
  }
}
service submission-login {
  chroot =
  inet_listener submission {
    port = @SUB_PORT@
  }
  inet_listener submissions {
    port = @SUBS_PORT@
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = @LMTP_PORT@
  }
}
service anvil {
  chroot =
}
"#;
