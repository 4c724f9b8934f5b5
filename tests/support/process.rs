//! For the tests that run programs: the `masthead` binary Cargo built, the
//! scripts in scripts/, and the tools those need.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// A loopback port nothing listens on now, for a child process to bind.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// True when `program --version` runs and succeeds.
pub fn on_path(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Runs `bash scripts/<script> <masthead binary>` from the repository root
/// with `env` added, prints its output (shown when the test fails, or with
/// `--nocapture`), fails the test when the script fails, and returns its
/// stdout.
#[track_caller]
pub fn run_script(script: &str, env: &[(&str, &str)]) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let binary = env!("CARGO_BIN_EXE_masthead");
    let output: Output = Command::new("bash")
        .arg(root.join("scripts").join(script))
        .arg(binary)
        .current_dir(root)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("could not run bash scripts/{script}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    println!("--- stdout ---\n{stdout}");
    println!(
        "--- stderr ---\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "scripts/{script} {binary} failed ({}); its output is above",
        output.status
    );
    stdout
}
