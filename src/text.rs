//! Text normalisation: NFKC keys for matching closed lists and IDs, cleaning of control
//! and invisible characters, canonical composition (NFC) of what is read, and near-miss
//! suggestions ("did you mean …").
//!
//! Text is rendered as the user typed it, up to its canonical form: [`clean`] composes it
//! (NFC: `ガ` typed as カ + U+3099 becomes the one character ガ, so folders, matching and a
//! search in the PDF agree), which changes no character a user can tell apart (not NFKC:
//! full-width stays full-width, ① stays ①, and CJK compatibility ideographs such as U+FA19 神
//! are kept). Only comparisons go through [`key`].

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

/// What [`clean`] took out of a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removed {
    /// Control characters (C0, C1, DEL; a tab became a space), bidi overrides, non-characters.
    pub controls: bool,
    /// Invisible format characters (Unicode category Cf: U+200B, U+FEFF, U+00AD …), each once,
    /// in order of appearance.
    pub invisible: Vec<char>,
}

impl Removed {
    pub fn any(&self) -> bool {
        self.controls || !self.invisible.is_empty()
    }

    /// `U+200B、U+FEFF`: the invisible characters, for a message.
    pub fn invisible_list(&self) -> String {
        self.invisible
            .iter()
            .map(|c| format!("U+{:04X}", *c as u32))
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// Remove what an official document must not carry and nobody can see: control characters
/// other than a line break (a tab becomes a space), bidi overrides, non-characters, and the
/// invisible format characters of Unicode category Cf (zero-width space U+200B, BOM U+FEFF,
/// soft hyphen U+00AD …). What is meaningful stays: a zero-width joiner inside an emoji
/// sequence (👨‍👩‍👧), the tag characters of a flag, and variation selectors (異体字), which are
/// not Cf. The result is in NFC ([`nfc`]).
pub fn clean(s: &str) -> (String, Removed) {
    use unicode_properties::{GeneralCategory, UnicodeEmoji, UnicodeGeneralCategory};
    let emoji = |c: char| !c.is_ascii() && c.is_emoji_char();
    let mut removed = Removed::default();
    let mut out = String::with_capacity(s.len());
    // Whether NFC might change the text: told in this one pass, so most cells need no other.
    let mut maybe_not_nfc = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        maybe_not_nfc |= !surely_nfc(c);
        match c {
            '\n' => out.push(c),
            '\r' => removed.controls = true,
            '\t' => {
                out.push(' ');
                removed.controls = true;
            }
            c if c.is_control() => removed.controls = true,
            // Unicode non-characters and bidi overrides have no place in an official document.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FFFE}' | '\u{FFFF}' => {
                removed.controls = true
            }
            // Every character of those ranges is of another category than Cf.
            c if !surely_nfc(c) && c.general_category() == GeneralCategory::Format => {
                let prev = out.chars().next_back();
                let after_emoji = prev.is_some_and(|p| {
                    emoji(p) || p == '\u{FE0F}' || ('\u{E0020}'..='\u{E007F}').contains(&p)
                });
                let keep = match c {
                    '\u{200D}' => after_emoji && chars.peek().is_some_and(|&n| emoji(n)),
                    '\u{E0020}'..='\u{E007F}' => after_emoji,
                    _ => false,
                };
                if keep {
                    out.push(c);
                } else if !removed.invisible.contains(&c) {
                    removed.invisible.push(c);
                }
            }
            c => out.push(c),
        }
    }
    match maybe_not_nfc {
        true => (nfc(out), removed),
        false => (out, removed),
    }
}

/// The canonical composition (NFC) of a text, keeping CJK compatibility ideographs (U+F900–
/// U+FAFF, U+2F800–U+2FA1F) as they are: NFC would replace them by their unified ideograph
/// (U+FA19 神 by U+795E 神), a glyph a name written with the old form must not lose.
pub fn nfc(s: String) -> String {
    use unicode_normalization::{IsNormalized, is_nfc_quick};
    // Fast path: almost every cell is already NFC (any ASCII, text typed by an IME). Most
    // characters of a register are in ranges NFC never changes, told without a table lookup.
    if s.chars().all(surely_nfc) || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        return s;
    }
    let compat = |c: char| {
        ('\u{F900}'..='\u{FAFF}').contains(&c) || ('\u{2F800}'..='\u{2FA1F}').contains(&c)
    };
    let mut out = String::with_capacity(s.len());
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if compat(c) {
            out.extend(s[start..i].nfc());
            out.push(c);
            start = i + c.len_utf8();
        }
    }
    out.extend(s[start..].nfc());
    out
}

/// Whether a character is one NFC never changes nor combines with what precedes it, and not a
/// format character (Cf), by range: Latin up to U+02FF but the soft hyphen U+00AD, CJK symbols, hiragana and katakana (without the combining sound marks
/// U+3099 and U+309A), CJK unified ideographs, full-width ASCII and half-width katakana.
/// (Checked against the NFC quick-check table in the tests.)
fn surely_nfc(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{AC}'
        | '\u{AE}'..='\u{2FF}'
        | '\u{3000}'..='\u{3029}'
        | '\u{3041}'..='\u{3096}'
        | '\u{30A1}'..='\u{30FA}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{FF01}'..='\u{FF5E}'
        | '\u{FF61}'..='\u{FF9D}')
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
    fn the_ranges_taken_as_nfc_are_nfc_in_the_quick_check_table() {
        use unicode_normalization::{IsNormalized, is_nfc_quick};
        for c in (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| surely_nfc(c))
        {
            assert_eq!(
                is_nfc_quick(std::iter::once(c)),
                IsNormalized::Yes,
                "U+{:04X}",
                c as u32
            );
            // Nor does it combine with a character before it.
            assert_eq!(
                is_nfc_quick(['a', c].into_iter()),
                IsNormalized::Yes,
                "U+{:04X}",
                c as u32
            );
        }
    }

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
        let (t, r) = clean("株式会社\u{7}テスト");
        assert_eq!(
            (t.as_str(), r.controls, r.any()),
            ("株式会社テスト", true, true)
        );
        assert_eq!(
            clean("一行\n二行"),
            ("一行\n二行".into(), Removed::default())
        );
    }

    #[test]
    fn removes_invisible_format_characters_but_keeps_emoji_sequences() {
        let (t, r) = clean("\u{FEFF}株式会社\u{200B}あかぎ\u{00AD}商事\u{200B}\u{2060}");
        assert_eq!(t, "株式会社あかぎ商事");
        assert!(!r.controls);
        assert_eq!(
            r.invisible,
            vec!['\u{FEFF}', '\u{200B}', '\u{00AD}', '\u{2060}']
        );
        assert_eq!(r.invisible_list(), "U+FEFF、U+200B、U+00AD、U+2060");
        // A family emoji (ZWJ sequence), a heart on fire (with VS16), a flag of England (tags),
        // and an IVS 異体字: nothing is removed.
        for kept in [
            "家族👨\u{200D}👩\u{200D}👧",
            "❤\u{FE0F}\u{200D}🔥",
            "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}",
            "葛\u{E0100}飾",
        ] {
            assert_eq!(
                clean(kept),
                (kept.to_string(), Removed::default()),
                "{kept}"
            );
        }
        // A ZWJ between letters, or at the end of an emoji, is invisible noise.
        assert_eq!(clean("R8\u{200D}-003").0, "R8-003");
        assert_eq!(clean("👍\u{200D}").0, "👍");
    }

    #[test]
    fn composes_to_nfc_but_keeps_what_users_can_tell_apart() {
        // ガ typed as カ + U+3099 (NFD, as macOS names files), and a composed one.
        let nfd = "\u{30AB}\u{3099}-001";
        assert_eq!(clean(nfd).0, "\u{30AC}-001");
        assert_eq!(clean(nfd).0, clean("ガ-001").0);
        assert_eq!(clean("株式会社カ\u{3099}ス").0, "株式会社ガス");
        assert_eq!(clean("Cafe\u{301}").0, "Caf\u{E9}");
        // Not NFKC: width, circled numbers and compatibility ideographs stay.
        for kept in [
            "ＡＢＣ１２３",
            "①",
            "ｶﾞ",
            "\u{FA19}",
            "\u{2F800}",
            "\u{FA19}\u{3099}",
        ] {
            assert_eq!(clean(kept).0, kept, "{kept:?}");
        }
        assert_eq!(clean("\u{FA19}カ\u{3099}").0, "\u{FA19}ガ");
        // A variation selector (異体字) stays after its base.
        assert_eq!(clean("葛\u{E0100}").0, "葛\u{E0100}");
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
