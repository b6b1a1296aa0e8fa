//! Validation speed: writes the stacks of a generated estate (10,000 people by default),
//! then times `studioform::validate::file` over every template, as `studioform validate`
//! runs it, and then over cfn-lint's own fixtures (`tests/world/cfn-lint`). When cfn-lint is
//! on PATH (or named by CFN_LINT), times it on the same files and prints the ratio.
//! Run with `cargo bench --bench validate [-- USERS]`.

use std::process::Command;
use std::time::Instant;

#[path = "support/estate.rs"]
mod support;
use support::estate;

fn main() {
    let users = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10_000);
    let dir = std::env::temp_dir().join(format!("studioform-validate-bench-{}", std::process::id()));
    let loaded = studioform::config::load_str("bench.yaml", estate(users, 4, 20)).unwrap_or_else(|e| panic!("{e}"));
    let bundle = studioform::synth(&loaded, &Default::default(), studioform::render::Format::Yaml)
        .unwrap_or_else(|d| panic!("{d:?}"));
    let files = studioform::output::render(&loaded.org.name, &bundle, studioform::render::Format::Yaml);
    studioform::output::write(&dir, &files).unwrap_or_else(|e| panic!("{e}"));
    let templates: Vec<_> = files.iter().filter(|f| f.path.ends_with(".yaml")).map(|f| dir.join(&f.path)).collect();
    let bytes: usize = files.iter().filter(|f| f.path.ends_with(".yaml")).map(|f| f.content.len()).sum();

    let start = Instant::now();
    let counts = studioform::par_map(&templates, |p| match studioform::validate::file(p) {
        Ok((_, d)) => (d.iter().filter(|d| d.is_error()).count(), d.iter().filter(|d| !d.is_error()).count()),
        Err(e) => panic!("{e}"),
    });
    let ours = start.elapsed().as_secs_f64();
    let (errors, warnings) = counts.iter().fold((0, 0), |a, c| (a.0 + c.0, a.1 + c.1));
    println!("{users} users: {} templates, {bytes} bytes", templates.len());
    println!("studioform validate: {ours:.3} s, {errors} errors, {warnings} warnings (bodies over the inline limit)");

    let cfn_lint = std::env::var("CFN_LINT").unwrap_or_else(|_| "cfn-lint".into());
    compare(&cfn_lint, &templates, ours);
    let _ = std::fs::remove_dir_all(&dir);

    // Templates of every kind nobody on the project wrote: cfn-lint's own fixtures.
    let world = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/world/cfn-lint");
    let mut fixtures = Vec::new();
    collect(&world, &mut fixtures);
    fixtures.sort();
    let start = Instant::now();
    let rejected = studioform::par_map(&fixtures, |p| match studioform::validate::file(p) {
        Ok((_, d)) => d.iter().any(|d| d.is_error()),
        Err(_) => true,
    });
    let ours = start.elapsed().as_secs_f64();
    println!(
        "cfn-lint's fixtures: {} templates; studioform validate: {ours:.3} s, {} rejected",
        fixtures.len(),
        rejected.iter().filter(|r| **r).count()
    );
    compare(&cfn_lint, &fixtures, ours);
}

/// Times cfn-lint on `files` and prints how many times longer it takes than `ours` seconds.
fn compare(cfn_lint: &str, files: &[std::path::PathBuf], ours: f64) {
    let start = Instant::now();
    match Command::new(cfn_lint).arg("--").args(files).output() {
        Ok(out) => {
            let theirs = start.elapsed().as_secs_f64();
            println!(
                "cfn-lint: {theirs:.3} s, exit {}: studioform is {:.0}x faster",
                out.status.code().unwrap_or(-1),
                theirs / ours.max(1e-9)
            );
        }
        Err(_) => println!("cfn-lint: not found (set CFN_LINT to compare)"),
    }
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
            out.push(path);
        }
    }
}
