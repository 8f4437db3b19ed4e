//! rustls signing with the card's key: RSA PKCS#1 v1.5 as CKM_RSA_PKCS over a
//! DigestInfo built here (the digest is computed in software, the signature on
//! the card), and RSA-PSS as CKM_RSA_PKCS_PSS over the digest when the token
//! offers it (TLS 1.3 needs PSS).

use std::sync::Arc;

use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use rustls::sign::{Signer, SigningKey};
use rustls::{SignatureAlgorithm, SignatureScheme};
use sha2::Digest;

use super::token::TokenKey;

/// DER DigestInfo prefixes (RFC 8017 §9.2, note 1).
const SHA256_PREFIX: &[u8] = &[
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
const SHA384_PREFIX: &[u8] = &[
    0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
    0x00, 0x04, 0x30,
];
const SHA512_PREFIX: &[u8] = &[
    0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05,
    0x00, 0x04, 0x40,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest(self, message: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => sha2::Sha256::digest(message).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(message).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(message).to_vec(),
        }
    }

    fn prefix(self) -> &'static [u8] {
        match self {
            Self::Sha256 => SHA256_PREFIX,
            Self::Sha384 => SHA384_PREFIX,
            Self::Sha512 => SHA512_PREFIX,
        }
    }

    fn mechanism(self) -> MechanismType {
        match self {
            Self::Sha256 => MechanismType::SHA256,
            Self::Sha384 => MechanismType::SHA384,
            Self::Sha512 => MechanismType::SHA512,
        }
    }

    fn mgf(self) -> PkcsMgfType {
        match self {
            Self::Sha256 => PkcsMgfType::MGF1_SHA256,
            Self::Sha384 => PkcsMgfType::MGF1_SHA384,
            Self::Sha512 => PkcsMgfType::MGF1_SHA512,
        }
    }
}

/// The DER DigestInfo of `message` for PKCS#1 v1.5 signing.
pub fn digest_info(scheme: SignatureScheme, message: &[u8]) -> Option<Vec<u8>> {
    let hash = match scheme {
        SignatureScheme::RSA_PKCS1_SHA256 => Hash::Sha256,
        SignatureScheme::RSA_PKCS1_SHA384 => Hash::Sha384,
        SignatureScheme::RSA_PKCS1_SHA512 => Hash::Sha512,
        _ => return None,
    };
    let mut out = hash.prefix().to_vec();
    out.extend(hash.digest(message));
    Some(out)
}

/// The schemes this key can sign with, most preferred first.
fn schemes(key: &TokenKey) -> Vec<SignatureScheme> {
    let mut out = Vec::new();
    if key.offers_pss() {
        out.extend([
            SignatureScheme::RSA_PSS_SHA256,
            SignatureScheme::RSA_PSS_SHA384,
            SignatureScheme::RSA_PSS_SHA512,
        ]);
    }
    if key.offers_pkcs1() {
        out.extend([
            SignatureScheme::RSA_PKCS1_SHA256,
            SignatureScheme::RSA_PKCS1_SHA384,
            SignatureScheme::RSA_PKCS1_SHA512,
        ]);
    }
    out
}

/// The card's key as a rustls signing key.
#[derive(Debug, Clone)]
pub struct TokenSigningKey {
    key: Arc<TokenKey>,
}

impl TokenSigningKey {
    pub fn new(key: Arc<TokenKey>) -> Self {
        Self { key }
    }
}

impl SigningKey for TokenSigningKey {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        schemes(&self.key)
            .into_iter()
            .find(|s| offered.contains(s))
            .map(|scheme| {
                Box::new(TokenSigner {
                    key: self.key.clone(),
                    scheme,
                }) as Box<dyn Signer>
            })
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::RSA
    }
}

/// One signature on the card with a chosen scheme.
#[derive(Debug)]
pub struct TokenSigner {
    key: Arc<TokenKey>,
    scheme: SignatureScheme,
}

impl TokenSigner {
    /// A signer for `scheme` (tests and callers outside TLS).
    pub fn new(key: Arc<TokenKey>, scheme: SignatureScheme) -> Option<Self> {
        schemes(&key)
            .contains(&scheme)
            .then_some(Self { key, scheme })
    }
}

impl Signer for TokenSigner {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        let pss = match self.scheme {
            SignatureScheme::RSA_PSS_SHA256 => Some(Hash::Sha256),
            SignatureScheme::RSA_PSS_SHA384 => Some(Hash::Sha384),
            SignatureScheme::RSA_PSS_SHA512 => Some(Hash::Sha512),
            _ => None,
        };
        let result = match pss {
            Some(hash) => {
                let digest = hash.digest(message);
                let params = PkcsPssParams {
                    hash_alg: hash.mechanism(),
                    mgf: hash.mgf(),
                    s_len: (digest.len() as u64).into(),
                };
                self.key.sign(&Mechanism::RsaPkcsPss(params), &digest)
            }
            None => {
                let info = digest_info(self.scheme, message).ok_or_else(|| {
                    rustls::Error::General(format!("unsupported scheme {:?}", self.scheme))
                })?;
                self.key.sign(&Mechanism::RsaPkcs, &info)
            }
        };
        result.map_err(|e| {
            tracing::warn!(error = %e, "signature on the card failed");
            rustls::Error::General(e.to_string())
        })
    }

    fn scheme(&self) -> SignatureScheme {
        self.scheme
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_info_is_prefix_then_hash() {
        let info = digest_info(SignatureScheme::RSA_PKCS1_SHA256, b"abc").unwrap();
        assert_eq!(info.len(), 19 + 32);
        assert_eq!(&info[..19], SHA256_PREFIX);
        assert_eq!(
            hex::encode(&info[19..]),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            digest_info(SignatureScheme::RSA_PKCS1_SHA512, b"")
                .unwrap()
                .len(),
            19 + 64
        );
        assert!(digest_info(SignatureScheme::RSA_PSS_SHA256, b"").is_none());
    }
}
