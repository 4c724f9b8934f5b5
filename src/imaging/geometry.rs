//! Where a rendition's pixels come from and where they go: sizes only, no
//! pixels, so every rule (never upscale, the focal crop) is tested cheaply.

use super::{Fit, Rendition};

/// A rectangle of the source, in pixels of the whole upright image.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Crop {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Plan {
    /// What is taken from the source.
    pub crop: Crop,
    /// The size the crop is resized to.
    pub content: (u32, u32),
    /// The output's size: larger than `content` only for `Fit::Contain`,
    /// which pads around it.
    pub canvas: (u32, u32),
    /// Where the content sits on the canvas.
    pub offset: (u32, u32),
}

impl Plan {
    /// The smallest size of the whole image that still gives every content
    /// pixel at least one source pixel.
    pub fn smallest_source(&self, full_width: u32, full_height: u32) -> (u32, u32) {
        let factor = (f64::from(self.content.0) / self.crop.width)
            .max(f64::from(self.content.1) / self.crop.height)
            .min(1.0);
        (
            (f64::from(full_width) * factor).ceil() as u32,
            (f64::from(full_height) * factor).ceil() as u32,
        )
    }
}

fn at_least_one(n: f64) -> u32 {
    (n.round() as u32).max(1)
}

pub(super) fn plan(width: u32, height: u32, rendition: &Rendition) -> Plan {
    let (w, h) = (f64::from(width), f64::from(height));
    let whole = Crop {
        left: 0.0,
        top: 0.0,
        width: w,
        height: h,
    };
    let unpadded = |content: (u32, u32)| Plan {
        crop: whole,
        content,
        canvas: content,
        offset: (0, 0),
    };
    let requested = |n: Option<u32>| n.map(|n| f64::from(n.max(1)));
    match (requested(rendition.width), requested(rendition.height)) {
        (None, None) => unpadded((width, height)),
        (Some(box_width), None) => {
            let scale = (box_width / w).min(1.0);
            unpadded((at_least_one(w * scale), at_least_one(h * scale)))
        }
        (None, Some(box_height)) => {
            let scale = (box_height / h).min(1.0);
            unpadded((at_least_one(w * scale), at_least_one(h * scale)))
        }
        (Some(box_width), Some(box_height)) => match rendition.fit {
            Fit::Inside => {
                let scale = (box_width / w).min(box_height / h).min(1.0);
                unpadded((at_least_one(w * scale), at_least_one(h * scale)))
            }
            Fit::Contain => {
                let scale = (box_width / w).min(box_height / h);
                // Never upscale: a box larger than the image shrinks, keeping
                // its aspect, until the image fills it on one axis.
                let (box_width, box_height, scale) = if scale > 1.0 {
                    (box_width / scale, box_height / scale, 1.0)
                } else {
                    (box_width, box_height, scale)
                };
                let canvas = (at_least_one(box_width), at_least_one(box_height));
                let content = (
                    at_least_one(w * scale).min(canvas.0),
                    at_least_one(h * scale).min(canvas.1),
                );
                Plan {
                    crop: whole,
                    content,
                    canvas,
                    offset: ((canvas.0 - content.0) / 2, (canvas.1 - content.1) / 2),
                }
            }
            Fit::Cover => {
                let shrink = (w / box_width).min(h / box_height).min(1.0);
                let canvas = (
                    at_least_one(box_width * shrink),
                    at_least_one(box_height * shrink),
                );
                let scale = (f64::from(canvas.0) / w).max(f64::from(canvas.1) / h);
                let crop_width = (f64::from(canvas.0) / scale).min(w);
                let crop_height = (f64::from(canvas.1) / scale).min(h);
                let focus = |at: f32| {
                    if at.is_finite() {
                        f64::from(at.clamp(0.0, 1.0))
                    } else {
                        0.5
                    }
                };
                let centred = |focal: f64, full: f64, window: f64| {
                    (focal * full - window / 2.0).clamp(0.0, full - window)
                };
                Plan {
                    crop: Crop {
                        left: centred(focus(rendition.focal.0), w, crop_width),
                        top: centred(focus(rendition.focal.1), h, crop_height),
                        width: crop_width,
                        height: crop_height,
                    },
                    content: canvas,
                    canvas,
                    offset: (0, 0),
                }
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::Format;

    fn rendition(width: Option<u32>, height: Option<u32>, fit: Fit) -> Rendition {
        Rendition {
            width,
            height,
            fit,
            format: Format::Png,
            quality: 80,
            focal: (0.5, 0.5),
        }
    }

    #[test]
    fn sizes_follow_the_aspect_and_never_grow() {
        let cases = [
            (Some(200), None, Fit::Cover, (200, 150), (200, 150)),
            (None, Some(150), Fit::Cover, (200, 150), (200, 150)),
            (Some(800), None, Fit::Cover, (400, 300), (400, 300)),
            (None, None, Fit::Cover, (400, 300), (400, 300)),
            (Some(100), Some(100), Fit::Cover, (100, 100), (100, 100)),
            (Some(800), Some(800), Fit::Cover, (300, 300), (300, 300)),
            (Some(100), Some(100), Fit::Inside, (100, 75), (100, 75)),
            (Some(1000), Some(1000), Fit::Inside, (400, 300), (400, 300)),
            (Some(100), Some(100), Fit::Contain, (100, 75), (100, 100)),
            (Some(800), Some(400), Fit::Contain, (400, 300), (600, 300)),
        ];
        for (width, height, fit, content, canvas) in cases {
            let plan = plan(400, 300, &rendition(width, height, fit));
            assert_eq!(
                (plan.content, plan.canvas),
                (content, canvas),
                "{width:?}x{height:?} {fit:?}"
            );
        }
    }

    #[test]
    fn a_cover_crop_is_centred_on_the_focal_point_and_kept_inside() {
        let mut cover = rendition(Some(100), Some(100), Fit::Cover);
        cover.focal = (0.0, 0.0);
        assert_eq!(plan(400, 300, &cover).crop.left, 0.0);
        cover.focal = (1.0, 1.0);
        assert_eq!(plan(400, 300, &cover).crop.left, 100.0);
        cover.focal = (0.3, 0.5);
        assert_eq!(plan(400, 300, &cover).crop.left, 0.0);
        cover.focal = (0.5625, 0.5);
        assert_eq!(plan(400, 300, &cover).crop.left, 75.0);
    }
}
