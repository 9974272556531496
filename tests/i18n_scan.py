"""Find interface text written in code instead of the translation catalogue.

Used by ``tests/test_i18n.py`` and runnable by hand: ``python tests/i18n_scan.py FILE...``
prints every finding as ``path:line: text``. What counts as interface text:

- string literals (and the literal parts of f-strings and ``+`` joins) given to a Streamlit
  element as its text: positional arguments and ``label``/``help``/``placeholder``/``title``/
  ``caption``/``body``/``text`` keywords, list items included (``st.tabs([...])``);
- in chart builders (``journeylib/charts``), literal ``title=`` / ``text=`` keywords and
  ``alt.Title`` / ``alt.TitleParams`` arguments;
- anywhere in ``journeylib``, literals inside ``describe_*`` functions (sentences for people)
  and messages given to ``DataError``.

Texts without two letters in a row (emoji, dashes, ``**``), Material icon names and HTML/CSS
are not interface text. Values that are computed (``t("key")``, a variable, a call) are fine.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ELEMENTS = {
    "title", "header", "subheader", "caption", "markdown", "write", "text", "info", "warning",
    "error", "success", "exception", "button", "download_button", "link_button", "page_link",
    "radio", "selectbox", "multiselect", "slider", "select_slider", "toggle", "checkbox",
    "text_input", "text_area", "number_input", "date_input", "time_input", "file_uploader",
    "color_picker", "metric", "expander", "tabs", "popover", "spinner", "status", "toast",
    "form_submit_button", "segmented_control", "pills", "feedback", "dialog", "Page",
    "Column", "TextColumn", "NumberColumn", "ProgressColumn", "CheckboxColumn",
    "SelectboxColumn", "DateColumn", "DatetimeColumn", "LinkColumn", "ListColumn",
    "BarChartColumn", "LineChartColumn", "ImageColumn", "AreaChartColumn",
}
TEXT_KEYWORDS = {"label", "help", "placeholder", "title", "caption", "body", "text"}
CHART_CALLS = {"Title", "TitleParams"}
_LETTERS = re.compile(r"[^\W\d_]{2,}")


def _is_text(fragment: str) -> bool:
    stripped = fragment.strip()
    if stripped.startswith((":material/", "<")):
        return False
    return bool(_LETTERS.search(stripped))


def _literals(node: ast.AST) -> Iterator[ast.Constant]:
    """String constants in ``node`` that reach the screen as they are (not through a call)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, ast.JoinedStr):
        for part in node.values:
            yield from _literals(part)
    elif isinstance(node, ast.BinOp):
        yield from _literals(node.left)
        yield from _literals(node.right)
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)
    elif isinstance(node, ast.List | ast.Tuple):
        for item in node.elts:
            yield from _literals(item)


def _name(func: ast.AST) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _code_literals(tree: ast.AST) -> set[int]:
    """Literals that are codes, not text: catalogue keys and other first arguments of calls,
    keyword values, column names in subscripts, operands of comparisons, dict keys."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            # Values given to t() are put into the sentence: those are text, not codes.
            kwargs = [] if _name(node.func) == "t" else [k.value for k in node.keywords]
            for code in [*node.args[:1], *kwargs]:
                ids.update(id(n) for n in ast.walk(code))
        elif isinstance(node, ast.Subscript):
            ids.update(id(n) for n in ast.walk(node.slice))
        elif isinstance(node, ast.Compare):
            ids.update(id(n) for n in ast.walk(node))
        elif isinstance(node, ast.Dict):
            ids.update(id(k) for k in node.keys if k is not None)
    return ids


def _fstring_parts(tree: ast.AST) -> set[int]:
    return {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
            for part in node.values}


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def scan_source(source: str, path: str) -> list[tuple[int, str]]:
    """``(line, text)`` of every hard-coded interface text in one module's source."""
    tree = ast.parse(source)
    in_library = "journeylib" in Path(path).parts
    in_charts = in_library and "charts" in Path(path).parts
    docstrings = _docstrings(tree)
    found: list[tuple[int, str]] = []

    def add(node: ast.AST) -> None:
        for const in _literals(node):
            if id(const) not in docstrings and _is_text(const.value):
                found.append((const.lineno, const.value))

    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and in_library and node.name.startswith("describe_"):
            codes = _code_literals(node)
            for inner in ast.walk(node):
                if (isinstance(inner, ast.Constant) and isinstance(inner.value, str)
                        and id(inner) not in codes
                        and (" " in inner.value.strip() or id(inner) in _fstring_parts(node))):
                    add(inner)
            continue
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name == "DataError" or (not in_library and name in ELEMENTS) or (
            in_charts and name in CHART_CALLS
        ):
            # The positional argument of st.Page / st.page_link is the page's file, not text.
            for arg in node.args if name not in ("Page", "page_link") else ():
                add(arg)
            for kw in node.keywords:
                # A DataError's code is the catalogue key that words it.
                if kw.arg in TEXT_KEYWORDS or (name == "DataError" and kw.arg != "code"):
                    add(kw.value)
        elif in_charts:
            for kw in node.keywords:
                if kw.arg in ("title", "text"):
                    add(kw.value)
    return sorted(set(found))


def scan(paths: list[Path]) -> list[str]:
    """Findings as ``path:line: text`` for every file."""
    out = []
    for path in paths:
        for line, text in scan_source(path.read_text(encoding="utf-8"), str(path)):
            out.append(f"{path}:{line}: {text!r}")
    return out


def interface_files(root: Path) -> list[Path]:
    """Every module whose text reaches the screen: the app, its pages and the library."""
    files = [root / "app.py", *sorted((root / "app_pages").glob("*.py"))]
    files += sorted((root / "dashboard").glob("*.py"))
    files += sorted((root / "journeylib").rglob("*.py"))
    return [f for f in files if f.name != "sample.py"]


def used_keys(paths: list[Path]) -> list[tuple[str, int, str]]:
    """``(path, line, key)`` of every ``t("literal.key", ...)`` call and every
    ``Message("literal.key", ...)`` (a message's code is the key that words it) and every
    ``DataError(code="literal.key", ...)``."""
    out = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and _name(node.func) in ("t", "Message")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                out.append((str(path), node.lineno, node.args[0].value))
            if isinstance(node, ast.Call) and _name(node.func) == "DataError":
                out += [
                    (str(path), node.lineno, kw.value.value)
                    for kw in node.keywords
                    if kw.arg == "code" and isinstance(kw.value, ast.Constant)
                ]
    return out


if __name__ == "__main__":
    targets = [Path(p) for p in sys.argv[1:]] or interface_files(Path("."))
    findings = scan(targets)
    print("\n".join(findings) or "No hard-coded interface text.")
    print(f"{len(findings)} finding(s).", file=sys.stderr)


# --- Display formats ---------------------------------------------------------------------------
# Numbers, shares and dates reach the screen through journeylib.i18n.formats (tables through
# dashboard.tables), so they follow the interface language. Streamlit's own formats follow the
# browser ("localized") or a printf pattern with a decimal point ("%.2f"), and a format spec in
# an f-string writes English digits: both are findings in the app's code.
_NUMBER_SPEC = re.compile(r"[,_]|\.\d|[%fdeEgGn]$")
FORMAT_FILES = ("app.py", "app_pages", "dashboard")


def scan_formats_source(source: str, path: str) -> list[tuple[int, str]]:
    """``(line, what)`` for every display format written in code: ``st.dataframe`` /
    ``st.table`` outside :mod:`dashboard.tables`, a literal ``format=`` of a
    ``st.column_config`` column, and a numeric format spec in an f-string."""
    found = []
    tables_module = path.replace("\\", "/").endswith("dashboard/tables.py")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            receiver = func.value if isinstance(func, ast.Attribute) else None
            if (_name(func) in ("dataframe", "table") and isinstance(receiver, ast.Name)
                    and receiver.id == "st" and not tables_module):
                found.append((node.lineno, f"st.{_name(func)} outside dashboard.tables"))
            if _name(func).endswith("Column"):
                for kw in node.keywords:
                    if kw.arg == "format" and isinstance(kw.value, ast.Constant):
                        found.append((node.lineno, f"Streamlit format {kw.value.value!r}"))
        elif isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            spec = "".join(v.value for v in node.format_spec.values  # type: ignore[attr-defined]
                           if isinstance(v, ast.Constant))
            if _NUMBER_SPEC.search(spec) and not spec.endswith("x"):
                found.append((node.lineno, f"f-string number format {spec!r}"))
    return sorted(set(found))


def format_files(root: Path) -> list[Path]:
    """The app's own modules: where numbers are put on the screen."""
    files = [root / "app.py", *sorted((root / "app_pages").glob("*.py"))]
    return files + sorted((root / "dashboard").glob("*.py"))


def scan_formats(paths: list[Path], allowed: dict[str, str] | None = None) -> list[str]:
    """Findings as ``path:line: what``, leaving out those whose ``path:what`` is in
    ``allowed`` (each with the reason it is allowed)."""
    allowed = allowed or {}
    out = []
    for path in paths:
        rel = path.name if path.parent.name not in ("app_pages", "dashboard") else (
            f"{path.parent.name}/{path.name}")
        for line, what in scan_formats_source(path.read_text(encoding="utf-8"), str(path)):
            if f"{rel}: {what}" not in allowed:
                out.append(f"{rel}:{line}: {what}")
    return out
