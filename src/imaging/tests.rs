//! Fixtures are made here, in code: images from `image`'s encoders and EXIF
//! segments written by hand.

use std::time::{Duration, Instant};

use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{Delay, Frame, ImageEncoder, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

use super::*;

const RED: [u8; 3] = [230, 20, 20];
const GREEN: [u8; 3] = [20, 200, 20];
const BLUE: [u8; 3] = [20, 20, 230];
const YELLOW: [u8; 3] = [230, 230, 20];

/// A quadrant of each colour: red top left, green top right, blue bottom
/// left, yellow bottom right.
fn quadrants(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb(match (x < width / 2, y < height / 2) {
            (true, true) => RED,
            (false, true) => GREEN,
            (true, false) => BLUE,
            (false, false) => YELLOW,
        })
    })
}

/// Busy pixels, so that compressed data is long enough to cut in half.
fn noise(width: u32, height: u32) -> RgbImage {
    let mut state = 0x2545_f491_u32;
    RgbImage::from_fn(width, height, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let [r, g, b, _] = state.to_le_bytes();
        Rgb([r, g, b])
    })
}

fn jpeg(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(
            image,
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

fn png(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(
            image,
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

fn png_rgba(image: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(
            image,
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgba8,
        )
        .unwrap();
    out
}

fn webp(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out)
        .write_image(
            image,
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

/// Two frames, red then blue: only the first counts.
fn gif_red_then_blue() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut out);
        for colour in [RED, BLUE] {
            let frame = RgbaImage::from_pixel(30, 20, Rgba([colour[0], colour[1], colour[2], 255]));
            encoder
                .encode_frame(Frame::from_parts(
                    frame,
                    0,
                    0,
                    Delay::from_numer_denom_ms(100, 1),
                ))
                .unwrap();
        }
    }
    out
}

const GPS_SECRET: &[u8] = b"GPS-SECRET-PLACE\0";

/// An APP1 Exif segment, little-endian TIFF: IFD0 holds the orientation and
/// a pointer to a GPS IFD whose one ASCII entry is `GPS_SECRET`.
fn exif_segment(orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&8u32.to_le_bytes());
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        tiff.extend_from_slice(&tag.to_le_bytes());
        tiff.extend_from_slice(&kind.to_le_bytes());
        tiff.extend_from_slice(&count.to_le_bytes());
        tiff.extend_from_slice(&value.to_le_bytes());
    };
    // IFD0 at 8: two entries (2 + 2 * 12 + 4 bytes), the GPS IFD follows at 38.
    let gps_ifd = 8 + 2 + 2 * 12 + 4;
    tiff.extend_from_slice(&2u16.to_le_bytes());
    entry(&mut tiff, 0x0112, 3, 1, u32::from(orientation));
    entry(&mut tiff, 0x8825, 4, 1, gps_ifd);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    // The GPS IFD: one entry (2 + 12 + 4 bytes), its string after it.
    let text = gps_ifd + 2 + 12 + 4;
    tiff.extend_from_slice(&1u16.to_le_bytes());
    entry(&mut tiff, 0x001B, 2, GPS_SECRET.len() as u32, text);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(GPS_SECRET);

    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&(2 + 6 + tiff.len() as u16).to_be_bytes());
    segment.extend_from_slice(b"Exif\0\0");
    segment.extend_from_slice(&tiff);
    segment
}

/// A JPEG with the Exif segment right after SOI.
fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend(exif_segment(orientation));
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn rendition(width: Option<u32>, height: Option<u32>, fit: Fit, format: Format) -> Rendition {
    Rendition {
        width,
        height,
        fit,
        format,
        quality: 85,
        focal: (0.5, 0.5),
    }
}

fn decode_output(rendered: &Rendered) -> image::DynamicImage {
    let format = match rendered.format {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        Format::Webp => ImageFormat::WebP,
        other => panic!("no decoder for {other:?} in the tests"),
    };
    image::load_from_memory_with_format(&rendered.bytes, format).unwrap()
}

fn close(actual: [u8; 3], expected: [u8; 3]) -> bool {
    actual
        .iter()
        .zip(expected)
        .all(|(&a, e)| a.abs_diff(e) <= 40)
}

fn pixel(image: &image::DynamicImage, x: u32, y: u32) -> [u8; 3] {
    let p = image.to_rgb8().get_pixel(x, y).0;
    [p[0], p[1], p[2]]
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle))
}

#[test]
fn sniff_knows_each_upload_format_by_its_magic_bytes() {
    let image = quadrants(40, 20);
    assert_eq!(sniff(&jpeg(&image)), Some(Format::Jpeg));
    assert_eq!(sniff(&png(&image)), Some(Format::Png));
    assert_eq!(sniff(&webp(&image)), Some(Format::Webp));
    assert_eq!(sniff(&gif_red_then_blue()), Some(Format::Gif));
}

#[test]
fn sniff_and_inspect_refuse_what_is_not_an_upload_format() {
    let others: [&[u8]; 7] = [
        b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        b"<svg width=\"10\" height=\"10\"></svg>",
        b"just some text, not an image",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
        b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf",
        b"",
    ];
    for bytes in others {
        assert_eq!(sniff(bytes), None, "{:?}", String::from_utf8_lossy(bytes));
        assert_eq!(
            inspect(bytes, &Limits::default()),
            Err(ImageError::Unsupported)
        );
    }
}

#[test]
fn a_png_header_claiming_ten_billion_pixels_is_refused_before_decoding() {
    let mut bomb = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bomb.extend_from_slice(&100_000u32.to_be_bytes());
    bomb.extend_from_slice(&100_000u32.to_be_bytes());
    bomb.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    let started = Instant::now();
    let expected = ImageError::TooManyPixels {
        width: 100_000,
        height: 100_000,
        max: 50_000_000,
    };
    assert_eq!(inspect(&bomb, &Limits::default()), Err(expected.clone()));
    let any = rendition(Some(10), None, Fit::Inside, Format::Png);
    assert_eq!(render(&bomb, &any, &Limits::default()), Err(expected));
    assert!(started.elapsed() < Duration::from_millis(100));
}

#[test]
fn a_jpeg_over_the_pixel_limit_is_refused() {
    let limits = Limits {
        max_pixels: 100,
        ..Limits::default()
    };
    assert!(matches!(
        inspect(&jpeg(&quadrants(20, 10)), &limits),
        Err(ImageError::TooManyPixels {
            width: 20,
            height: 10,
            max: 100
        })
    ));
}

#[test]
fn truncated_files_are_damaged_not_grey_filled() {
    let image = noise(256, 256);
    let any = rendition(Some(64), None, Fit::Inside, Format::Png);
    for (name, file) in [
        ("jpeg", jpeg(&image)),
        ("png", png(&image)),
        ("webp", webp(&image)),
    ] {
        // Cut early, midway, and just short of the end.
        for kept in [file.len() / 10, file.len() / 2, file.len() * 19 / 20] {
            let cut = &file[..kept];
            let of = file.len();
            assert!(
                matches!(
                    inspect(cut, &Limits::default()),
                    Err(ImageError::Damaged(_))
                ),
                "inspect, {name} cut to {kept} of {of} bytes"
            );
            assert!(
                matches!(
                    render(cut, &any, &Limits::default()),
                    Err(ImageError::Damaged(_))
                ),
                "render, {name} cut to {kept} of {of} bytes"
            );
        }
    }
}

#[test]
fn inspect_reports_size_format_and_placeholders() {
    let solid = RgbImage::from_pixel(300, 200, Rgb([200, 30, 40]));
    let original = inspect(&png(&solid), &Limits::default()).unwrap();
    assert_eq!(
        (original.format, original.width, original.height),
        (Format::Png, 300, 200)
    );
    assert_eq!(original.color, "#c81e28");
    // 4x3 components: 1 size flag, 1 maximum, 4 for the DC, 2 per AC.
    assert_eq!(original.blurhash.len(), 6 + 2 * 11);

    let original = inspect(&jpeg(&quadrants(400, 300)), &Limits::default()).unwrap();
    assert_eq!(
        (original.format, original.width, original.height),
        (Format::Jpeg, 400, 300)
    );
    assert_eq!(original.blurhash.len(), 28);
}

#[test]
fn the_colour_of_a_transparent_image_ignores_its_invisible_pixels() {
    let image = RgbaImage::from_fn(40, 40, |x, _| {
        if x < 20 {
            Rgba([0, 0, 255, 0])
        } else {
            Rgba([255, 0, 0, 255])
        }
    });
    assert_eq!(
        inspect(&png_rgba(&image), &Limits::default())
            .unwrap()
            .color,
        "#ff0000"
    );
}

#[test]
fn a_gif_is_its_first_frame() {
    let gif = gif_red_then_blue();
    let original = inspect(&gif, &Limits::default()).unwrap();
    assert_eq!(
        (original.format, original.width, original.height),
        (Format::Gif, 30, 20)
    );
    let rendered = render(
        &gif,
        &rendition(None, None, Fit::Inside, Format::Png),
        &Limits::default(),
    )
    .unwrap();
    assert!(close(pixel(&decode_output(&rendered), 15, 10), RED));
}

#[test]
fn every_exif_orientation_turns_the_pixels_upright() {
    // Stored 80x40 with red top left; where red is once displayed.
    let stored = jpeg(&quadrants(80, 40));
    let cases = [
        (1, (80, 40), "top left"),
        (2, (80, 40), "top right"),
        (3, (80, 40), "bottom right"),
        (4, (80, 40), "bottom left"),
        (5, (40, 80), "top left"),
        (6, (40, 80), "top right"),
        (7, (40, 80), "bottom right"),
        (8, (40, 80), "bottom left"),
    ];
    for (orientation, (width, height), red_at) in cases {
        let file = with_exif(&stored, orientation);
        let original = inspect(&file, &Limits::default()).unwrap();
        assert_eq!(
            (original.width, original.height),
            (width, height),
            "inspect, orientation {orientation}"
        );
        let rendered = render(
            &file,
            &rendition(None, None, Fit::Inside, Format::Png),
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(
            (rendered.width, rendered.height),
            (width, height),
            "render, orientation {orientation}"
        );
        let output = decode_output(&rendered);
        let (x, y) = match red_at {
            "top left" => (5, 5),
            "top right" => (width - 5, 5),
            "bottom right" => (width - 5, height - 5),
            _ => (5, height - 5),
        };
        assert!(
            close(pixel(&output, x, y), RED),
            "orientation {orientation}: red is not {red_at}"
        );
    }
}

#[test]
fn an_orientation_six_photo_is_rendered_rotated_at_a_reduced_scale_too() {
    let file = with_exif(&jpeg(&quadrants(800, 400)), 6);
    let rendered = render(
        &file,
        &rendition(Some(100), None, Fit::Inside, Format::Jpeg),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!((rendered.width, rendered.height), (100, 200));
    let output = decode_output(&rendered);
    assert_eq!((output.width(), output.height()), (100, 200));
    assert!(close(pixel(&output, 90, 10), RED));
    assert!(close(pixel(&output, 10, 190), YELLOW));
}

#[test]
fn renders_have_the_planned_size_in_every_fit_and_format() {
    let sources = [png(&quadrants(400, 300)), jpeg(&quadrants(400, 300))];
    let cases = [
        (Some(200), None, Fit::Cover, (200, 150)),
        (None, Some(150), Fit::Inside, (200, 150)),
        (None, None, Fit::Inside, (400, 300)),
        (Some(100), Some(100), Fit::Cover, (100, 100)),
        (Some(100), Some(100), Fit::Contain, (100, 100)),
        (Some(100), Some(100), Fit::Inside, (100, 75)),
        // Never upscaled: the box shrinks to the image.
        (Some(800), None, Fit::Inside, (400, 300)),
        (Some(800), Some(800), Fit::Cover, (300, 300)),
        (Some(800), Some(400), Fit::Contain, (600, 300)),
        (Some(1000), Some(1000), Fit::Inside, (400, 300)),
    ];
    for source in &sources {
        for (width, height, fit, expected) in cases {
            for format in [Format::Jpeg, Format::Png, Format::Webp] {
                let rendered = render(
                    source,
                    &rendition(width, height, fit, format),
                    &Limits::default(),
                )
                .unwrap();
                let case = format!("{width:?}x{height:?} {fit:?} as {format:?}");
                assert_eq!((rendered.width, rendered.height), expected, "{case}");
                assert_eq!(rendered.format, format, "{case}");
                let output = decode_output(&rendered);
                assert_eq!((output.width(), output.height()), expected, "{case}");
            }
        }
    }
}

#[test]
fn avif_renditions_are_avif_files_of_the_planned_size() {
    let source = jpeg(&quadrants(400, 300));
    let rendered = render(
        &source,
        &rendition(Some(100), Some(100), Fit::Contain, Format::Avif),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(
        (rendered.width, rendered.height, rendered.format),
        (100, 100, Format::Avif)
    );
    assert_eq!(&rendered.bytes[4..12], b"ftypavif");
    let opaque = render(
        &source,
        &rendition(Some(120), None, Fit::Inside, Format::Avif),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!((opaque.width, opaque.height), (120, 90));
    assert_eq!(&opaque.bytes[4..12], b"ftypavif");
}

#[test]
fn contain_pads_with_transparency_or_white_for_jpeg() {
    let source = png(&quadrants(400, 200));
    let boxed = |format| rendition(Some(100), Some(100), Fit::Contain, format);
    let as_png = decode_output(&render(&source, &boxed(Format::Png), &Limits::default()).unwrap())
        .to_rgba8();
    assert_eq!(as_png.get_pixel(50, 5).0[3], 0);
    assert!(close(
        pixel(&image::DynamicImage::ImageRgba8(as_png), 10, 30),
        RED
    ));
    let as_jpeg =
        decode_output(&render(&source, &boxed(Format::Jpeg), &Limits::default()).unwrap());
    assert!(close(pixel(&as_jpeg, 50, 5), [255, 255, 255]));
    let as_webp =
        decode_output(&render(&source, &boxed(Format::Webp), &Limits::default()).unwrap())
            .to_rgba8();
    assert_eq!(as_webp.get_pixel(50, 5).0[3], 0);
}

#[test]
fn cover_crops_around_the_focal_point() {
    let source = png(&quadrants(400, 400));
    let cover = |width, height, focal| Rendition {
        focal,
        ..rendition(Some(width), Some(height), Fit::Cover, Format::Png)
    };
    // A tall crop keeps a left or right half; a wide crop, a top or bottom half.
    let cases = [
        (cover(50, 100, (0.0, 0.0)), [RED, RED, BLUE, BLUE]),
        (cover(50, 100, (1.0, 1.0)), [GREEN, GREEN, YELLOW, YELLOW]),
        (cover(100, 50, (0.0, 0.0)), [RED, GREEN, RED, GREEN]),
        (cover(100, 50, (1.0, 1.0)), [BLUE, YELLOW, BLUE, YELLOW]),
    ];
    for (rendition, [top_left, top_right, bottom_left, bottom_right]) in cases {
        let output = decode_output(&render(&source, &rendition, &Limits::default()).unwrap());
        let (w, h) = (output.width(), output.height());
        let case = format!("{:?}", rendition);
        assert!(close(pixel(&output, 2, 2), top_left), "{case}");
        assert!(close(pixel(&output, w - 3, 2), top_right), "{case}");
        assert!(close(pixel(&output, 2, h - 3), bottom_left), "{case}");
        assert!(close(pixel(&output, w - 3, h - 3), bottom_right), "{case}");
    }
}

#[test]
fn renditions_carry_no_exif_and_no_gps() {
    let file = with_exif(&jpeg(&quadrants(200, 100)), 1);
    assert!(contains(&file, b"Exif\0\0") && contains(&file, GPS_SECRET));
    for format in [Format::Jpeg, Format::Png, Format::Webp, Format::Avif] {
        for width in [None, Some(50)] {
            let rendered = render(
                &file,
                &rendition(width, None, Fit::Inside, format),
                &Limits::default(),
            )
            .unwrap();
            assert!(!contains(&rendered.bytes, b"Exif"), "{format:?} {width:?}");
            assert!(
                !contains(&rendered.bytes, b"GPS-SECRET"),
                "{format:?} {width:?}"
            );
        }
    }
}

#[test]
fn gif_is_not_a_rendition_format() {
    let source = png(&quadrants(40, 40));
    assert_eq!(
        render(
            &source,
            &rendition(None, None, Fit::Inside, Format::Gif),
            &Limits::default()
        ),
        Err(ImageError::Unsupported)
    );
}

#[test]
fn extensions_and_mime_types_round_trip() {
    for format in [
        Format::Jpeg,
        Format::Png,
        Format::Webp,
        Format::Gif,
        Format::Avif,
    ] {
        assert_eq!(Format::from_extension(format.extension()), Some(format));
        assert!(format.mime().starts_with("image/"));
    }
    assert_eq!(Format::from_extension("JPEG"), Some(Format::Jpeg));
    assert_eq!(Format::from_extension("svg"), None);
}

#[test]
fn a_damaged_file_says_so_in_its_message() {
    let mut file = jpeg(&noise(64, 64));
    file.truncate(file.len() / 3);
    let Err(error) = inspect(&file, &Limits::default()) else {
        panic!("a third of a JPEG decoded");
    };
    assert!(
        error
            .to_string()
            .starts_with("the image cannot be decoded: "),
        "{error}"
    );
}
