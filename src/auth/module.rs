//! Which PKCS#11 module speaks to the card, and loading it once per process.
//!
//! The account may name the module; otherwise the ANS Cryptolib CPS is looked
//! for at its platform path, then OpenSC (which also reads CPS cards) in the
//! usual library directories.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};

use crate::i18n::tr;

use super::AuthError;

/// The ANS Cryptolib CPS module for this platform.
pub fn cryptolib_paths() -> Vec<PathBuf> {
    let paths: &[&str] = if cfg!(target_os = "windows") {
        &[
            r"C:\Windows\System32\cps3_pkcs11_w64.dll",
            "cps3_pkcs11_w64.dll",
        ]
    } else if cfg!(target_os = "macos") {
        &["/usr/local/lib/libcps3_pkcs11_osx.dylib"]
    } else {
        &["/opt/santesocial/CPS/lib/libcps3_pkcs11_lux.so"]
    };
    paths.iter().map(PathBuf::from).collect()
}

/// OpenSC's PKCS#11 module in the usual places for this platform.
pub fn opensc_paths() -> Vec<PathBuf> {
    let paths: &[&str] = if cfg!(target_os = "windows") {
        &[
            r"C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll",
            r"C:\Windows\System32\opensc-pkcs11.dll",
        ]
    } else if cfg!(target_os = "macos") {
        &[
            "/Library/OpenSC/lib/opensc-pkcs11.so",
            "/opt/homebrew/lib/opensc-pkcs11.so",
            "/usr/local/lib/opensc-pkcs11.so",
        ]
    } else {
        &[
            "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
            "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so",
            "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so",
            "/usr/lib/aarch64-linux-gnu/pkcs11/opensc-pkcs11.so",
            "/usr/lib64/opensc-pkcs11.so",
            "/usr/lib64/pkcs11/opensc-pkcs11.so",
            "/usr/lib/opensc-pkcs11.so",
            "/usr/lib/pkcs11/opensc-pkcs11.so",
            "/usr/local/lib/opensc-pkcs11.so",
        ]
    };
    paths.iter().map(PathBuf::from).collect()
}

/// The paths tried, in order: the account's setting alone when there is one,
/// else the Cryptolib CPS, then OpenSC.
pub fn candidates(setting: Option<&Path>) -> Vec<PathBuf> {
    match setting {
        Some(path) => vec![path.to_path_buf()],
        None => cryptolib_paths()
            .into_iter()
            .chain(opensc_paths())
            .collect(),
    }
}

/// The first module that exists, or an error naming every path tried.
pub fn resolve(setting: Option<&Path>) -> Result<PathBuf, AuthError> {
    let tried = candidates(setting);
    // A bare file name (Windows DLL search path) is left to the loader.
    if let Some(found) = tried
        .iter()
        .find(|p| p.exists() || (p.components().count() == 1 && cfg!(target_os = "windows")))
    {
        return Ok(found.clone());
    }
    Err(AuthError::ModuleNotFound {
        tried: tried
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// The loaded, initialised module at `path`. PKCS#11 allows one
/// initialisation per process: contexts are kept for the process's life.
pub fn context(path: &Path) -> Result<Pkcs11, AuthError> {
    static LOADED: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let loaded = LOADED.get_or_init(|| Mutex::new(HashMap::new()));
    let mut loaded = loaded.lock().map_err(|_| AuthError::Token {
        operation: "load the module",
        reason: tr("auth-reason-earlier-module"),
    })?;
    if let Some(ctx) = loaded.get(path) {
        return Ok(ctx.clone());
    }
    let load_err = |reason: String| AuthError::ModuleLoad {
        path: path.to_path_buf(),
        reason,
    };
    let ctx = Pkcs11::new(path).map_err(|e| load_err(e.to_string()))?;
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(load_err(e.to_string())),
    }
    tracing::debug!(module = %path.display(), "PKCS#11 module loaded");
    loaded.insert(path.to_path_buf(), ctx.clone());
    Ok(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_alone_is_tried_when_given() {
        let p = Path::new("/nowhere/libmissing.so");
        assert_eq!(candidates(Some(p)), vec![p.to_path_buf()]);
        let err = resolve(Some(p)).unwrap_err().to_string();
        assert!(err.contains("/nowhere/libmissing.so"), "{err}");
        assert!(err.contains("Cryptolib CPS"), "{err}");
    }

    #[test]
    fn defaults_try_cryptolib_before_opensc() {
        let all = candidates(None);
        let first_opensc = all
            .iter()
            .position(|p| p.to_string_lossy().contains("opensc"))
            .unwrap();
        assert!(
            all[..first_opensc]
                .iter()
                .all(|p| p.to_string_lossy().contains("cps3_pkcs11"))
        );
    }
}
