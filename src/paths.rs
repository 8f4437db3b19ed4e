//! Where Caducée keeps its files.

use std::path::{Path, PathBuf};

use crate::i18n::{tr1, tr2};

/// Environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "CADUCEE_DATA_DIR";

#[derive(Debug, thiserror::Error)]
pub enum PathError {
    #[error("{}", tr1("paths-no-home", "env", &DATA_DIR_ENV))]
    NoHome,
    #[error("{}", tr2("paths-create", "path", &.path.display(), "reason", .source))]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The platform data directory (`~/.local/share/caducee`, `%APPDATA%\Caducee`,
/// `~/Library/Application Support/fr.Caducee.Caducee`).
pub fn default_data_dir() -> Result<PathBuf, PathError> {
    directories::ProjectDirs::from("fr", "Caducee", "Caducee")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or(PathError::NoHome)
}

/// Create `dir` (and parents) if missing, private to the user on Unix.
pub fn ensure_private_dir(dir: &Path) -> Result<(), PathError> {
    let err = |source| PathError::Create {
        path: dir.to_path_buf(),
        source,
    };
    if !dir.exists() {
        std::fs::create_dir_all(dir).map_err(err)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(err)?;
        }
    }
    Ok(())
}
