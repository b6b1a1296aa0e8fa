//! `publish` against moto's S3 server on 127.0.0.1, started here. `.ci/run` installs moto
//! from PyPI into `target/moto-venv`; set MOTO_SERVER to use another install.

#![cfg(feature = "publish")]
#![allow(clippy::unwrap_used)]

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{root, temp_dir};

struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    fn start() -> Self {
        let binary = std::env::var("MOTO_SERVER")
            .map(Into::into)
            .unwrap_or_else(|_| root().join("target/moto-venv/bin/moto_server"));
        assert!(
            binary.exists(),
            "moto_server not found at {}: run .ci/run, or pip install 'moto[server]' and set MOTO_SERVER",
            binary.display()
        );
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(30), "moto_server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { child, port }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// An S3 client for this server, with test credentials.
    fn client(&self) -> aws_sdk_s3::Client {
        let creds = aws_sdk_s3::config::Credentials::new("testing", "testing", None, None, "test");
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .endpoint_url(self.endpoint())
            .credentials_provider(creds)
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    /// The object's bytes, or `None` when it is not there.
    fn get(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        block_on(async {
            let o = self.client().get_object().bucket(bucket).key(key).send().await.ok()?;
            Some(o.body.collect().await.ok()?.into_bytes().to_vec())
        })
    }

    /// Every key in the bucket.
    fn keys(&self, bucket: &str) -> Vec<String> {
        block_on(async {
            let list = self.client().list_objects_v2().bucket(bucket).send().await.unwrap();
            list.contents().iter().filter_map(|o| o.key().map(str::to_owned)).collect()
        })
    }

    fn create_bucket(&self, bucket: &str) {
        block_on(async { self.client().create_bucket().bucket(bucket).send().await.unwrap() });
    }
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the studioform binary with test credentials and no other AWS configuration.
fn studioform(args: &[&str], credentials: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_studioform"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_CONFIG_FILE", "/nonexistent/studioform-test")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/studioform-test")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    if credentials {
        cmd.env("AWS_ACCESS_KEY_ID", "testing").env("AWS_SECRET_ACCESS_KEY", "testing");
    }
    cmd.output().unwrap()
}

fn synth(dir: &Path, config_text: &str) -> std::path::PathBuf {
    let products = dir.join("products");
    std::fs::create_dir_all(&products).unwrap();
    std::fs::copy(root().join("examples/products/team-bucket.yaml.hbs"), products.join("team-bucket.yaml.hbs"))
        .unwrap();
    let config = dir.join("studioform.yaml");
    std::fs::write(&config, config_text).unwrap();
    let out = dir.join("out");
    let o = studioform(&["synth", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap()], false);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

fn product_keys(out: &Path) -> Vec<(String, String)> {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| Some((e["path"].as_str()?.to_owned(), e["key"].as_str()?.to_owned())))
        .collect()
}

fn publish(moto: &Moto, out: &Path, bucket: &str) -> Output {
    studioform(
        &[
            "publish",
            "--out",
            out.to_str().unwrap(),
            "--bucket",
            bucket,
            "--prefix",
            "studio",
            "--region",
            "us-east-1",
            "--endpoint-url",
            &moto.endpoint(),
        ],
        true,
    )
}

fn lines_starting(output: &Output, prefix: &str) -> usize {
    String::from_utf8_lossy(&output.stdout).lines().filter(|l| l.starts_with(prefix)).count()
}

#[test]
fn publishes_each_product_once_at_its_key_with_its_exact_bytes() {
    let moto = Moto::start();
    moto.create_bucket("studio-templates");
    let dir = temp_dir("publish");
    let with_units = std::fs::read_to_string(root().join("examples/acme.yaml")).unwrap();
    let example = with_units.replace("  organizational_units: [ou-ab12-34cd56ef]\n", "");
    assert_ne!(example, with_units);
    let out = synth(&dir, &example);
    let keys = product_keys(&out);
    assert_eq!(keys.len(), 4);

    let first = publish(&moto, &out, "studio-templates");
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert_eq!(lines_starting(&first, "uploaded"), 4);
    for (path, key) in &keys {
        let body =
            moto.get("studio-templates", &format!("studio/{key}")).unwrap_or_else(|| panic!("no object at {key}"));
        assert_eq!(body, std::fs::read(out.join(path)).unwrap(), "{key} holds the file's exact bytes");
    }
    assert_eq!(moto.keys("studio-templates").len(), 4, "nothing else was uploaded");

    let again = publish(&moto, &out, "studio-templates");
    assert!(again.status.success());
    assert_eq!((lines_starting(&again, "uploaded"), lines_starting(&again, "skipped")), (0, 4), "idempotent");

    // One product changes: exactly one new object; the old version stays for launched products.
    let out = synth(&dir, &example.replace("[acme-nlp-data]", "[acme-nlp-data, acme-nlp-archive]"));
    let changed = publish(&moto, &out, "studio-templates");
    assert!(changed.status.success());
    assert_eq!((lines_starting(&changed, "uploaded"), lines_starting(&changed, "skipped")), (1, 3));
    let stdout = String::from_utf8_lossy(&changed.stdout);
    assert!(stdout.contains("uploaded  studio/products/team/"), "{stdout}");
    let old_team = &keys.iter().find(|(p, _)| p.ends_with("team.yaml")).unwrap().1;
    assert!(moto.get("studio-templates", &format!("studio/{old_team}")).is_some());
    assert_eq!(moto.keys("studio-templates").len(), 5);

    // Rolled out to organizational units, the portfolio is published too, for the StackSet,
    // and the domain product changes: the org's own VPC is no default in other accounts.
    let out = synth(&dir, &with_units.replace("[acme-nlp-data]", "[acme-nlp-data, acme-nlp-archive]"));
    let rolled = publish(&moto, &out, "studio-templates");
    assert!(rolled.status.success());
    assert_eq!((lines_starting(&rolled, "uploaded"), lines_starting(&rolled, "skipped")), (2, 3));
    let stdout = String::from_utf8_lossy(&rolled.stdout);
    assert!(stdout.contains("uploaded  studio/portfolio/"), "{stdout}");
    assert!(stdout.contains("uploaded  studio/products/domain/"), "{stdout}");
}

#[test]
fn fails_cleanly_when_s3_cannot_take_the_upload() {
    let moto = Moto::start();
    let dir = temp_dir("publish-fail");
    let out = synth(&dir, &std::fs::read_to_string(root().join("examples/acme.yaml")).unwrap());

    let missing = publish(&moto, &out, "no-such-bucket");
    assert!(!missing.status.success());
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("bucket `no-such-bucket` does not exist"), "{err}");

    let start = Instant::now();
    let unreachable = studioform(
        &[
            "publish",
            "--out",
            out.to_str().unwrap(),
            "--bucket",
            "b",
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:1",
        ],
        true,
    );
    assert!(!unreachable.status.success());
    let err = String::from_utf8_lossy(&unreachable.stderr);
    assert!(err.contains("cannot reach S3 at http://127.0.0.1:1"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(30));

    moto.create_bucket("studio-templates");
    let no_credentials = studioform(
        &[
            "publish",
            "--out",
            out.to_str().unwrap(),
            "--bucket",
            "studio-templates",
            "--region",
            "us-east-1",
            "--endpoint-url",
            &moto.endpoint(),
        ],
        false,
    );
    assert!(!no_credentials.status.success());
    let err = String::from_utf8_lossy(&no_credentials.stderr);
    assert!(err.to_lowercase().contains("credentials"), "{err}");
    assert!(moto.keys("studio-templates").is_empty(), "nothing published");

    std::fs::write(out.join("catalog/products/team.yaml"), "edited by hand").unwrap();
    let stale = publish(&moto, &out, "studio-templates");
    assert!(!stale.status.success());
    assert!(String::from_utf8_lossy(&stale.stderr).contains("changed after synth"));
}

/// After three synths the portfolio offers v1, v2 and v3 of a product; only v3's template is
/// in the output. Publishing to a bucket that lacks v1 and v2 fails, naming them; to the bucket
/// that has them, it succeeds. No credentials and no region: the error says to pass --region.
#[test]
fn publish_fails_when_the_portfolio_offers_versions_the_bucket_lacks() {
    let moto = Moto::start();
    moto.create_bucket("old-bucket");
    moto.create_bucket("new-bucket");
    let dir = temp_dir("publish-complete");
    let with_units = std::fs::read_to_string(root().join("examples/acme.yaml")).unwrap();
    let example = with_units.replace("  organizational_units: [ou-ab12-34cd56ef]\n", "");
    let out = synth(&dir, &example);
    assert!(publish(&moto, &out, "old-bucket").status.success());
    let out = synth(&dir, &example.replace("[acme-nlp-data]", "[acme-nlp-data, acme-nlp-archive]"));
    assert!(publish(&moto, &out, "old-bucket").status.success());
    let out = synth(&dir, &example.replace("[acme-nlp-data]", "[acme-nlp-data, acme-nlp-archive, acme-nlp-x]"));

    let fresh = publish(&moto, &out, "new-bucket");
    assert!(!fresh.status.success(), "the portfolio would offer versions that cannot launch");
    let err = String::from_utf8_lossy(&fresh.stderr);
    assert!(err.contains("the portfolio offers 2 older template version(s) that are not in s3://new-bucket"), "{err}");
    assert!(err.contains("(version v1 of product team)") && err.contains("(version v2 of product team)"), "{err}");

    let complete = publish(&moto, &out, "old-bucket");
    assert!(complete.status.success(), "{}", String::from_utf8_lossy(&complete.stderr));

    let no_region = studioform(
        &["publish", "--out", out.to_str().unwrap(), "--bucket", "old-bucket", "--endpoint-url", &moto.endpoint()],
        true,
    );
    assert!(!no_region.status.success());
    let err = String::from_utf8_lossy(&no_region.stderr);
    assert!(err.contains("no AWS region configured: pass --region <region>"), "{err}");
}
