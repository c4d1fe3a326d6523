"""Conformance of Aduan's QR encoder (Sources/QRCode) against independent tools.

- segno: module-for-module equality for every version, level, mask and mode, and the same
  automatic version and mask choices;
- zbarimg and zxing-cpp: both decoders read back every version at every level, full-capacity
  payloads and Indonesian text with non-ASCII characters included;
- the SVG, PNG and PDF renderings: structure checked by hand-written parsers, pixels
  compared with the matrix, and the images decoded.

The encoder is driven through the `qrtool` executable (env QRTOOL, default
.build/debug/qrtool), mostly in batch mode: one process, JSON lines in and out.

With CI=true a missing tool fails the run; locally the tests that need it are skipped.
"""

import importlib
import json
import os
import random
import re
import shutil
import struct
import subprocess
import zlib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QRTOOL = os.environ.get("QRTOOL", str(ROOT / ".build" / "debug" / "qrtool"))
CI = os.environ.get("CI", "").lower() == "true"

LEVELS = "LMQH"
MODES = ("numeric", "alphanumeric", "byte")
ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
INDONESIAN = "Jalan rusak di Banjarbaru — tolong perbaiki, terima kasih ✓ "
URL = "https://aduan.kalselprov.go.id/q/AB12CD34"


def missing(what):
    """Fail under CI, skip locally."""
    if CI:
        pytest.fail(f"{what} is not available, and CI=true requires it")
    pytest.skip(f"{what} is not available")


def optional_module(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


@pytest.fixture(scope="session")
def qrtool():
    path = Path(QRTOOL)
    if not (path.is_file() and os.access(path, os.X_OK)):
        missing(f"qrtool at {path} (build it with `swift build --product qrtool`)")
    return str(path)


@pytest.fixture(scope="session")
def segno():
    module = optional_module("segno")
    if module is None:
        missing("segno (pip install segno)")
    return module


@pytest.fixture(scope="session")
def zxing():
    module = optional_module("zxingcpp")
    if module is None or optional_module("PIL.Image") is None:
        missing("zxing-cpp and pillow (pip install zxing-cpp pillow)")
    return module


@pytest.fixture(scope="session")
def zbarimg():
    path = shutil.which("zbarimg")
    if path is None:
        missing("zbarimg (apt-get install zbar-tools)")
    return path


@pytest.fixture(scope="session")
def pdftoppm():
    path = shutil.which("pdftoppm")
    if path is None:
        missing("pdftoppm (apt-get install poppler-utils)")
    return path


# --- helpers -----------------------------------------------------------------------------


def run_batch(qrtool, requests):
    """Encodes every request in one qrtool process; returns the parsed answers in order."""
    text = "\n".join(json.dumps(r) for r in requests) + "\n"
    done = subprocess.run([qrtool, "batch"], input=text.encode(), capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode()
    answers = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert len(answers) == len(requests)
    return answers


def request(payload, level, version=None, mask=None, mode=None, boost=False):
    r = {"level": level}
    if isinstance(payload, bytes):
        r["hex"] = payload.hex()
    else:
        r["text"] = payload
    if version is not None:
        r["version"] = version
    if mask is not None:
        r["mask"] = mask
    if mode is not None:
        r["mode"] = mode
    if boost:
        r["boost"] = True
    return r


def segno_matrix(code):
    return "".join("".join(str(bit) for bit in row) for row in code.matrix)


def encoded(payload):
    """The bytes an encoder puts in the symbol: ISO-8859-1 when possible, else UTF-8."""
    if isinstance(payload, bytes):
        return payload
    try:
        return payload.encode("iso-8859-1")
    except UnicodeEncodeError:
        return payload.encode("utf-8")


def count_bits(mode, version):
    column = 0 if version <= 9 else (1 if version <= 26 else 2)
    return {"numeric": (10, 12, 14), "alphanumeric": (9, 11, 13), "byte": (8, 16, 16)}[mode][column]


def data_bits(mode, count):
    if mode == "numeric":
        return 10 * (count // 3) + (0, 4, 7)[count % 3]
    if mode == "alphanumeric":
        return 11 * (count // 2) + 6 * (count % 2)
    return 8 * count


def capacity_bits(version, level):
    from segno import consts

    constant = {"L": consts.ERROR_LEVEL_L, "M": consts.ERROR_LEVEL_M,
                "Q": consts.ERROR_LEVEL_Q, "H": consts.ERROR_LEVEL_H}[level]
    return consts.SYMBOL_CAPACITY[version][constant]


def max_chars(mode, version, level):
    """Most characters (bytes for byte mode) of one segment that fit."""
    room = capacity_bits(version, level) - 4 - count_bits(mode, version)
    count = room // 8 if mode == "byte" else room * 3 // 10 + 2
    while data_bits(mode, count) > room:
        count -= 1
    return count


def payload_for(mode, length, rng, flavour=0):
    """A payload of `length` characters (bytes in byte mode) for the mode."""
    if mode == "numeric":
        return "".join(rng.choice("0123456789") for _ in range(length))
    if mode == "alphanumeric":
        return "".join(rng.choice(ALPHANUMERIC) for _ in range(length))
    if flavour % 3 == 0:  # ASCII text
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789 /.-_?=&") for _ in range(length))
    if flavour % 3 == 1:  # UTF-8 text: cut at a character boundary within `length` bytes
        text = (INDONESIAN * (length // len(INDONESIAN.encode()) + 2))
        cut = text.encode("utf-8")[:length].decode("utf-8", errors="ignore")
        return cut if cut else "a"
    return bytes(rng.randrange(256) for _ in range(length))  # raw bytes


# --- segno: exact matrices ---------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_every_version_level_and_mask_matches_segno(qrtool, segno, mode):
    """40 versions x 4 levels x 8 masks: the full capacity with mask 0, shorter payloads
    (down to 1/8 of it) with the other masks, so padding of every kind is exercised."""
    rng = random.Random(f"exact-{mode}")
    cases, requests = [], []
    for version in range(1, 41):
        for level in LEVELS:
            full = max_chars(mode, version, level)
            for mask in range(8):
                length = max(1, full * (8 - mask) // 8)
                payload = payload_for(mode, length, rng, flavour=version + mask)
                cases.append((payload, version, level, mask))
                requests.append(request(payload, level, version, mask, mode))
    answers = run_batch(qrtool, requests)
    mismatches = []
    for (payload, version, level, mask), answer in zip(cases, answers):
        reference = segno.make_qr(payload, error=level, version=version, mode=mode, mask=mask,
                                  boost_error=False)
        assert "error" not in answer, (version, level, mask, answer)
        if (answer["version"], answer["mask"], answer["level"]) != (version, mask, level) \
                or answer["matrix"] != segno_matrix(reference):
            mismatches.append((version, level, mask, len(encoded(payload))))
    print(f"segno exact ({mode}): {len(cases) - len(mismatches)}/{len(cases)} matrices equal")
    assert not mismatches, mismatches[:10]
    assert len(cases) == 40 * 4 * 8


@pytest.mark.parametrize("mode", MODES)
def test_automatic_version_and_mask_match_segno(qrtool, segno, mode):
    """No version or mask given: the smallest version and the lowest-penalty mask, as segno."""
    rng = random.Random(f"auto-{mode}")
    cases, requests = [], []
    for i in range(240):
        level = LEVELS[i % 4]
        limit = max_chars(mode, 40, level)
        length = min(limit, rng.choice([1, 2, 3, 7, 15, 30, 60, 120, 250, 500, 1000, 2000, 4000, 7089]))
        payload = payload_for(mode, length, rng, flavour=i)
        boost = i % 5 == 4
        cases.append((payload, level, boost))
        requests.append(request(payload, level, mode=mode, boost=boost))
    answers = run_batch(qrtool, requests)
    for (payload, level, boost), answer in zip(cases, answers):
        reference = segno.make_qr(payload, error=level, mode=mode, boost_error=boost)
        assert "error" not in answer, answer
        expected = (reference.version, reference.mask, reference.error.upper())
        assert (answer["version"], answer["mask"], answer["level"]) == expected, (len(encoded(payload)), level)
        assert answer["matrix"] == segno_matrix(reference)


def test_text_defaults_match_segno(qrtool, segno):
    """Single-mode texts with no option at all besides the level: same symbol as segno's
    defaults (ISO-8859-1 when possible, else UTF-8 without ECI)."""
    texts = ["HELLO WORLD", "01234567", "https://aduan.kalselprov.go.id/q/ab12cd34",
             "Pelayanan publik di café dan kantor", INDONESIAN.strip(),
             "Pengaduan: lampu jalan mati — Jl. A. Yani km 5, Banjarmasin ✓", ""]
    requests = [request(t, level) for t in texts for level in LEVELS]
    answers = run_batch(qrtool, requests)
    for r, answer in zip(requests, answers):
        reference = segno.make_qr(r["text"], error=r["level"], boost_error=False)
        assert answer["segments"][0]["mode"] == reference.mode
        assert (answer["version"], answer["mask"]) == (reference.version, reference.mask), r
        assert answer["matrix"] == segno_matrix(reference)


def segment_bits(data, segments, version):
    return sum(4 + count_bits(s["mode"], version) + data_bits(s["mode"], s["end"] - s["start"])
               for s in segments)


def can_encode(mode, chunk):
    if mode == "numeric":
        return all(0x30 <= b <= 0x39 for b in chunk)
    if mode == "alphanumeric":
        return all(chr(b) in ALPHANUMERIC for b in chunk)
    return True


def reference_optimum(data, version):
    """Fewest bits over all segmentations, by a segment-level dynamic programme (a different
    formulation from the encoder's character-level one)."""
    best = [0] + [None] * len(data)
    for end in range(1, len(data) + 1):
        for start in range(end):
            if best[start] is None:
                continue
            for mode in MODES:
                if can_encode(mode, data[start:end]):
                    bits = best[start] + 4 + count_bits(mode, version) + data_bits(mode, end - start)
                    if best[end] is None or bits < best[end]:
                        best[end] = bits
    return best[len(data)]


def brute_force_optimum(data, version):
    """Fewest bits by enumerating every split and every mode of every part (short data)."""
    n = len(data)
    best = None
    for cuts in range(1 << (n - 1)):
        bounds = [0] + [i + 1 for i in range(n - 1) if cuts >> i & 1] + [n]
        bits = 0
        for start, end in zip(bounds, bounds[1:]):
            options = [4 + count_bits(m, version) + data_bits(m, end - start)
                       for m in MODES if can_encode(m, data[start:end])]
            bits += min(options)
        best = bits if best is None else min(best, bits)
    return best


MIXED_ALPHABET = "0123456789ABCDXYZ/:.-abcxyz é"


def test_mixed_segmentation_is_optimal_and_matches_segno(qrtool, segno):
    """No mode given: the encoder mixes modes. Its segments must (1) cover the data in
    order with modes that can encode them, (2) be minimal in bits (brute force for short
    data, a reference DP for longer), and (3) give the same symbol in segno when segno is
    handed the same segments."""
    rng = random.Random("mixed")
    cases, requests = [], []
    for i in range(300):
        length = rng.choice([1, 2, 3, 5, 8, 10]) if i < 150 else rng.choice([20, 50, 120, 400, 1200])
        style = i % 3
        if style == 0:
            text = "".join(rng.choice(MIXED_ALPHABET) for _ in range(length))
        elif style == 1:  # long runs of each class, where switching pays
            parts = []
            while sum(map(len, parts)) < length:
                alphabet = rng.choice(["0123456789", "ABCDEFGHIJ0123 ./", "abcdefghij-_"])
                parts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))))
            text = "".join(parts)[:length]
        else:
            text = f"https://aduan.kalselprov.go.id/q/{''.join(rng.choice(ALPHANUMERIC[:36]) for _ in range(8))}" \
                   + "".join(rng.choice(MIXED_ALPHABET) for _ in range(length // 10))
        level = LEVELS[i % 4]
        cases.append((text, level))
        requests.append(request(text, level))
    answers = run_batch(qrtool, requests)
    for (text, level), answer in zip(cases, answers):
        assert "error" not in answer, answer
        data = encoded(text)
        segments = answer["segments"]
        assert segments[0]["start"] == 0 and segments[-1]["end"] == len(data)
        for a, b in zip(segments, segments[1:]):
            assert a["end"] == b["start"] and a["mode"] != b["mode"]
        for s in segments:
            assert can_encode(s["mode"], data[s["start"]:s["end"]])
        version = answer["version"]
        bits = segment_bits(data, segments, version)
        optimum = brute_force_optimum(data, version) if len(data) <= 10 else reference_optimum(data, version)
        assert bits == optimum, (text, segments)
        assert bits <= capacity_bits(version, level)
        # segno with the same segments: same version, mask and modules.
        from segno import consts

        parts = [(data[s["start"]:s["end"]], consts.MODE_MAPPING[s["mode"]]) for s in segments]
        reference = segno.make_qr(parts, error=level, boost_error=False)
        assert (answer["version"], answer["mask"]) == (reference.version, reference.mask), text
        assert answer["matrix"] == segno_matrix(reference)
        # Never bigger than segno's own single-mode choice.
        single = segno.make_qr(text, error=level, boost_error=False)
        assert version <= single.version


def test_capacity_limits_agree_with_segno(qrtool, segno):
    """At every level and mode, for versions 1, 9, 10, 26, 27 and 40: the full capacity
    encodes, one more character is refused, and segno draws the line at the same place."""
    rng = random.Random("limits")
    cases, requests = [], []
    for level in LEVELS:
        for mode in MODES:
            for version in (1, 9, 10, 26, 27, 40):
                full = max_chars(mode, version, level)
                for length, fits in ((full, True), (full + 1, False)):
                    payload = payload_for(mode, length, rng, flavour=0)
                    cases.append((payload, level, mode, version, fits))
                    requests.append(request(payload, level, version=version, mode=mode))
    answers = run_batch(qrtool, requests)
    for (payload, level, mode, version, fits), answer in zip(cases, answers):
        try:
            segno.make_qr(payload, error=level, version=version, mode=mode, boost_error=False)
            segno_fits = True
        except segno.DataOverflowError:
            segno_fits = False
        assert segno_fits == fits
        if fits:
            assert "error" not in answer and answer["version"] == version
        else:
            assert answer.get("kind") == "dataTooLong", answer
            assert f"version {version}" in answer["error"]


def test_bad_input_gives_clear_errors(qrtool):
    answers = run_batch(qrtool, [
        request("HELLO", "M", version=0),
        request("HELLO", "M", version=41),
        request("HELLO", "M", mask=8),
        request("HELLO", "M", mask=-1),
        request("12a4", "M", mode="numeric"),
        request("hello", "M", mode="alphanumeric"),
        request("x" * 3000, "H"),
        request("x" * 100, "L", version=2),
    ])
    kinds = [a.get("kind") for a in answers]
    assert kinds == ["invalidVersion", "invalidVersion", "invalidMask", "invalidMask",
                     "invalidMode", "invalidMode", "dataTooLong", "dataTooLong"]
    assert "1 through 40" in answers[0]["error"]
    assert "0 through 7" in answers[2]["error"]
    assert "numeric" in answers[4]["error"] and "offset 2" in answers[4]["error"]
    assert "version 40" in answers[6]["error"]
    # The command line reports the same errors with a non-zero exit.
    done = subprocess.run([qrtool, "matrix", "--version", "41", "HELLO"], capture_output=True)
    assert done.returncode != 0 and b"versions are 1 through 40" in done.stderr


def test_matrix_command_matches_batch(qrtool, segno):
    done = subprocess.run([qrtool, "matrix", "--version", "7", "--level", "M", "--mask", "3",
                           "--mode", "byte", URL], capture_output=True, check=True)
    rows = done.stdout.decode().split()
    reference = segno.make_qr(URL, error="M", version=7, mode="byte", mask=3, boost_error=False)
    assert len(rows) == 45 and all(len(r) == 45 for r in rows)
    assert "".join(rows) == segno_matrix(reference)


# --- decoders ----------------------------------------------------------------------------


def decoder_cases():
    """Every version at every level with a full-capacity byte payload (ASCII on even
    versions, Indonesian UTF-8 text on odd ones), plus full-capacity numeric and
    alphanumeric symbols at versions 1, 10, 27 and 40."""
    rng = random.Random("decoders")
    cases = []
    for version in range(1, 41):
        for level in LEVELS:
            full = max_chars("byte", version, level)
            flavour = 0 if version % 2 == 0 else 1
            cases.append((payload_for("byte", full, rng, flavour), version, level, "byte"))
    for version in (1, 10, 27, 40):
        for level in LEVELS:
            for mode in ("numeric", "alphanumeric"):
                cases.append((payload_for(mode, max_chars(mode, version, level), rng), version, level, mode))
    cases.append((INDONESIAN.strip(), None, "M", None))
    cases.append((URL, None, "M", None))
    return cases


@pytest.fixture(scope="session")
def decoder_images(qrtool, tmp_path_factory):
    """PNG files written by qrtool for every decoder case."""
    folder = tmp_path_factory.mktemp("decoders")
    images = []
    for index, (text, version, level, mode) in enumerate(decoder_cases()):
        path = folder / f"case{index:03d}.png"
        scale = 4 if version is None or version < 25 else 3
        args = [qrtool, "png", "--level", level, "--scale", str(scale), "-o", str(path)]
        if version is not None:
            args += ["--version", str(version)]
        if mode is not None:
            args += ["--mode", mode]
        subprocess.run(args + ["--", text], check=True, capture_output=True)
        images.append((path, text, version, level))
    return images


def test_zxing_reads_every_version_and_level(zxing, decoder_images):
    from PIL import Image

    failures = []
    for path, text, version, level in decoder_images:
        results = zxing.read_barcodes(Image.open(path), formats=zxing.BarcodeFormat.QRCode)
        ok = (len(results) == 1 and results[0].text == text
              and bytes(results[0].bytes) == encoded(text) and results[0].ec_level == level)
        if ok and version is not None:
            ok = results[0].extra.get("Version") == str(version)
        if not ok:
            failures.append((path.name, version, level))
    print(f"zxing-cpp: {len(decoder_images) - len(failures)}/{len(decoder_images)} decoded")
    assert not failures, failures


def test_zbar_reads_every_version_and_level(zbarimg, decoder_images):
    failures = []
    for path, text, version, level in decoder_images:
        # -Sbinary: the raw bytes of the symbol, no character set guessing.
        done = subprocess.run([zbarimg, "-q", "--raw", "-Sbinary", str(path)], capture_output=True)
        raw = done.stdout
        if done.returncode != 0 or raw.rstrip(b"\n") != encoded(text).rstrip(b"\n"):
            failures.append((path.name, version, level))
    print(f"zbarimg: {len(decoder_images) - len(failures)}/{len(decoder_images)} decoded")
    assert not failures, failures


def test_zbar_decodes_indonesian_text(zbarimg, qrtool, tmp_path):
    path = tmp_path / "indonesian.png"
    subprocess.run([qrtool, "png", "-o", str(path), "--", INDONESIAN.strip()], check=True)
    done = subprocess.run([zbarimg, "-q", "--raw", str(path)], capture_output=True)
    assert done.stdout.decode("utf-8").strip() == INDONESIAN.strip()


# --- renderings --------------------------------------------------------------------------


def matrix_of(qrtool, *args):
    done = subprocess.run([qrtool, "matrix", *args], capture_output=True, check=True)
    return [[c == "1" for c in row] for row in done.stdout.decode().split()]


def png_chunks(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        chunks.append((kind, body))
        position += 12 + length
    return chunks


@pytest.mark.parametrize("version,scale,quiet", [(1, 1, 0), (3, 8, 4), (10, 3, 2), (40, 2, 4)])
def test_png_pixels_match_the_matrix(qrtool, tmp_path, version, scale, quiet):
    args = ["--version", str(version), "--level", "Q", "--", "ADUAN 63/DINKES"]
    path = tmp_path / "code.png"
    subprocess.run([qrtool, "png", "--scale", str(scale), "--quiet-zone", str(quiet), "-o", str(path), *args],
                   check=True)
    matrix = matrix_of(qrtool, *args)
    chunks = png_chunks(path.read_bytes())
    assert [c[0] for c in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, color, compression, filtering, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    side = (len(matrix) + 2 * quiet) * scale
    assert (width, height, depth, color, compression, filtering, interlace) == (side, side, 1, 0, 0, 0, 0)
    stream = chunks[1][1]
    assert (stream[0] * 256 + stream[1]) % 31 == 0 and stream[0] & 0x0F == 8
    assert (stream[2] >> 1) & 3 in (1, 2), "deflate must use Huffman blocks, not stored ones"
    raw = zlib.decompress(stream)  # checks the Adler-32 too
    row_bytes = (side + 7) // 8
    assert len(raw) == side * (row_bytes + 1)
    # Real compression: well under the raw size, and within reach of zlib's best effort.
    if len(raw) > 1000:  # (a tiny 1-bit image has nothing to squeeze)
        assert len(stream) < len(raw) / 2
    assert len(stream) <= 2.5 * len(zlib.compress(raw, 9)) + 64
    for y in range(side):
        line = raw[y * (row_bytes + 1):(y + 1) * (row_bytes + 1)]
        assert line[0] == 0
        for x in range(side):
            dark = not (line[1 + x // 8] >> (7 - x % 8)) & 1
            mx, my = x // scale - quiet, y // scale - quiet
            expected = 0 <= mx < len(matrix) and 0 <= my < len(matrix) and matrix[my][mx]
            assert dark == expected, (x, y)


def test_png_round_trips_across_versions_and_scales(qrtool, zxing, tmp_path):
    """Many sizes through Pillow's own PNG reader: every pixel equals the matrix scaled up."""
    from PIL import Image

    rng = random.Random("png")
    for index, version in enumerate(range(1, 41, 3)):
        scale, quiet = rng.randint(1, 12), rng.randint(0, 6)
        args = ["--version", str(version), "--level", LEVELS[index % 4], "--mask", str(index % 8), "--", URL[:17]]
        path = tmp_path / f"v{version}.png"
        subprocess.run([qrtool, "png", "--scale", str(scale), "--quiet-zone", str(quiet), "-o", str(path), *args],
                       check=True)
        matrix = matrix_of(qrtool, *args)
        n = len(matrix) + 2 * quiet
        expected = Image.new("1", (n, n), 1)
        for y, row in enumerate(matrix):
            for x, dark in enumerate(row):
                if dark:
                    expected.putpixel((x + quiet, y + quiet), 0)
        expected = expected.resize((n * scale, n * scale), Image.NEAREST)
        actual = Image.open(path)
        assert actual.mode == "1" and actual.size == expected.size
        assert actual.tobytes() == expected.tobytes(), (version, scale, quiet)


def rasterize_svg(svg_text):
    root = ET.fromstring(svg_text)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg" and root.get("shape-rendering") == "crispEdges"
    _, _, w, h = map(int, root.get("viewBox").split())
    paths = root.findall(f"{ns}path")
    assert len(paths) == 1
    d = paths[0].get("d")
    grid = [[False] * w for _ in range(h)]
    for x, y, width, height, back in re.findall(r"M(\d+) (\d+)h(\d+)v(\d+)h-(\d+)z", d):
        x, y, width, height = int(x), int(y), int(width), int(height)
        assert int(back) == width
        for yy in range(y, y + height):
            for xx in range(x, x + width):
                assert not grid[yy][xx], "rectangles overlap"
                grid[yy][xx] = True
    assert re.fullmatch(r"(M\d+ \d+h\d+v\d+h-\d+z)*", d), "only integer rectangles in the path"
    return grid, root


def test_svg_is_crisp_and_matches_the_matrix(qrtool, zxing, tmp_path):
    args = ["--level", "M", "--", INDONESIAN.strip()]
    path = tmp_path / "code.svg"
    subprocess.run([qrtool, "svg", "--module-size", "5", "-o", str(path), *args], check=True)
    grid, root = rasterize_svg(path.read_text("utf-8"))
    matrix = matrix_of(qrtool, *args)
    n = len(matrix)
    assert len(grid) == n + 8 and root.get("width") == str((n + 8) * 5)
    for y in range(n + 8):
        for x in range(n + 8):
            inside = 4 <= x < n + 4 and 4 <= y < n + 4
            assert grid[y][x] == (inside and matrix[y - 4][x - 4])
    from PIL import Image

    image = Image.new("L", (len(grid) * 4, len(grid) * 4), 255)
    pixels = image.load()
    for y, row in enumerate(grid):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(4):
                    for dx in range(4):
                        pixels[x * 4 + dx, y * 4 + dy] = 0
    results = zxing.read_barcodes(image)
    assert [r.text for r in results] == [INDONESIAN.strip()]


def pdf_objects(data):
    """Checks the cross-reference table and returns {number: body}."""
    startxref = int(data[data.rindex(b"startxref") + 9:].split()[0])
    assert data[startxref:startxref + 4] == b"xref"
    lines = data[startxref:].split(b"\n")
    first, count = map(int, lines[1].split())
    assert first == 0
    objects = {}
    for number in range(1, count):
        entry = lines[2 + number]
        assert len(entry) + 1 == 20, entry  # 20-byte entries, "\n" included
        offset = int(entry[:10])
        assert entry[11:16] == b"00000" and entry[17:18] == b"n"
        header = f"{number} 0 obj".encode()
        assert data[offset:offset + len(header)] == header, number
        end = data.index(b"endobj", offset)
        objects[number] = data[offset + len(header):end]
    trailer = data[data.index(b"trailer"):]
    assert f"/Size {count}".encode() in trailer
    return objects


def test_pdf_poster_structure_and_scan(qrtool, zxing, pdftoppm, tmp_path):
    title = "Dinkes (RSUD Ulin) \\ Banjar"
    path = tmp_path / "poster.pdf"
    subprocess.run([qrtool, "pdf", "--title", title, "--subtitle", "Ruang Anggrek — lantai 2",
                    "--instruction", "Pindai kode QR ini untuk menyampaikan pengaduan.", "-o", str(path),
                    URL], check=True)
    data = path.read_bytes()
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    objects = pdf_objects(data)
    assert b"/MediaBox [0 0 595.28 841.89]" in b"".join(objects.values())
    fonts = [body for body in objects.values() if b"/Type /Font" in body]
    assert len(fonts) == 2 and all(b"/Subtype /Type1" in f and b"/WinAnsiEncoding" in f for f in fonts)
    assert any(b"/BaseFont /Helvetica " in f for f in fonts)
    stream_object = next(body for body in objects.values() if b"stream" in body)
    length = int(re.search(rb"/Length (\d+)", stream_object).group(1))
    start = stream_object.index(b"stream\n") + 7
    content = zlib.decompress(stream_object[start:start + length]).decode("latin-1")
    assert stream_object[start + length:].strip() == b"endstream"
    assert "(Dinkes \\(RSUD Ulin\\) \\\\ Banjar) Tj" in content
    assert "Anggrek \\227 lantai 2" in content  # em dash as WinAnsi 0x97, octal-escaped
    rects = re.findall(r"^[\d.]+ [\d.]+ [\d.]+ [\d.]+ re$", content, re.M)
    assert len(rects) > 50 and content.count("\nf\n") == 1
    prefix = tmp_path / "page"
    subprocess.run([pdftoppm, "-r", "100", "-png", str(path), str(prefix)], check=True)
    from PIL import Image

    page = Image.open(next(tmp_path.glob("page*.png")))
    assert abs(page.size[0] / page.size[1] - 595.28 / 841.89) < 0.01
    results = zxing.read_barcodes(page)
    assert [r.text for r in results] == [URL]
