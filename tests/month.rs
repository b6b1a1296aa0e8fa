//! A month in the life of an estate, scripted: people join, move between teams and domains,
//! leave and are renamed; a team is added, renamed and disbanded; the VPC changes. Each step
//! checks what `diff`, `synth` and the generated README say, as an admin would read them.
//!
//! `cargo test --test month -- --nocapture` prints the month's transcript.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{cli, generation, temp_dir};

const DAY_ONE: &str = "\
version: 1
name: acme
identity:
  mode: iam
network:
  vpc_id: vpc-0abc0abc0abc0abc0
  subnet_ids: [subnet-0a0a0a0a0a0a0a0a0]
admins:
  principals: [arn:aws:iam::111122223333:role/CloudAdmin]
domains:
  - name: research
    source_identity: true
  - name: production
teams:
  - name: vision
    domain: research
    buckets: [acme-vision-data]
  - name: nlp
    domain: research
    buckets: [acme-nlp-data]
  - name: fraud
    domain: production
    buckets: [acme-fraud-features]
users:
  - name: alice
    team: vision
    id: alice
  - name: bob
    team: vision
    id: bob
  - name: carol
    team: nlp
    id: carol
  - name: erin
    team: fraud
    id: erin
";

/// The estate's folder, its org file, and the transcript of what the admin saw.
struct Month {
    dir: PathBuf,
    config: PathBuf,
    out: PathBuf,
    text: String,
    transcript: String,
}

/// What one command said.
struct Said {
    code: i32,
    out: String,
    err: String,
}

impl Said {
    fn all(&self) -> String {
        format!("{}{}", self.out, self.err)
    }
}

impl Month {
    fn new() -> Self {
        let dir = temp_dir("month");
        let config = dir.join("studioform.yaml");
        let out = dir.join("out");
        Self { dir, config, out, text: DAY_ONE.to_owned(), transcript: String::new() }
    }

    /// Edits the org file: each `(from, to)` must change it.
    fn edit(&mut self, day: &str, edits: &[(&str, &str)]) {
        for (from, to) in edits {
            assert!(self.text.contains(from), "{day}: `{from}` is not in the org file");
            self.text = self.text.replacen(from, to, 1);
        }
        self.transcript.push_str(&format!("\n## {day}\n"));
    }

    /// Runs `studioform <command> --config studioform.yaml --out out <extra>`.
    fn run(&mut self, command: &str, extra: &[&str]) -> Said {
        std::fs::write(&self.config, &self.text).unwrap();
        let mut args = vec![command, "--config", self.config.to_str().unwrap(), "--out", self.out.to_str().unwrap()];
        args.extend(extra);
        let (code, out, err) = cli(&args);
        let local =
            |s: &str| s.replace(&format!("{}/", self.dir.display()), "").replace(self.dir.to_str().unwrap(), ".");
        let said = Said { code, out: local(&out), err: local(&err) };
        let shown = extra.iter().map(|e| format!(" {e}")).collect::<String>();
        self.transcript.push_str(&format!("$ studioform {command}{shown}   # exit {code}\n"));
        // Tables and source excerpts left out: the messages, where they point, and the help.
        let shown = |l: &&str| {
            !l.starts_with(['│', '┌', '├', '└'])
                && !l.trim_start().starts_with(['|', '^'])
                && !l.trim().is_empty()
                && !l.chars().next().is_some_and(|c| c.is_ascii_digit() && l.contains(" | "))
        };
        for line in said.all().lines().filter(shown).take(24) {
            self.transcript.push_str(&format!("{line}\n"));
        }
        said
    }

    fn readme(&self) -> String {
        std::fs::read_to_string(self.out.join("README.md")).unwrap()
    }
}

fn has(said: &Said, what: &str) {
    assert!(said.all().contains(what), "expected `{what}` in:\n{}", said.all());
}

fn exists(out: &Path, file: &str) -> bool {
    out.join(file).exists()
}

#[test]
fn a_month_of_changes() {
    let mut m = Month::new();

    m.edit("Day 1: the estate", &[]);
    let s = m.run("synth", &[]);
    assert_eq!(s.code, 0, "{}", s.err);
    has(&s, "changed stacks (deploy these): acme-domain-production, acme-domain-research");
    assert!(m.readme().contains("| 4 | `acme-users-research-1` | workload |"), "{}", m.readme());

    m.edit("Day 3: dana joins vision", &[("users:\n", "users:\n  - name: dana\n    team: vision\n    id: dana\n")]);
    let s = m.run("diff", &[]);
    has(&s, "[+] AWS::SageMaker::UserProfile ProfileDana");
    assert!(!s.out.contains("Requires replacement"), "{}", s.out);
    let s = m.run("synth", &[]);
    assert_eq!(s.code, 0, "{}", s.err);
    has(&s, "changed stacks (deploy these): acme-users-research-1\n");

    m.edit(
        "Day 6: bob moves to nlp, in the same domain",
        &[("  - name: bob\n    team: vision", "  - name: bob\n    team: nlp")],
    );
    let s = m.run("diff", &[]);
    has(&s, "[~] AWS::SageMaker::UserProfile ProfileBob");
    has(&s, "ExecutionRole");
    assert!(!s.out.contains("Requires replacement"), "an update in place: {}", s.out);
    let s = m.run("synth", &[]);
    assert_eq!(s.code, 0, "{}", s.err);

    m.edit(
        "Day 8: carol moves to fraud, in another domain",
        &[("  - name: carol\n    team: nlp", "  - name: carol\n    team: fraud")],
    );
    let s = m.run("diff", &[]);
    has(&s, "Requires replacement or deletes people's work:");
    has(&s, "synth refuses");
    let before = generation(&m.out);
    let s = m.run("synth", &[]);
    assert_eq!(s.code, 1);
    has(&s, "error[CFG050]: user profile `carol` would be deleted from stack `acme-users-research-1`");
    has(&s, "the person's team is now in another domain, where they get a new, empty profile");
    has(&s, "To approve this change alone: --allow-replace user:carol");
    assert_eq!(generation(&m.out), before, "a refused synth writes nothing");
    let s = m.run("synth", &["--allow-replace", "user:carol"]);
    assert_eq!(s.code, 0, "{}", s.err);
    has(&s, "warning[CFG050]");
    has(&s, "approved by --allow-replace: the profile stays in the account with its home directory");
    assert!(!s.err.contains("pass --allow-replace"), "{}", s.err);

    m.edit("Day 10: alice leaves", &[("  - name: alice\n    team: vision\n    id: alice\n", "")]);
    let s = m.run("synth", &[]);
    assert_eq!(s.code, 1);
    has(
        &s,
        "error[CFG050]: user profile `alice` would be deleted from stack `acme-users-research-1`: it is no longer in the org file",
    );
    let s = m.run("synth", &["--allow-replace", "user:alice"]);
    assert_eq!(s.code, 0, "{}", s.err);
    has(&s, "end their sign-in (IAM user, SAML or Identity Center assignment) to end their access");

    m.edit("Day 13: bob is now robert (same id)", &[("  - name: bob\n", "  - name: robert\n")]);
    let s = m.run("synth", &[]);
    assert_eq!(s.code, 1);
    has(&s, "the person with id `bob` is now named `robert`");
    has(&s, "add `previous_name: bob` to the person");
    m.edit(
        "Day 13: ... with the previous name",
        &[("  - name: robert\n", "  - name: robert\n    previous_name: bob\n")],
    );
    let before = generation(&m.out);
    let s = m.run("synth", &[]);
    assert_eq!(s.code, 0, "{}", s.err);
    has(&s, "0 file(s) changed");
    assert_eq!(generation(&m.out), before, "robert keeps bob's profile");

    m.edit(
        "Day 15: a new team, risk, in production",
        &[("users:\n", "  - name: risk\n    domain: production\n    buckets: [acme-risk-data]\nusers:\n")],
    );
    let s = m.run("synth", &[]);
    assert_eq!(s.code, 0, "{}", s.err);
    has(&s, "changed stacks (deploy these): acme-team-risk\n");

    m.edit(
        "Day 17: nlp is renamed language",
        &[("  - name: nlp\n", "  - name: language\n"), ("team: nlp", "team: language")],
    );
    let s = m.run("diff", &[]);
    has(&s, "Stack acme-team-nlp (stacks/acme-team-nlp.yaml) (no longer synthesized: delete the stack)");
    let s = m.run("synth", &[]);
    assert_eq!(s.code, 0, "{}", s.err);
    has(&s, "warning: 1 stack(s) no longer synthesized");
    has(&s, "aws cloudformation delete-stack --stack-name acme-team-nlp");
    has(&s, "If team `language` is team `nlp` renamed, set `previous_name: nlp` on it");
    assert!(m.readme().contains("| `acme-team-nlp` | workload | a team's execution role |"), "{}", m.readme());
    m.edit(
        "Day 17: ... with the previous name",
        &[("  - name: language\n", "  - name: language\n    previous_name: nlp\n")],
    );
    let s = m.run("synth", &[]);
    assert_eq!(s.code, 0, "{}", s.err);
    assert!(exists(&m.out, "stacks/acme-team-nlp.yaml") && !exists(&m.out, "stacks/acme-team-language.yaml"));
    assert!(!s.err.contains("the last output had no stack"), "the stack comes back from the retired: {}", s.err);
    has(&s, "aws cloudformation delete-stack --stack-name acme-team-language");
    // The stack of the new name was written, not deployed: said deleted, it is not listed.
    let s = m.run("synth", &["--forget-stack", "acme-team-language"]);
    assert_eq!(s.code, 0, "{}", s.err);
    assert!(!m.readme().contains("Stacks to delete"), "{}", m.readme());

    m.edit(
        "Day 22: the risk team is disbanded",
        &[("  - name: risk\n    domain: production\n    buckets: [acme-risk-data]\n", "")],
    );
    let s = m.run("synth", &[]);
    assert_eq!(s.code, 0, "{}", s.err);
    has(&s, "aws cloudformation delete-stack --stack-name acme-team-risk");
    assert!(!s.err.contains("previous_name"), "no rename suspected: {}", s.err);
    let readme = m.readme();
    assert!(readme.contains("## Stacks to delete") && readme.contains("`acme-team-risk`"), "{readme}");
    assert!(readme.contains("aws cloudformation wait stack-delete-complete --stack-name acme-team-risk"), "{readme}");
    let section = &readme[readme.find("## Stacks to delete").unwrap()..];
    m.transcript.push_str(&format!("$ sed -n '/## Stacks to delete/,$p' out/README.md\n{section}"));

    m.edit("Day 27: Studio moves to a new VPC", &[("vpc-0abc0abc0abc0abc0", "vpc-0def0def0def0def0")]);
    let s = m.run("diff", &[]);
    has(&s, "AWS::SageMaker::Domain Domain in acme-domain-research");
    has(&s, "synth refuses");
    let before = generation(&m.out);
    let s = m.run("synth", &[]);
    assert_eq!(s.code, 1);
    has(&s, "error[CFG050]: domain `research` in stack `acme-domain-research` would be replaced");
    has(&s, "the network is every domain's");
    assert_eq!(generation(&m.out), before);
    assert!(m.readme().contains("`acme-team-risk`"), "still to delete");

    println!("{}", m.transcript);
}
