"""Prints Tests/AduanCoreTests/ThumbnailFixtures.swift: tiny JPEGs and PNGs made with Pillow and Pillow's decode of each.

    python3 e2e/make_thumbnail_fixtures.py > Tests/AduanCoreTests/ThumbnailFixtures.swift
"""
import base64, io, os, sys, zlib
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from PIL import Image, ImageOps
from thumbnail_images import write_png

def smooth(w, h, seed):
    im = Image.new("RGB", (w, h))
    px = im.load()
    for y in range(h):
        for x in range(w):
            # Ramps that never wrap around: a photo's colours change gradually, and a hue jump inside a 16 × 16 block
            # is where 4:2:0 chroma at 1/8 scale (one value per block) is furthest from libjpeg's scaled chroma.
            px[x, y] = (20 + x * 200 // max(1, w - 1), 30 + y * 180 // max(1, h - 1), 40 + seed * 10 + (x + y) * 120 // (w + h))
    return im

def b64(b): return base64.b64encode(b).decode()
def ref(data):
    im = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    if im.mode in ("RGBA", "LA", "PA", "P") or "transparency" in im.info:
        im = im.convert("RGBA"); bg = Image.new("RGBA", im.size, (255, 255, 255, 255)); im = Image.alpha_composite(bg, im)
    if im.mode.startswith("I"):
        im = im.convert("I").point(lambda v: v / 256).convert("L")
    return im.convert("RGB")

out = []
def jpeg(name, im, **kw):
    buf = io.BytesIO(); im.save(buf, "JPEG", **kw); add(name, buf.getvalue())
def add(name, data, reduce=None):
    r = ref(data)
    if reduce: r = r.resize(reduce, Image.BOX)
    out.append((name, data, r))
ex = Image.Exif(); ex[0x0112] = 6
jpeg("baseline420", smooth(27, 19, 1), quality=95, subsampling=2)
jpeg("progressive422", smooth(27, 19, 2), quality=95, subsampling=1, progressive=True)
jpeg("restart444", smooth(27, 19, 3), quality=95, subsampling=0, restart_marker_blocks=1)
jpeg("greyProgressive", smooth(27, 19, 4).convert("L"), quality=95, progressive=True)
jpeg("orientation6", smooth(27, 19, 5), quality=95, exif=ex.tobytes())
buf = io.BytesIO(); smooth(64, 48, 6).save(buf, "JPEG", quality=95, progressive=True); add("dcOnly64x48", buf.getvalue(), reduce=(8, 6))
buf = io.BytesIO(); smooth(23, 17, 7).convert("RGBA").save(buf, "PNG", compress_level=0); 
rgba = Image.open(buf); a = rgba.copy(); a.putalpha(Image.linear_gradient("L").resize((23, 17))); buf = io.BytesIO(); a.save(buf, "PNG", compress_level=0); add("pngRGBA", buf.getvalue())
buf = io.BytesIO(); smooth(23, 17, 8).convert("P", palette=Image.ADAPTIVE, colors=16).save(buf, "PNG", bits=4, compress_level=0, transparency=2); add("pngPalette4bitTRNS", buf.getvalue())
import tempfile
p = tempfile.mktemp(suffix=".png")
# write_png uses zlib.compress at the default level; stored blocks are wanted here, so patch compress
orig = zlib.compress; zlib.compress = lambda d: orig(d, 0)
write_png(p, smooth(23, 17, 9), interlace=True, sixteen=True); zlib.compress = orig
add("pngAdam7RGB16", open(p, "rb").read())
print(f"// Generated with Pillow {__import__('PIL').__version__} by e2e/make_thumbnail_fixtures.py; `pillowRGB` is Pillow's own decode of `file`.")
print("enum ThumbnailFixtures {")
print("    struct Fixture { let name: String; let file: String; let width: Int; let height: Int; let pillowRGB: String }")
print("    static let all: [Fixture] = [")
for name, data, r in out:
    print(f'        Fixture(name: "{name}", file: "{b64(data)}",\n                width: {r.size[0]}, height: {r.size[1]}, pillowRGB: "{b64(r.tobytes())}"),')
print("    ]")
print("}")
