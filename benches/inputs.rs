//! How reading and checking inputs grows with their size: a template with N keys in one map
//! (`studioform validate`), an org file with N personas (`studioform synth`), and an org file
//! with N people whose names are all wrong (`studioform synth`, every finding printed). Each
//! is timed at N and 10 N as the command a user runs (the fastest of several runs), and in
//! process (the library calls alone); growth is linear when 10 times the input costs at most
//! 12 times the command's time. The in-process figure grows a little faster at these sizes:
//! 10 N no longer fits the processor's cache.
//! Run with `cargo bench --bench inputs [-- N]` (N defaults to 10,000).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use studioform::{Error, config, diag, render, validate};

const HEAD: &str = "version: 1
name: acme
identity: {mode: iam}
network: {vpc_id: vpc-0abc0abc0abc0abc0, subnet_ids: [subnet-0a0a0a0a0a0a0a0a0]}
admins: {principals: ['arn:aws:iam::111122223333:role/CloudAdmin']}
domains: [{name: research}]
teams: [{name: vision, domain: research}]
";

fn template(n: usize) -> String {
    let mut s = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Metadata:\n",
    );
    for i in 0..n {
        s.push_str(&format!("      k{i}: v{i}\n"));
    }
    s
}

fn personas(n: usize) -> String {
    let mut s = format!("{HEAD}personas:\n");
    for i in 0..n {
        s.push_str(&format!("  p{i}:\n    activities: [run-studio-app, s3-bucket-access]\n"));
    }
    s
}

fn bad_users(n: usize) -> String {
    let mut s = format!("{HEAD}users:\n");
    for i in 0..n {
        s.push_str(&format!("  - name: bad_{i}\n    team: vision\n    id: u{i}\n"));
    }
    s
}

fn check_template(text: String) -> usize {
    match validate::text("bench.yaml".into(), text) {
        Ok((_, diags)) => diags.len(),
        Err(e) => panic!("{e}"),
    }
}

fn check_personas(text: String) -> usize {
    let loaded = config::load_str("bench.yaml", text).unwrap_or_else(|e| panic!("{e}"));
    let bundle =
        studioform::synth(&loaded, &Default::default(), render::Format::Yaml).unwrap_or_else(|d| panic!("{d:?}"));
    loaded.org.personas.len() + bundle.stacks.len()
}

fn check_bad_users(text: String) -> usize {
    match config::load_str("bench.yaml", text) {
        Err(Error::Invalid { file, diags }) => diag::render(&diags, &file).len(),
        _ => panic!("expected findings"),
    }
}

/// A kind of input: its name, how to make one of size N, how to check it in process, and
/// the command that checks a file of it.
type Case = (&'static str, fn(usize) -> String, fn(String) -> usize, &'static [&'static str]);

fn runs(n: usize) -> usize {
    if n >= 100_000 { 5 } else { 9 }
}

/// The fastest of a few in-process runs (inputs built outside the timing).
fn in_process(make: fn(usize) -> String, check: fn(String) -> usize, n: usize) -> Duration {
    (0..runs(n))
        .map(|_| {
            let input = make(n);
            let start = Instant::now();
            std::hint::black_box(check(input));
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// The fastest of a few runs of `studioform <args> <file>` on the input written to `file`.
fn command(make: fn(usize) -> String, args: &[&str], n: usize, dir: &Path) -> Duration {
    let file = dir.join(format!("input-{n}.yaml"));
    std::fs::write(&file, make(n)).unwrap_or_else(|e| panic!("{e}"));
    let out = dir.join("out");
    (0..runs(n))
        .map(|_| {
            let _ = std::fs::remove_dir_all(&out);
            let args: Vec<String> = args
                .iter()
                .map(|a| match *a {
                    "{file}" => file.display().to_string(),
                    "{out}" => out.display().to_string(),
                    other => other.to_owned(),
                })
                .collect();
            let start = Instant::now();
            let status = Command::new(env!("CARGO_BIN_EXE_studioform"))
                .args(&args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .unwrap_or_else(|e| panic!("{e}"));
            let took = start.elapsed();
            assert!(status.code().is_some_and(|c| c <= 1), "studioform {args:?} failed: {status}");
            took
        })
        .min()
        .unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let n = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10_000usize);
    let dir: PathBuf = std::env::temp_dir().join(format!("studioform-inputs-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let cases: [Case; 3] = [
        ("template keys", template, check_template, &["validate", "{file}"]),
        ("personas", personas, check_personas, &["synth", "--config", "{file}", "--out", "{out}"]),
        ("bad users", bad_users, check_bad_users, &["synth", "--config", "{file}", "--out", "{out}"]),
    ];
    println!(
        "| input | command, N = {n} | N = {} | ratio | in process, N | 10 N | ratio | linear (command ≤ 12x) |",
        n * 10
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut linear = true;
    for (name, make, check, args) in cases {
        let (small, large) = (command(make, args, n, &dir), command(make, args, n * 10, &dir));
        let (inner_small, inner_large) = (in_process(make, check, n), in_process(make, check, n * 10));
        let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-9);
        let inner = inner_large.as_secs_f64() / inner_small.as_secs_f64().max(1e-9);
        linear &= ratio <= 12.0;
        println!(
            "| {name} | {:.1} ms | {:.1} ms | {ratio:.1}x | {:.1} ms | {:.1} ms | {inner:.1}x | {} |",
            ms(small),
            ms(large),
            ms(inner_small),
            ms(inner_large),
            if ratio <= 12.0 { "yes" } else { "NO" }
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    if !linear {
        std::process::exit(1);
    }
}
