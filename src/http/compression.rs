//! Compressed responses, negotiated with `Accept-Encoding`: Brotli, else
//! gzip, for JSON bodies large enough to gain (lists, mostly). A compressed
//! representation is a different one (RFC 9110 §8.8.3), so its strong ETag
//! is the identity tag with the coding appended inside the quotes; the
//! conditional checks (`If-None-Match`, `If-Match`) compare tags with that
//! suffix removed, so a tag from any encoding validates the same content.

use std::io::Write;

use actix_web::http::header::{self, HeaderMap, HeaderValue};

/// Smaller bodies are sent as they are: the saving would not pay for the
/// work, and a single small resource fits one packet either way.
pub const MIN_BYTES: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coding {
    Brotli,
    Gzip,
}

impl Coding {
    pub fn token(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
        }
    }
}

/// The coding to answer with: Brotli when the client accepts it, else gzip,
/// else none. `q=0` refuses a coding; `*` stands for any not named.
pub fn negotiate(headers: &HeaderMap) -> Option<Coding> {
    let accepted = headers
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|item| {
            let mut parts = item.split(';');
            let name = parts.next()?.trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .filter_map(|q| q.trim().parse::<f32>().ok())
                .next()
                .unwrap_or(1.0);
            Some((name, q))
        })
        .collect::<Vec<_>>();
    let quality = |token: &str| {
        accepted
            .iter()
            .find(|(name, _)| name == token)
            .or_else(|| accepted.iter().find(|(name, _)| name == "*"))
            .map_or(0.0, |(_, q)| *q)
    };
    let (brotli, gzip) = (quality("br"), quality("gzip"));
    if brotli > 0.0 && brotli >= gzip {
        Some(Coding::Brotli)
    } else if gzip > 0.0 {
        Some(Coding::Gzip)
    } else {
        None
    }
}

/// Whether a response with these headers and this many bytes is worth
/// compressing: JSON, not already encoded, and large enough.
pub fn worth_it(headers: &HeaderMap, len: usize) -> bool {
    len >= MIN_BYTES
        && !headers.contains_key(header::CONTENT_ENCODING)
        && headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"))
}

pub fn encode(coding: Coding, bytes: &[u8]) -> Vec<u8> {
    match coding {
        Coding::Gzip => {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            // Writing to a Vec cannot fail.
            let _ = encoder.write_all(bytes);
            encoder.finish().unwrap_or_default()
        }
        Coding::Brotli => {
            let mut out = Vec::with_capacity(bytes.len() / 4);
            // Quality 5 of 11: most of the size gain at a fraction of the
            // time of the slowest settings; each body is compressed once
            // while it is cached.
            let params = brotli::enc::BrotliEncoderParams {
                quality: 5,
                ..Default::default()
            };
            let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
            out
        }
    }
}

/// The ETag of the `coding` representation of content tagged `etag`.
pub fn tagged(etag: &str, coding: Coding) -> String {
    match etag.strip_suffix('"') {
        Some(open) => format!("{open}-{}\"", coding.token()),
        None => etag.to_owned(),
    }
}

/// A tag as the identity representation's: the coding suffix removed.
pub fn identity_tag(tag: &str) -> std::borrow::Cow<'_, str> {
    for coding in [Coding::Brotli, Coding::Gzip] {
        let suffix = format!("-{}\"", coding.token());
        if let Some(open) = tag.strip_suffix(suffix.as_str()) {
            return format!("{open}\"").into();
        }
    }
    tag.into()
}

/// Headers of the `coding` representation: its ETag and Content-Encoding.
/// (Vary already names Accept-Encoding on every public read.)
pub fn mark(headers: &mut HeaderMap, coding: Coding) {
    if let Some(etag) = headers.get(header::ETAG).and_then(|v| v.to_str().ok())
        && let Ok(value) = HeaderValue::from_str(&tagged(etag, coding))
    {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CONTENT_ENCODING,
        HeaderValue::from_static(coding.token()),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepting(value: &str) -> Option<Coding> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        negotiate(&headers)
    }

    #[test]
    fn brotli_is_preferred_and_q_zero_refuses() {
        assert_eq!(accepting("gzip, deflate, br"), Some(Coding::Brotli));
        assert_eq!(accepting("gzip, deflate"), Some(Coding::Gzip));
        assert_eq!(accepting("br;q=0, gzip"), Some(Coding::Gzip));
        assert_eq!(accepting("br;q=0.5, gzip;q=0.8"), Some(Coding::Gzip));
        assert_eq!(accepting("*"), Some(Coding::Brotli));
        assert_eq!(accepting("*;q=0, identity"), None);
        assert_eq!(accepting("identity"), None);
        assert_eq!(negotiate(&HeaderMap::new()), None);
    }

    #[test]
    fn coded_tags_validate_as_the_identity_tag() {
        let tag = "\"0123abcd\"";
        assert_eq!(tagged(tag, Coding::Gzip), "\"0123abcd-gzip\"");
        assert_eq!(identity_tag(&tagged(tag, Coding::Brotli)), tag);
        assert_eq!(identity_tag(tag), tag);
    }

    #[test]
    fn both_codings_round_trip() {
        let body = br#"{"data":[{"title":"a long enough body"}]}"#.repeat(100);
        let gz = encode(Coding::Gzip, &body);
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut out).unwrap();
        assert_eq!(out, body);
        let br = encode(Coding::Brotli, &body);
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut out).unwrap();
        assert_eq!(out, body);
        assert!(br.len() < body.len() / 10 && gz.len() < body.len() / 10);
    }
}
