"""What masthead serves, read by Pillow: called by scripts/media-check.sh with
the server's base URL and an editor's token. Exits non-zero on the first
difference, naming it."""

import io
import json
import sys
import urllib.request

from PIL import Image

BASE, TOKEN = sys.argv[1], sys.argv[2]
BOUNDARY = "media-check-boundary"


def request(method, path, body=None, headers=None):
    req = urllib.request.Request(BASE + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def upload(data, **fields):
    parts = []
    for name, value in fields.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="upload.bin"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n"
    )
    body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
    status, _, reply = request(
        "POST",
        "/v1/media",
        body,
        {"Authorization": f"Bearer {TOKEN}", "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    check(status == 201, f"upload answered {status}: {reply[:300]!r}")
    return json.loads(reply)


def check(condition, message):
    if not condition:
        print(f"media-check: FAILED: {message}", file=sys.stderr)
        sys.exit(1)


def quadrants(width, height):
    """Red, green / blue, white: a crop shows which part it kept."""
    picture = Image.new("RGB", (width, height))
    w, h = width // 2, height // 2
    picture.paste((220, 30, 30), (0, 0, w, h))
    picture.paste((30, 200, 30), (w, 0, width, h))
    picture.paste((30, 30, 220), (0, h, w, height))
    picture.paste((250, 250, 250), (w, h, width, height))
    return picture


def encoded(picture, fmt, **options):
    out = io.BytesIO()
    picture.save(out, fmt, **options)
    return out.getvalue()


def served(path):
    status, headers, body = request("GET", path)
    check(status == 200, f"GET {path} answered {status}: {body[:200]!r}")
    picture = Image.open(io.BytesIO(body))
    picture.load()
    check(b"GPSMARKER" not in body, f"{path}: the GPS text is still there")
    exif = picture.getexif()
    check(len(exif) == 0, f"{path}: EXIF tags are still there: {dict(exif)}")
    check("xmp" not in picture.info and "XML:com.adobe.xmp" not in picture.info, f"{path}: XMP is still there")
    return headers, picture


# A photo taken on its side: orientation 6, with a GPS position.
photo = quadrants(1600, 1200)
exif = Image.Exif()
exif[0x0112] = 6
exif[0x010E] = "GPSMARKER description"
gps = exif.get_ifd(0x8825)
gps[1] = "N"
gps[2] = (51.0, 30.0, 0.0)
gps[3] = "W"
gps[4] = (0.0, 7.0, 0.0)
original = encoded(photo, "JPEG", exif=exif.tobytes(), quality=90)
check(b"GPSMARKER" in original, "the fixture carries its GPS text")
item = upload(original, alt="On its side", focal_x="0.5", focal_y="0.0")
check((item["width"], item["height"]) == (1200, 1600), f"orientation applied to the size: {item}")
check(item["mime"] == "image/jpeg", item["mime"])

url = item["url"]
formats = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "avif": "AVIF"}
for name, pillow_name in formats.items():
    headers, picture = served(f"{url}?w=640&format={name}")
    check(picture.format == pillow_name, f"{name}: Pillow read {picture.format}")
    check(picture.size == (640, 853), f"{name}: {picture.size}")
    check(headers.get("cache-control") == "public, max-age=31536000, immutable", headers.get("cache-control"))
_, full = served(url)
check(full.size == (1200, 1600), f"the full size: {full.size}")
# Rotated clockwise: the top left of what is served was the bottom left (blue).
pixel = full.convert("RGB").getpixel((20, 20))
check(pixel[2] > 150 and pixel[0] < 100, f"orientation 6 rotates the pixels: top left is {pixel}")

# Cover crops around the focal point (the top): a 16:9 box of a tall picture
# keeps its top band, which is blue and red after the rotation.
_, crop = served(f"{url}?w=800&h=450&fit=cover&format=png")
check(crop.size == (800, 450), f"cover: {crop.size}")
top = crop.convert("RGB").getpixel((20, 20))
check(top[2] > 150, f"the crop keeps the top: {top}")
_, contained = served(f"{url}?w=800&h=450&fit=contain&format=png")
check(contained.size == (800, 450), f"contain: {contained.size}")
_, inside = served(f"{url}?w=800&h=450&fit=inside")
check(abs(inside.size[0] - 338) <= 1 and inside.size[1] == 450, f"inside: {inside.size}")

# Every upload format Pillow writes, decoded back at its size.
for fmt, options, mime in [
    ("PNG", {}, "image/png"),
    ("WEBP", {"quality": 80}, "image/webp"),
    ("GIF", {}, "image/gif"),
]:
    picture = quadrants(500, 300)
    if fmt == "GIF":
        second = quadrants(500, 300).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        data = io.BytesIO()
        picture.save(data, "GIF", save_all=True, append_images=[second], duration=100)
        data = data.getvalue()
    else:
        data = encoded(picture, fmt, **options)
    item = upload(data, alt=fmt)
    check(item["mime"] == mime, f"{fmt}: {item['mime']}")
    check((item["width"], item["height"]) == (500, 300), f"{fmt}: {item}")
    _, back = served(item["url"])
    check(back.size == (500, 300), f"{fmt} served at {back.size}")
    for name, pillow_name in formats.items():
        _, small = served(f"{item['url']}?w=320&format={name}")
        check(small.format == pillow_name and small.size == (320, 192), f"{fmt} -> {name}: {small.format} {small.size}")

print(f"media-check: Pillow {Image.__version__} read every format and size masthead served")
