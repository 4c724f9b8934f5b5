//! Conformance fuzzing: Schemathesis against the served OpenAPI document of a running masthead.
//!
//! Runs `scripts/conformance.sh` with the binary Cargo built for this test run; the script sets up
//! its own virtualenv (pinned Schemathesis from PyPI), server, database, token and seed data.
//! It needs `python3` (and `curl`); without python3 the test says so plainly and does not run.
//! It runs once on SQLite and once on a fresh PostgreSQL database, one after the other (they share
//! the virtualenv).

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

/// The PostgreSQL run's database comes from the helpers, which read this.
const BACKEND: helpers::Backend = helpers::Backend::Postgres;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// One Schemathesis run at a time: both install into the same virtualenv.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn run_conformance(database_url: Option<&str>) {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let binary = env!("CARGO_BIN_EXE_masthead");
    let mut command = Command::new("bash");
    command
        .arg(root.join("scripts/conformance.sh"))
        .arg(binary)
        .current_dir(root)
        .stdin(Stdio::null());
    if let Some(url) = database_url {
        command.env("MASTHEAD_E2E_DATABASE_URL", url);
    }
    let output = command
        .output()
        .expect("could not run bash scripts/conformance.sh");
    println!("{}", String::from_utf8_lossy(&output.stdout));
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "scripts/conformance.sh {binary} failed ({}); its output is above",
        output.status
    );
}

fn python_is_missing() -> bool {
    if have("python3") {
        return false;
    }
    // Straight to the process's stderr, past the test harness's capture, so the skip is seen.
    let _ = writeln!(std::io::stderr(), "SKIPPED: conformance needs python3");
    println!("SKIPPED: conformance needs python3");
    true
}

#[test]
fn schemathesis_finds_no_failures() {
    if python_is_missing() {
        return;
    }
    run_conformance(None);
}

#[test]
fn schemathesis_finds_no_failures_on_postgresql() {
    if python_is_missing() {
        return;
    }
    let database = helpers::PgDatabase::create();
    run_conformance(Some(&database.url));
}
