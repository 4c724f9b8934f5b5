//! The end-to-end scripts in scripts/, each run with the `masthead` binary
//! Cargo built for this test run; each starts its own server and database.
//! A script that lacks its tools prints a SKIPPED line and passes.
//!
//! Each takes the whole machine for its run (`whole_machine()`): the
//! scripts are slow and busy, and the other tests here have time limits.

use std::io::Write;

use crate::support::{PgDatabase, on_path, run_script};
use crate::whole_machine;

fn python_is_missing() -> bool {
    if on_path("python3") {
        return false;
    }
    // Straight to the process's stderr, past the test harness's capture, so the skip is seen.
    let _ = writeln!(std::io::stderr(), "SKIPPED: conformance needs python3");
    println!("SKIPPED: conformance needs python3");
    true
}

/// Conformance fuzzing: `scripts/conformance.sh` runs Schemathesis (pinned,
/// from PyPI, in a virtualenv of its own) against the served OpenAPI
/// document, with its own token and seed data. It needs `python3` (and
/// `curl`).
#[test]
fn schemathesis_finds_no_failures() {
    let _machine = whole_machine();
    if python_is_missing() {
        return;
    }
    run_script("conformance.sh", &[]);
}

/// The same on a fresh PostgreSQL database (the two runs share the
/// virtualenv, and `whole_machine()` keeps them apart).
#[test]
fn schemathesis_finds_no_failures_on_postgresql() {
    let _machine = whole_machine();
    if python_is_missing() {
        return;
    }
    let Some(database) = PgDatabase::create() else {
        return;
    };
    run_script(
        "conformance.sh",
        &[("MASTHEAD_E2E_DATABASE_URL", &database.url)],
    );
}

/// Media read by Pillow: `scripts/media-check.sh` uploads images Pillow made
/// (a JPEG with EXIF orientation and GPS, PNG, WebP, an animated GIF) and
/// decodes every format and size the server sends back, checking the crop
/// around the focal point and that no EXIF or GPS data is left. Pillow is
/// pinned, from PyPI, in the shared virtualenv.
#[test]
fn pillow_reads_every_rendition_and_finds_no_metadata() {
    let _machine = whole_machine();
    if python_is_missing() {
        return;
    }
    run_script("media-check.sh", &[]);
}

/// The generated TypeScript client (clients/typescript) type-checks against
/// the committed OpenAPI document and works against a live server: list,
/// detail, create with a token and a 422. Skipped (with a clear line) when
/// node or npm is missing.
#[test]
fn typescript_client_typechecks_and_talks_to_a_live_server() {
    let _machine = whole_machine();
    if !on_path("node") || !on_path("npm") {
        println!("SKIPPED: the TypeScript client test needs node and npm");
        return;
    }
    run_script("typescript-client.sh", &[]);
}

/// The docs page in a real browser: `scripts/browser-docs.sh` opens `/docs/`
/// in headless Debian Chromium with no network, checks that every operation
/// of `/openapi.json` is listed and that a "Try it out" GET of the article
/// list returns 200 (tests/browser/docs-page.mjs).
///
/// Needs `/usr/bin/chromium` (Debian's package), Node >= 20 and npm. Without
/// Chromium the script prints `SKIPPED: ...` and succeeds, unless `CI=true`
/// or `MASTHEAD_INSTALL_CHROMIUM=1` asks it to install Chromium with apt-get
/// first.
#[test]
fn docs_page_lists_every_operation_and_try_it_out_works() {
    let _machine = whole_machine();
    let stdout = run_script("browser-docs.sh", &[]);
    if stdout.contains("SKIPPED:") {
        // Straight to the process's stderr too, past the test harness's capture, so the skip is seen.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: docs page test needs Debian's chromium (set MASTHEAD_INSTALL_CHROMIUM=1 to install it)"
        );
    }
}
