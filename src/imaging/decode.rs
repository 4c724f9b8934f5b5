//! From file bytes to upright RGB or RGBA pixels, checking the pixel count
//! from the header before anything is allocated.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, RgbImage, RgbaImage};

use super::{Format, ImageError, Limits};

/// Interleaved 8-bit RGB, or RGBA when `alpha`, rows top to bottom.
pub(super) struct Pixels {
    pub width: u32,
    pub height: u32,
    pub alpha: bool,
    pub data: Vec<u8>,
}

impl Pixels {
    pub fn channels(&self) -> usize {
        if self.alpha { 4 } else { 3 }
    }
}

/// Pixels, possibly smaller than the image, and the size of the whole
/// image as it is displayed (after its EXIF orientation).
pub(super) struct Decoded {
    pub pixels: Pixels,
    pub full_width: u32,
    pub full_height: u32,
}

/// Decodes all of `bytes` (a truncated file is an error, not a grey
/// bottom), upright. `smallest` gets the displayed size of the whole image
/// and answers the smallest displayed size the caller can work from: a JPEG
/// is then decoded at 1/2, 1/4 or 1/8 scale in the IDCT, which still reads
/// every entropy-coded byte. Other formats are decoded whole.
pub(super) fn decode(
    bytes: &[u8],
    format: Format,
    limits: &Limits,
    smallest: impl FnOnce(u32, u32) -> (u32, u32),
) -> Result<Decoded, ImageError> {
    if bytes.len() > limits.max_bytes {
        return Err(ImageError::Damaged(format!(
            "the file is {} bytes, over the limit of {}",
            bytes.len(),
            limits.max_bytes
        )));
    }
    match format {
        Format::Jpeg => decode_jpeg(bytes, limits, smallest),
        Format::Png => {
            // png's own reader would look for the first IDAT before saying
            // how large the image is; IHDR alone is enough to refuse a bomb.
            if let Some((width, height)) = png_header_size(bytes) {
                check_pixels(width, height, limits)?;
            }
            decode_with_image(bytes, ImageFormat::Png, limits)
        }
        Format::Gif => decode_with_image(bytes, ImageFormat::Gif, limits),
        Format::Webp => decode_with_image(bytes, ImageFormat::WebP, limits),
        Format::Avif => Err(ImageError::Unsupported),
    }
}

pub(super) fn check_pixels(width: u32, height: u32, limits: &Limits) -> Result<(), ImageError> {
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(ImageError::TooManyPixels {
            width,
            height,
            max: limits.max_pixels,
        });
    }
    if width == 0 || height == 0 {
        return Err(ImageError::Damaged(format!(
            "the header says {width}x{height}"
        )));
    }
    Ok(())
}

fn png_header_size(bytes: &[u8]) -> Option<(u32, u32)> {
    // Signature (8), IHDR's length (4) and type (4), then width and height.
    if bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(bytes.get(16..20)?.try_into().ok()?);
    let height = u32::from_be_bytes(bytes.get(20..24)?.try_into().ok()?);
    Some((width, height))
}

fn damaged(error: impl std::fmt::Display) -> ImageError {
    ImageError::Damaged(error.to_string())
}

fn swaps_axes(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

fn decode_jpeg(
    bytes: &[u8],
    limits: &Limits,
    smallest: impl FnOnce(u32, u32) -> (u32, u32),
) -> Result<Decoded, ImageError> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info().map_err(damaged)?;
    let info = decoder.info().ok_or_else(|| damaged("no frame header"))?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    check_pixels(width, height, limits)?;
    if info.pixel_format == jpeg_decoder::PixelFormat::L16 {
        // 12-bit JPEGs are rare enough to take the slower, unscaled path.
        return decode_with_image(bytes, ImageFormat::Jpeg, limits);
    }
    let orientation = decoder
        .exif_data()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let (full_width, full_height) = if swaps_axes(orientation) {
        (height, width)
    } else {
        (width, height)
    };
    let (want_width, want_height) = smallest(full_width, full_height);
    let (want_width, want_height) = if swaps_axes(orientation) {
        (want_height, want_width)
    } else {
        (want_width, want_height)
    };
    let clamp = |n: u32| u16::try_from(n.max(1)).unwrap_or(u16::MAX);
    decoder
        .scale(clamp(want_width), clamp(want_height))
        .map_err(damaged)?;
    let raw = decoder.decode().map_err(damaged)?;
    let info = decoder.info().ok_or_else(|| damaged("no frame header"))?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    let rgb = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => raw,
        jpeg_decoder::PixelFormat::L8 => raw.iter().flat_map(|&l| [l, l, l]).collect(),
        jpeg_decoder::PixelFormat::CMYK32 => raw
            .chunks_exact(4)
            .flat_map(|cmyk| {
                // jpeg-decoder hands out ink amounts (Adobe's inversion undone).
                let ink = |channel: u8| {
                    let light = u16::from(255 - channel) * u16::from(255 - cmyk[3]);
                    (light / 255) as u8
                };
                [ink(cmyk[0]), ink(cmyk[1]), ink(cmyk[2])]
            })
            .collect(),
        jpeg_decoder::PixelFormat::L16 => unreachable!("handled above"),
    };
    if rgb.len() != width as usize * height as usize * 3 {
        return Err(damaged(
            "the decoder returned fewer pixels than the header says",
        ));
    }
    let image = RgbImage::from_raw(width, height, rgb)
        .ok_or_else(|| damaged("the decoder returned fewer pixels than the header says"))?;
    let pixels = upright(DynamicImage::ImageRgb8(image), orientation);
    Ok(Decoded {
        pixels,
        full_width,
        full_height,
    })
}

fn decode_with_image(
    bytes: &[u8],
    format: ImageFormat,
    limits: &Limits,
) -> Result<Decoded, ImageError> {
    let mut decoder = ImageReader::with_format(Cursor::new(bytes), format)
        .into_decoder()
        .map_err(damaged)?;
    let (width, height) = decoder.dimensions();
    check_pixels(width, height, limits)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(damaged)?;
    let pixels = upright(image, orientation);
    Ok(Decoded {
        full_width: pixels.width,
        full_height: pixels.height,
        pixels,
    })
}

fn upright(image: DynamicImage, orientation: Orientation) -> Pixels {
    let mut image = if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.into_rgb8())
    };
    image.apply_orientation(orientation);
    let (width, height) = (image.width(), image.height());
    match image {
        DynamicImage::ImageRgba8(rgba) => Pixels {
            width,
            height,
            alpha: true,
            data: rgba.into_raw(),
        },
        other => Pixels {
            width,
            height,
            alpha: false,
            data: other.into_rgb8().into_raw(),
        },
    }
}

/// Pixels as an `RgbaImage`, for the tests and the blur hash.
pub(super) fn to_rgba(pixels: &Pixels) -> RgbaImage {
    let data = if pixels.alpha {
        pixels.data.clone()
    } else {
        pixels
            .data
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect()
    };
    RgbaImage::from_raw(pixels.width, pixels.height, data).expect("a buffer of the right size")
}
