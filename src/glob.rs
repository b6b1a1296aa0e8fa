//! IAM's wildcards, one matcher for action names, ARNs and condition values: `*` matches any
//! run of characters (none included), `?` exactly one.

/// Matches `text` against `pattern`, element by element: `star` in the pattern matches any
/// run, `any` one element, and every other pattern element must be `same` as the text's.
pub fn matches<T: Copy + PartialEq>(pattern: &[T], text: &[T], star: T, any: T, same: impl Fn(T, T) -> bool) -> bool {
    let (mut p, mut t, mut last_star, mut mark) = (0, 0, None, 0);
    while t < text.len() {
        match pattern.get(p) {
            Some(&c) if c == star => {
                last_star = Some(p);
                mark = t;
                p += 1;
            }
            Some(&c) if c == any || same(c, text[t]) => {
                p += 1;
                t += 1;
            }
            _ => match last_star {
                Some(s) => {
                    p = s + 1;
                    mark += 1;
                    t = mark;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == star)
}

/// Matches ASCII names (IAM actions) without regard to case.
pub fn ascii_ci(pattern: &str, text: &str) -> bool {
    matches(pattern.as_bytes(), text.as_bytes(), b'*', b'?', |p, t| p.eq_ignore_ascii_case(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_match_runs_and_questions_one_character() {
        assert!(ascii_ci("Describe*", "describedomain"));
        assert!(ascii_ci("*", ""));
        assert!(ascii_ci("s?Gemaker:*Space*", "sagemaker:DeleteSpace"));
        assert!(ascii_ci("a*b*c", "aXXbYYbc"));
        assert!(!ascii_ci("a*b*c", "aXXbYYb"));
        assert!(!ascii_ci("?", ""));
        assert!(!ascii_ci("Describe", "DescribeDomain"));
        assert!(!ascii_ci("*Space", "sagemaker:DeleteSpaces"));
        assert!(ascii_ci("get?bject", "GetObject"));
        assert!(!ascii_ci("describe*", "listdomains"));
    }
}
