"""The product's image decoders against Pillow (issue 19): `aduan thumbnail` makes the thumbnail an upload would get
(sanitised as an upload is, decoded by the product's own pure-Swift JPEG and PNG decoders, turned upright, box-filtered
to at most 240 px) and Pillow makes its own from the same file. They must agree: PSNR of at least 30 dB.

The matrix covers what phones and tools write: baseline and progressive JPEG in 4:2:0, 4:2:2 and 4:4:4, grey, restart
intervals, odd sizes, large photos (decoded at 1/8 scale from the DC coefficients), all eight EXIF orientations (the
sanitizer keeps the Orientation tag); PNG in RGB, RGBA, grey, grey+alpha, 1-bit, 4- and 8-bit palette with tRNS, 16-bit
grey and RGB, Adam7 interlacing (those last written by thumbnail_images.write_png, since Pillow writes neither).
"""
from __future__ import annotations

import io
import subprocess

import pytest
from PIL import Image

from conftest import BIN, IN_CI, missing
from thumbnail_images import expected_size, psnr, reference, scene, write_png

MIN_PSNR = 30.0


def cases(folder):
    base = scene(800, 560)
    made = []

    def jpeg(name, im, **kw):
        path = folder / f"{name}.jpg"
        im.save(path, "JPEG", **kw)
        made.append(path)

    def png(name, im, **kw):
        path = folder / f"{name}.png"
        im.save(path, "PNG", **kw)
        made.append(path)

    jpeg("baseline-420", base, quality=90, subsampling=2)
    jpeg("baseline-422", base, quality=90, subsampling=1)
    jpeg("baseline-444", base, quality=90, subsampling=0)
    jpeg("progressive-420", base, quality=85, progressive=True, subsampling=2)
    jpeg("progressive-444", base, quality=85, progressive=True, subsampling=0)
    jpeg("grey", base.convert("L"), quality=90)
    jpeg("grey-progressive", base.convert("L"), quality=90, progressive=True)
    jpeg("restart-every-3-mcus", base, quality=90, restart_marker_blocks=3)
    jpeg("restart-progressive", base, quality=90, progressive=True, restart_marker_rows=1)
    jpeg("odd-size", scene(333, 117, 2), quality=80)
    jpeg("large-dc-only", scene(2400, 1600, 3), quality=88)
    jpeg("large-progressive-dc-only", scene(2000, 2600, 4), quality=88, progressive=True)
    for orientation in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = orientation
        jpeg(f"orientation-{orientation}", scene(300, 200, orientation), quality=92, exif=exif.tobytes())
    png("rgb", base)
    rgba = base.copy()
    rgba.putalpha(Image.linear_gradient("L").resize(base.size))
    png("rgba", rgba)
    png("grey", base.convert("L"))
    png("grey-alpha", Image.merge("LA", (base.convert("L"), Image.radial_gradient("L").resize(base.size))))
    png("one-bit", base.convert("1"))
    png("palette-8bit", base.convert("P", palette=Image.ADAPTIVE, colors=200))
    png("palette-4bit-trns", base.convert("P", palette=Image.ADAPTIVE, colors=16), bits=4, transparency=3)
    base.convert("L").point(lambda v: v * 256, "I").convert("I;16").save(folder / "grey-16bit.png")
    made.append(folder / "grey-16bit.png")
    small = scene(301, 203, 9)
    for name, kw in (("adam7-rgb", dict(interlace=True)), ("rgb-16bit", dict(sixteen=True)),
                     ("adam7-rgba-16bit", dict(interlace=True, sixteen=True))):
        im = small if "rgba" not in name else rgba.resize((301, 203))
        write_png(folder / f"{name}.png", im, **kw)
        made.append(folder / f"{name}.png")
    return made


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    if not BIN.is_file():
        missing(f"server binary {BIN} is missing")
    return cases(tmp_path_factory.mktemp("thumbnail-oracle"))


def test_thumbnails_match_pillow(images, tmp_path):
    results = []
    for path in images:
        out = tmp_path / (path.stem + "-thumb.png")
        run = subprocess.run([str(BIN), "thumbnail", str(path), str(out)], capture_output=True, text=True, timeout=120,
                             env={"ADUAN_DATA_DIR": str(tmp_path), "LOG_LEVEL": "warning", "PATH": "/usr/bin:/bin"})
        assert run.returncode == 0 and out.is_file(), f"{path.name}: no thumbnail ({run.returncode}): {run.stderr[-800:]}"
        mine = Image.open(io.BytesIO(out.read_bytes()))
        assert mine.format == "PNG" and mine.mode == "RGB", f"{path.name}: the thumbnail is {mine.format} {mine.mode}"
        upright = Image.open(path)
        w, h = upright.size
        if (upright.getexif().get(0x0112) or 1) >= 5:
            w, h = h, w
        assert mine.size == expected_size(w, h), f"{path.name}: {mine.size}, expected {expected_size(w, h)} from {w}×{h}"
        results.append((path.name, psnr(mine.convert("RGB"), reference(path, *mine.size))))
    report = "\n".join(f"  {name:32} {value:5.1f} dB" for name, value in results)
    print("PSNR against Pillow:\n" + report)
    bad = [(n, v) for n, v in results if v < MIN_PSNR]
    assert not bad, f"thumbnails below {MIN_PSNR} dB against Pillow:\n{report}"
    assert len(results) == len(images) >= 30


def test_a_damaged_image_gets_no_thumbnail_and_no_crash(tmp_path):
    """A JPEG cut inside its header: the command says why, the process does not trap."""
    buffer = io.BytesIO()
    scene(200, 100).save(buffer, "JPEG", quality=80)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(buffer.getvalue()[:300])
    run = subprocess.run([str(BIN), "thumbnail", str(broken), str(tmp_path / "out.png")], capture_output=True, text=True,
                         timeout=60, env={"ADUAN_DATA_DIR": str(tmp_path), "LOG_LEVEL": "warning", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 1, f"exit {run.returncode} (a trap exits with a signal): {run.stderr[-500:]}"
    assert not (tmp_path / "out.png").exists()
