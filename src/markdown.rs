//! Markdown to sanitized HTML, plus the plain-text derivations (excerpt,
//! reading time) that are computed once at write time, never per read.

use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, TagEnd};

const EXCERPT_CHARS: usize = 200;
const WORDS_PER_MINUTE: usize = 230;

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES
}

/// The sanitizer's rules, built once: building them fills a dozen hash sets,
/// which was over a quarter of rendering a 2 KB article.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(["http", "https", "mailto", "tel"].into())
        .link_rel(Some("noopener noreferrer"));
    builder
});

/// Renders Markdown and strips everything that could run in a reader's
/// browser: scripts, event handlers, `javascript:` and `data:` URLs.
pub fn render_html(markdown: &str) -> String {
    let mut html = String::with_capacity(markdown.len() * 5 / 4);
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, options()));
    SANITIZER.clean(&html).to_string()
}

/// The body's visible text with whitespace collapsed.
pub fn plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    // Raw HTML is not text, and neither is what a script or style element holds.
    let mut in_hidden_element = false;
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                let html = html.to_ascii_lowercase();
                if html.contains("<script") || html.contains("<style") {
                    in_hidden_element = true;
                }
                if html.contains("</script") || html.contains("</style") {
                    in_hidden_element = false;
                }
            }
            Event::Text(_) | Event::Code(_) if in_hidden_element => {}
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph)
            | Event::End(TagEnd::Heading(_))
            | Event::End(TagEnd::Item) => text.push(' '),
            _ => {}
        }
    }
    collapse_whitespace(&text)
}

/// What `char::is_whitespace` says of an ASCII byte: space, tab, line feed,
/// vertical tab, form feed and carriage return.
fn is_ascii_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t'..=b'\r')
}

/// Calls `word` with each of the text's words, as `str::split_whitespace`
/// finds them. Nearly every body is ASCII, which is split byte by byte:
/// decoding it char by char was a sixth of an import's parsing thread.
fn for_each_word<'a>(text: &'a str, mut word: impl FnMut(&'a str)) {
    if !text.is_ascii() {
        return text.split_whitespace().for_each(word);
    }
    let mut start = None;
    for (at, &byte) in text.as_bytes().iter().enumerate() {
        match (is_ascii_space(byte), start) {
            (true, Some(from)) => {
                word(&text[from..at]);
                start = None;
            }
            (false, None) => start = Some(at),
            _ => {}
        }
    }
    if let Some(from) = start {
        word(&text[from..]);
    }
}

/// The text's words joined by one space.
fn collapse_whitespace(text: &str) -> String {
    let mut collapsed = String::with_capacity(text.len());
    for_each_word(text, |word| {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    });
    collapsed
}

/// The first ~200 characters of the text, cut at a word, with "…" when cut.
pub fn derive_excerpt(plain: &str) -> String {
    // Only whether there is more than the excerpt matters, not how much more.
    if plain.chars().nth(EXCERPT_CHARS).is_none() {
        return plain.to_owned();
    }
    let cut: String = plain.chars().take(EXCERPT_CHARS).collect();
    let at_word = match cut.rfind(' ') {
        Some(space) if space > 0 => &cut[..space],
        _ => cut.as_str(),
    };
    let trimmed = at_word.trim_end_matches(|c: char| c.is_whitespace() || ",;:-".contains(c));
    if ends_a_sentence(trimmed) {
        // "…Saturday morning.…" reads as a typo: a whole sentence needs no mark.
        trimmed.to_owned()
    } else {
        format!("{trimmed}…")
    }
}

/// Whether text ends a sentence: a full stop, question or exclamation mark
/// or an ellipsis (in any script), perhaps inside closing quotes or brackets.
fn ends_a_sentence(text: &str) -> bool {
    const CLOSERS: &[char] = &['"', '\'', '”', '’', '»', '›', ')', ']', '」', '』', '）'];
    const ENDS: &[char] = &[
        '.', '!', '?', '…', '。', '！', '？', '‼', '⁇', '⁈', '⁉', '．',
    ];
    text.trim_end_matches(CLOSERS)
        .chars()
        .next_back()
        .is_some_and(|c| ENDS.contains(&c))
}

/// How many words `for_each_word` finds.
fn word_count(text: &str) -> usize {
    let mut words = 0;
    for_each_word(text, |_| words += 1);
    words
}

/// Words divided by 230, rounded up, at least one minute.
pub fn reading_time_minutes(plain: &str) -> i32 {
    let words = word_count(plain);
    words.div_ceil(WORDS_PER_MINUTE).max(1) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_event_handlers_are_removed() {
        let html = render_html("hi <script>alert(1)</script> <img src=x onerror=alert(1)>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }

    #[test]
    fn javascript_and_data_urls_are_removed() {
        let html = render_html(
            "[a](javascript:alert(1)) <a href=\"data:text/html,x\">b</a> [c](https://example.com)",
        );
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(html.contains("href=\"https://example.com\""), "{html}");
    }

    #[test]
    fn markdown_is_rendered() {
        assert_eq!(
            render_html("# Title\n\n*x*"),
            "<h1>Title</h1>\n<p><em>x</em></p>\n"
        );
    }

    #[test]
    fn script_content_is_not_text() {
        assert_eq!(plain_text("Hi <script>alert(1)</script> there"), "Hi there");
    }

    #[test]
    fn an_excerpt_cut_after_a_sentence_gets_no_ellipsis() {
        let sentence = |end: &str| {
            let mut text = "word ".repeat(35);
            text.push_str(&format!(
                "Saturday morning{end} Notwithstandingeverythingthathappenedafterwards"
            ));
            derive_excerpt(&text)
        };
        for end in [
            ".", "!", "?", ".\"", "?”", "!’", ".)", "。", "！", "？", "…",
        ] {
            let excerpt = sentence(end);
            assert!(excerpt.ends_with(end), "{end}: {excerpt}");
            assert!(!excerpt.ends_with(&format!("{end}…")), "{end}: {excerpt}");
        }
        let mid_sentence = derive_excerpt(&"word ".repeat(60));
        assert!(mid_sentence.ends_with("word…"), "{mid_sentence}");
        let comma = sentence(",");
        assert!(comma.ends_with("morning…"), "{comma}");
    }

    #[test]
    fn a_short_body_is_its_own_excerpt() {
        assert_eq!(
            derive_excerpt(&plain_text("Hello **world**.")),
            "Hello world."
        );
    }

    #[test]
    fn a_long_body_is_cut_at_a_word_with_an_ellipsis() {
        let body = "word ".repeat(100);
        let excerpt = derive_excerpt(&plain_text(&body));
        assert!(excerpt.ends_with("word…"), "{excerpt}");
        assert!(excerpt.chars().count() <= 201);
    }

    /// Tabs, vertical tabs, form feeds, no-break and ideographic spaces, at
    /// either end and in runs, in ASCII and in non-ASCII text alike.
    #[test]
    fn words_are_split_as_split_whitespace_splits_them() {
        let texts = [
            "",
            " ",
            "one",
            "  one  two\tthree\n\nfour ",
            "a\x0bb\x0cc\rd",
            "\x0b\x0b",
            "é\u{a0}è\u{3000}ê  ë\u{2028}",
            "naïve\x0bcafé",
            "x\u{1}y",
        ];
        for text in texts {
            let words: Vec<&str> = text.split_whitespace().collect();
            assert_eq!(collapse_whitespace(text), words.join(" "), "{text:?}");
            assert_eq!(word_count(text), words.len(), "{text:?}");
        }
        let long = "word ".repeat(1000);
        assert_eq!(reading_time_minutes(&long), 5);
        assert_eq!(reading_time_minutes(&format!("\u{a0}{long}")), 5);
    }

    #[test]
    fn an_excerpt_of_exactly_its_length_is_not_cut() {
        let plain = "x".repeat(EXCERPT_CHARS);
        assert_eq!(derive_excerpt(&plain), plain);
        let longer = format!("{plain} y");
        assert!(derive_excerpt(&longer).ends_with('…'));
    }

    #[test]
    fn reading_time_rounds_up_and_is_at_least_one() {
        assert_eq!(reading_time_minutes(""), 1);
        assert_eq!(reading_time_minutes(&"w ".repeat(230)), 1);
        assert_eq!(reading_time_minutes(&"w ".repeat(231)), 2);
    }
}
