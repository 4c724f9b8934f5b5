//! The generated TypeScript client (clients/typescript) type-checks against the committed OpenAPI
//! document and works against a live server: list, detail, create with a token and a 422.
//! Runs scripts/typescript-client.sh; skipped (with a clear line) when node or npm is missing.

use std::path::Path;
use std::process::Command;

fn on_path(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .map(|out| out.status.success())
        .unwrap_or(false)
}

#[test]
fn typescript_client_typechecks_and_talks_to_a_live_server() {
    if !on_path("node") || !on_path("npm") {
        println!("SKIPPED: the TypeScript client test needs node and npm");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("bash")
        .arg(root.join("scripts/typescript-client.sh"))
        .arg(env!("CARGO_BIN_EXE_masthead"))
        .current_dir(root)
        .output()
        .expect("could not run bash scripts/typescript-client.sh");
    println!("--- stdout ---\n{}", String::from_utf8_lossy(&out.stdout));
    println!("--- stderr ---\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "scripts/typescript-client.sh failed: {}",
        out.status
    );
}
