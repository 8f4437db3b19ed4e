//! A private Secret Service for one test: a D-Bus session bus and an
//! unlocked gnome-keyring on it, with HOME in a temp dir; the command-line
//! binary reaches it through the environment. Stopped by pid when dropped.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SessionKeyring {
    pub dir: tempfile::TempDir,
    pub bus: String,
    bus_pid: u32,
    keyring: Child,
}

impl SessionKeyring {
    pub fn start() -> SessionKeyring {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("run");
        std::fs::create_dir_all(&run).unwrap();
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        // A bus of our own without service activation: nothing but the
        // keyring started below answers for the Secret Service.
        let conf = dir.path().join("bus.conf");
        std::fs::write(&conf, BUS_CONF.replace("@RUN@", &run.display().to_string())).unwrap();
        let out = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", conf.display()))
            .args(["--print-address=1", "--print-pid=1", "--fork"])
            .output()
            .expect("dbus-daemon is not installed (apt-get install dbus-daemon)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let mut lines = text.lines();
        let bus = lines.next().unwrap().trim().to_owned();
        let bus_pid = lines.next().unwrap().trim().parse().unwrap();
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &bus)
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_RUNTIME_DIR", &run)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("keyring.log")).unwrap())
            .spawn()
            .expect("gnome-keyring is not installed (apt-get install gnome-keyring)");
        // The (empty) password of the login keyring, on stdin.
        let mut stdin = keyring.stdin.take().unwrap();
        stdin.write_all(b"\n").unwrap();
        drop(stdin);
        let k = SessionKeyring {
            dir,
            bus,
            bus_pid,
            keyring,
        };
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
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_RUNTIME_DIR", self.dir.path().join("run"));
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        self.env(&mut cmd);
        cmd
    }
}

impl Drop for SessionKeyring {
    fn drop(&mut self) {
        let _ = self.keyring.kill();
        let _ = self.keyring.wait();
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.bus_pid.to_string())
            .status();
    }
}

const BUS_CONF: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=@RUN@</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;
