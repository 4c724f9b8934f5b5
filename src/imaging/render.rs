//! A rendition: decode (at a reduced scale when the target is much smaller),
//! crop, resize, pad, encode.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use super::decode::{Pixels, decode};
use super::geometry::{Plan, plan};
use super::{Format, ImageError, Limits, Rendition, encode, probe};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub format: Format,
}

pub fn render(
    original: &[u8],
    rendition: &Rendition,
    limits: &Limits,
) -> Result<Rendered, ImageError> {
    if rendition.format == Format::Gif {
        return Err(ImageError::Unsupported);
    }
    let source_format = probe::sniff(original).ok_or(ImageError::Unsupported)?;
    let decoded = decode(original, source_format, limits, |width, height| {
        let (width, height) = plan(width, height, rendition).smallest_source(width, height);
        (slack(width), slack(height))
    })?;
    let plan = plan(decoded.full_width, decoded.full_height, rendition);
    // The decoder may have scaled the image down; the plan speaks of the whole.
    let scale_x = f64::from(decoded.pixels.width) / f64::from(decoded.full_width);
    let scale_y = f64::from(decoded.pixels.height) / f64::from(decoded.full_height);
    let content = resize(&decoded.pixels, &plan, scale_x, scale_y)?;
    drop(decoded);
    let output = compose(content, &plan, rendition.format);
    let bytes = encode::encode(&output, rendition.format, rendition.quality.clamp(1, 100))?;
    Ok(Rendered {
        bytes,
        width: output.width,
        height: output.height,
        format: rendition.format,
    })
}

/// A JPEG decoded at the next IDCT scale (1/2, 1/4, 1/8) when that falls
/// short of the output by at most this much, then enlarged by as much: 2048
/// pixels of a 4000-pixel photo come from a 2000-pixel decode. A full decode
/// of a 12-megapixel photo holds some 100 MiB while it runs, the half one a
/// quarter of that, and an enlargement this small does not show.
const DECODE_SLACK: f64 = 0.95;

fn slack(pixels: u32) -> u32 {
    (f64::from(pixels) * DECODE_SLACK).ceil() as u32
}

fn resize(source: &Pixels, plan: &Plan, scale_x: f64, scale_y: f64) -> Result<Pixels, ImageError> {
    let (width, height) = plan.content;
    let crop = plan.crop;
    let untouched = (width, height) == (source.width, source.height)
        && crop.left == 0.0
        && crop.top == 0.0
        && crop.width * scale_x == f64::from(source.width)
        && crop.height * scale_y == f64::from(source.height);
    let pixel_type = if source.alpha {
        PixelType::U8x4
    } else {
        PixelType::U8x3
    };
    if untouched {
        return Ok(Pixels {
            width,
            height,
            alpha: source.alpha,
            data: source.data.clone(),
        });
    }
    let resize_error =
        |error: &dyn std::fmt::Display| ImageError::Damaged(format!("resizing failed: {error}"));
    let from = ImageRef::new(source.width, source.height, &source.data, pixel_type)
        .map_err(|e| resize_error(&e))?;
    let mut to = Image::new(width, height, pixel_type);
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
        .crop(
            crop.left * scale_x,
            crop.top * scale_y,
            crop.width * scale_x,
            crop.height * scale_y,
        );
    Resizer::new()
        .resize(&from, &mut to, &options)
        .map_err(|e| resize_error(&e))?;
    Ok(Pixels {
        width,
        height,
        alpha: source.alpha,
        data: to.into_vec(),
    })
}

/// The content on its canvas, in the channels the output format takes:
/// JPEG has no alpha, so transparency and padding become white.
fn compose(content: Pixels, plan: &Plan, format: Format) -> Pixels {
    let padded = plan.canvas != plan.content;
    let alpha = format != Format::Jpeg && (content.alpha || padded);
    if !padded && alpha == content.alpha {
        return content;
    }
    let channels = if alpha { 4 } else { 3 };
    let background: &[u8] = if alpha {
        &[0, 0, 0, 0]
    } else {
        &[255, 255, 255]
    };
    let (canvas_width, canvas_height) = plan.canvas;
    let mut data = background.repeat(canvas_width as usize * canvas_height as usize);
    let row_bytes = canvas_width as usize * channels;
    let (left, top) = (plan.offset.0 as usize, plan.offset.1 as usize);
    for (y, row) in content
        .data
        .chunks_exact(content.width as usize * content.channels())
        .enumerate()
    {
        let start = (top + y) * row_bytes + left * channels;
        let target = &mut data[start..start + content.width as usize * channels];
        for (to, from) in target
            .chunks_exact_mut(channels)
            .zip(row.chunks_exact(content.channels()))
        {
            match (content.alpha, alpha) {
                (true, true) | (false, false) => to.copy_from_slice(from),
                (false, true) => {
                    to[..3].copy_from_slice(from);
                    to[3] = 255;
                }
                (true, false) => {
                    // Over white: fully transparent pixels become white.
                    let a = u16::from(from[3]);
                    for c in 0..3 {
                        to[c] = ((u16::from(from[c]) * a + 255 * (255 - a) + 127) / 255) as u8;
                    }
                }
            }
        }
    }
    Pixels {
        width: canvas_width,
        height: canvas_height,
        alpha,
        data,
    }
}
