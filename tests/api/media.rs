//! Media: uploads (multipart and raw), the library, renditions, pictures in
//! articles and authors, and hostile uploads, through the HTTP API. The
//! fixtures are made here with the `image` crate; `scripts/media-check.py`
//! checks what the server sends with Pillow, a decoder we did not write.

use std::io::Cursor;

use awc::http::Method;
use image::{ImageFormat, Rgb, RgbImage};
use serde_json::{Value, json};

use super::helpers::{SECRET, Reply, TestApp, error_fields, spawn_app, spawn_app_with};

/// A picture whose quadrants have distinct colours (red, green / blue,
/// white), so that a crop shows which part it kept.
fn quadrants(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| match (x < width / 2, y < height / 2) {
        (true, true) => Rgb([220, 30, 30]),
        (false, true) => Rgb([30, 200, 30]),
        (true, false) => Rgb([30, 30, 220]),
        (false, false) => Rgb([250, 250, 250]),
    })
}

fn encode(picture: &RgbImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    picture.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encode(&quadrants(width, height), ImageFormat::Jpeg)
}

fn png(width: u32, height: u32) -> Vec<u8> {
    encode(&quadrants(width, height), ImageFormat::Png)
}

/// A JPEG with an EXIF block after its start: an orientation and a GPS
/// position (latitude reference "N" with a marker we can search for).
fn jpeg_with_exif(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let mut tiff: Vec<u8> = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
    // IFD0: orientation and a pointer to the GPS IFD, which follows it.
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&orientation.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    let gps_at = 8 + 2 + 2 * 12 + 4;
    tiff.extend_from_slice(&0x8825u16.to_le_bytes());
    tiff.extend_from_slice(&4u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&(gps_at as u32).to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    // GPS IFD: GPSLatitudeRef = "N", and a text tag with the marker.
    let marker = b"GPSMARKER-51.5N\0";
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&0x0001u16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&2u32.to_le_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    let marker_at = gps_at + 2 + 2 * 12 + 4;
    tiff.extend_from_slice(&0x001bu16.to_le_bytes());
    tiff.extend_from_slice(&7u16.to_le_bytes());
    tiff.extend_from_slice(&(marker.len() as u32).to_le_bytes());
    tiff.extend_from_slice(&(marker_at as u32).to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(marker);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let plain = jpeg(width, height);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

const BOUNDARY: &str = "masthead-test-boundary";

/// One part of a multipart form: name, file name, content type, bytes.
type Part<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

/// A multipart form and its content type.
fn form(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for (name, filename, content_type, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{name}\"");
        if let Some(filename) = filename {
            disposition.push_str(&format!("; filename=\"{filename}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(content_type) = content_type {
            body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

async fn upload_form(
    app: &TestApp,
    token: &str,
    parts: &[Part<'_>],
) -> Reply {
    let (content_type, body) = form(parts);
    app.request(
        Method::POST,
        "/v1/media",
        Some(token),
        &[],
        Some((&content_type, body)),
    )
    .await
}

async fn upload_raw(app: &TestApp, token: &str, content_type: &str, bytes: Vec<u8>) -> Reply {
    app.request(
        Method::POST,
        "/v1/media",
        Some(token),
        &[],
        Some((content_type, bytes)),
    )
    .await
}

async fn upload(app: &TestApp, bytes: Vec<u8>) -> Value {
    upload_raw(app, &app.editor(), "image/jpeg", bytes)
        .await
        .ok(201)
}

async fn library_total(app: &TestApp) -> i64 {
    app.get_as("/v1/media", &app.editor()).await.ok(200)["meta"]["total"]
        .as_i64()
        .unwrap()
}

fn decoded(reply: &Reply) -> image::DynamicImage {
    image::load_from_memory(&reply.body).expect("the rendition decodes")
}

#[actix_web::test]
async fn a_multipart_upload_answers_201_with_the_item_and_its_location() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let bytes = jpeg(1200, 800);
    let reply = upload_form(
        &app,
        &app.editor(),
        &[
            ("file", Some("flood.png"), Some("image/png"), &bytes),
            ("alt", None, None, b"Flooded streets"),
            ("caption", None, None, b"The old town at noon"),
            ("credit", None, None, b"Photo: J. Doe"),
            ("focal_x", None, None, b"0.25"),
            ("focal_y", None, None, b"0.75"),
        ],
    )
    .await;
    let item = reply.ok(201);
    let id = item["id"].as_i64().unwrap();
    assert_eq!(
        reply.header("location"),
        Some(format!("/v1/media/{id}"))
    );
    // The bytes decide the type, not the name or the declared type.
    assert_eq!(item["mime"], "image/jpeg");
    assert_eq!(item["width"], 1200);
    assert_eq!(item["height"], 800);
    assert_eq!(item["bytes"], bytes.len());
    assert_eq!(item["alt"], "Flooded streets");
    assert_eq!(item["caption"], "The old town at noon");
    assert_eq!(item["credit"], "Photo: J. Doe");
    assert_eq!(item["focal"], json!({"x": 0.25, "y": 0.75}));
    assert_eq!(item["created_by"], "tester");
    let hash = item["hash"].as_str().unwrap();
    assert_eq!(hash.len(), 64);
    assert_eq!(
        item["url"],
        format!("/media/{id}/{}.jpg", &hash[..16]).as_str()
    );
    assert!(item["placeholder"]["blurhash"].as_str().unwrap().len() >= 6);
    let color = item["placeholder"]["color"].as_str().unwrap();
    assert!(color.starts_with('#') && color.len() == 7, "{color}");
    let widths: Vec<i64> = item["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["width"].as_i64().unwrap())
        .collect();
    assert_eq!(widths, [320, 480, 640, 800, 1024]);
    assert_eq!(item["renditions"][3]["height"], 533);
    assert_eq!(
        item["renditions"][0]["url"],
        format!("/media/{id}/{}.jpg?w=320", &hash[..16]).as_str()
    );

    let again = app.get_as(&format!("/v1/media/{id}"), &app.editor()).await;
    assert_eq!(again.ok(200), item);
}

#[actix_web::test]
async fn a_raw_upload_is_read_from_its_bytes_and_the_same_bytes_are_stored_once() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let bytes = png(64, 48);
    // Declared a JPEG: the bytes say PNG.
    let first = upload_raw(&app, &app.editor(), "image/jpeg", bytes.clone())
        .await
        .ok(201);
    assert_eq!(first["mime"], "image/png");
    assert_eq!(first["alt"], Value::Null);
    assert_eq!(first["focal"], json!({"x": 0.5, "y": 0.5}));
    assert_eq!(first["renditions"], json!([]));
    let second = upload_raw(&app, &app.editor(), "image/png", bytes)
        .await
        .ok(201);
    assert_ne!(first["id"], second["id"]);
    assert_eq!(first["hash"], second["hash"]);
    // Deleting one leaves the other's picture in place.
    app.delete(&format!("/v1/media/{}", first["id"]), &app.editor())
        .await
        .ok(204);
    let served = app.get(second["url"].as_str().unwrap()).await;
    assert_eq!(served.status, 200);
    assert_eq!(decoded(&served).width(), 64);
}

#[actix_web::test]
async fn hostile_uploads_get_their_4xx_and_leave_nothing_stored() {
    let Some(app) = spawn_app_with(&[("MEDIA_MAX_BYTES", "200000"), ("MEDIA_MAX_PIXELS", "4000000")])
        .await
    else {
        return;
    };
    let editor = app.editor();

    // Not an image at all, whatever it says.
    let text = upload_raw(&app, &editor, "image/png", b"hello, not a picture".to_vec()).await;
    text.problem(415);
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>"#;
    upload_raw(&app, &editor, "image/svg+xml", svg.to_vec())
        .await
        .problem(415);
    upload_form(&app, &editor, &[("file", Some("x.svg"), Some("image/svg+xml"), svg)])
        .await
        .problem(415);
    // A JSON body is not an upload.
    upload_raw(&app, &editor, "application/json", b"{}".to_vec())
        .await
        .problem(415);

    // Cut short: the decoder runs out of data.
    let whole = jpeg(400, 300);
    let truncated = whole[..whole.len() / 2].to_vec();
    let problem = upload_raw(&app, &editor, "image/jpeg", truncated).await.problem(422);
    assert_eq!(error_fields(&problem), ["file"]);
    let whole = png(400, 300);
    let truncated = whole[..whole.len() * 2 / 3].to_vec();
    upload_raw(&app, &editor, "image/png", truncated)
        .await
        .problem(422);

    // A decompression bomb: the header claims 100,000 x 100,000 pixels.
    let mut bomb = png(8, 8);
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let problem = upload_raw(&app, &editor, "image/png", bomb).await.problem(422);
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("100000x100000"),
        "{problem}"
    );
    // Over the pixel limit of this server (4 MP) but a real picture.
    upload_raw(&app, &editor, "image/png", png(2100, 2000))
        .await
        .problem(422);

    // Over the upload limit, raw and as a form.
    let big = vec![0u8; 300_000];
    upload_raw(&app, &editor, "image/jpeg", big.clone())
        .await
        .problem(413);
    upload_form(&app, &editor, &[("file", Some("big.jpg"), None, &big)])
        .await
        .problem(413);

    // A form without a file, with an unknown part, or a focal point outside 0..1.
    let problem = upload_form(&app, &editor, &[("alt", None, None, b"no file")])
        .await
        .problem(422);
    assert_eq!(error_fields(&problem), ["file"]);
    let small = jpeg(40, 30);
    upload_form(&app, &editor, &[("file", None, None, &small), ("owner", None, None, b"me")])
        .await
        .problem(400);
    let problem = upload_form(
        &app,
        &editor,
        &[("file", None, None, &small), ("focal_x", None, None, b"1.5")],
    )
    .await
    .problem(422);
    assert_eq!(error_fields(&problem), ["focal_x"]);

    // Without a token.
    app.request(Method::POST, "/v1/media", None, &[], Some(("image/jpeg", small)))
        .await
        .problem(401);

    assert_eq!(library_total(&app).await, 0);
}

#[actix_web::test]
async fn exif_orientation_is_applied_and_no_metadata_is_served() {
    let Some(app) = spawn_app().await else {
        return;
    };
    // Orientation 6: the stored picture is 300 wide and is shown 200 wide.
    let bytes = jpeg_with_exif(300, 200, 6);
    assert!(contains(&bytes, b"GPSMARKER"));
    let item = upload(&app, bytes).await;
    assert_eq!((item["width"].as_i64(), item["height"].as_i64()), (Some(200), Some(300)));
    for query in ["", "?format=png", "?format=webp"] {
        let served = app
            .get(&format!("{}{query}", item["url"].as_str().unwrap()))
            .await;
        assert_eq!(served.status, 200, "{query}");
        assert!(!contains(&served.body, b"GPSMARKER"), "{query}");
        assert!(!contains(&served.body, b"Exif\0\0"), "{query}");
        let picture = decoded(&served);
        assert_eq!((picture.width(), picture.height()), (200, 300), "{query}");
    }
}

#[actix_web::test]
async fn renditions_have_allowed_sizes_formats_validators_and_long_lived_caching() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let item = upload(&app, jpeg(1600, 1200)).await;
    let url = item["url"].as_str().unwrap().to_owned();

    let wide = app.get(&format!("{url}?w=800")).await;
    assert_eq!(wide.status, 200);
    assert_eq!(wide.header("content-type").as_deref(), Some("image/jpeg"));
    assert_eq!(wide.header("x-content-type-options").as_deref(), Some("nosniff"));
    assert_eq!(
        wide.header("cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    let picture = decoded(&wide);
    assert_eq!((picture.width(), picture.height()), (800, 600));
    let etag = wide.header("etag").unwrap();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"), "{etag}");
    let again = app
        .request(Method::GET, &format!("{url}?w=800"), None, &[("If-None-Match", &etag)], None)
        .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());

    for (format, mime) in [("webp", "image/webp"), ("png", "image/png"), ("avif", "image/avif"), ("jpeg", "image/jpeg")] {
        let reply = app.get(&format!("{url}?w=320&format={format}")).await;
        assert_eq!(reply.status, 200, "{format}");
        assert_eq!(reply.header("content-type").as_deref(), Some(mime));
        assert_eq!(reply.header("vary"), None);
        if format != "avif" {
            let picture = decoded(&reply);
            assert_eq!((picture.width(), picture.height()), (320, 240), "{format}");
        } else {
            assert_eq!(&reply.body[4..12], b"ftypavif");
        }
    }
    // The path's extension is the format when none is asked for.
    let webp_path = url.replace(".jpg", ".webp");
    let reply = app.get(&format!("{webp_path}?w=480")).await;
    assert_eq!(reply.header("content-type").as_deref(), Some("image/webp"));

    // `auto` reads Accept and says so.
    for (accept, mime) in [
        ("image/avif,image/webp,*/*", "image/avif"),
        ("image/webp,*/*", "image/webp"),
        ("image/avif;q=0,image/webp", "image/webp"),
        ("*/*", "image/jpeg"),
    ] {
        let reply = app
            .request(Method::GET, &format!("{url}?w=320&format=auto"), None, &[("Accept", accept)], None)
            .await;
        assert_eq!(reply.status, 200, "{accept}");
        assert_eq!(reply.header("content-type").as_deref(), Some(mime), "{accept}");
        assert_eq!(reply.header("vary").as_deref(), Some("Accept"));
    }

    // Never upscaled: 2048 of a 1600-wide picture is 1600.
    let reply = app.get(&format!("{url}?w=2048")).await;
    assert_eq!(decoded(&reply).width(), 1600);

    // Outside what is allowed: 400 naming the parameter.
    for query in ["w=801", "w=0", "h=451&w=800", "fit=fill&w=800&h=450", "format=gif", "q=0", "q=101", "size=3"] {
        let reply = app.get(&format!("{url}?{query}")).await;
        let problem = reply.problem(400);
        assert!(problem["detail"].as_str().unwrap().contains("'"), "{query}: {problem}");
    }
    // A hash that is not the original's, or no such item: 404.
    let id = item["id"].as_i64().unwrap();
    app.get(&format!("/media/{id}/0000000000000000.jpg")).await.problem(404);
    app.get(&format!("/media/{}/{}", id + 100, url.rsplit('/').next().unwrap()))
        .await
        .problem(404);
    app.get(&format!("/media/{id}/{}", url.rsplit('/').next().unwrap().replace(".jpg", ".gif")))
        .await
        .problem(404);
}

#[actix_web::test]
async fn fits_shape_the_box_and_cover_crops_around_the_focal_point() {
    let Some(app) = spawn_app().await else {
        return;
    };
    // 1600 x 1200 in four quadrants; a 16:9 box keeps the full width.
    let item = upload(&app, png(1600, 1200)).await;
    let url = item["url"].as_str().unwrap().to_owned();
    let id = item["id"].as_i64().unwrap();

    let cover = app.get(&format!("{url}?w=800&h=450&fit=cover")).await;
    let picture = decoded(&cover).to_rgb8();
    assert_eq!(picture.dimensions(), (800, 450));
    // A crop that depends on the focal point may change with it.
    assert_ne!(
        cover.header("cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    let contain = decoded(&app.get(&format!("{url}?w=800&h=450&fit=contain&format=png")).await);
    assert_eq!((contain.width(), contain.height()), (800, 450));
    let inside = decoded(&app.get(&format!("{url}?w=800&h=450&fit=inside")).await);
    assert_eq!((inside.width(), inside.height()), (600, 450));

    // Focal point at the top: the crop keeps the top (red and green).
    app.patch(&format!("/v1/media/{id}"), &app.editor(), json!({"focal": {"x": 0.5, "y": 0.0}}))
        .await
        .ok(200);
    let top = decoded(&app.get(&format!("{url}?w=800&h=450")).await).to_rgb8();
    let pixel = top.get_pixel(10, 10);
    assert!(pixel[0] > 150 && pixel[2] < 100, "top left is red: {pixel:?}");
    // ...and at the bottom, the blue and white half.
    app.patch(&format!("/v1/media/{id}"), &app.editor(), json!({"focal": {"x": 0.5, "y": 1.0}}))
        .await
        .ok(200);
    let bottom = decoded(&app.get(&format!("{url}?w=800&h=450")).await).to_rgb8();
    let pixel = bottom.get_pixel(10, 440);
    assert!(pixel[2] > 150 && pixel[0] < 100, "bottom left is blue: {pixel:?}");
}

#[actix_web::test]
async fn the_library_lists_newest_first_filters_and_pages() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let editor = app.editor();
    let mut ids = Vec::new();
    for (i, alt) in ["River at dawn", "Harbour cranes", "RIVER in flood"].iter().enumerate() {
        let bytes = if i == 1 { png(30 + i as u32, 20) } else { jpeg(30 + i as u32, 20) };
        let (content_type, body) = form(&[
            ("file", None, None, &bytes),
            ("alt", None, None, alt.as_bytes()),
        ]);
        let item = app
            .request(Method::POST, "/v1/media", Some(&editor), &[], Some((&content_type, body)))
            .await
            .ok(201);
        ids.push(item["id"].as_i64().unwrap());
    }
    let list = app.get_as("/v1/media", &editor).await.ok(200);
    let listed: Vec<i64> = list["data"].as_array().unwrap().iter().map(|m| m["id"].as_i64().unwrap()).collect();
    assert_eq!(listed, [ids[2], ids[1], ids[0]]);
    assert_eq!(list["meta"]["total"], 3);

    let rivers = app.get_as("/v1/media?q=river", &editor).await.ok(200);
    assert_eq!(rivers["meta"]["total"], 2);
    let pngs = app.get_as("/v1/media?mime=image/png", &editor).await.ok(200);
    assert_eq!(pngs["data"][0]["id"], ids[1]);
    assert_eq!(pngs["meta"]["total"], 1);
    app.get_as("/v1/media?mime=text/html", &editor).await.problem(400);
    app.get_as("/v1/media?sort=name", &editor).await.problem(400);

    let first = app.get_as("/v1/media?per_page=2&cursor=", &editor).await;
    assert!(first.status == 200 || first.status == 400);
    let page = app.get_as("/v1/media?per_page=2&page=2", &editor).await.ok(200);
    assert_eq!(page["data"][0]["id"], ids[0]);

    // The library needs a token; its pictures do not.
    app.get("/v1/media").await.problem(401);
    app.get(&format!("/v1/media/{}", ids[0])).await.problem(401);
    app.get_as("/v1/media/999999", &editor).await.problem(404);
    app.get_as("/v1/media/abc", &editor).await.problem(404);
}

#[actix_web::test]
async fn metadata_changes_honour_if_match_and_contributors_change_only_their_own() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_author("Ada Okafor").await;
    // A subject of her own: what an item's owner is compared with.
    let contributor = masthead::auth::mint(
        SECRET.as_bytes(),
        "ada",
        masthead::domain::Role::Contributor,
        Some("ada-okafor"),
        3600,
        None,
        None,
    )
    .unwrap();
    let editor = app.editor();
    let theirs = upload_raw(&app, &contributor, "image/jpeg", jpeg(40, 30)).await.ok(201);
    assert_eq!(theirs["created_by"], "ada");
    let editors = upload(&app, jpeg(41, 30)).await;

    let path = format!("/v1/media/{}", theirs["id"]);
    let current = app.get_as(&path, &contributor).await;
    let etag = current.header("etag").unwrap();
    let changed = app
        .request(
            Method::PATCH,
            &path,
            Some(&contributor),
            &[("If-Match", &etag)],
            Some(("application/json", br#"{"alt": "Ada at work", "credit": null}"#.to_vec())),
        )
        .await
        .ok(200);
    assert_eq!(changed["alt"], "Ada at work");
    // The same tag again is stale now.
    let stale = app
        .request(
            Method::PATCH,
            &path,
            Some(&contributor),
            &[("If-Match", &etag)],
            Some(("application/json", br#"{"alt": "Other"}"#.to_vec())),
        )
        .await;
    stale.problem(412);

    let other = format!("/v1/media/{}", editors["id"]);
    app.patch(&other, &contributor, json!({"alt": "mine now"})).await.problem(403);
    app.delete(&other, &contributor).await.problem(403);
    // Editors change anything; the picture itself is read-only.
    app.patch(&path, &editor, json!({"caption": "Desk"})).await.ok(200);
    app.patch(&path, &editor, json!({"width": 10})).await.problem(400);
    let problem = app
        .patch(&path, &editor, json!({"focal": {"x": 2, "y": 0.5}}))
        .await
        .problem(422);
    assert_eq!(error_fields(&problem), ["focal.x"]);
    app.delete(&path, &contributor).await.ok(204);
    app.get_as(&path, &editor).await.problem(404);
    app.get(theirs["url"].as_str().unwrap()).await.problem(404);
}

#[actix_web::test]
async fn articles_and_authors_embed_media_pictures_and_a_used_item_cannot_be_deleted() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let editor = app.editor();
    let (content_type, body) = form(&[
        ("file", None, None, &jpeg(1000, 500)),
        ("alt", None, None, b"Library alt"),
        ("credit", None, None, b"Photo: Desk"),
    ]);
    let item = app
        .request(Method::POST, "/v1/media", Some(&editor), &[], Some((&content_type, body)))
        .await
        .ok(201);
    let id = item["id"].as_i64().unwrap();
    let author = app
        .post("/v1/authors", &editor, json!({"name": "Ada Okafor", "avatar": {"media": id}}))
        .await
        .ok(201);
    assert_eq!(author["avatar_url"], item["url"]);
    assert_eq!(author["avatar"]["media"], id);
    assert_eq!(author["avatar"]["width"], 1000);

    let article = app
        .post(
            "/v1/articles",
            &editor,
            json!({"title": "Rivers rising", "body": "Water.", "status": "published",
                   "authors": ["ada-okafor"], "feature_image": {"media": id, "caption": "The weir"}}),
        )
        .await
        .ok(201);
    let image = &article["feature_image"];
    assert_eq!(image["media"], id);
    assert_eq!(image["url"], item["url"]);
    assert_eq!(image["alt"], "Library alt");
    assert_eq!(image["caption"], "The weir");
    assert_eq!(image["credit"], "Photo: Desk");
    assert_eq!((image["width"].as_i64(), image["height"].as_i64()), (Some(1000), Some(500)));
    assert_eq!(image["placeholder"], item["placeholder"]);
    assert_eq!(image["renditions"], item["renditions"]);
    assert_eq!(image["focal"], json!({"x": 0.5, "y": 0.5}));
    // Lists and public reads embed the same picture.
    let list = app.get("/v1/articles").await.ok(200);
    assert_eq!(list["data"][0]["feature_image"], *image);
    assert_eq!(list["data"][0]["authors"][0]["avatar_url"], item["url"]);

    // An unknown item is a 422 naming the field.
    let problem = app
        .patch(&format!("/v1/articles/{}", article["id"]), &editor, json!({"feature_image": {"media": 999999}}))
        .await
        .problem(422);
    assert_eq!(error_fields(&problem), ["feature_image.media"]);

    // In use: 409 naming both users.
    let problem = app.delete(&format!("/v1/media/{id}"), &editor).await.problem(409);
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("rivers-rising") && detail.contains("ada-okafor"), "{detail}");

    // A URL replaces the item; a plain URL image keeps its old shape.
    let plain = app
        .patch(
            &format!("/v1/articles/{}", article["id"]),
            &editor,
            json!({"feature_image": {"url": "https://cdn.example.com/weir.jpg"}}),
        )
        .await
        .ok(200);
    assert_eq!(
        plain["feature_image"],
        json!({"url": "https://cdn.example.com/weir.jpg", "alt": null, "caption": "The weir", "credit": null})
    );
    app.patch("/v1/authors/ada-okafor", &editor, json!({"avatar": null}))
        .await
        .ok(200);
    app.delete(&format!("/v1/media/{id}"), &editor).await.ok(204);
}

#[actix_web::test]
async fn with_media_dir_originals_are_files_named_by_their_hash_and_go_with_their_last_item() {
    let dir = tempfile::tempdir().unwrap();
    let originals = dir.path().join("originals");
    let Some(app) = spawn_app_with(&[("MEDIA_DIR", originals.to_str().unwrap())]).await else {
        return;
    };
    let bytes = png(90, 60);
    let first = upload_raw(&app, &app.editor(), "image/png", bytes.clone()).await.ok(201);
    let second = upload_raw(&app, &app.editor(), "image/png", bytes.clone()).await.ok(201);
    let hash = first["hash"].as_str().unwrap();
    let file = originals.join(&hash[..2]).join(hash);
    assert_eq!(std::fs::read(&file).unwrap(), bytes, "stored once, as uploaded");
    let served = app.get(first["url"].as_str().unwrap()).await;
    assert_eq!(decoded(&served).width(), 90);

    app.delete(&format!("/v1/media/{}", first["id"]), &app.editor())
        .await
        .ok(204);
    assert!(file.exists(), "the other item still names the bytes");
    app.delete(&format!("/v1/media/{}", second["id"]), &app.editor())
        .await
        .ok(204);
    assert!(!file.exists(), "no item names the bytes any more");
}
