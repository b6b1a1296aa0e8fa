//! Rendering: one long-form tree printed as JSON, or as YAML with short-form tags, and
//! handlebars prose. Renderers never build resources.

mod prose;
mod yaml;

pub use prose::{CUSTOM_DEADLINE, MAX_BLOCK_DEPTH, MAX_CUSTOM_OUTPUT, custom, prose};
pub use yaml::{is_plain_safe, yaml};

/// Output format of templates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// YAML with short-form intrinsics.
    #[default]
    Yaml,
    /// JSON, long form.
    Json,
}

impl Format {
    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Yaml => "yaml",
            Self::Json => "json",
        }
    }

    /// Renders a long-form tree.
    pub fn render(self, doc: &serde_json::Value) -> String {
        match self {
            Self::Yaml => yaml(doc),
            Self::Json => json(doc),
        }
    }
}

/// Renders `doc` as pretty JSON with a final newline.
pub fn json(doc: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(doc).unwrap_or_default();
    s.push('\n');
    s
}
