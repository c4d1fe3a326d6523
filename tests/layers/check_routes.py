#!/usr/bin/env python3
"""The route check (issue 14, docs/architecture.md "Routes and links"): a path is spelled once, in SiteURL.

- Swift: routes are registered from `RoutePattern`s (Platform/SiteURL*.swift). A registration (`get`, `post`, `put`,
  `patch`, `delete`, `on`, `upload` with a handler, or `grouped`) that names a path with a string literal is a
  violation; so is a `PathComponent(stringLiteral:)` outside Platform/Routing.swift, or a `RoutePattern(` made
  outside the SiteURL files.
- Templates (Resources/Views/*.leaf): an `href`, `action`, `src` or `formaction` that spells an app path (`="/…`) is
  a violation; the view model carries the URL. Static files under STATIC are allowed. Templates in PENDING are not
  converted yet: they may still spell paths, and the check fails once one of them is clean (strike it from the list).

Reads the files as text; runs nothing. Exits 1 with the list. `--count` prints the path literals per template.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_layers import strip  # noqa: E402  (comments and string literals out, lines kept)

APP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources", "App"))

REGISTER = re.compile(r"\.(get|post|put|patch|delete|on|upload)\(\s*(?:\.[A-Z]+\s*,\s*)?\"\"")
GROUPED = re.compile(r"\.grouped\(\s*\"\"")
PATH_COMPONENT = re.compile(r"PathComponent\(\s*stringLiteral")
PATTERN = re.compile(r"\bRoutePattern\(")
TEMPLATE_PATH = re.compile(r"\b(href|action|src|formaction)\s*=\s*[\"']/(?!/)([^\"']*)")
STATIC = ("css/", "js/", "img/", "favicon")
ROUTING_FILE = os.path.join("Platform", "Routing.swift")
SITEURL_FILES = re.compile(r"^Platform/SiteURL[^/]*\.swift$")

# Templates not converted yet (issue 14 step 6, done one folder at a time). Shrinks to empty.
PENDING = {
    "account_mine.leaf",
    "account_signin.leaf",
    "account_signup.leaf",
    "home.leaf",
    "layout.leaf",
    "lookup.leaf",
    "officer_account.leaf",
    "officer_case.leaf",
    "officer_forgot.leaf",
    "officer_home.leaf",
    "officer_inbox.leaf",
    "officer_list.leaf",
    "officer_monev.leaf",
    "officer_monev_report.leaf",
    "officer_qr.leaf",
    "officer_receipt.leaf",
    "officer_reset.leaf",
    "officer_signin.leaf",
    "officer_templates.leaf",
    "officer_warnings.leaf",
    "qr_form.leaf",
    "qr_replaced.leaf",
    "tracking.leaf",
    "unsubscribe.leaf",
}


def swift_problems(root):
    problems = []
    for dirpath, _, names in os.walk(root):
        for name in sorted(names):
            if not name.endswith(".swift"):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            with open(path, encoding="utf-8") as f:
                code = strip(f.read())
            for lineno, line in enumerate(code.split("\n"), 1):
                plain = line.replace('.with("",', ".with(")   # `with("action", …)` names a parameter, not a path
                if REGISTER.search(plain) and ("use:" in plain or " in " in plain or ".upload(" in plain):
                    problems.append(f"{rel}:{lineno}: a route registered with a string path (use a RoutePattern)")
                if GROUPED.search(plain):
                    problems.append(f"{rel}:{lineno}: a route group with a string path (use a RoutePattern)")
                if PATH_COMPONENT.search(line) and rel != ROUTING_FILE:
                    problems.append(f"{rel}:{lineno}: a path component from a string (use a RoutePattern)")
                if PATTERN.search(line) and not SITEURL_FILES.match(rel.replace(os.sep, "/")):
                    problems.append(f"{rel}:{lineno}: a RoutePattern made outside Platform/SiteURL*.swift")
    return problems


def template_paths(root):
    """template file name -> [(line, path)] of the app paths it spells."""
    found = {}
    views = os.path.join(root, "Resources", "Views")
    for name in sorted(os.listdir(views)):
        if not name.endswith(".leaf"):
            continue
        with open(os.path.join(views, name), encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                for m in TEMPLATE_PATH.finditer(line):
                    if not m.group(2).startswith(STATIC):
                        found.setdefault(name, []).append((lineno, "/" + m.group(2)))
    return found


def check(root, pending=PENDING):
    problems = swift_problems(root)
    found = template_paths(root)
    for name, hits in sorted(found.items()):
        if name in pending:
            continue
        for lineno, path in hits:
            problems.append(f"Resources/Views/{name}:{lineno}: a template spells the path {path} (the view model carries URLs)")
    for name in sorted(pending - set(found)):
        problems.append(f"Resources/Views/{name}: spells no path any more: strike it from PENDING in {os.path.basename(__file__)}")
    return problems


PLANTS = [
    ("Delivery/Pages/Portal/PlantedRoutes.swift", 'func planted(_ app: Application) { app.get("planted", use: { _ in "" }) }\n',
     "a route registered with a string path"),
    ("Delivery/Pages/Portal/PlantedGroup.swift", 'func planted(_ app: Application) { _ = app.grouped("petugas") }\n',
     "a route group with a string path"),
    ("Delivery/Pages/Portal/PlantedUpload.swift",
     'func planted(_ app: Application) {\n    app.upload(.POST, "lapor",\n               maxSize: 1, use: { _ in "" })\n}\n',
     "a route registered with a string path"),
    ("Resources/Views/planted.leaf", '<p><a href="/petugas/aduan/#(id)">x</a></p>\n', "a template spells the path /petugas/aduan/"),
]


def self_test():
    """The check must pass on the tree and fail on each planted violation (in a copy; the tree is not touched)."""
    import shutil
    import tempfile
    problems = check(APP)
    assert not problems, "the tree itself has violations:\n" + "\n".join(problems)
    for rel, text, expected in PLANTS:
        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, "App")
            shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("Public", "seed"))
            with open(os.path.join(copy, rel), "w", encoding="utf-8") as f:
                f.write(text)
            found = [p for p in check(copy) if p.startswith(rel)]
            assert any(expected in p for p in found), f"the plant in {rel} went unnoticed: {found}"
            print(f"self-test: plant {rel} caught: {found[0]}")
    # a static asset is allowed
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "App")
        shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("Public", "seed"))
        with open(os.path.join(copy, "Resources", "Views", "planted.leaf"), "w", encoding="utf-8") as f:
            f.write('<link rel="stylesheet" href="/css/app.css"><script src="/js/app.js"></script>\n')
        assert not check(copy), "a static asset was refused"
    print("self-test: the check passes on the tree, allows static assets and catches every plant")
    return 0


def main():
    if "--self-test" in sys.argv[1:]:
        return self_test()
    if "--count" in sys.argv[1:]:
        found = template_paths(APP)
        for name, hits in sorted(found.items()):
            print(f"{len(hits):4d} {name}")
        print(f"{sum(len(h) for h in found.values()):4d} path literals in {len(found)} templates")
        return 0
    problems = check(APP)
    if problems:
        print(f"route check: {len(problems)} violation(s)")
        print("\n".join(problems))
        return 1
    print("route check: every route registered from a RoutePattern; templates spell no app path"
          + (f" (not yet converted: {len(PENDING)} templates)" if PENDING else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
