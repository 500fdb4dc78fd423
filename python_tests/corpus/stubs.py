"""Recording stubs for the hardware libraries a published script imports:
every module it imports that is neither on the firmware, nor one of the
stand-ins or real libraries on the path, nor in the script's own folder,
becomes a module whose every attribute is a _corpus.Stub."""

import ast
import pathlib

# On both firmwares (MicroPython's unix port).
FIRMWARE_MODULES = {
    "array", "asyncio", "binascii", "collections", "errno", "gc", "hashlib", "heapq", "io",
    "json", "math", "micropython", "re", "select", "socket", "struct", "sys", "uctypes",
    "deflate", "zlib", "adafruit_requests",
}

STUB = """import _corpus
__getattr__ = _corpus.stub_module(%r)
"""


def imported_modules(source):
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _provided(name, paths):
    top = name.split(".")[0]
    for p in paths:
        p = pathlib.Path(p)
        if (p / (top + ".py")).exists() or (p / top).is_dir() or (p / (top + ".mpy")).exists():
            return True
    return False


def write_stubs(source, folder, dest, lib_paths):
    dest.mkdir(parents=True, exist_ok=True)
    sources = [source] + [p.read_text(encoding="utf-8", errors="replace")
                          for p in folder.glob("*.py")]
    wanted = set()
    for text in sources:
        try:
            wanted |= imported_modules(text)
        except SyntaxError:
            continue
    wanted = {n for n in wanted
              if n.split(".")[0] not in FIRMWARE_MODULES
              and not _provided(n, [folder] + list(lib_paths))}
    packages = {".".join(n.split(".")[:i]) for n in wanted for i in range(1, n.count(".") + 1)}
    for name in sorted(wanted | packages):
        parts = name.split(".")
        if name in packages:
            target = dest.joinpath(*parts) / "__init__.py"
        else:
            target = dest.joinpath(*parts[:-1]) / (parts[-1] + ".py")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(STUB % name)
