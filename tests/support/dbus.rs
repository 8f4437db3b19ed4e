//! A private D-Bus session bus for one test, without service activation:
//! nothing answers on it but what the test starts. Stopped by pid when
//! dropped.

use std::path::PathBuf;
use std::process::Command;

pub struct PrivateBus {
    dir: tempfile::TempDir,
    /// The bus address, for `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
    pid: u32,
}

impl PrivateBus {
    pub fn start() -> PrivateBus {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("run");
        std::fs::create_dir_all(&run).unwrap();
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
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
        let address = lines.next().unwrap().trim().to_owned();
        let pid = lines.next().unwrap().trim().parse().unwrap();
        PrivateBus { dir, address, pid }
    }

    /// A private runtime directory (mode 0700) for what runs on the bus.
    pub fn run_dir(&self) -> PathBuf {
        self.dir.path().join("run")
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
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
