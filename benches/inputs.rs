//! How reading and checking inputs grows with their size: a template with N keys in one map
//! (`studioform validate`), an org file with N personas (load and synth), and an org file with
//! N people whose names are all wrong (load, and render every finding). Each is timed at N and
//! 10 N; growth is linear when 10 times the input costs at most 12 times the time.
//! Run with `cargo bench --bench inputs [-- N]` (N defaults to 10,000).

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

/// The fastest of a few runs (inputs built outside the timing).
/// A kind of input: its name, how to make one of size N, and how to check it.
type Case = (&'static str, fn(usize) -> String, fn(String) -> usize);

fn time(make: fn(usize) -> String, check: fn(String) -> usize, n: usize) -> Duration {
    let runs = if n >= 100_000 { 3 } else { 5 };
    (0..runs)
        .map(|_| {
            let input = make(n);
            let start = Instant::now();
            std::hint::black_box(check(input));
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let n = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10_000usize);
    let cases: [Case; 3] = [
        ("template keys (validate)", template, check_template),
        ("personas (load + synth)", personas, check_personas),
        ("bad users (load + render findings)", bad_users, check_bad_users),
    ];
    println!("| input | N = {n} | N = {} | ratio | linear (≤ 12x) |", n * 10);
    println!("|---|---|---|---|---|");
    let mut linear = true;
    for (name, make, check) in cases {
        let small = time(make, check, n);
        let large = time(make, check, n * 10);
        let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-9);
        linear &= ratio <= 12.0;
        println!(
            "| {name} | {:.1} ms | {:.1} ms | {ratio:.1}x | {} |",
            small.as_secs_f64() * 1e3,
            large.as_secs_f64() * 1e3,
            if ratio <= 12.0 { "yes" } else { "NO" }
        );
    }
    if !linear {
        std::process::exit(1);
    }
}
