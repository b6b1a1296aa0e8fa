//! The terminal: colour where it helps and nowhere else, `--quiet`, and diagnostics as JSON
//! for tools.

#![allow(clippy::unwrap_used)]

mod common;

use common::{cli, root, temp_dir};
use studioform::cli::Terminals;

/// Runs the command line as the binary does, telling it whether stderr is a terminal.
fn run_on(args: &[&str], terminal: bool) -> (i32, String, String) {
    run_on_terminals(args, Terminals { stdout: false, stderr: terminal, width: None })
}

/// Runs the command line telling it which streams are terminals.
fn run_on_terminals(args: &[&str], terminals: Terminals) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = std::iter::once("studioform".to_owned()).chain(args.iter().map(|s| (*s).to_owned()));
    let code = studioform::cli::run_on(argv, &mut out, &mut err, terminals);
    (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

fn invalid() -> String {
    root().join("tests/fixtures/invalid/instance_type_invalid.yaml").to_string_lossy().into_owned()
}

#[test]
fn colour_on_a_terminal_only_and_never_with_no_color_or_color_never() {
    let config = invalid();
    let args = ["synth", "--config", &config, "--out", "unused-out"];
    let (code, _, err) = run_on(&args, true);
    assert_eq!(code, 1);
    // NO_COLOR may be set where the tests run: colour on a terminal then depends on it.
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    assert_eq!(err.contains("\x1b[1;31merror[CFG024]"), !no_color, "{err}");
    let (_, _, err) = run_on(&args, false);
    assert!(!err.contains('\x1b'), "not a terminal: plain text: {err}");
    let (_, _, err) = run_on(&["--color", "never", "synth", "--config", &config], true);
    assert!(!err.contains('\x1b'), "{err}");
    let (_, _, err) = run_on(&["synth", "--config", &config, "--color", "always"], false);
    assert!(
        err.starts_with("\x1b[1;31merror[CFG024]\x1b[0m\x1b[1m: `g5.xlarge` is not a SageMaker instance type"),
        "{err}"
    );
    assert!(err.contains("\x1b[1;34m  --> \x1b[0m"), "the gutter is blue: {err}");
    // Without the colours, the same text.
    let plain = run_on(&["synth", "--config", &config], false).2;
    let stripped =
        err.replace("\x1b[1;31m", "").replace("\x1b[1;34m", "").replace("\x1b[1m", "").replace("\x1b[0m", "");
    assert_eq!(stripped, plain, "colour adds nothing but colour");
}

#[test]
fn json_messages_one_per_line_for_tools() {
    let config = invalid();
    let (code, out, err) = cli(&["synth", "--config", &config, "--message-format", "json"]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    let lines: Vec<serde_json::Value> = err.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert_eq!(lines[0]["code"], "CFG024");
    assert_eq!(lines[0]["severity"], "error");
    assert_eq!((lines[0]["line"].as_u64(), lines[0]["column"].as_u64()), (Some(16), Some(22)));
    assert_eq!(lines[0]["path"], "teams[0].instance_types[0]");
    assert!(lines[0]["help"].as_str().unwrap().contains("ml.g5.xlarge"));

    // An error that is not a finding is a JSON line too.
    let (code, _, err) = cli(&["synth", "--config", "does-not-exist.yaml", "--message-format", "json"]);
    assert_eq!(code, 2);
    let line: serde_json::Value = serde_json::from_str(err.trim()).unwrap();
    assert!(line["message"].as_str().unwrap().contains("does-not-exist.yaml"), "{err}");
}

#[test]
fn quiet_says_errors_and_nothing_else() {
    let dir = temp_dir("terminal-quiet");
    std::fs::write(dir.join("org.yaml"), common::minimal()).unwrap();
    let config = dir.join("org.yaml");
    let out = dir.join("out");
    let args = ["synth", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap()];
    let (code, stdout, err) = cli(&[&args[..], &["--quiet"]].concat());
    assert_eq!(code, 0, "{err}");
    assert_eq!((stdout.as_str(), err.as_str()), ("", ""), "a quiet success prints nothing");
    assert!(out.join("manifest.json").exists(), "and still writes");
    let (code, stdout, _) = cli(&args);
    assert_eq!(code, 0);
    assert!(stdout.contains("wrote "), "without --quiet the summary is there: {stdout}");

    let (code, _, err) = cli(&["-q", "synth", "--config", &invalid()]);
    assert_eq!(code, 1);
    assert!(err.contains("error[CFG024]"), "errors are never quiet: {err}");
}

/// Completion scripts come from the same definition as the parser: every command and the
/// scoped `--allow-replace` are in them.
#[test]
fn completions_for_bash_zsh_and_fish() {
    let (code, bash, _) = cli(&["completions", "bash"]);
    assert_eq!(code, 0);
    for word in ["synth", "diff", "validate", "publish", "access", "init", "schema", "completions", "--allow-replace"] {
        assert!(bash.contains(word), "bash completes {word}");
    }
    let (code, zsh, _) = cli(&["completions", "zsh"]);
    assert_eq!(code, 0);
    assert!(zsh.starts_with("#compdef studioform"), "{}", &zsh[..40.min(zsh.len())]);
    let (code, fish, _) = cli(&["completions", "fish"]);
    assert_eq!(code, 0);
    assert!(fish.contains("complete -c studioform") && fish.contains("message-format"), "fish");
    let (code, _, err) = cli(&["completions", "tcsh"]);
    assert_eq!(code, 2, "an unknown shell is a usage error: {err}");
}

/// With `--message-format json` every line synth writes to stderr is JSON, warnings that are
/// not findings too; `--quiet` drops those warnings.
#[test]
fn json_and_quiet_hold_for_warnings_that_are_not_findings() {
    let dir = temp_dir("terminal-retired");
    let config = dir.join("org.yaml");
    let out = dir.join("out");
    let text = common::estate(4, 1, 3);
    std::fs::write(&config, &text).unwrap();
    let args = ["synth", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap()];
    assert_eq!(cli(&args).0, 0);
    let renamed = text.replace("name: team2\n", "name: risk\n").replace("team: team2,", "team: risk,");
    std::fs::write(&config, &renamed).unwrap();
    let (code, _, err) = cli(&[&args[..], &["--message-format", "json", "--allow-replace", "user:nobody"]].concat());
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = err.lines().map(|l| serde_json::from_str(l).expect(l)).collect();
    assert!(
        lines
            .iter()
            .any(|l| l["message"].as_str().unwrap().starts_with("--allow-replace user:nobody approves nothing")),
        "{err}"
    );
    assert!(
        lines.iter().any(|l| l["severity"] == "warning"
            && l["message"].as_str().unwrap().contains("delete-stack --stack-name big-team-team2")),
        "{err}"
    );

    std::fs::write(&config, &text).unwrap();
    let (code, stdout, err) = cli(&[&args[..], &["--quiet", "--allow-replace", "user:nobody"]].concat());
    assert_eq!(code, 0, "{err}");
    assert_eq!((stdout.as_str(), err.as_str()), ("", ""), "quiet: no warnings");
}

/// `validate` prints its findings to stdout: coloured when stdout is a terminal, never when it
/// goes to a file, whatever stderr is.
#[test]
fn validate_colours_by_where_its_findings_go() {
    let invalid = root().join("tests/templates/invalid/role_name_for_execution_role_arn.yaml");
    let args = ["validate", invalid.to_str().unwrap()];
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (_, out, _) = run_on_terminals(&args, Terminals { stdout: false, stderr: true, width: None });
    assert!(!out.contains('\x1b'), "to a file: plain: {out}");
    let (_, out, _) = run_on_terminals(&args, Terminals { stdout: true, stderr: false, width: None });
    assert_eq!(out.contains("\x1b[1;31merror[TPL203]"), !no_color, "{out}");
}

/// diff's IAM tables fit the terminal: on an 80-column terminal no line of a table is wider
/// than 80, and every action is still there, wrapped; in a pipe they are as wide as their
/// content, and `--format json` keeps each value whole.
#[test]
fn diff_tables_fit_the_terminal_width() {
    let dir = temp_dir("terminal-diff-width");
    let config = dir.join("org.yaml");
    std::fs::write(&config, common::minimal()).unwrap();
    let (config, out) = (config.to_str().unwrap().to_owned(), dir.join("out").to_str().unwrap().to_owned());
    // Nothing on disk yet: every statement is new, in tables.
    let args = ["diff", "--config", &config, "--out", &out];
    // COLUMNS, when set where the tests run, wins over the terminal's width, as it should.
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).filter(|w| *w > 0);
    let width = columns.unwrap_or(80);
    let (code, narrow, _) = run_on_terminals(&args, Terminals { stdout: true, stderr: true, width: Some(80) });
    assert_eq!(code, 0);
    let table_lines: Vec<&str> = narrow.lines().filter(|l| l.starts_with(['┌', '│', '├', '└'])).collect();
    assert!(table_lines.len() > 10, "{narrow}");
    for line in &table_lines {
        assert!(line.chars().count() <= width.max(60), "{} columns: {line}", line.chars().count());
    }
    let (_, wide, _) = run_on_terminals(&args, Terminals { stdout: false, stderr: false, width: None });
    if columns.is_none() {
        assert!(wide.lines().any(|l| l.chars().count() > 80), "a pipe gets whole lines");
        assert!(wide.contains("sagemaker:CreatePresignedDomainUrl"), "{wide}");
        // Wrapped, the same action is split over lines of one cell, not lost.
        let cells: String = narrow.lines().filter_map(|l| l.split('│').nth(4)).map(str::trim).collect();
        assert!(cells.contains("sagemaker:CreatePresignedDomainUrl"), "{narrow}");
    }
    let (_, json, _) = run_on_terminals(
        &["diff", "--config", &config, "--out", &out, "--format", "json"],
        Terminals { stdout: true, stderr: true, width: Some(40) },
    );
    assert!(json.contains("\"sagemaker:CreatePresignedDomainUrl\""), "{json}");
}
