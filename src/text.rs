//! Text normalisation: NFKC keys for matching closed lists and IDs, cleaning of control
//! characters, and near-miss suggestions ("did you mean …").
//!
//! Text is rendered as the user typed it; only comparisons go through [`key`].

use unicode_normalization::UnicodeNormalization;

/// NFKC form of a string (full-width ASCII → half-width, etc.).
pub fn nfkc(s: &str) -> String {
    s.nfkc().collect()
}

/// The comparison key of a value: NFKC, trimmed, inner whitespace runs removed.
pub fn key(s: &str) -> String {
    // Fast path (the same result): text already in NFKC, such as any ASCII, needs no
    // normalising. Keys are compared for every row of every sheet per agreement, so this
    // matters on registers of thousands of agreements.
    if s.is_ascii()
        || unicode_normalization::is_nfkc_quick(s.chars())
            == unicode_normalization::IsNormalized::Yes
    {
        return s.split_whitespace().collect();
    }
    nfkc(s).split_whitespace().collect::<Vec<_>>().join("")
}

/// Whether `key(s) == key`, without allocating when `s` needs no normalising (the common
/// case when rows are matched to an agreement number).
pub fn key_eq(s: &str, key: &str) -> bool {
    if s == key {
        return true;
    }
    // ASCII without whitespace is its own key.
    if s.is_ascii() && !s.chars().any(char::is_whitespace) {
        return false;
    }
    if s.is_ascii()
        || unicode_normalization::is_nfkc_quick(s.chars())
            == unicode_normalization::IsNormalized::Yes
    {
        s.split_whitespace().flat_map(str::chars).eq(key.chars())
    } else {
        self::key(s) == key
    }
}

/// Remove control characters (C0, C1, DEL) other than a line break; tabs become spaces.
/// Returns the cleaned text and whether anything was changed.
pub fn clean_controls(s: &str) -> (String, bool) {
    let mut changed = false;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push(c),
            '\r' => changed = true,
            '\t' => {
                out.push(' ');
                changed = true;
            }
            c if c.is_control() => changed = true,
            // Unicode non-characters and bidi overrides have no place in an official document.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FFFE}' | '\u{FFFF}' => {
                changed = true
            }
            c => out.push(c),
        }
    }
    (out, changed)
}

/// Levenshtein distance over characters.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate to `value` (compared as keys) if it is a near miss: at most a
/// third of the candidate's length away, or one contains the other.
pub fn suggest<'a>(value: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let v = key(value);
    if v.is_empty() {
        return None;
    }
    let vlen = v.chars().count();
    candidates
        .into_iter()
        .map(|c| {
            let k = key(c);
            let d = distance(&v, &k);
            let contains = (k.contains(&v) && vlen * 2 >= k.chars().count()) || v.contains(&k);
            (c, d, contains, k.chars().count())
        })
        .filter(|&(_, d, contains, len)| d > 0 && (contains || d * 3 <= len.max(vlen)))
        .min_by_key(|&(_, d, _, _)| d)
        .map(|(c, ..)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_gives_the_normalised_key() {
        for s in [
            "R8-001",
            " R8 - 001\t",
            "例-001",
            "ＡＢＣ　１２３",
            "ｶﾞｽ",
            "㈱サンプル",
            "葛\u{E0100}城",
            "①",
            "が",
        ] {
            assert_eq!(
                key(s),
                nfkc(s).split_whitespace().collect::<String>(),
                "{s}"
            );
            assert!(key_eq(s, &key(s)), "{s}");
            assert!(!key_eq(s, "R8-002"), "{s}");
        }
    }

    #[test]
    fn keys_ignore_width_and_spaces() {
        assert_eq!(key(" Ｒ８－００１ "), key("R8-001"));
        assert_eq!(key("はい　"), "はい");
    }

    #[test]
    fn cleans_controls() {
        assert_eq!(
            clean_controls("株式会社\u{7}テスト"),
            ("株式会社テスト".into(), true)
        );
        assert_eq!(clean_controls("一行\n二行"), ("一行\n二行".into(), false));
    }

    #[test]
    fn suggests_near_misses() {
        let fields = [
            "シティプロモーションに関すること。",
            "地域活性化に関すること。",
        ];
        assert_eq!(
            suggest("シニアプロモーションに関すること。", fields),
            Some("シティプロモーションに関すること。")
        );
        assert_eq!(
            suggest("シティプロモーション", fields),
            Some("シティプロモーションに関すること。")
        );
        assert_eq!(suggest("まったく別のもの", fields), None);
        assert_eq!(suggest("締結曰", ["締結日", "解除日"]), Some("締結日"));
    }
}
