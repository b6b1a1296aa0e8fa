//! Validation speed: writes the stacks of a generated estate (10,000 people by default),
//! then times `studioform::validate::file` over every template, as `studioform validate`
//! runs it. When cfn-lint is on PATH (or named by CFN_LINT), times it on the same files.
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
    let start = Instant::now();
    match Command::new(&cfn_lint).arg("--").args(&templates).output() {
        Ok(out) => {
            println!("cfn-lint: {:.3} s, exit {}", start.elapsed().as_secs_f64(), out.status.code().unwrap_or(-1))
        }
        Err(_) => println!("cfn-lint: not found (set CFN_LINT to compare)"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
