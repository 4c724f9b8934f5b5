//! How long the media engine takes on a 12-megapixel photo: run it in
//! release (`cargo run --release --example imaging_timing`). It prints
//! medians; it asserts nothing.
//!
//! `imaging_timing time PATH` times a photo of your own instead.
//! `imaging_timing write PATH` saves the test photo; `imaging_timing once PATH
//! FORMAT` renders that file once at 800 px wide, for measuring peak memory
//! (`/usr/bin/time -v`) without the generator's buffers.

use std::time::{Duration, Instant};

use image::codecs::jpeg::JpegEncoder;
use image::{ImageEncoder, Rgb, RgbImage};
use masthead::imaging::{self, Fit, Format, Limits, Rendition};

const RUNS: usize = 10;

/// Gradients and waves under per-pixel noise: compresses like a photo, to a
/// 4 to 5 megabytes at quality 90, rather than like a flat test card.
fn photo() -> Vec<u8> {
    let (width, height) = (4000u32, 3000u32);
    let mut state = 0x9e37_79b9_u32;
    let image = RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state % 41) as f32 - 20.0;
        let wave = ((x as f32 / 37.0).sin() + (y as f32 / 23.0).cos()) * 40.0;
        let channel = |base: f32| (base + wave + noise).clamp(0.0, 255.0) as u8;
        Rgb([
            channel(x as f32 / 16.0),
            channel(y as f32 / 12.0),
            channel(128.0 - x as f32 / 40.0),
        ])
    });
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 90)
        .write_image(&image, width, height, image::ExtendedColorType::Rgb8)
        .expect("encoding the test photo");
    jpeg
}

fn rendition(format: Format) -> Rendition {
    Rendition {
        width: Some(800),
        height: None,
        fit: Fit::Inside,
        format,
        quality: 80,
        focal: (0.5, 0.5),
    }
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time(label: &str, mut run: impl FnMut() -> usize) {
    let mut runs = Vec::with_capacity(RUNS);
    let mut bytes = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        bytes = run();
        runs.push(started.elapsed());
    }
    let (fastest, slowest) = (*runs.iter().min().unwrap(), *runs.iter().max().unwrap());
    println!(
        "{label:<22} p50 {:>7.1} ms  (min {:.1}, max {:.1}; {bytes} bytes)",
        median(runs).as_secs_f64() * 1e3,
        fastest.as_secs_f64() * 1e3,
        slowest.as_secs_f64() * 1e3,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let limits = Limits::default();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["write", path] => std::fs::write(path, photo()).expect("writing the photo"),
        ["once", path, format] => {
            let original = std::fs::read(path).expect("reading the photo");
            let format = Format::from_extension(format).expect("jpg, png, webp or avif");
            let rendered = imaging::render(&original, &rendition(format), &limits).unwrap();
            println!(
                "{}x{}, {} bytes",
                rendered.width,
                rendered.height,
                rendered.bytes.len()
            );
        }
        [] | ["time", _] => {
            let original = match args.get(1) {
                Some(path) => std::fs::read(path).expect("reading the photo"),
                None => photo(),
            };
            println!("the photo: {} bytes", original.len());
            time("inspect", || {
                imaging::inspect(&original, &limits).unwrap().blurhash.len()
            });
            for format in [Format::Webp, Format::Jpeg, Format::Avif, Format::Png] {
                time(&format!("render 800 px {}", format.extension()), || {
                    imaging::render(&original, &rendition(format), &limits)
                        .unwrap()
                        .bytes
                        .len()
                });
            }
        }
        _ => eprintln!("usage: imaging_timing [write PATH | once PATH FORMAT | time PATH]"),
    }
}
