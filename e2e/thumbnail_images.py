"""Images for the thumbnail tests (issue 19), made here with Pillow, and Pillow's thumbnail of them: the outside truth
the product's own JPEG and PNG decoders are held to (e2e/test_thumbnail_oracle.py, e2e/test_attachment_thumbnails.py).
"""
import math
import random
from PIL import Image, ImageDraw, ImageFilter, ImageOps

def scene(w, h, seed=1):
    """A photo-like picture: gradients, a fractal, shapes, a little blurred noise."""
    r = Image.linear_gradient("L").resize((w, h))
    g = Image.effect_mandelbrot((w, h), (-2.0, -1.2, 0.8, 1.2), 60)
    b = Image.radial_gradient("L").resize((w, h))
    img = Image.merge("RGB", (r, g, b))
    d = ImageDraw.Draw(img)
    for i in range(12):
        x, y = (seed * 37 + i * 97) % w, (seed * 53 + i * 61) % h
        d.ellipse([x, y, x + w // 6, y + h // 5], fill=((i * 40) % 256, (i * 90) % 256, (200 - i * 15) % 256))
    d.text((w // 10, h // 2), "ADUAN 19", fill=(255, 255, 255))
    # Seeded noise (Image.effect_noise cannot be seeded): the same picture on every run, so the PSNR is repeatable.
    grain = Image.frombytes("L", (w, h), random.Random(seed).randbytes(w * h)).point(lambda v: 128 + (v - 128) * 2 // 5)
    noise = grain.filter(ImageFilter.GaussianBlur(1))
    return Image.blend(img, Image.merge("RGB", (noise, noise, noise)), 0.15)

def reference(path, w, h):
    """Pillow's decode of `path`, turned upright by its EXIF Orientation, laid on white, box-filtered to w × h."""
    im = Image.open(path)
    im = ImageOps.exif_transpose(im)
    if im.mode.startswith("I"):  # 16-bit grey: keep the high byte, as the product does
        im = im.convert("I").point(lambda v: v / 256).convert("L")
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info) or "transparency" in im.info:
        im = im.convert("RGBA")
        bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, im)
    im = im.convert("RGB")
    return im.resize((w, h), Image.BOX)

def expected_size(w, h, longest=240):
    """The product's rule: the longest side at most 240 px, rounded, never enlarged."""
    side = max(w, h)
    if side <= longest:
        return w, h
    return max(1, (w * longest + side // 2) // side), max(1, (h * longest + side // 2) // side)


def psnr(a, b):
    """Peak signal-to-noise ratio in dB of two RGB images of the same size (99 when identical)."""
    pa, pb = a.tobytes(), b.tobytes()
    mse = sum((x - y) ** 2 for x, y in zip(pa, pb)) / len(pa)
    return 99.0 if mse == 0 else 10 * math.log10(255 * 255 / mse)

def write_png(path, im, interlace=False, sixteen=False):
    """A PNG written by hand (Pillow writes neither Adam7 nor 16-bit RGB); Pillow then reads it as the oracle."""
    import struct, zlib
    mode = im.mode
    ctype = {"L": 0, "RGB": 2, "RGBA": 6}[mode]
    ch = len(mode)
    w, h = im.size
    px = im.load()
    def sample_bytes(v):
        return bytes([v, (v * 7) & 0xFF]) if sixteen else bytes([v])
    def row(xs, y):
        out = bytearray([0])
        for x in xs:
            p = px[x, y]
            for v in (p if isinstance(p, tuple) else (p,)):
                out += sample_bytes(v)
        return bytes(out)
    raw = bytearray()
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)] if interlace else [(0, 0, 1, 1)]
    for x0, y0, dx, dy in passes:
        xs = list(range(x0, w, dx))
        if not xs:
            continue
        for y in range(y0, h, dy):
            raw += row(xs, y)
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", w, h, 16 if sixteen else 8, ctype, 0, 0, 1 if interlace else 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b""))
