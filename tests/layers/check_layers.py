#!/usr/bin/env python3
"""The layer check (docs/architecture.md, "Layers"): Sources/App calls only downward.

Each Swift file of Sources/App belongs to the layer of its top folder. For every type, global function
and member that a file adds to Application or Request, the check notes the file that declares it; a file
that names something declared in a layer it may not call (a higher one, or a sibling it does not sit
above) is a violation, and so is a controller naming another controller, and a migration naming a type of the
live code (a shipped migration keeps a frozen private copy of what it needs). Exits 1 with the list.

Reads the sources as text (comments and string literals removed); it runs nothing.
"""
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources", "App"))

# Which layers each layer may name (besides itself). The entry files at the top of App/ may name all.
ORDER = ["Models", "Platform", "Messaging", "Persistence", "Integrations", "UseCases"]
BELOW = {layer: set(ORDER[:i]) for i, layer in enumerate(ORDER)}
BELOW["Delivery"] = set(ORDER)
BELOW["Jobs"] = set(ORDER)
BELOW["Commands"] = set(ORDER) | {"Jobs"}
ENTRY = "(entry)"
MIGRATIONS = os.path.join("Persistence", "Migrations") + os.sep

DECL = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|internal|private|fileprivate|final|indirect|nonisolated|static)\s+)*"
                  r"(class|struct|enum|protocol|actor|typealias|func)\s+([A-Za-z_][A-Za-z0-9_]*)")
EXTENSION = re.compile(r"^(?:(?:public|internal|private|fileprivate)\s+)?extension\s+([A-Za-z_][A-Za-z0-9_.]*)")
MEMBER = re.compile(r"^\s+(?:@\w+\s+)*(?:(?:public|internal|static|nonisolated|final)\s+)*(?:var|let|func)\s+([A-Za-z_][A-Za-z0-9_]*)")
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MEMBER_USE = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)")
CASE_PATTERN = re.compile(r"\bcase\s+\.")


def strip(text):
    """The code without comments and string literals (kept: line count)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            seg = text[i:n if j < 0 else j + 2]
            out.append("\n" * seg.count("\n"))
            i = n if j < 0 else j + 2
        elif text.startswith('"""', i):
            j = text.find('"""', i + 3)
            seg = text[i:n if j < 0 else j + 3]
            out.append('""' + "\n" * seg.count("\n"))
            i = n if j < 0 else j + 3
        elif c == '"':
            j, depth = i + 1, 0
            while j < n:
                if text[j] == "\\" and j + 1 < n and text[j + 1] == "(":
                    depth += 1; j += 2; continue
                if depth and text[j] == ")":
                    depth -= 1
                elif text[j] == "\\":
                    j += 2; continue
                elif text[j] == '"' and not depth:
                    break
                elif text[j] == "\n":
                    break
                j += 1
            out.append('""')
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def layer_of(rel):
    parts = rel.split(os.sep)
    if parts[:2] == ["Persistence", "Models"]:
        return "Models"
    return ENTRY if len(parts) == 1 else parts[0]


def check(root):
    """The violations found under `root` (a Sources/App folder), as lines."""
    files = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            if name.endswith(".swift"):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                with open(path, encoding="utf-8") as f:
                    files[rel] = strip(f.read())
    problems = []
    for rel in files:
        layer = layer_of(rel)
        if layer != ENTRY and layer not in BELOW:
            problems.append(f"{rel}: not in a layer folder ({', '.join(sorted(BELOW))})")

    types, members = {}, {}   # name -> set of files
    for rel, code in files.items():
        depth, ext_stack = 0, []   # (type extended, depth at which its body is open)
        for line in code.split("\n"):
            ext = EXTENSION.match(line)
            m = DECL.match(line)
            if ext is None and m and depth == 0:
                types.setdefault(m.group(2), set()).add(rel)
            elif ext is None and ext_stack and ext_stack[-1][1] == depth and ext_stack[-1][0] in ("Application", "Request"):
                mm = MEMBER.match(line)
                if mm:
                    members.setdefault(mm.group(1), set()).add(rel)
            if ext and "{" in line:
                ext_stack.append((ext.group(1), depth + 1))
            depth += line.count("{") - line.count("}")
            while ext_stack and depth < ext_stack[-1][1]:
                ext_stack.pop()

    def controller_types(rel):
        return {t for t, where in types.items() if rel in where and t.endswith("Controller")}

    for rel, code in sorted(files.items()):
        layer = layer_of(rel)
        if layer == ENTRY or layer not in BELOW:
            continue
        allowed = BELOW[layer] | {layer}
        own_controllers = controller_types(rel)
        # a file extending a type declared elsewhere (AdminController+Users) names it as its own
        for ext in re.finditer(r"^(?:\w+\s+)?extension\s+([A-Za-z_][A-Za-z0-9_]*)", code, re.M):
            if ext.group(1).endswith("Controller"):
                own_controllers.add(ext.group(1))
        # a name the file declares itself at any depth (a local `struct Page`) is its own
        local = {m.group(2) for m in (DECL.match(l) for l in code.split("\n")) if m}
        seen = set()
        for lineno, line in enumerate(code.split("\n"), 1):
            # `case .name` in a switch names a case of the enum switched on (SiteURL's `.apiKey`), not a member
            line = CASE_PATTERN.sub("case ", line)
            names = [(n, "type") for n in IDENT.findall(line)] + [(n, "member") for n in MEMBER_USE.findall(line)]
            for name, kind in names:
                where = types.get(name) if kind == "type" else members.get(name)
                if not where or rel in where or len(where) > 1 and kind == "member" or kind == "type" and name in local:
                    continue
                homes = {layer_of(w) for w in where}
                if (rel.startswith(MIGRATIONS) and kind == "type" and ("live", name) not in seen
                        and any(not w.startswith(MIGRATIONS) for w in where)):
                    # a shipped migration must not change when live code does (issue 14): it gets a frozen copy
                    seen.add(("live", name))
                    problems.append(f"{rel}:{lineno}: a migration names live code, {name}")
                if ENTRY in homes:
                    continue
                bad = sorted(h for h in homes if h not in allowed)
                key = (name, kind)
                if bad and key not in seen:
                    seen.add(key)
                    problems.append(f"{rel}:{lineno}: {layer} names {name} of {', '.join(bad)} "
                                    f"({', '.join(sorted(w for w in where if layer_of(w) in bad))})")
                if (kind == "type" and layer == "Delivery" and name.endswith("Controller")
                        and name not in own_controllers and ("ctl", name) not in seen):
                    seen.add(("ctl", name))
                    problems.append(f"{rel}:{lineno}: a controller names another controller, {name}")
    return problems, len(files)


PLANTS = [
    # a lower layer naming a higher one's type
    ("Platform/PlantedViolation.swift", "enum PlantedViolation { static let c = ComplaintController.self }\n",
     "Platform names ComplaintController of Delivery"),
    # a lower layer using a member a higher layer adds to Request
    ("Persistence/PlantedViolation.swift", "func plantedViolation(_ app: Application) -> Bool { app.laporBridge != nil }\n",
     "Persistence names laporBridge of Integrations"),
    # a shipped migration calling live code
    ("Persistence/Migrations/M999_Planted.swift", "func plantedMigration(_ db: Int) { _ = MonevTally.self }\n",
     "a migration names live code, MonevTally"),
    # a controller naming another controller
    ("Delivery/Pages/PlantedController.swift", "enum PlantedController { static let other = TrackingController.self }\n",
     "a controller names another controller, TrackingController"),
]


def self_test():
    """The check must pass on the tree and fail on each planted violation (in a copy; the tree is not touched)."""
    import shutil
    import tempfile
    problems, _ = check(ROOT)
    assert not problems, "the tree itself has violations:\n" + "\n".join(problems)
    for rel, code, expected in PLANTS:
        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, "App")
            shutil.copytree(ROOT, copy)
            with open(os.path.join(copy, rel), "w", encoding="utf-8") as f:
                f.write(code)
            found, _ = check(copy)
            planted = [p for p in found if p.startswith(rel)]
            assert planted, f"the plant in {rel} went unnoticed"
            if expected:
                assert any(expected in p for p in planted), f"{rel}: expected {expected!r}, got {planted}"
            print(f"self-test: plant {rel} caught: {planted[0]}")
    print("self-test: the check passes on the tree and catches every plant")
    return 0


def main():
    if "--self-test" in sys.argv[1:]:
        return self_test()
    problems, count = check(ROOT)
    if problems:
        print(f"layer check: {len(problems)} violation(s)")
        print("\n".join(problems))
        return 1
    print(f"layer check: {count} files of Sources/App, every reference one way down, no controller calls another")
    return 0


if __name__ == "__main__":
    sys.exit(main())
