//! What text the API accepts, in one place. Every string a client sends is checked here
//! (the server's JSON extractor walks the whole body), so no screen can show a name that
//! reads differently from what was typed: bidi overrides and isolates turn `店<RLO>FDP.exe`
//! into "店exe.PDF"; zero-width and other invisible format characters make two names that
//! look alike differ; line and paragraph separators, and newlines in one-line fields,
//! break layouts and exports.

use crate::error::FieldError;

/// Fields (JSON keys) whose text may run over several lines; every other string is one
/// line. Strings inside an array take the array's key.
pub const MULTI_LINE_FIELDS: &[&str] = &[
    "body",
    "text",
    "note",
    "message",
    "reason",
    "reject_reason",
    "answer",
    "question",
    "csv",
    "comment",
    "opinion",
    "description",
    "prompt",
];

/// Whether a field of this name may hold several lines.
pub fn is_multi_line(field: &str) -> bool {
    MULTI_LINE_FIELDS.contains(&field)
}

/// Why a piece of text is refused, if it is.
pub fn check(text: &str, multi_line: bool) -> Result<(), FieldError> {
    // A file's content (an imported CSV) may open with a byte-order mark.
    let text = if multi_line {
        text.strip_prefix('\u{feff}').unwrap_or(text)
    } else {
        text
    };
    for c in text.chars() {
        if is_invisible(c) {
            return Err(FieldError::InvisibleCharacter);
        }
        if matches!(c, '\n' | '\r') && !multi_line {
            return Err(FieldError::LineBreak);
        }
    }
    Ok(())
}

/// Characters that change how text reads without being seen: C0 and C1 controls other
/// than tab and line breaks, Unicode format characters (general category Cf: bidi
/// embeddings, overrides and isolates, marks, zero-width spaces and joiners, word joiner,
/// invisible operators, the byte-order mark, interlinear annotation, tags), line and
/// paragraph separators, and the Hangul and Braille fillers and other blanks that render
/// as nothing.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{ad}' | '\u{34f}' | '\u{61c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
        | '\u{180b}'..='\u{180f}'
        | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}'
        | '\u{2800}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{ffa0}'
        | '\u{fff0}'..='\u{fffb}' | '\u{e0000}'..='\u{e007f}'
        | '\u{600}'..='\u{605}' | '\u{6dd}' | '\u{70f}' | '\u{8e2}' | '\u{110bd}' | '\u{110cd}'
        | '\u{1d173}'..='\u{1d17a}'
    )
}

/// Checks every string of a JSON body; on the first refusal, the field (key) it was under
/// and why.
#[cfg(feature = "json")]
pub fn check_json(value: &serde_json::Value) -> Result<(), (String, FieldError)> {
    fn walk(v: &serde_json::Value, key: &str) -> Result<(), (String, FieldError)> {
        match v {
            serde_json::Value::String(s) => check(s, is_multi_line(key)).map_err(|e| (key.to_owned(), e)),
            serde_json::Value::Array(items) => items.iter().try_for_each(|i| walk(i, key)),
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    check(k, false).map_err(|e| (k.clone(), e))?;
                    walk(v, k)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    walk(value, "body")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bidi_override_in_a_name_is_refused() {
        assert_eq!(check("店\u{202e}FDP.exe", false), Err(FieldError::InvisibleCharacter));
        assert_eq!(check("店\u{2067}x", true), Err(FieldError::InvisibleCharacter));
    }

    #[test]
    fn invisible_characters_are_refused_everywhere() {
        for c in [
            '\u{200b}',
            '\u{200d}',
            '\u{2060}',
            '\u{feff}',
            '\u{ad}',
            '\u{2028}',
            '\u{2029}',
            '\u{1b}',
            '\u{e0041}',
            '\u{3164}',
        ] {
            assert_eq!(
                check(&format!("张{c}三"), true),
                Err(FieldError::InvisibleCharacter),
                "{:?}",
                c
            );
        }
    }

    #[test]
    fn newlines_only_in_multi_line_fields() {
        assert_eq!(check("第一行\n第二行", false), Err(FieldError::LineBreak));
        assert_eq!(check("a\rb", false), Err(FieldError::LineBreak));
        assert_eq!(check("第一行\r\n第二行\t完", true), Ok(()));
        assert_eq!(check("\u{feff}户号,户主姓名\r\n", true), Ok(()));
        assert_eq!(check("\u{feff}户号", false), Err(FieldError::InvisibleCharacter));
        assert!(is_multi_line("note") && !is_multi_line("counterparty"));
    }

    #[test]
    fn ordinary_text_passes() {
        for s in [
            "上坪村 2026年11月 支出 ¥1,234.50",
            "张*明",
            "Café – naïve",
            "👍 好",
            "（一）、《通知》",
        ] {
            assert_eq!(check(s, false), Ok(()), "{s}");
        }
    }

    #[cfg(feature = "json")]
    #[test]
    fn json_bodies_name_the_field() {
        let v = serde_json::json!({"counterparty": "店\u{202e}exe", "note": "ok"});
        assert_eq!(
            check_json(&v),
            Err(("counterparty".into(), FieldError::InvisibleCharacter))
        );
        let v = serde_json::json!({"options": ["甲", "乙\n丙"], "note": "多\n行"});
        assert_eq!(check_json(&v), Err(("options".into(), FieldError::LineBreak)));
        let v = serde_json::json!({"note": "多\n行", "items": [{"text": "a\nb"}]});
        assert_eq!(check_json(&v), Ok(()));
    }
}
