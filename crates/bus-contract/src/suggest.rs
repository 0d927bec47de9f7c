//! "Did you mean": the nearest known name to a misspelt one.

/// The candidate nearest to `word`, when it is near enough to be what was meant: an edit
/// distance of at most a third of the word's length (at least 1), or the same word in another
/// case or with `_` for `-`.
pub(crate) fn nearest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let folded = |s: &str| s.to_lowercase().replace('_', "-");
    let word_folded = folded(word);
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let c_folded = folded(c);
        let d = if c_folded == word_folded {
            0
        } else {
            strsim::damerau_levenshtein(&word_folded, &c_folded)
        };
        // A word that the candidate begins with, or that begins it, is also near:
        // `prod` for `production`, `expect` for `expects`.
        // So is one that shares most of its beginning: `stage` for `staging`.
        let common = word_folded
            .chars()
            .zip(c_folded.chars())
            .take_while(|(a, b)| a == b)
            .count();
        let shorter = word_folded.chars().count().min(c_folded.chars().count());
        let near = d <= limit
            || (word_folded.len() >= 3
                && (c_folded.starts_with(&word_folded) || word_folded.starts_with(&c_folded)))
            || (common >= 4 && common * 4 >= shorter * 3);
        if near && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// ` (did you mean `x`?)`, or nothing.
pub(crate) fn hint<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> String {
    nearest(word, candidates).map_or_else(String::new, |c| format!(" (did you mean `{c}`?)"))
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn near_misses() {
        let keys = ["expects", "uses", "pattern", "dead-letter-queue"];
        assert_eq!(nearest("expcts", keys), Some("expects"));
        assert_eq!(
            nearest("dead_letter_queue", keys),
            Some("dead-letter-queue")
        );
        assert_eq!(nearest("Pattern", keys), Some("pattern"));
        assert_eq!(nearest("colour", keys), None);
        let envs = ["dev", "staging", "prod"];
        assert_eq!(nearest("Prod", envs), Some("prod"));
        assert_eq!(nearest("production", envs), Some("prod"));
        assert_eq!(nearest("stage", envs), Some("staging"));
        assert_eq!(nearest("qa", envs), None);
    }
}
