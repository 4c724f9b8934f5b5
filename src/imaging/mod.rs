//! Uploaded images: what a file is (`sniff`, `inspect`) and the renditions
//! made from it (`render`). An HTTP-free service, like `markdown`: the caller
//! maps `ImageError` to statuses and decides where bytes are kept.
//!
//! Accepted uploads are JPEG, PNG, WebP and GIF (its first frame). AVIF is an
//! output format only: decoding it would bring in dav1d (C) or a slow Rust
//! decoder, so `sniff` answers `None` for an AVIF file, as for any format the
//! engine cannot read, and `inspect` calls it `Unsupported`.
//!
//! Renditions carry no metadata at all: not EXIF, GPS, XMP, nor an ICC
//! profile. Pixels are treated as sRGB; a photo tagged with a wider profile
//! (Display P3) comes out slightly less saturated than the original.
//!
//! Nothing here starts a thread pool, with one exception the caller should
//! count: jpeg-decoder, built without rayon, decodes a large JPEG's colour
//! components on a few short-lived threads of its own.
//!
//! Memory: a JPEG is decoded at the smallest scale the output needs (one
//! render of a 12 MP photo peaks near 13 MiB, 24 MiB for AVIF); PNG, GIF and
//! WebP are decoded whole, 3 or 4 bytes a pixel, so `Limits::max_pixels`
//! bounds them.

mod decode;
mod encode;
mod geometry;
mod probe;
mod render;
#[cfg(test)]
mod tests;

pub use probe::{Original, inspect, sniff};
pub use render::{Rendered, render};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
    Avif,
}

impl Format {
    pub fn mime(&self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
            Format::Avif => "image/avif",
        }
    }

    pub fn extension(&self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
            Format::Avif => "avif",
        }
    }

    /// Case-insensitive, without the dot: what a rendition URL ends with.
    pub fn from_extension(extension: &str) -> Option<Format> {
        match extension.to_ascii_lowercase().as_str() {
            "jpg" | "jpeg" => Some(Format::Jpeg),
            "png" => Some(Format::Png),
            "webp" => Some(Format::Webp),
            "gif" => Some(Format::Gif),
            "avif" => Some(Format::Avif),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Width times height, as the header claims it, checked before any
    /// pixel is allocated.
    pub max_pixels: u64,
    /// The caller is expected to refuse larger bodies (413) before calling;
    /// `inspect` and `render` refuse them too, as `Damaged`, so that no path
    /// decodes an unbounded file.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pixels: 50_000_000,
            max_bytes: 20 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("not a JPEG, PNG, WebP or GIF image")]
    Unsupported,
    #[error("the image is {width}x{height} pixels, over the limit of {max} pixels")]
    TooManyPixels { width: u32, height: u32, max: u64 },
    /// Also used when an encoder fails on a rendition, which has never been
    /// seen with valid pixels; the message says which step failed.
    #[error("the image cannot be decoded: {0}")]
    Damaged(String),
}

/// What a rendition asks for. sharp's meanings of `Fit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// Fills width x height exactly, cropping around the focal point.
    Cover,
    /// Fits inside width x height and pads to exactly that size: transparent
    /// for PNG, WebP and AVIF, white for JPEG.
    Contain,
    /// Fits within width x height: no padding, no crop.
    Inside,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rendition {
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub fit: Fit,
    /// Jpeg, Png, Webp or Avif; Gif is `Unsupported`.
    pub format: Format,
    /// 1..=100, clamped; PNG ignores it.
    pub quality: u8,
    /// 0..=1 from the left and from the top, clamped; only `Cover` uses it.
    pub focal: (f32, f32),
}
