//! A private Secret Service for one test: a D-Bus session bus and an
//! unlocked gnome-keyring on it, with HOME in a temp dir; the command-line
//! binary reaches it through the environment. Stopped by pid when dropped.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::dbus::PrivateBus;

pub struct SessionKeyring {
    pub dir: tempfile::TempDir,
    bus: PrivateBus,
    keyring: Child,
}

impl SessionKeyring {
    pub fn start() -> SessionKeyring {
        let dir = tempfile::tempdir().unwrap();
        // A bus of our own without service activation: nothing but the
        // keyring started below answers for the Secret Service.
        let bus = PrivateBus::start();
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_RUNTIME_DIR", bus.run_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("keyring.log")).unwrap())
            .spawn()
            .expect("gnome-keyring is not installed (apt-get install gnome-keyring)");
        // The (empty) password of the login keyring, on stdin.
        let mut stdin = keyring.stdin.take().unwrap();
        stdin.write_all(b"\n").unwrap();
        drop(stdin);
        let k = SessionKeyring { dir, bus, keyring };
        // Ready when a secret can be stored and read back.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut store = k.command("secret-tool");
            store
                .args(["store", "--label=probe", "probe", "probe"])
                .stdin(Stdio::piped());
            let mut child = store
                .spawn()
                .expect("secret-tool (libsecret-tools) is missing");
            child.stdin.take().unwrap().write_all(b"x").unwrap();
            if child.wait().unwrap().success() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the keyring did not start: {}",
                std::fs::read_to_string(k.dir.path().join("keyring.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        k
    }

    /// Point `cmd` at this keyring.
    pub fn env(&self, cmd: &mut Command) {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.bus.address)
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_RUNTIME_DIR", self.bus.run_dir());
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        self.env(&mut cmd);
        cmd
    }
}

impl Drop for SessionKeyring {
    fn drop(&mut self) {
        // The bus is stopped after the keyring, when its field drops.
        let _ = self.keyring.kill();
        let _ = self.keyring.wait();
    }
}
