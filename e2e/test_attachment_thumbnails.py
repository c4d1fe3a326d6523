"""Attachments as thumbnails with the timeline step they came with (issue 19), in a real browser, in both languages.

A citizen at 360 px sends a report with a photo taken sideways (EXIF Orientation 6, progressive 4:2:0), a PNG with
transparency and a PDF. On the reporter's tracking page and on the officer's complaint page (each at 360 px and 1366 px) the
photo and the PNG show as thumbnails inside the submission's timeline entry — `<img>` with width and height, alt = the
file name, linking to the file — and the PDF as a file tile. Each thumbnail is a real PNG of the size the page says,
agreeing with Pillow's own thumbnail of the upload (PSNR ≥ 30 dB); it is refused to whoever may not open the file.
axe finds nothing serious, and no page scrolls sideways.
"""
from __future__ import annotations

import io

import pytest
import requests
from PIL import Image

from conftest import Browser, catalogue, default_report, uid
from thumbnail_images import expected_size, psnr, reference, scene

CATALOGUES = {"id": catalogue("id"), "en": catalogue("en")}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(scope="module")
def uploads(tmp_path_factory):
    folder = tmp_path_factory.mktemp("thumbnail-uploads")
    photo, plan, letter = folder / "foto-jalan-rusak.jpg", folder / "denah-lokasi.png", folder / "surat-rt.pdf"
    exif = Image.Exif()
    exif[0x0112] = 6  # taken with the phone turned: stored 1200 × 900, seen 900 × 1200
    scene(1200, 900, 7).save(photo, "JPEG", quality=88, progressive=True, subsampling=2, exif=exif.tobytes())
    drawing = scene(500, 300, 8).convert("RGBA")
    drawing.putalpha(Image.radial_gradient("L").resize((500, 300)))
    drawing.save(plan, "PNG")
    letter.write_bytes(PDF)
    return {"photo": photo, "plan": plan, "letter": letter}


def cookies(b: Browser) -> dict:
    return {c["name"]: c["value"] for c in b.driver.get_cookies()}


def desktop_1366(b: Browser):
    b.kind = "desktop"
    b.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 1366, "height": 900, "deviceScaleFactor": 1, "mobile": False})


def submission_entry(b: Browser):
    """The timeline entry that holds the report's files (the first one: the submission)."""
    entries = [li for li in b.finds("ol.timeline > li") if b.finds("ul.attachments", within=li)]
    assert len(entries) == 1, f"expected the files in exactly one timeline entry, found {len(entries)}:\n{b.text()[:1500]}"
    return entries[0]


def check_entry(b: Browser, uploads: dict, label: str) -> dict:
    """The photo and the PNG as thumbnails linking to their files, the PDF as a tile; returns the thumbnails by name."""
    entry = submission_entry(b)
    thumbs = {}
    for img in b.finds("ul.attachments a.thumb img", within=entry):
        name = img.get_dom_attribute("alt")
        width, height = int(img.get_dom_attribute("width")), int(img.get_dom_attribute("height"))
        link = img.find_element("xpath", "./ancestor::a[1]").get_attribute("href")
        assert "/lampiran/" in link and not link.endswith("/kecil"), f"{label}: the thumbnail of {name} links to {link}"
        assert img.get_attribute("src").endswith("/kecil"), f"{label}: the thumbnail of {name} comes from {img.get_attribute('src')}"
        b.wait_for(lambda: b.driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img),
                   f"{label}: the browser decoding the thumbnail of {name}")
        natural = b.driver.execute_script("return [arguments[0].naturalWidth, arguments[0].naturalHeight]", img)
        assert natural == [width, height], f"{label}: {name} says {width}×{height}, the browser decoded {natural}"
        thumbs[name] = {"src": img.get_attribute("src"), "size": (width, height), "link": link}
    assert sorted(thumbs) == sorted([uploads["photo"].name, uploads["plan"].name]), f"{label}: thumbnails {sorted(thumbs)}"
    # Seen upright: the sideways photo is portrait.
    assert thumbs[uploads["photo"].name]["size"] == expected_size(900, 1200) == (180, 240)
    assert thumbs[uploads["plan"].name]["size"] == expected_size(500, 300)
    tiles = [a.text.strip() for a in b.finds("ul.attachments a.file-tile", within=entry)]
    assert tiles == [uploads["letter"].name], f"{label}: the PDF's tile reads {tiles}"
    return thumbs


def check_pixels(thumbs: dict, uploads: dict, session_cookies: dict, label: str):
    """Each thumbnail is a PNG of the size the page gave, and agrees with Pillow's thumbnail of the uploaded file."""
    for key in ("photo", "plan"):
        thumb = thumbs[uploads[key].name]
        r = requests.get(thumb["src"], cookies=session_cookies, timeout=30)
        assert r.status_code == 200 and r.headers["content-type"] == "image/png", f"{label}: {r.status_code} {r.headers}"
        assert r.headers.get("x-content-type-options") == "nosniff" and "private" in r.headers.get("cache-control", "")
        image = Image.open(io.BytesIO(r.content))
        image.load()
        assert image.format == "PNG" and image.size == thumb["size"], f"{label}: {image.format} {image.size} vs {thumb['size']}"
        value = psnr(image.convert("RGB"), reference(uploads[key], *image.size))
        assert value >= 30, f"{label}: the thumbnail of {uploads[key].name} is {value:.1f} dB from Pillow's"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_thumbnails_on_the_tracking_and_officer_pages(person, officers, uploads, lang):
    T = CATALOGUES[lang]
    citizen: Browser = person(kind="phone")
    citizen.go(f"/bahasa/{lang}?next=/")
    receipt = citizen.submit_report(default_report(uid()), files=[uploads["photo"], uploads["plan"], uploads["letter"]])

    # The reporter's own page at 360 px: the files with the submission in the timeline.
    citizen.open_private(receipt)
    assert citizen.lang() == lang
    assert T["tracking_timeline"] in citizen.text()
    thumbs = check_entry(citizen, uploads, f"tracking page ({lang}, 360 px)")
    citizen.layout_at_phone(f"tracking page with thumbnails ({lang})")
    citizen.axe(f"tracking page with thumbnails ({lang})")
    check_pixels(thumbs, uploads, cookies(citizen), f"tracking page ({lang})")

    desktop_1366(citizen)
    citizen.go(f"/t/{receipt.tracking_id}")
    check_entry(citizen, uploads, f"tracking page ({lang}, 1366 px)")
    citizen.axe(f"tracking page with thumbnails ({lang}, 1366 px)")

    # The same rule as the file: a visitor without the reporter's cookie gets neither.
    photo = thumbs[uploads["photo"].name]
    for url in (photo["src"], photo["link"]):
        assert requests.get(url, timeout=30).status_code == 404, f"{url} is open to a visitor without the reporter's cookie"

    # The officer's complaint page, at 1366 px and at 360 px.
    koord: Browser = person("koord")
    koord.go(f"/bahasa/{lang}?next=/petugas")
    desktop_1366(koord)
    koord.go(f"/petugas/aduan/{receipt.tracking_id}")
    assert koord.lang() == lang
    officer_thumbs = check_entry(koord, uploads, f"officer page ({lang}, 1366 px)")
    koord.axe(f"officer page with thumbnails ({lang}, 1366 px)")
    check_pixels(officer_thumbs, uploads, cookies(koord), f"officer page ({lang})")
    officer_photo = officer_thumbs[uploads["photo"].name]["src"]
    # Signed out (no session): the officer's thumbnail route does not serve it.
    r = requests.get(officer_photo, timeout=30, allow_redirects=False)
    assert r.status_code in (302, 303, 401, 403, 404) and not r.headers.get("content-type", "").startswith("image/"), \
        f"the officer's thumbnail route answers {r.status_code} {r.headers.get('content-type')} without a session"
    # An officer whose scope does not hold the complaint (Kota Banjarbaru's coordinator) is refused it too.
    outsider = requests.get(officer_photo, cookies=cookies(person("koord.bjb")), timeout=30, allow_redirects=False)
    assert outsider.status_code in (403, 404), f"an officer outside the complaint's scope got {outsider.status_code}"
    koord.resize("phone")
    koord.go(f"/petugas/aduan/{receipt.tracking_id}")
    check_entry(koord, uploads, f"officer page ({lang}, 360 px)")
    koord.layout_at_phone(f"officer page with thumbnails ({lang})")
    koord.axe(f"officer page with thumbnails ({lang}, 360 px)")
