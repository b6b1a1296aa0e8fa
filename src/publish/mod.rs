//! `publish`: uploads every product template the manifest lists to its content-addressed key,
//! skipping keys that already exist. Uses the official AWS SDK and the standard credential
//! chain; built only with the `publish` feature, so `synth` and the tests compile without it.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::output::{self, Manifest};

/// What to publish and where.
#[derive(Clone, Debug)]
pub struct Options {
    /// The output directory `synth` wrote.
    pub out: PathBuf,
    /// Destination bucket.
    pub bucket: String,
    /// Key prefix (normalised to end with `/`).
    pub prefix: String,
    /// Region; the credential chain's when absent.
    pub region: Option<String>,
    /// An S3-compatible endpoint (tests, S3 on Outposts, proxies).
    pub endpoint_url: Option<String>,
}

/// One template to upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    /// File, relative to the output directory.
    pub path: String,
    /// Full object key (prefix included).
    pub key: String,
    /// The bytes.
    pub body: Vec<u8>,
}

/// What a publish did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Keys uploaded.
    pub uploaded: Vec<String>,
    /// Keys that already existed.
    pub skipped: Vec<String>,
}

/// Normalises a key prefix: empty, or ending with `/`.
pub fn normalise_prefix(prefix: &str) -> String {
    let p = prefix.trim_start_matches('/');
    if p.is_empty() || p.ends_with('/') { p.to_owned() } else { format!("{p}/") }
}

/// An older product version the portfolio still offers: its key must already be in the
/// bucket, as its template is no longer in the output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Older {
    /// Full object key (prefix included).
    pub key: String,
    /// What it is: `version v1 of product team`.
    pub what: String,
}

/// The uploads the manifest in `out` asks for, each checked against its recorded sha256, and
/// the older versions the portfolio references, which must be in the bucket already.
pub fn plan(out: &Path, prefix: &str) -> Result<(Vec<Upload>, Vec<Older>), Error> {
    let dir = output::OutDir::open(out, output::Access::Read, output::Wait::Yes, &mut std::io::sink())?;
    let manifest: Manifest = dir.read_manifest()?.ok_or_else(|| Error::Publish {
        message: format!(
            "no readable {} in {}: run `studioform synth --out {}` first",
            output::MANIFEST,
            out.display(),
            out.display()
        ),
    })?;
    let mut uploads = Vec::new();
    for entry in manifest.files.iter() {
        let Some(key) = &entry.key else { continue };
        let body = dir.read(&entry.path)?.ok_or_else(|| Error::Read {
            path: out.join(&entry.path),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "listed in the manifest but missing"),
        })?;
        let actual = output::sha256(&String::from_utf8_lossy(&body));
        if actual != entry.sha256 {
            return Err(Error::Publish {
                message: format!(
                    "{} does not match {}: it changed after synth; run `studioform synth` again before publishing",
                    entry.path,
                    output::MANIFEST
                ),
            });
        }
        uploads.push(Upload { path: entry.path.clone(), key: format!("{prefix}{key}"), body });
    }
    let older = manifest
        .products
        .iter()
        .flat_map(|h| h.versions.iter().map(move |v| (h, v)))
        .map(|(h, v)| Older {
            key: format!("{prefix}{}", v.key),
            what: format!("version {} of product {}", v.name, h.name),
        })
        .filter(|o| !uploads.iter().any(|u| u.key == o.key))
        .collect();
    Ok((uploads, older))
}

/// Uploads the product templates of `opts.out`, printing what it uploads and skips.
pub fn publish(opts: &Options, out: &mut dyn Write) -> Result<Report, Error> {
    let prefix = normalise_prefix(&opts.prefix);
    let (uploads, older) = plan(&opts.out, &prefix)?;
    if uploads.is_empty() {
        let _ = writeln!(out, "nothing to publish: the org file has no catalog products");
        return Ok(Report::default());
    }
    let report = s3::upload(opts, &uploads, &older, out)?;
    let _ = writeln!(
        out,
        "published to s3://{}/{prefix}: {} uploaded, {} already there",
        opts.bucket,
        report.uploaded.len(),
        report.skipped.len()
    );
    Ok(report)
}

#[cfg(not(feature = "publish"))]
mod s3 {
    use super::{Older, Options, Report, Upload};
    use crate::Error;

    pub(super) fn upload(_: &Options, _: &[Upload], _: &[Older], _: &mut dyn std::io::Write) -> Result<Report, Error> {
        Err(Error::Publish {
            message: "this studioform was built without S3 publishing: install it with `cargo install --path . --features publish`".into(),
        })
    }
}

#[cfg(feature = "publish")]
mod s3 {
    use std::io::Write;
    use std::time::Duration;

    use aws_config::BehaviorVersion;
    use aws_config::timeout::TimeoutConfig;
    use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
    use aws_sdk_s3::primitives::ByteStream;

    use super::{Older, Options, Report, Upload};
    use crate::Error;

    /// An error and its causes, one after the other.
    fn chain(e: &dyn std::error::Error) -> String {
        let mut parts = vec![e.to_string()];
        let mut cause = e.source();
        while let Some(c) = cause {
            let text = c.to_string();
            if !parts.iter().any(|p| p.contains(&text)) {
                parts.push(text);
            }
            cause = c.source();
        }
        parts.join(": ")
    }

    /// Turns an SDK error into a sentence a platform admin can act on.
    fn explain<E: ProvideErrorMetadata + std::error::Error + 'static>(
        opts: &Options,
        key: &str,
        e: &SdkError<E>,
    ) -> Error {
        let bucket = &opts.bucket;
        let message = match e {
            SdkError::DispatchFailure(d) if d.is_io() || d.is_timeout() => format!(
                "cannot reach S3{}: {}",
                opts.endpoint_url.as_ref().map(|u| format!(" at {u}")).unwrap_or_default(),
                chain(e)
            ),
            SdkError::TimeoutError(_) => "S3 did not answer in time; check the network and try again".to_owned(),
            SdkError::ServiceError(s) => {
                let code = s.err().code().unwrap_or_default();
                let status = s.raw().status().as_u16();
                match (code, status) {
                    ("NoSuchBucket", _) | (_, 404) => format!(
                        "bucket `{bucket}` does not exist (or is in another region): create it or pass --region"
                    ),
                    ("AccessDenied", _) | (_, 403) => format!(
                        "access denied to s3://{bucket}/{key}: the credentials need s3:GetObject and s3:PutObject there"
                    ),
                    (code, status) => format!(
                        "S3 refused s3://{bucket}/{key}: {code} (HTTP {status}) {}",
                        s.err().message().unwrap_or_default()
                    ),
                }
            }
            other => {
                let detail = chain(other);
                if detail.to_lowercase().contains("region") {
                    "no AWS region configured: pass --region <region>, or set AWS_REGION".to_owned()
                } else if detail.to_lowercase().contains("credential") {
                    "no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an instance or task role applies".to_owned()
                } else {
                    format!("publishing s3://{bucket}/{key} failed: {detail}")
                }
            }
        };
        Error::Publish { message }
    }

    pub(super) fn upload(
        opts: &Options,
        uploads: &[Upload],
        older: &[Older],
        out: &mut dyn Write,
    ) -> Result<Report, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Publish { message: format!("cannot start the async runtime: {e}") })?;
        runtime.block_on(async {
            let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_timeout(Duration::from_secs(60))
                    .build(),
            );
            if let Some(region) = &opts.region {
                loader = loader.region(aws_config::Region::new(region.clone()));
            }
            if let Some(url) = &opts.endpoint_url {
                loader = loader.endpoint_url(url);
            }
            let config = loader.load().await;
            let s3_config =
                aws_sdk_s3::config::Builder::from(&config).force_path_style(opts.endpoint_url.is_some()).build();
            let client = aws_sdk_s3::Client::from_conf(s3_config);
            let mut report = Report::default();
            for u in uploads {
                match client.head_object().bucket(&opts.bucket).key(&u.key).send().await {
                    Ok(_) => {
                        let _ = writeln!(out, "skipped   {} (already published)", u.key);
                        report.skipped.push(u.key.clone());
                        continue;
                    }
                    Err(SdkError::ServiceError(s)) if s.err().is_not_found() => {}
                    Err(e) => return Err(explain(opts, &u.key, &e)),
                }
                let content_type = if u.key.ends_with(".json") { "application/json" } else { "application/x-yaml" };
                client
                    .put_object()
                    .bucket(&opts.bucket)
                    .key(&u.key)
                    .content_type(content_type)
                    .body(ByteStream::from(u.body.clone()))
                    .send()
                    .await
                    .map_err(|e| explain(opts, &u.key, &e))?;
                let _ = writeln!(out, "uploaded  {} ({})", u.key, u.path);
                report.uploaded.push(u.key.clone());
            }
            // The portfolio offers every version published so far: each must be there, or
            // launching it fails. Their templates are no longer in the output to upload.
            let mut missing = Vec::new();
            for o in older {
                match client.head_object().bucket(&opts.bucket).key(&o.key).send().await {
                    Ok(_) => {}
                    Err(SdkError::ServiceError(s)) if s.err().is_not_found() => missing.push(o),
                    Err(e) => return Err(explain(opts, &o.key, &e)),
                }
            }
            if !missing.is_empty() {
                let shown: Vec<String> = missing.iter().take(10).map(|o| format!("{} ({})", o.key, o.what)).collect();
                let more = missing.len().saturating_sub(10);
                return Err(Error::Publish {
                    message: format!(
                        "the portfolio offers {} older template version(s) that are not in s3://{}: {}{}. Launching them would fail. Publish them from the output they were synthesized into (for example `git checkout <commit> -- {}` then `studioform publish` with the same bucket and prefix), then publish this output again",
                        missing.len(),
                        opts.bucket,
                        shown.join(", "),
                        if more > 0 { format!(" and {more} more") } else { String::new() },
                        opts.out.display()
                    ),
                });
            }
            Ok(report)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_prefixes() {
        assert_eq!(normalise_prefix(""), "");
        assert_eq!(normalise_prefix("studio"), "studio/");
        assert_eq!(normalise_prefix("/a/b/"), "a/b/");
    }
}
