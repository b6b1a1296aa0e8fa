//! Mutation fuzzing of everything that reads user input: the org loader (and synth when a
//! mangled file still loads), the template reader and validator, and the custom product
//! template renderer. Inputs are the shipped examples, fixtures and templates, mangled by a
//! seeded generator, plus hostile shapes (deep nesting, alias chains, long lines). Nothing
//! may panic, abort or overflow the stack, no finding may point at line 0, and the process
//! stays under [`MEMORY_BUDGET`] at its peak.
//!
//! `STUDIOFORM_FUZZ_ITERATIONS` (default 600 per target) runs longer; `STUDIOFORM_FUZZ_SEED`
//! starts elsewhere. A failing input is saved under `target/fuzz-failures/`.

#![allow(clippy::unwrap_used)]

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use studioform::diag::{self, Diagnostic, Source};
use studioform::{Error, config, render, validate};

/// Peak resident memory the fuzzing process may reach, in bytes: the inputs are at most a
/// few hundred kilobytes, and every reader bounds what it expands.
const MEMORY_BUDGET: u64 = 512 * 1024 * 1024;

/// Tokens that mean something to YAML, CloudFormation or handlebars, spliced into inputs.
const TOKENS: &[&str] = &[
    "&a ",
    "*a",
    "&b [*a, *a, *a, *a]",
    "!Ref ",
    "!GetAtt ",
    "!Sub ",
    "!!str ",
    "!If [",
    "{",
    "}",
    "[",
    "]",
    ": ",
    "- ",
    "'",
    "\"",
    "\n",
    "\n  ",
    "\n    - ",
    "\t",
    "<<: *a",
    "---\n",
    "...\n",
    "~",
    "null",
    "? ",
    "|\n  ",
    ">-\n  ",
    "0x1F",
    "0o17",
    "2010-09-09",
    "yes",
    "1e400",
    ".nan",
    "-.inf",
    ",",
    "${",
    "${aws:username}",
    "*",
    "#",
    "%YAML 1.1\n",
    "\u{FFFE}",
    "\\uFFFE",
    "\u{FEFF}",
    "\u{2028}",
    "\u{0}",
    "{{",
    "}}",
    "{{name}}",
    "{{#each teams}}",
    "{{/each}}",
    "{{> p}}",
    "{{#*inline \"p\"}}{{> p}}{{/inline}}",
    "{{#if}}",
    "{{lookup this 0}}",
    "{{else}}",
    "Fn::If",
    "Fn::Join",
    "Resources",
    "Type: AWS::IAM::Role",
    "Properties",
    "Ref",
    "DependsOn: [A]",
    "Condition: C",
    "users:\n  - name: x\n    team: vision\n    id: y\n",
    "teams: []\n",
    "- name: a\n  domain: research\n",
];

/// A small, seeded xorshift generator: the same seed gives the same inputs on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

fn mutate(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(7) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] = rng.next() as u8;
            }
            1 | 2 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                out.splice(at..at, token.iter().copied());
            }
            3 => {
                let end = (at + rng.below(64)).min(out.len());
                out.drain(at..end);
            }
            4 => {
                let start = rng.below(out.len() + 1);
                let end = (start + rng.below(256)).min(out.len());
                let chunk = out[start..end].to_vec();
                out.splice(at..at, chunk);
            }
            5 => {
                let other = &corpus[rng.below(corpus.len())];
                let start = rng.below(other.len() + 1);
                let end = (start + rng.below(512)).min(other.len());
                out.splice(at..at, other[start..end].iter().copied());
            }
            _ => out.truncate(at),
        }
    }
    out
}

/// Every file under `dirs` (relative to the crate root) whose name ends with one of `exts`.
fn corpus(dirs: &[&str], exts: &[&str]) -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    let mut stack: Vec<std::path::PathBuf> = dirs.iter().map(|d| common::root().join(d)).collect();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if exts.iter().any(|x| p.to_string_lossy().ends_with(x)) {
                files.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    files.sort();
    let mut inputs: Vec<Vec<u8>> = files.into_iter().map(|(_, b)| b).collect();
    inputs.extend(hostile());
    inputs
}

/// Shapes that stress limits rather than grammar.
fn hostile() -> Vec<Vec<u8>> {
    let deep_flow = format!("a: {}{}\n", "[".repeat(200), "]".repeat(200));
    let deep_block: String = (0..100).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
    let aliases: String = (0..12)
        .map(|i| {
            if i == 0 {
                "a0: &a0 [x, x, x, x, x, x, x, x]\n".to_owned()
            } else {
                format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n", p = i - 1)
            }
        })
        .collect();
    let long_line = format!("name: {}\n", "n".repeat(200_000));
    let many_keys: String = (0..20_000).map(|i| format!("k{i}: v\n")).collect();
    [deep_flow, deep_block, aliases, long_line, many_keys].map(String::into_bytes).to_vec()
}

fn iterations() -> usize {
    std::env::var("STUDIOFORM_FUZZ_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(600)
}

fn seed(salt: u64) -> Rng {
    let base: u64 = std::env::var("STUDIOFORM_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x5eed);
    Rng(base.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ salt | 1)
}

/// Runs `target` on `iterations()` mangled inputs; a panic, or a finding without a position
/// where one was expected, fails with the input saved.
fn fuzz(name: &str, corpus: &[Vec<u8>], salt: u64, target: impl Fn(&[u8]) -> Result<(), String>) {
    let mut rng = seed(salt);
    for i in 0..iterations() {
        let base = &corpus[i % corpus.len()];
        let input = mutate(&mut rng, base, corpus);
        let outcome = catch_unwind(AssertUnwindSafe(|| target(&input)));
        let problem = match outcome {
            Ok(Ok(())) => continue,
            Ok(Err(why)) => why,
            Err(_) => "panicked".to_owned(),
        };
        let dir = common::root().join("target/fuzz-failures");
        std::fs::create_dir_all(&dir).unwrap();
        let saved = dir.join(format!("{name}-{i}.input"));
        std::fs::write(&saved, &input).unwrap();
        panic!("{name}: input {i} {problem}; saved to {}", saved.display());
    }
    assert_memory_within_budget();
}

/// Rendered findings must never claim a position of line 0 or column 0.
fn check_rendered(diags: &[Diagnostic], source: &Source) -> Result<(), String> {
    let human = diag::render(diags, source);
    let lines = diag::render_lines(diags, source);
    for text in [&human, &lines] {
        if text.contains(&format!("{}:0:", source.name)) || text.contains(":0\n") {
            return Err(format!("rendered a zero position: {}", &text[..text.len().min(400)]));
        }
    }
    Ok(())
}

#[test]
fn the_org_loader_and_synth_survive_mangled_org_files() {
    let corpus = corpus(&["examples", "tests/fixtures"], &[".yaml"]);
    fuzz("org", &corpus, 1, |input| {
        let text = String::from_utf8_lossy(input).into_owned();
        let name = common::root().join("examples/fuzz.yaml").to_string_lossy().into_owned();
        match config::load_str(&name, text) {
            Ok(loaded) => match studioform::synth(&loaded, &Default::default(), render::Format::Yaml) {
                Ok(bundle) => {
                    studioform::output::render(&loaded.org.name, &bundle, render::Format::Yaml);
                    Ok(())
                }
                Err(diags) => check_rendered(&diags, &loaded.source),
            },
            Err(Error::Invalid { file, diags }) | Err(Error::Unusable { file, diags }) => check_rendered(&diags, &file),
            Err(other) => Err(format!("unexpected error kind: {other}")),
        }
    });
}

#[test]
fn the_template_reader_and_validator_survive_mangled_templates() {
    let corpus = corpus(&["tests/templates", "examples/products"], &[".yaml", ".json", ".hbs"]);
    fuzz("template", &corpus, 2, |input| {
        let text = String::from_utf8_lossy(input).into_owned();
        match validate::text("fuzz.yaml".into(), text) {
            Ok((source, diags)) => check_rendered(&diags, &source),
            Err(Error::Unusable { file, diags }) => check_rendered(&diags, &file),
            Err(other) => Err(format!("unexpected error kind: {other}")),
        }
    });
}

#[test]
fn the_custom_template_renderer_survives_mangled_templates() {
    let corpus = corpus(&["examples/products"], &[".hbs"]);
    let org = common::load(&std::fs::read_to_string(common::root().join("examples/acme.yaml")).unwrap()).org;
    let data = serde_json::to_value(&org).unwrap();
    fuzz("custom", &corpus, 3, |input| {
        let text = String::from_utf8_lossy(input);
        if let Ok(rendered) = render::custom(&text, &data)
            && let Ok(node) = studioform::yaml::parse(&rendered)
        {
            let _ = validate::read::template(&node);
        }
        Ok(())
    });
}

/// Peak resident memory of this process, where the platform reports it.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string(Path::new("/proc/self/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn assert_memory_within_budget() {
    if let Some(peak) = peak_memory() {
        assert!(peak < MEMORY_BUDGET, "peak memory {peak} bytes is over the budget of {MEMORY_BUDGET}");
    }
}
