#!/usr/bin/env python3
"""The route check (issue 14, docs/architecture.md "Routes and links"): a path is spelled once, in SiteURL.

- Swift: routes are registered from `RoutePattern`s (Platform/SiteURL*.swift). A registration (`get`, `post`, `put`,
  `patch`, `delete`, `on`, `upload` with a handler, or `grouped`) that names a path with a string literal is a
  violation; so is a `PathComponent(stringLiteral:)` outside Platform/Routing.swift, or a `RoutePattern(` made
  outside the SiteURL files.
- Templates (Resources/Views/*.leaf): an `href`, `action`, `src` or `formaction` that spells an app path is a violation,
  at the value's start (`="/…`) or after a Leaf condition inside it (`="#if(officer):/petugas#else:/#endif"`); the view
  model carries the URL (`#(links.report)`, `#(body.actionURL)`). Static files under STATIC are allowed.

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
# A path after a Leaf condition inside the value: `#if(x):/a#else:/b#endif`.
TEMPLATE_BRANCH_PATH = re.compile(r"\b(?:href|action|src|formaction)\s*=\s*[\"'][^\"']*?(?:\)|#else):/(?!/)([^\"'#]*)")
STATIC = ("css/", "js/", "img/", "favicon")
ROUTING_FILE = os.path.join("Platform", "Routing.swift")
SITEURL_FILES = re.compile(r"^Platform/SiteURL[^/]*\.swift$")

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
                paths = [m.group(2) for m in TEMPLATE_PATH.finditer(line)] + [m.group(1) for m in TEMPLATE_BRANCH_PATH.finditer(line)]
                for path in paths:
                    if not path.startswith(STATIC):
                        found.setdefault(name, []).append((lineno, "/" + path))
    return found


def check(root):
    problems = swift_problems(root)
    for name, hits in sorted(template_paths(root).items()):
        for lineno, path in hits:
            problems.append(f"Resources/Views/{name}:{lineno}: a template spells the path {path} (the view model carries URLs)")
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
    ("Resources/Views/planted_branch.leaf", '<a href="#if(officer):#(links.officerHome)#else:/lapor#endif">x</a>\n',
     "a template spells the path /lapor"),
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
    print("route check: every route registered from a RoutePattern; templates spell no app path")
    return 0


if __name__ == "__main__":
    sys.exit(main())
