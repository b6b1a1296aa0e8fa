//! `validate` on templates nobody on the project wrote: cfn-lint's own good and bad fixtures
//! (`tests/world/cfn-lint`, see its SOURCE.md), against cfn-lint 1.58.0's verdicts on the same
//! files (`cfn-lint.txt`, written by `.ci/world.sh --record`).

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::root;
use studioform::validate;

fn fixtures(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            fixtures(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
            out.push(path);
        }
    }
}

/// Each fixture by its path under the world folder (`good/...`, `bad/...`), with whether
/// studioform rejects it (an error finding, or a file that is no template) and its findings.
fn verdicts() -> Vec<(String, bool, Vec<&'static str>)> {
    let world = root().join("tests/world/cfn-lint");
    let mut files = Vec::new();
    fixtures(&world, &mut files);
    files.sort();
    files
        .iter()
        .map(|path| {
            let name = path.strip_prefix(&world).unwrap().to_string_lossy().replace('\\', "/");
            match validate::file(path) {
                Ok((_, diags)) => {
                    let errors: Vec<&str> = diags.iter().filter(|d| d.is_error()).map(|d| d.code).collect();
                    (name, !errors.is_empty(), errors)
                }
                Err(_) => (name, true, vec!["TPL000"]),
            }
        })
        .collect()
}

/// cfn-lint's verdict on each fixture: true when it reports an error.
fn cfn_lint() -> std::collections::HashMap<String, bool> {
    let text = std::fs::read_to_string(root().join("tests/world/cfn-lint/cfn-lint.txt")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (file, verdict) = l.rsplit_once(' ').unwrap();
            (file.to_owned(), verdict == "E")
        })
        .collect()
}

#[test]
fn rejects_no_good_fixture_cfn_lint_accepts_and_flags_as_many_bad_ones() {
    let theirs = cfn_lint();
    let ours = verdicts();
    assert_eq!(ours.len(), theirs.len(), "cfn-lint.txt lists every fixture");
    let mut false_rejections = Vec::new();
    let mut empty = 0;
    for (name, rejected, codes) in ours.iter().filter(|(n, _, _)| n.starts_with("good/")) {
        if !rejected || theirs[name] {
            continue;
        }
        // CloudFormation refuses a template without resources ("At least one Resources member
        // must be defined"); cfn-lint's configuration fixtures use `Resources: {}` as a stub.
        if codes.iter().all(|c| *c == "TPL103") {
            empty += 1;
            continue;
        }
        false_rejections.push(format!("{name}: {codes:?}"));
    }
    assert!(false_rejections.is_empty(), "good fixtures rejected:\n{}", false_rejections.join("\n"));
    assert!(empty <= 9, "{empty} good fixtures rejected for having no resources");

    let bad: Vec<_> = ours.iter().filter(|(n, _, _)| n.starts_with("bad/")).collect();
    let flagged = bad.iter().filter(|(_, rejected, _)| *rejected).count();
    let flagged_by_cfn_lint = theirs.iter().filter(|(n, e)| n.starts_with("bad/") && **e).count();
    assert!(bad.len() >= 97, "{} bad fixtures", bad.len());
    assert!(
        flagged >= flagged_by_cfn_lint,
        "studioform flags {flagged} of {} bad fixtures, cfn-lint {flagged_by_cfn_lint}; not flagged: {:?}",
        bad.len(),
        bad.iter().filter(|(_, r, _)| !r).map(|(n, _, _)| n).collect::<Vec<_>>()
    );
}
