"""Dependencies point one way: demo → inmail → premium → accounts → core.

An app may import, include or extend only itself and the apps below it: its Python modules
(every `import`, and every template name written in them) and its templates (every
`{% include %}` and `{% extends %}`). Project-level templates (`base.html`, `components/`)
are where the apps' pieces come together, and may use any app's.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Bottom to top: each may depend on those before it.
LAYERS = ["core", "accounts", "premium", "inmail", "demo"]
TEMPLATE_TAG = re.compile(r"""{%-?\s*(?:include|extends)\s+["']([^"']+)["']""")
TEMPLATE_NAME = re.compile(r"^([a-z_]+)/[\w/.-]+\.(?:html|txt)(?:#\w+)?$")


def _app_of(name: str) -> str | None:
    """The app a dotted module or a template name belongs to, if it is one of ours."""
    top = re.split(r"[./]", name, maxsplit=1)[0]
    return top if top in LAYERS else None


def _above(app: str, other: str | None) -> bool:
    return other is not None and LAYERS.index(other) > LAYERS.index(app)


def python_dependencies(path: Path):
    """(line, what) for every module imported and every template named in a Python file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and TEMPLATE_NAME.match(node.value)
        ):
            yield node.lineno, node.value


def template_dependencies(path: Path):
    """(line, template) for every literal `{% include %}` and `{% extends %}` in a template."""
    for lineno, line in enumerate(path.read_text().splitlines(), start=1):
        for name in TEMPLATE_TAG.findall(line):
            yield lineno, name


def upward_dependencies(root: Path) -> list[str]:
    found = []
    for app in LAYERS:
        sources = [
            *((path, python_dependencies) for path in sorted((root / app).rglob("*.py"))),
            *(
                (path, template_dependencies)
                for templates in (root / "templates" / app, root / app / "templates" / app)
                for path in sorted(templates.rglob("*"))
                if path.is_file()
            ),
        ]
        for path, dependencies in sources:
            for lineno, name in dependencies(path):
                if _above(app, _app_of(name)):
                    found.append(f"{path.relative_to(root)}:{lineno}: {app} uses {name}")
    return found


def test_no_app_imports_includes_or_extends_an_app_above_it():
    assert upward_dependencies(ROOT) == []


def test_every_app_of_ours_has_its_place_in_the_layers():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}

    assert apps == set(LAYERS)


# The check itself, on a made-up tree: it must see each kind of upward use, and only those.


@pytest.fixture
def tree(tmp_path):
    def write(relative, text):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    return tmp_path, write


def test_the_check_finds_an_upward_import_in_any_form(tree):
    root, write = tree
    write("accounts/a.py", "import inmail.models\n")
    write("accounts/b.py", "from premium import services\n")
    write("core/c.py", "def f():\n    from accounts.models import Member\n")
    write("premium/d.py", 'TEMPLATE = "inmail/components.html#premium_box"\n')

    assert upward_dependencies(root) == [
        "core/c.py:2: core uses accounts.models",
        "accounts/a.py:1: accounts uses inmail.models",
        "accounts/b.py:1: accounts uses premium",
        "premium/d.py:1: premium uses inmail/components.html#premium_box",
    ]


def test_the_check_finds_an_upward_include_or_extends_in_a_template(tree):
    root, write = tree
    write("templates/accounts/row.html", '{% include "premium/components.html#badge" %}\n')
    write("templates/premium/page.html", "\n{% extends 'inmail/base.html' %}\n")

    assert upward_dependencies(root) == [
        "templates/accounts/row.html:1: accounts uses premium/components.html#badge",
        "templates/premium/page.html:2: premium uses inmail/base.html",
    ]


def test_the_check_allows_downward_project_level_and_relative_uses(tree):
    root, write = tree
    write("inmail/a.py", "from premium import services\nfrom accounts.models import Member\n")
    write("inmail/b.py", "from . import selectors\nimport django\n")
    write("demo/c.py", "from inmail import services\n")
    write("templates/accounts/page.html", '{% extends "base.html" %}{% include "core/x.html" %}')
    write("templates/base.html", '{% include "inmail/components.html#unread_badge" %}')

    assert upward_dependencies(root) == []
