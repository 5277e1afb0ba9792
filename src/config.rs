//! `nianbao.toml`: rule directories, rule selection and severity overrides
//! (like ruff's `select`/`ignore`). Found upward from the current directory,
//! or given with `--config`. The format is documented in docs/output.md.

use miette::{Diagnostic, NamedSource, SourceSpan};
use nianbao_engine::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The configuration file's name.
pub const FILE_NAME: &str = "nianbao.toml";

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Rule directories, relative to the configuration file.
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    /// Do not load the built-in rules.
    #[serde(default)]
    pub no_default_rules: bool,
    /// Rule ids or prefixes to enable (default: all).
    #[serde(default)]
    pub select: Vec<String>,
    /// Rule ids or prefixes to disable.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Severity per rule id or prefix.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Lowest severity that makes `check` exit with 1.
    #[serde(default)]
    pub fail_on: Option<Severity>,
    /// The share of the narrative (0 to 1) a report may repeat from last
    /// year's before `content.repeated-text` fires (default 0.5).
    #[serde(default)]
    pub repeated_text_threshold: Option<f64>,
    /// Publication deadlines, where a province or office sets earlier ones.
    #[serde(default)]
    pub deadline: Deadline,
    /// Where `docs/rules.md` is published (an absolute URL): SARIF then links
    /// each rule to its entry there (`helpUri`, `URL#rule-id`).
    #[serde(default)]
    pub docs_url: Option<String>,
    /// The directory the file is in; rule directories are relative to it.
    #[serde(skip)]
    pub dir: PathBuf,
}

/// `[deadline]`: "MM-DD" of the year after the report's.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    /// A department's report (default "01-31").
    pub department: Option<String>,
    /// A people's government's report (default "03-31").
    pub government: Option<String>,
}

/// A "MM-DD" that names a day of every year (so no "02-29").
fn month_day(text: &str) -> Option<(u8, u8)> {
    let (m, d) = text.trim().split_once('-')?;
    let (m, d): (u8, u8) = (m.parse().ok()?, d.parse().ok()?);
    let days = match m {
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    (1..=days).contains(&d).then_some((m, d))
}

impl Config {
    /// The settings rules read, from `[deadline]` over the defaults.
    pub fn settings(&self) -> nianbao_rules::Settings {
        let defaults = nianbao_rules::Settings::default();
        let parse = |v: &Option<String>, default| v.as_deref().and_then(month_day).unwrap_or(default);
        nianbao_rules::Settings {
            department_deadline: parse(&self.deadline.department, defaults.department_deadline),
            government_deadline: parse(&self.deadline.government, defaults.government_deadline),
        }
    }
}

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(nianbao::config::io))]
    Io { path: String, source: std::io::Error },
    #[error("invalid configuration: {message}")]
    #[diagnostic(
        code(nianbao::config::invalid),
        help("see docs/output.md for the keys of nianbao.toml")
    )]
    Invalid {
        message: String,
        #[source_code]
        src: NamedSource<String>,
        #[label("here")]
        span: Option<SourceSpan>,
    },
}

impl Config {
    /// `explicit` if given, else the first `nianbao.toml` in `start` or a
    /// parent directory; no file is the default configuration.
    pub fn find_and_load(explicit: Option<&Path>, start: &Path) -> Result<Config, ConfigError> {
        if let Some(path) = explicit {
            return Config::load(path);
        }
        for dir in start.ancestors() {
            let path = dir.join(FILE_NAME);
            if path.is_file() {
                return Config::load(&path);
            }
        }
        Ok(Config::default())
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let mut config = Config::parse(&path.display().to_string(), &text)?;
        config.dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(config)
    }

    pub fn parse(name: &str, text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            message: e.message().to_string(),
            span: e.span().map(SourceSpan::from),
            src: NamedSource::new(name, text.to_string()),
        })?;
        for value in [&config.deadline.department, &config.deadline.government]
            .into_iter()
            .flatten()
        {
            if month_day(value).is_none() {
                let span = text
                    .find(value.as_str())
                    .map(|at| SourceSpan::from((at, value.len())));
                return Err(ConfigError::Invalid {
                    message: format!("deadline {value:?} is not a day as \"MM-DD\" (e.g. \"01-31\")"),
                    span,
                    src: NamedSource::new(name, text.to_string()),
                });
            }
        }
        if let Some(url) = config.docs_url.as_deref().filter(|u| !is_absolute_url(u)) {
            let span = text.find(url).map(|at| SourceSpan::from((at, url.len())));
            return Err(ConfigError::Invalid {
                message: format!(
                    "docs-url {url:?} is not an absolute URL (e.g. \"https://example.org/nianbao/docs/rules.md\")"
                ),
                span,
                src: NamedSource::new(name, text.to_string()),
            });
        }
        if let Some(t) = config
            .repeated_text_threshold
            .filter(|t| !(0.0..=1.0).contains(t))
        {
            let span = text
                .find("repeated-text-threshold")
                .map(|at| SourceSpan::from((at, 23)));
            return Err(ConfigError::Invalid {
                message: format!("repeated-text-threshold is a share from 0 to 1 (0.5 = half), not {t}"),
                span,
                src: NamedSource::new(name, text.to_string()),
            });
        }
        Ok(config)
    }

    /// Rule directories resolved against the file's directory.
    pub fn rule_dirs(&self) -> Vec<PathBuf> {
        self.rules.iter().map(|d| self.dir.join(d)).collect()
    }
}

/// `scheme://rest` with a scheme as RFC 3986 spells one, no spaces: what
/// SARIF's `helpUri` (a `uri`) accepts.
fn is_absolute_url(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !url.chars().any(char::is_whitespace)
}

/// Which rules report, and at what severity. Patterns are rule ids or
/// prefixes of them (`ALL` matches every rule); the longest matching pattern
/// decides, and `ignore` wins over `select` on a tie.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: Vec<(String, Severity)>,
}

/// How well `pattern` matches `id`: its length, or `None`.
/// Whether `pattern` (a rule id, a prefix of one, or `ALL`) names rule `id`.
pub(crate) fn rule_matches(pattern: &str, id: &str) -> bool {
    matches(pattern, id).is_some()
}

fn matches(pattern: &str, id: &str) -> Option<usize> {
    if pattern == "ALL" {
        Some(0)
    } else {
        id.starts_with(pattern).then_some(pattern.len())
    }
}

impl Selection {
    pub fn enabled(&self, id: &str) -> bool {
        let best = |patterns: &[String]| patterns.iter().filter_map(|p| matches(p, id)).max();
        match (best(&self.select), best(&self.ignore)) {
            (Some(s), Some(i)) => s > i,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => self.select.is_empty(),
        }
    }

    /// Patterns that match none of `ids`, with where they were given
    /// (`select`, `ignore` or `severity`): a typo would otherwise silently
    /// select nothing or ignore nothing.
    pub fn unknown_patterns<'s>(&'s self, ids: &[&str]) -> Vec<(&'static str, &'s str)> {
        let known = |p: &str| ids.iter().any(|id| matches(p, id).is_some());
        let lists = [("select", &self.select), ("ignore", &self.ignore)];
        let mut unknown: Vec<(&'static str, &str)> = lists
            .into_iter()
            .flat_map(|(place, list)| list.iter().map(move |p| (place, p.as_str())))
            .filter(|(_, p)| !known(p))
            .collect();
        unknown.extend(
            self.severity
                .iter()
                .map(|(p, _)| ("severity", p.as_str()))
                .filter(|(_, p)| !known(p)),
        );
        unknown
    }

    /// The configured severity for `id`, if any pattern sets one.
    pub fn severity(&self, id: &str) -> Option<Severity> {
        self.severity
            .iter()
            .filter_map(|(p, s)| matches(p, id).map(|len| (len, *s)))
            .max_by_key(|(len, _)| *len)
            .map(|(_, s)| s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selection(select: &[&str], ignore: &[&str]) -> Selection {
        Selection {
            select: select.iter().map(|s| s.to_string()).collect(),
            ignore: ignore.iter().map(|s| s.to_string()).collect(),
            severity: vec![],
        }
    }

    #[test]
    fn longest_pattern_decides() {
        let s = selection(&[], &[]);
        assert!(s.enabled("requests.sum"));
        let s = selection(&["requests"], &["requests.label"]);
        assert!(s.enabled("requests.sum"));
        assert!(!s.enabled("requests.label-variant"));
        assert!(!s.enabled("review.total"));
        let s = selection(&["requests.label.variant"], &["requests"]);
        assert!(s.enabled("requests.label.variant"));
        assert!(!s.enabled("requests.sum"));
        let s = selection(&[], &["review"]);
        assert!(s.enabled("requests.sum"));
        assert!(!s.enabled("review.total"));
        let s = selection(&["ALL"], &["review"]);
        assert!(!s.enabled("review.total"));
        assert!(s.enabled("structure.title"));
    }

    #[test]
    fn patterns_matching_no_rule_are_reported() {
        let s = Selection {
            severity: vec![("struct".into(), Severity::Info)],
            ..selection(&["requets", "requests.", "ALL"], &["review.group-total"])
        };
        let ids = [
            "requests.row-total",
            "review.group-total",
            "structure.row-present",
        ];
        assert_eq!(s.unknown_patterns(&ids), vec![("select", "requets")]);
        let s = selection(&[], &["reviews"]);
        assert_eq!(s.unknown_patterns(&ids), vec![("ignore", "reviews")]);
    }

    #[test]
    fn severity_override_by_longest_prefix() {
        let s = Selection {
            severity: vec![
                ("label".into(), Severity::Info),
                ("label.variant".into(), Severity::Warning),
            ],
            ..Selection::default()
        };
        assert_eq!(s.severity("label.variant.disclosure"), Some(Severity::Warning));
        assert_eq!(s.severity("label.missing"), Some(Severity::Info));
        assert_eq!(s.severity("requests.sum"), None);
    }

    #[test]
    fn config_errors_point_at_the_key() {
        let err = Config::parse("nianbao.toml", "selct = [\"a\"]\n").unwrap_err();
        match err {
            ConfigError::Invalid { message, span, .. } => {
                assert!(message.contains("selct"), "{message}");
                assert_eq!(span.map(|s| s.offset()), Some(0));
            }
            other => panic!("unexpected {other:?}"),
        }
        let ok = Config::parse(
            "nianbao.toml",
            "rules = [\"r\"]\nselect = [\"requests\"]\nfail-on = \"warning\"\n[severity]\n\"label\" = \"info\"\n",
        )
        .unwrap();
        assert_eq!(ok.fail_on, Some(Severity::Warning));
        assert_eq!(ok.severity.get("label"), Some(&Severity::Info));
    }
}
