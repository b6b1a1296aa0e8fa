//! Inputs as an attacker or a careless commit would shape them: custom product templates that
//! lead out of the repository, files that never end or block, aliases and templates that
//! multiply, characters YAML cannot carry, and values too large to echo.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{cli, minimal, temp_dir};
use studioform::{Error, config};

/// An org directory with one custom product template `products/<name>` holding `template`.
fn org_with_custom(name: &str, custom: &str) -> PathBuf {
    let dir = temp_dir(name);
    std::fs::create_dir_all(dir.join("products")).unwrap();
    let text =
        minimal() + &format!("catalog:\n  portfolio: P\n  provider: Q\n  products: []\n  custom: ['{custom}']\n");
    std::fs::write(dir.join("studioform.yaml"), text).unwrap();
    dir
}

fn synth(dir: &Path) -> (i32, String) {
    let config = dir.join("studioform.yaml");
    let out = dir.join("out");
    let (code, _, err) = cli(&["synth", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    (code, err)
}

#[test]
fn custom_templates_outside_the_org_files_directory_are_refused_at_the_line_that_names_them() {
    for (name, path) in [("custom-climb", "../secret.yaml.hbs"), ("custom-absolute", "/etc/secret.yaml.hbs")] {
        let dir = org_with_custom(name, path);
        let (code, err) = synth(&dir);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains(&format!("error[CFG041]: custom product template `{path}` is outside")), "{err}");
        assert!(err.contains("studioform.yaml:24:12"), "{err}");
        assert!(!dir.join("out").exists());
    }
}

#[cfg(unix)]
#[test]
fn a_custom_template_linked_to_a_secret_is_never_read_or_echoed() {
    let dir = org_with_custom("custom-link", "products/env.yaml.hbs");
    // SAFETY of the assertion: the variable is set for this process, so /proc/self/environ
    // holds it; not one byte of it may reach the error.
    let secret = std::env::var("PATH").unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", dir.join("products/env.yaml.hbs")).unwrap();
    let (code, err) = synth(&dir);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[CFG041]: cannot read custom product template products/env.yaml.hbs"), "{err}");
    assert!(err.contains("resolves through a symbolic link to a file outside the org file's directory"), "{err}");
    assert!(!err.contains(&secret) && !err.contains("PATH="), "{err}");

    // A link that stays inside the directory is fine.
    std::fs::remove_file(dir.join("products/env.yaml.hbs")).unwrap();
    std::fs::copy(common::root().join("examples/products/team-bucket.yaml.hbs"), dir.join("products/real.hbs"))
        .unwrap();
    std::os::unix::fs::symlink("real.hbs", dir.join("products/env.yaml.hbs")).unwrap();
    let (code, err) = synth(&dir);
    assert_eq!(code, 0, "{err}");
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_refused_without_blocking() {
    let dir = org_with_custom("custom-fifo", "products/pipe.yaml.hbs");
    assert!(std::process::Command::new("mkfifo").arg(dir.join("products/pipe.yaml.hbs")).status().unwrap().success());
    let (code, err) = synth(&dir);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("it is a FIFO (named pipe), not a regular file"), "{err}");

    let fifo = dir.join("org.yaml");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    for args in [
        vec!["synth", "--config", fifo.to_str().unwrap(), "--out", dir.join("o").to_str().unwrap()],
        vec!["validate", fifo.to_str().unwrap()],
        vec!["synth", "--config", "/dev/zero", "--out", dir.join("o").to_str().unwrap()],
        vec!["validate", "/dev/zero"],
    ] {
        let (code, _, err) = cli(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("not a regular file"), "{err}");
    }
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    let dir = temp_dir("sparse");
    let big = dir.join("big.yaml");
    // Sparse: 5 GB that take no disk and would take as much memory if read.
    std::fs::File::create(&big).unwrap().set_len(5 << 30).unwrap();
    for args in [vec!["validate", big.to_str().unwrap()], vec!["synth", "--config", big.to_str().unwrap()]] {
        let (code, _, err) = cli(&args);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("larger than 67108864 bytes"), "{err}");
    }
}

#[test]
fn an_alias_of_a_long_string_repeated_is_refused_by_its_expanded_size() {
    let long = "x".repeat(1 << 20);
    let aliases = vec!["*a"; 20_000].join(", ");
    let text = format!("a: &a \"{long}\"\nb: [{aliases}]\n");
    let Err(Error::Invalid { diags, file }) = config::load_str("bomb.yaml", text.clone()) else { panic!() };
    assert!(diags[0].message.contains("alias bomb"), "{}", diags[0].message);
    let rendered = studioform::diag::render(&diags, &file);
    assert!(rendered.len() < 2_000, "no megabyte snippet: {} bytes", rendered.len());
    let Err(Error::Unusable { diags, .. }) = studioform::validate::text("bomb.yaml".into(), text) else { panic!() };
    assert!(diags[0].message.contains("alias bomb"), "{}", diags[0].message);
}

#[test]
fn characters_yaml_cannot_carry_are_escaped_in_what_synth_writes() {
    let description = "a\u{FFFE}b\u{FFFF}c\u{2028}d\u{85}e\u{FEFF}f\u{7}g";
    let text = minimal()
        + &format!(
            "catalog:\n  portfolio: P\n  provider: Q\n  description: \"{}\"\n",
            description.chars().map(|c| format!("\\u{:04X}", c as u32)).collect::<String>()
        );
    let files = common::synth_files(&text, studioform::render::Format::Yaml);
    let portfolio = files.iter().find(|f| f.path == "catalog/portfolio.yaml").unwrap();
    let line = portfolio.content.lines().find(|l| l.trim_start().starts_with("Description: \"a")).unwrap();
    assert_eq!(line.trim(), r#"Description: "a\uFFFEb\uFFFFc\u2028d\u0085e\uFEFFf\u0007g""#);
    // Read back, it is the same text.
    let (_, findings) = studioform::validate::text("p.yaml".into(), portfolio.content.clone()).unwrap();
    assert!(findings.iter().all(|d| !d.is_error()), "{findings:?}");
    let back = studioform::validate::read::template(&studioform::yaml::parse(&portfolio.content).unwrap()).unwrap();
    assert_eq!(back["Resources"]["Portfolio"]["Properties"]["Description"], description);
}

#[test]
fn an_empty_value_is_never_taken_for_the_text_null() {
    for empty in ["null", "~", "Null", ""] {
        let text = minimal().replace("id: alice", &format!("id: {empty}"));
        let Err(Error::Invalid { diags, .. }) = config::load_str("x.yaml", text) else { panic!("{empty:?} accepted") };
        assert_eq!(diags[0].code, "CFG002", "{empty:?}");
        assert!(diags[0].message.starts_with("expected a string, found an empty value"), "{}", diags[0].message);
    }
    let quoted = minimal().replace("id: alice", "id: 'null'");
    assert_eq!(common::load(&quoted).org.users[0].id, "null");
}

#[test]
fn huge_values_and_lines_are_shortened_in_errors() {
    let team = "v".repeat(3_000_000);
    let text = minimal().replace("    team: vision\n    id: alice", &format!("    team: {team}\n    id: alice"));
    let Err(Error::Invalid { diags, file }) = config::load_str("x.yaml", text) else { panic!() };
    let rendered = studioform::diag::render(&diags, &file);
    assert!(rendered.len() < 4_000, "{} bytes", rendered.len());
    assert!(rendered.contains("unknown team `vvvv"), "{rendered}");
    assert!(rendered.contains('…'), "{rendered}");
    let json = serde_json::to_string(&studioform::diag::JsonDiagnostic::new(&diags[0], &file)).unwrap();
    assert!(json.len() < 3_000, "{} bytes", json.len());
}

#[test]
fn errors_without_a_line_name_the_file_without_a_zero_position() {
    let text = "a: ".to_owned() + &"x".repeat(studioform::yaml::MAX_INPUT_BYTES);
    let Err(Error::Invalid { diags, file }) = config::load_str("huge.yaml", text) else { panic!() };
    let rendered = studioform::diag::render(&diags, &file);
    assert!(rendered.contains("--> huge.yaml\n"), "{}", &rendered[..rendered.len().min(500)]);
    assert!(!rendered.contains(":0:"), "{}", &rendered[..rendered.len().min(500)]);
}

#[test]
fn a_custom_template_error_quotes_only_its_own_line_shortened() {
    let dir = org_with_custom("custom-echo", "products/t.yaml.hbs");
    let long = "y".repeat(5_000);
    std::fs::write(dir.join("products/t.yaml.hbs"), format!("Resources:\n  A: [{long}\nB: {{{{name}}}}\n")).unwrap();
    let (code, err) = synth(&dir);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("of the rendered template: not valid YAML"), "{err}");
    assert!(err.len() < 2_000, "{err}");
}

#[test]
fn a_custom_product_may_not_take_the_name_of_a_part_of_the_team_product() {
    let dir = temp_dir("custom-team-part");
    let text = minimal()
        + "catalog:\n  portfolio: P\n  provider: Q\n  products: [team]\n  custom: [products/team-2.yaml.hbs, products/team-tools.yaml.hbs]\n";
    std::fs::write(dir.join("studioform.yaml"), text).unwrap();
    let (code, err) = synth(&dir);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[CFG020]: product name `team-2` is reserved"), "{err}");
    assert_eq!(err.matches("error[").count(), 1, "`team-tools` is a name of its own: {err}");
    assert!(!dir.join("out").exists());
}
