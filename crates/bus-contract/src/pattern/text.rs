//! String tests: case-insensitive comparison, the prefix and suffix quote quirks, and wildcards.

/// A small set of byte offsets, inline up to eight (a value seldom has more places where a
/// folded match can end), so that comparing folded text allocates nothing in the usual case.
#[derive(Debug, Default)]
struct Offsets {
    inline: [usize; 8],
    len: usize,
    spill: Vec<usize>,
}

impl Offsets {
    fn one(p: usize) -> Offsets {
        let mut o = Offsets::default();
        o.insert(p);
        o
    }

    fn contains(&self, p: usize) -> bool {
        self.inline[..self.len].contains(&p) || self.spill.contains(&p)
    }

    fn insert(&mut self, p: usize) {
        if self.contains(p) {
            return;
        }
        if self.len < self.inline.len() {
            self.inline[self.len] = p;
            self.len += 1;
        } else {
            self.spill.push(p);
        }
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.inline[..self.len].iter().chain(&self.spill).copied()
    }
}

/// A string compiled for case-insensitive comparison (spec §2.7).
///
/// Each UTF-16 unit of the pattern becomes two byte strings, its full lower-case and upper-case
/// mappings in UTF-8. An event string matches when its bytes split, unit by unit, into one of the
/// two. This is not symmetric (`"straße"` matches `"STRASSE"`, not the other way round) and a
/// title-case letter does not match itself; both are what EventBridge's engine does. A unit of a
/// character outside the BMP is a lone surrogate, which that engine encodes as `?`.
///
/// With the quirks turned off ([`crate::Options::unicode_case_quirks`]), both sides are
/// lower-cased with Unicode's full mapping and compared as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Folded {
    units: Vec<(Vec<u8>, Vec<u8>)>,
    /// Set when the quirks are off: the pattern, lower-cased.
    plain: Option<String>,
}

impl Folded {
    pub(crate) fn with_quirks(pattern: &str, quirks: bool) -> Folded {
        if quirks {
            Folded::new(pattern)
        } else {
            Folded {
                units: Vec::new(),
                plain: Some(pattern.to_lowercase()),
            }
        }
    }

    /// Whether the quirks are off (plain Unicode lower-casing).
    pub(crate) fn is_plain(&self) -> bool {
        self.plain.is_some()
    }

    pub(crate) fn new(pattern: &str) -> Folded {
        let mut units = Vec::new();
        for c in pattern.chars() {
            if c.len_utf16() == 2 {
                units.push((b"?".to_vec(), b"?".to_vec()));
                units.push((b"?".to_vec(), b"?".to_vec()));
            } else {
                let lower: String = c.to_lowercase().collect();
                let upper: String = c.to_uppercase().collect();
                units.push((lower.into_bytes(), upper.into_bytes()));
            }
        }
        Folded { units, plain: None }
    }

    /// Every text a value equal to this one (with the quirks) can start with over its first
    /// `k` units: each unit is one of two alternatives, so a matching value starts with one
    /// of these (at most 2^k, duplicates removed). `None` when the quirks are off.
    pub(crate) fn leading_texts(&self, k: usize) -> Option<Vec<Vec<u8>>> {
        self.affix_texts(k, false)
    }

    /// As [`Folded::leading_texts`], for the texts a value ending with a match ends with over
    /// the last `k` units.
    pub(crate) fn trailing_texts(&self, k: usize) -> Option<Vec<Vec<u8>>> {
        self.affix_texts(k, true)
    }

    fn affix_texts(&self, k: usize, end: bool) -> Option<Vec<Vec<u8>>> {
        if self.plain.is_some() {
            return None;
        }
        let units: Vec<&(Vec<u8>, Vec<u8>)> = if end {
            self.units.iter().rev().take(k).collect()
        } else {
            self.units.iter().take(k).collect()
        };
        let mut out: Vec<Vec<u8>> = vec![Vec::new()];
        for (lower, upper) in units {
            let mut next = Vec::with_capacity(out.len() * 2);
            for known in &out {
                for alt in [lower, upper] {
                    let t = if end {
                        [alt.as_slice(), known].concat()
                    } else {
                        [known.as_slice(), alt].concat()
                    };
                    if !next.contains(&t) {
                        next.push(t);
                    }
                }
            }
            out = next;
        }
        Some(out)
    }

    /// Whether the first (`end` false) or last unit is `"`, where the quote quirk of
    /// `prefix` and `suffix` applies.
    pub(crate) fn quote_at(&self, end: bool) -> bool {
        let unit = if end {
            self.units.last()
        } else {
            self.units.first()
        };
        unit.is_some_and(|(l, _)| l == b"\"")
    }

    /// Byte offsets in `s` where a match of all units, starting at `start`, can end.
    fn ends(&self, s: &[u8], start: usize) -> Offsets {
        let mut at = Offsets::one(start);
        for (lower, upper) in &self.units {
            let mut next = Offsets::default();
            for p in at.iter() {
                for alt in [lower, upper] {
                    if s[p..].starts_with(alt) {
                        next.insert(p + alt.len());
                    }
                }
            }
            if next.is_empty() {
                return next;
            }
            at = next;
        }
        at
    }

    /// Byte offsets in `s` where a match of all units, ending at `end`, can start.
    fn starts(&self, s: &[u8], end: usize) -> Offsets {
        let mut at = Offsets::one(end);
        for (lower, upper) in self.units.iter().rev() {
            let mut next = Offsets::default();
            for p in at.iter() {
                for alt in [lower, upper] {
                    if s[..p].ends_with(alt) {
                        next.insert(p - alt.len());
                    }
                }
            }
            if next.is_empty() {
                return next;
            }
            at = next;
        }
        at
    }

    /// Whether every unit maps to one ASCII byte either way: then a byte per unit decides,
    /// without tracking alternative split points.
    fn ascii(&self) -> bool {
        self.units
            .iter()
            .all(|(l, u)| l.len() == 1 && u.len() == 1 && l[0].is_ascii() && u[0].is_ascii())
    }

    fn ascii_at(&self, s: &[u8], start: usize) -> bool {
        s.len() >= start + self.units.len()
            && self
                .units
                .iter()
                .zip(&s[start..])
                .all(|((l, u), &b)| b == l[0] || b == u[0])
    }

    pub(crate) fn equals(&self, s: &str) -> bool {
        match &self.plain {
            Some(p) => s.to_lowercase() == *p,
            None if self.ascii() => s.len() == self.units.len() && self.ascii_at(s.as_bytes(), 0),
            None => self.ends(s.as_bytes(), 0).contains(s.len()),
        }
    }

    pub(crate) fn is_prefix_of(&self, s: &str) -> bool {
        if let Some(p) = &self.plain {
            return has_prefix(&s.to_lowercase(), p);
        }
        let found = if self.ascii() {
            self.ascii_at(s.as_bytes(), 0)
        } else {
            !self.ends(s.as_bytes(), 0).is_empty()
        };
        if found {
            return true;
        }
        // The quote quirk, as for `prefix`: a pattern ending in `"` also matches the string
        // that the pattern, minus that quote, matches entirely.
        match self.units.split_last() {
            Some(((l, _), rest)) if l == b"\"" => Folded::from_units(rest).equals(s),
            _ => false,
        }
    }

    fn from_units(units: &[(Vec<u8>, Vec<u8>)]) -> Folded {
        Folded {
            units: units.to_vec(),
            plain: None,
        }
    }

    pub(crate) fn is_suffix_of(&self, s: &str) -> bool {
        if let Some(p) = &self.plain {
            return has_suffix(&s.to_lowercase(), p);
        }
        let found = if self.ascii() {
            s.len() >= self.units.len() && self.ascii_at(s.as_bytes(), s.len() - self.units.len())
        } else {
            !self.starts(s.as_bytes(), s.len()).is_empty()
        };
        if found {
            return true;
        }
        match self.units.split_first() {
            Some(((l, _), rest)) if l == b"\"" => Folded::from_units(rest).equals(s),
            _ => false,
        }
    }
}

/// `prefix` with the quote quirk of spec §2.5: P matches V iff V starts with P, or P is V
/// followed by `"`.
pub(crate) fn has_prefix(value: &str, prefix: &str) -> bool {
    value.starts_with(prefix) || prefix.strip_suffix('"') == Some(value)
}

/// `suffix` with the mirrored quote quirk of spec §2.6.
pub(crate) fn has_suffix(value: &str, suffix: &str) -> bool {
    value.ends_with(suffix) || suffix.strip_prefix('"') == Some(value)
}

/// A wildcard pattern: literal pieces separated by `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wildcard {
    /// The literal pieces; there is a `*` between each two. Never empty.
    pieces: Vec<String>,
    /// The source value, for messages and for the complexity check.
    source: String,
}

/// A token of a wildcard value: a literal byte or a `*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum WildToken {
    Byte(u8),
    Star,
}

impl Wildcard {
    /// Compiles a wildcard value, with EventBridge's reason for a bad one.
    pub(crate) fn parse(source: &str) -> Result<Wildcard, String> {
        let mut pieces = vec![String::new()];
        let mut chars = source.char_indices().peekable();
        let mut last_was_star = false;
        while let Some((i, c)) = chars.next() {
            match c {
                '*' => {
                    if last_was_star {
                        return Err(format!("Consecutive wildcard characters at pos {i}"));
                    }
                    last_was_star = true;
                    pieces.push(String::new());
                    continue;
                }
                '\\' => match chars.next() {
                    Some((_, e @ ('*' | '\\'))) => push_last(&mut pieces, e),
                    _ => return Err(format!("Invalid escape character at pos {}", i + 1)),
                },
                c => push_last(&mut pieces, c),
            }
            last_was_star = false;
        }
        Ok(Wildcard {
            pieces,
            source: source.to_string(),
        })
    }

    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// The literal pieces, with a `*` between each two.
    pub(crate) fn pieces(&self) -> &[String] {
        &self.pieces
    }

    /// The value as literal bytes and stars.
    pub(crate) fn tokens(&self) -> Vec<WildToken> {
        let mut out = Vec::new();
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                out.push(WildToken::Star);
            }
            out.extend(piece.bytes().map(WildToken::Byte));
        }
        out
    }

    /// Whether `s` matches. Stars match any sequence, including none, and the pattern is
    /// anchored at both ends. Taking each middle piece at its leftmost place is enough for
    /// star-only globs, so this runs in time linear in `s` per piece: no backtracking blow-up.
    pub(crate) fn is_match(&self, s: &str) -> bool {
        let first = &self.pieces[0];
        if self.pieces.len() == 1 {
            return s == first;
        }
        let last = &self.pieces[self.pieces.len() - 1];
        if s.len() < first.len() + last.len()
            || !s.starts_with(first.as_str())
            || !s.ends_with(last.as_str())
        {
            return false;
        }
        let mut rest = &s[first.len()..s.len() - last.len()];
        for piece in &self.pieces[1..self.pieces.len() - 1] {
            match rest.find(piece.as_str()) {
                Some(i) => rest = &rest[i + piece.len()..],
                None => return false,
            }
        }
        true
    }
}

fn push_last(pieces: &mut [String], c: char) {
    if let Some(last) = pieces.last_mut() {
        last.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_ignore_case_quirks() {
        // EP-EIC-6 .. -9
        assert!(Folded::new("É").equals("é"));
        assert!(Folded::new("straße").equals("STRASSE"));
        assert!(Folded::new("straße").equals("straße"));
        assert!(!Folded::new("STRASSE").equals("straße"));
        assert!(!Folded::new("ǅ").equals("ǅ"));
        assert!(!Folded::new("🚀").equals("🚀"));
        assert!(Folded::new("🚀").equals("??"));
        assert!(Folded::new("\u{212A}").equals("k"));
        assert!(!Folded::new("k").equals("\u{212A}"));
        assert!(!Folded::new("ς").equals("σ"));
        assert!(Folded::new("").equals(""));
        assert!(!Folded::new("").equals("a"));
    }

    #[test]
    fn equals_ignore_case_without_quirks() {
        let plain = |p: &str| Folded::with_quirks(p, false);
        assert!(plain("STRASSE").equals("strasse"));
        assert!(plain("ǅ").equals("ǅ"));
        assert!(plain("🚀").equals("🚀"));
        assert!(!plain("🚀").equals("??"));
        assert!(plain("EventB").is_prefix_of("EVENTBRIDGE"));
        assert!(plain(".PNG").is_suffix_of("a.png"));
    }

    #[test]
    fn prefix_suffix_ignore_case() {
        // EP-PFX-6, EP-SFX-6
        assert!(Folded::new("EventB").is_prefix_of("EvEnTbridge"));
        assert!(Folded::new(".png").is_suffix_of("image.PNG"));
        assert!(!Folded::new(".png").is_suffix_of("image.jpg"));
    }

    #[test]
    fn prefix_suffix_quote_quirk() {
        // EP-PFX-8, EP-SFX-7
        assert!(has_prefix("a", "a\""));
        assert!(has_prefix("", "\""));
        assert!(!has_prefix("ab", "a\""));
        assert!(has_suffix("a", "\"a"));
        assert!(has_suffix("", "\""));
    }

    #[test]
    fn wildcard_semantics() {
        let w = |p: &str| Wildcard::parse(p).unwrap();
        // EP-WILD-1 .. -9
        assert!(w("a*c").is_match("ac"));
        assert!(w("/Users/*/doc.txt").is_match("/Users/ls_user/dir/dir/dir/dir/dir/doc.txt"));
        assert!(!w("/Users/*/doc.txt").is_match("/Users/ls_user/notmatchingdoc.txt"));
        assert!(
            w("/Users/*/dir/dir/dir/dir/dir/doc.txt")
                .is_match("/Users/ls_user/dir/dir/dir/dir/dir/doc.txt")
        );
        assert!(
            !w("/Users/*/dir/dir/dir/dir/dir/doc.txt")
                .is_match("/Users/ls_user/dir/dir/dir/dir/otherdir/doc.txt")
        );
        assert!(w("").is_match(""));
        assert!(!w("").is_match("x"));
        assert!(w("*").is_match(""));
        assert!(w("a\\*b").is_match("a*b"));
        assert!(!w("a\\*b").is_match("axb"));
        assert!(w("a\\\\b").is_match("a\\b"));
        assert!(w("*a*a").is_match("aa"));
        assert!(!w("*a*a").is_match("a"));
        assert!(!w("ab*ba").is_match("aba"));
    }

    #[test]
    fn wildcard_errors() {
        // EP-WILD-10, -11
        assert_eq!(
            Wildcard::parse("a\\b").unwrap_err(),
            "Invalid escape character at pos 2"
        );
        assert_eq!(
            Wildcard::parse("abc\\").unwrap_err(),
            "Invalid escape character at pos 4"
        );
        assert_eq!(
            Wildcard::parse("ab**c").unwrap_err(),
            "Consecutive wildcard characters at pos 3"
        );
        assert_eq!(
            Wildcard::parse("é**").unwrap_err(),
            "Consecutive wildcard characters at pos 3"
        );
        assert_eq!(
            Wildcard::parse("arn:aws:events:us-east-1:**:event-bus/*").unwrap_err(),
            "Consecutive wildcard characters at pos 26"
        );
    }
}
