//! A SoftHSM2 token standing in for a CPS card: a private token directory and
//! configuration in a temp dir, an RSA-2048 authentication key generated on
//! the token (sensitive, never extractable) under a CKA_ID ending in 0x20, a
//! signature key under one ending in 0x10, and certificates for both issued
//! by a test CA for the keys' public halves.

use std::path::{Path, PathBuf};
use std::process::Command;

use rcgen::{CertificateParams, DnType, ExtendedKeyUsagePurpose, KeyUsagePurpose};

use super::ca::TestCa;
use super::run_ok;

/// SoftHSM2's PKCS#11 module (Debian package softhsm2).
pub const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
/// The user PIN of test tokens (a CPS PIN has 4 digits).
pub const PIN: &str = "1234";
const SO_PIN: &str = "87654321";

/// The authentication objects' CKA_ID (ends in 0x20).
pub const AUTH_ID: &str = "0120";
/// The signature objects' CKA_ID (ends in 0x10).
pub const SIGN_ID: &str = "0110";

/// The holder named by a test card's certificates.
#[derive(Debug, Clone)]
pub struct Holder {
    /// `8` + RPPS number: the certificate's common name and the server login.
    pub national_id: String,
    pub surname: String,
    pub given_name: String,
    pub profession: String,
    pub organisation: String,
}

impl Holder {
    pub fn doctor() -> Holder {
        Holder {
            national_id: "810002813839".into(),
            surname: "DUPONT".into(),
            given_name: "JEAN".into(),
            profession: "Médecin".into(),
            organisation: "CABINET DU DR DUPONT".into(),
        }
    }

    /// Certificate parameters shaped like an IGC-Santé personal certificate.
    pub fn params(&self, usage: KeyUsagePurpose) -> CertificateParams {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        let dn = &mut params.distinguished_name;
        dn.push(DnType::CountryName, "FR");
        dn.push(DnType::OrganizationName, self.organisation.as_str());
        dn.push(DnType::OrganizationalUnitName, "10B0123456");
        dn.push(
            DnType::CustomDnType(vec![2, 5, 4, 12]),
            self.profession.as_str(),
        );
        dn.push(DnType::CommonName, self.national_id.as_str());
        dn.push(
            DnType::CustomDnType(vec![2, 5, 4, 4]),
            self.surname.as_str(),
        );
        dn.push(
            DnType::CustomDnType(vec![2, 5, 4, 42]),
            self.given_name.as_str(),
        );
        params.key_usages = vec![usage];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params
    }
}

/// A private SoftHSM2 token directory; tokens created in it are seen by
/// processes run with [`SoftHsm::env`].
pub struct SoftHsm {
    pub dir: tempfile::TempDir,
    pub conf: PathBuf,
    pub module: PathBuf,
    pub label: String,
}

impl SoftHsm {
    /// An initialised token labelled `label` with PIN [`PIN`].
    pub fn new(label: &str) -> SoftHsm {
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir_all(&tokens).unwrap();
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        let hsm = SoftHsm {
            dir,
            conf,
            module: PathBuf::from(MODULE),
            label: label.to_owned(),
        };
        run_ok(
            hsm.command("softhsm2-util")
                .args(["--init-token", "--free", "--label", label])
                .args(["--so-pin", SO_PIN, "--pin", PIN]),
        );
        hsm
    }

    /// A command run against this token directory.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        self.env(&mut cmd);
        cmd
    }

    /// Point `cmd` at this token directory.
    pub fn env<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        cmd.env("SOFTHSM2_CONF", &self.conf)
    }

    fn tool(&self) -> Command {
        let mut cmd = self.command("pkcs11-tool");
        cmd.arg("--module").arg(&self.module);
        cmd
    }

    /// Generate an RSA-2048 key pair on the token (the private half
    /// sensitive and never extractable); returns the public key, DER
    /// SubjectPublicKeyInfo.
    pub fn generate_key(&self, id: &str, label: &str) -> Vec<u8> {
        run_ok(
            self.tool()
                .args([
                    "--login",
                    "--pin",
                    PIN,
                    "--keypairgen",
                    "--key-type",
                    "rsa:2048",
                ])
                .args(["--id", id, "--label", label, "--usage-sign", "--sensitive"]),
        );
        let out = self.dir.path().join(format!("pub-{id}.der"));
        run_ok(
            self.tool()
                .args(["--read-object", "--type", "pubkey", "--id", id, "-o"])
                .arg(&out),
        );
        std::fs::read(out).unwrap()
    }

    /// Store a certificate (DER) on the token under `id`.
    pub fn write_certificate(&self, id: &str, label: &str, der: &[u8]) {
        let path = self.dir.path().join(format!("cert-{id}.der"));
        std::fs::write(&path, der).unwrap();
        run_ok(
            self.tool()
                .args(["--login", "--pin", PIN, "--write-object"])
                .arg(&path)
                .args(["--type", "cert", "--id", id, "--label", label]),
        );
    }

    /// The token's flags as pkcs11-tool prints them.
    pub fn flags(&self) -> String {
        let out = run_ok(self.tool().arg("--list-token-slots"));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// A CPS-like card for `holder`: the authentication key and certificate
/// (CKA_ID 0x0120) issued by `ca`, and a signature key and certificate
/// (0x0110) naming someone else, which must never be used for login.
pub fn cps_card(ca: &TestCa, holder: &Holder) -> SoftHsm {
    let hsm = SoftHsm::new("CPS DUPONT");
    let auth_pub = hsm.generate_key(AUTH_ID, "CPS_ID_CERT_AUTH");
    let auth_cert = ca.issue_for_key(holder.params(KeyUsagePurpose::DigitalSignature), &auth_pub);
    hsm.write_certificate(AUTH_ID, "Certificat d'Authentification CPS", &auth_cert);

    let sign_pub = hsm.generate_key(SIGN_ID, "CPS_ID_CERT_SIGN");
    let mut other = holder.clone();
    other.national_id = "899999999999".into();
    let sign_cert = ca.issue_for_key(other.params(KeyUsagePurpose::ContentCommitment), &sign_pub);
    hsm.write_certificate(SIGN_ID, "Certificat de Signature CPS", &sign_cert);
    hsm
}

/// `path` as a string for command arguments.
pub fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}
