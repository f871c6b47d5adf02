"""Layering rules, checked on the source: imports point down, and only IO code imports boto.

Imports are read from each module's AST, including imports inside functions and under
`if TYPE_CHECKING:`, so a lazy import cannot hide a dependency.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "bloopfp"
BOTO_PACKAGES = ("boto3", "botocore")
IO_LAYERS = ("bloopfp.engine", "bloopfp.runtime", "bloopfp.executors")
VALUE_AND_COMPILER_MODULES = (
    "bloopfp.models",
    "bloopfp.types",
    "bloopfp.paths",
    "bloopfp.refs",
    "bloopfp.conditions",
    "bloopfp.updates",
    "bloopfp.operations",
    "bloopfp.items",
    "bloopfp.plans",
)


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE_ROOT.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE_ROOT.rglob("*.py"))}


def imported_names(name: str, path: Path) -> Iterator[str]:
    """Yield every module that a module imports, with relative imports made absolute.

    `from package import name` yields both `package` and `package.name`, because the name may be
    a submodule.
    """
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute_base(name, is_package, node)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _absolute_base(name: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    package_parts = name.split(".") if is_package else name.split(".")[:-1]
    parent_parts = package_parts[: len(package_parts) - (node.level - 1)]
    return ".".join([*parent_parts, node.module] if node.module else parent_parts)


def is_within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def may_import_boto(name: str) -> bool:
    return is_within(name, "bloopfp.executors") or name == "bloopfp.runtime"


MODULES = all_modules()


def test_package_found() -> None:
    assert "bloopfp.models" in MODULES
    assert "bloopfp.compiler.requests" in MODULES
    assert "bloopfp.executors.boto" in MODULES


def test_import_reader_sees_boto() -> None:
    imports = set(imported_names("bloopfp.executors.boto", MODULES["bloopfp.executors.boto"]))

    assert "boto3" in imports
    assert "botocore.config" in imports


def test_relative_import_resolution() -> None:
    node = ast.parse("from ..engine import Engine").body[0]
    assert isinstance(node, ast.ImportFrom)

    assert _absolute_base("bloopfp.compiler.requests", False, node) == "bloopfp.engine"
    assert _absolute_base("bloopfp.compiler", True, node) == "bloopfp.engine"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if not may_import_boto(n)))
def test_no_boto_outside_io(name: str) -> None:
    boto_imports = sorted(
        imported
        for imported in imported_names(name, MODULES[name])
        if any(is_within(imported, package) for package in BOTO_PACKAGES)
    )

    assert boto_imports == [], f"{name} imports {boto_imports}"


def value_and_compiler_modules() -> list[str]:
    names = [name for name in MODULES if name in VALUE_AND_COMPILER_MODULES]
    names += [name for name in MODULES if is_within(name, "bloopfp.compiler")]
    return sorted(names)


def test_layer_list_found() -> None:
    found = value_and_compiler_modules()

    assert set(VALUE_AND_COMPILER_MODULES) <= set(found)
    assert "bloopfp.compiler.expressions" in found


@pytest.mark.parametrize("name", value_and_compiler_modules())
def test_values_import_no_io_layer(name: str) -> None:
    upward = sorted(
        imported
        for imported in imported_names(name, MODULES[name])
        if any(is_within(imported, layer) for layer in IO_LAYERS)
    )

    assert upward == [], f"{name} imports {upward}"


def test_import_bloopfp_skips_boto3() -> None:
    script = "import sys, bloopfp; print('boto3' in sys.modules)"

    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
