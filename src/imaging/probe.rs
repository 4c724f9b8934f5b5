//! What an upload is: its format from magic bytes, its displayed size, and
//! the placeholders (a BlurHash and a colour) shown while it loads.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{PixelType, ResizeAlg, ResizeOptions, Resizer};

use super::decode::{Pixels, decode};
use super::{Format, ImageError, Limits};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Original {
    pub format: Format,
    /// As displayed: after the EXIF orientation.
    pub width: u32,
    pub height: u32,
    /// 4x3 components.
    pub blurhash: String,
    /// `#rrggbb`, the average of the visible pixels.
    pub color: String,
}

/// The side the placeholders are computed from: a BlurHash of 4x3
/// components keeps no detail finer than this, and it costs little.
const PLACEHOLDER_SIDE: u32 = 32;

/// The format of an upload the engine can read, from its first bytes only
/// (never a name or a declared type). AVIF, SVG, HEIC, PDF and the rest are
/// `None`.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(Format::Gif)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Format::Webp)
    } else {
        None
    }
}

/// Checks that the whole file decodes (the first frame of a GIF), refusing
/// a pixel bomb from its header before decoding, and computes the
/// placeholders. A JPEG is decoded at 1/8 scale, which reads all of it.
pub fn inspect(bytes: &[u8], limits: &Limits) -> Result<Original, ImageError> {
    let format = sniff(bytes).ok_or(ImageError::Unsupported)?;
    let decoded = decode(bytes, format, limits, |_, _| {
        (PLACEHOLDER_SIDE * 2, PLACEHOLDER_SIDE * 2)
    })?;
    let small = shrink(&decoded.pixels)?;
    let rgba = super::decode::to_rgba(&small);
    let blurhash = blurhash::encode(4, 3, small.width, small.height, rgba.as_raw())
        .map_err(|e| ImageError::Damaged(format!("computing the blur hash failed: {e:?}")))?;
    Ok(Original {
        format,
        width: decoded.full_width,
        height: decoded.full_height,
        blurhash,
        color: average_color(&small),
    })
}

fn shrink(pixels: &Pixels) -> Result<Pixels, ImageError> {
    let longest = pixels.width.max(pixels.height);
    if longest <= PLACEHOLDER_SIDE {
        return Ok(Pixels {
            data: pixels.data.clone(),
            ..*pixels
        });
    }
    let scale = f64::from(PLACEHOLDER_SIDE) / f64::from(longest);
    let width = ((f64::from(pixels.width) * scale).round() as u32).max(1);
    let height = ((f64::from(pixels.height) * scale).round() as u32).max(1);
    let pixel_type = if pixels.alpha {
        PixelType::U8x4
    } else {
        PixelType::U8x3
    };
    let failed = |e: &dyn std::fmt::Display| ImageError::Damaged(format!("resizing failed: {e}"));
    let from = ImageRef::new(pixels.width, pixels.height, &pixels.data, pixel_type)
        .map_err(|e| failed(&e))?;
    let mut to = Image::new(width, height, pixel_type);
    // A box average: every source pixel counts once, as an average should.
    let options =
        ResizeOptions::new().resize_alg(ResizeAlg::Convolution(fast_image_resize::FilterType::Box));
    Resizer::new()
        .resize(&from, &mut to, &options)
        .map_err(|e| failed(&e))?;
    Ok(Pixels {
        width,
        height,
        alpha: pixels.alpha,
        data: to.into_vec(),
    })
}

/// Weighted by opacity, so that a logo's transparent surround, whatever
/// colour its invisible pixels hold, does not tint it.
fn average_color(pixels: &Pixels) -> String {
    let (mut sums, mut weight) = ([0u64; 3], 0u64);
    for pixel in pixels.data.chunks_exact(pixels.channels()) {
        let alpha = if pixels.alpha {
            u64::from(pixel[3])
        } else {
            255
        };
        for (sum, &channel) in sums.iter_mut().zip(pixel) {
            *sum += u64::from(channel) * alpha;
        }
        weight += alpha;
    }
    if weight == 0 {
        return "#000000".to_owned();
    }
    let [r, g, b] = sums.map(|sum| (sum + weight / 2) / weight);
    format!("#{r:02x}{g:02x}{b:02x}")
}
