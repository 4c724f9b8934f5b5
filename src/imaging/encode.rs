//! Pixels to file bytes. No encoder here is given metadata, so none is
//! written: the re-encode is what strips EXIF, GPS and XMP.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use rgb::FromSlice;

use super::decode::Pixels;
use super::{Format, ImageError};

/// rav1e's speed, 0 (slowest) to 10. An 800x600 photo took about 0.5 s on
/// one core at 10 and about 1.8 s at 8, for files a sixth smaller: renditions
/// are made on request, so time wins.
const AVIF_SPEED: u8 = 10;

fn failed(format: Format, error: impl std::fmt::Debug) -> ImageError {
    ImageError::Damaged(format!("encoding {} failed: {error:?}", format.extension()))
}

pub(super) fn encode(pixels: &Pixels, format: Format, quality: u8) -> Result<Vec<u8>, ImageError> {
    let color = if pixels.alpha {
        ExtendedColorType::Rgba8
    } else {
        ExtendedColorType::Rgb8
    };
    let (width, height) = (pixels.width, pixels.height);
    match format {
        Format::Jpeg => {
            let mut out = Vec::new();
            JpegEncoder::new_with_quality(&mut out, quality)
                .encode(&pixels.data, width, height, color)
                .map_err(|e| failed(format, e))?;
            Ok(out)
        }
        Format::Png => {
            let mut out = Vec::new();
            PngEncoder::new(&mut out)
                .write_image(&pixels.data, width, height, color)
                .map_err(|e| failed(format, e))?;
            Ok(out)
        }
        Format::Webp => {
            let encoder = if pixels.alpha {
                webp::Encoder::from_rgba(&pixels.data, width, height)
            } else {
                webp::Encoder::from_rgb(&pixels.data, width, height)
            };
            let memory = encoder
                .encode_simple(false, f32::from(quality))
                .map_err(|e| failed(format, e))?;
            Ok(memory.to_vec())
        }
        Format::Avif => {
            let encoder = ravif::Encoder::new()
                .with_quality(f32::from(quality))
                .with_alpha_quality(f32::from(quality))
                .with_speed(AVIF_SPEED)
                .with_bit_depth(ravif::BitDepth::Eight)
                .with_num_threads(Some(1));
            let (width, height) = (width as usize, height as usize);
            let encoded = if pixels.alpha {
                encoder.encode_rgba(ravif::Img::new(pixels.data.as_rgba(), width, height))
            } else {
                encoder.encode_rgb(ravif::Img::new(pixels.data.as_rgb(), width, height))
            }
            .map_err(|e| failed(format, e))?;
            Ok(encoded.avif_file)
        }
        Format::Gif => Err(ImageError::Unsupported),
    }
}
