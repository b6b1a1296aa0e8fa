//! Symbolic locations inside a YAML or JSON document: `users[1].name`,
//! `Resources.AliceProfile.Properties.Tags[0]`. Builders and checks speak in paths; only
//! [`crate::diag`] turns a path into `file:line:col`.

use std::fmt;

/// One step of a [`Path`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// A map key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// A path from the document root, as a list of keys and indexes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path(pub Vec<Segment>);

impl Path {
    /// The document root.
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// This path extended by a key.
    pub fn key(&self, key: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Segment::Key(key.to_owned()));
        p
    }

    /// This path extended by an index.
    pub fn index(&self, index: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Segment::Index(index));
        p
    }

    /// Builds a path from a JSON pointer (`/Resources/A/Properties/Tags/0`). Segments that are
    /// all digits become indexes.
    pub fn from_pointer(pointer: &str) -> Self {
        let segments = pointer
            .split('/')
            .skip(1)
            .map(|raw| {
                let s = raw.replace("~1", "/").replace("~0", "~");
                match s.parse::<usize>() {
                    Ok(i) if !s.starts_with('+') => Segment::Index(i),
                    _ => Segment::Key(s),
                }
            })
            .collect();
        Self(segments)
    }

    /// The JSON pointer for this path.
    pub fn pointer(&self) -> String {
        let mut out = String::new();
        for s in &self.0 {
            out.push('/');
            match s {
                Segment::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
                Segment::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }

    /// True for the document root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(top level)");
        }
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Segment::Key(k) if i == 0 => f.write_str(k)?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A path while a tree is walked, kept on the stack: each step borrows its key and its
/// parent, so descending costs nothing; the owned [`Path`] is built only when a finding needs
/// it.
#[derive(Clone, Copy, Debug)]
pub struct Trail<'a> {
    parent: Option<&'a Self>,
    step: Option<Step<'a>>,
}

#[derive(Clone, Copy, Debug)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
    /// Where the trail starts, when not at the root.
    Base(&'a Path),
}

impl Trail<'static> {
    /// The document root.
    pub fn root() -> Self {
        Self { parent: None, step: None }
    }
}

impl<'a> Trail<'a> {
    /// A trail starting at `base`.
    pub fn under(base: &'a Path) -> Self {
        Self { parent: None, step: Some(Step::Base(base)) }
    }
}

impl<'a> Trail<'a> {
    /// This trail extended by a key.
    pub fn key<'b>(&'b self, key: &'b str) -> Trail<'b> {
        Trail { parent: Some(self), step: Some(Step::Key(key)) }
    }

    /// This trail extended by an index.
    pub fn index<'b>(&'b self, index: usize) -> Trail<'b> {
        Trail { parent: Some(self), step: Some(Step::Index(index)) }
    }

    /// True for the document root.
    pub fn is_root(&self) -> bool {
        match self.step {
            None => true,
            Some(Step::Base(base)) => base.0.is_empty(),
            Some(_) => false,
        }
    }

    /// The owned path.
    pub fn to_path(&self) -> Path {
        let mut steps = Vec::new();
        let mut base = None;
        let mut at = Some(self);
        while let Some(t) = at {
            match t.step {
                Some(Step::Key(k)) => steps.push(Segment::Key(k.to_owned())),
                Some(Step::Index(i)) => steps.push(Segment::Index(i)),
                Some(Step::Base(b)) => base = Some(b),
                None => {}
            }
            at = t.parent;
        }
        steps.reverse();
        match base {
            Some(b) => Path(b.0.iter().cloned().chain(steps).collect()),
            None => Path(steps),
        }
    }
}

impl fmt::Display for Trail<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_path().fmt(f)
    }
}

/// Builds a [`Path`] from keys and indexes: `path!["users", 1, "name"]`.
#[macro_export]
macro_rules! path {
    ($($seg:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut p = $crate::path::Path::root();
        $( p = $crate::path::IntoSegment::push_onto($seg, p); )*
        p
    }};
}

/// Anything that can extend a [`Path`]: a key or an index.
pub trait IntoSegment {
    /// `path` extended by `self`.
    fn push_onto(self, path: Path) -> Path;
}

impl IntoSegment for &str {
    fn push_onto(self, path: Path) -> Path {
        path.key(self)
    }
}

impl IntoSegment for &String {
    fn push_onto(self, path: Path) -> Path {
        path.key(self)
    }
}

impl IntoSegment for usize {
    fn push_onto(self, path: Path) -> Path {
        path.index(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_code_and_round_trips_pointers() {
        let p = crate::path!["users", 1usize, "name"];
        assert_eq!(p.to_string(), "users[1].name");
        assert_eq!(p.pointer(), "/users/1/name");
        assert_eq!(Path::from_pointer("/users/1/name"), p);
        assert_eq!(Path::from_pointer("/a~1b/c").0[0], Segment::Key("a/b".into()));
    }

    #[test]
    fn trails_become_the_same_paths() {
        let root = Trail::root();
        let users = root.key("users");
        let one = users.index(1);
        assert_eq!(one.key("name").to_path(), crate::path!["users", 1usize, "name"]);
        assert!(root.is_root() && root.to_path().is_root());
    }
}
