"""The reference package's public signatures, read from its own source with
CPython's ``ast`` (never imported), so a new reference release is checked
without editing the tests that use them."""

import ast
import pathlib

REPO = pathlib.Path(__file__).resolve().parent.parent


class Signature:
    """One callable's parameters after ``self``: names in positional order,
    which of them are required, and whether it takes ``**kw``."""

    def __init__(self, qualname, params, required, var_kw):
        self.qualname = qualname
        self.params = params
        self.required = required
        self.var_kw = var_kw

    def __repr__(self):
        return "Signature(%s%r%s)" % (self.qualname, self.params, " **kw" if self.var_kw else "")


def _signature(qualname, fn, is_method):
    args = fn.args
    names = [a.arg for a in args.posonlyargs + args.args]
    if is_method:
        names = names[1:]
    n_default = len(args.defaults)
    required = names[: len(names) - n_default] if n_default else list(names)
    names += [a.arg for a in args.kwonlyargs]
    return Signature(qualname, names, required, args.kwarg is not None)


def read(path):
    """{qualname: Signature} of the public functions, classes' __init__ and
    public methods, of the module at ``path``."""
    tree = ast.parse(pathlib.Path(path).read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            out[node.name] = _signature(node.name, node, False)
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if not isinstance(item, ast.FunctionDef):
                    continue
                # Properties are attributes, not calls.
                if any(isinstance(d, ast.Name) and d.id == "property" for d in item.decorator_list):
                    continue
                if item.name == "__init__" or not item.name.startswith("_"):
                    name = node.name + "." + item.name
                    out[name] = _signature(name, item, True)
    return out


def reference_path(folder):
    """The reference's source in deps/ (``make deps`` installs both)."""
    path = REPO / "deps" / folder / "adafruit_requests.py"
    return path if path.exists() else None


def call_forms(sig, forwarded=()):
    """Every way the signature lets a caller pass all of its parameters, and
    the ``forwarded`` names its ``**kw`` passes on: the first k by position
    and the rest by keyword, for each k, plus every keyword in reverse order.
    Returns [(form id, source of the argument list)], values read from a
    dict ``V`` in the script."""
    own = list(sig.params)
    extra = [n for n in forwarded if n not in own] if sig.var_kw else []
    forms = []
    for k in range(len(own) + 1):
        text = ", ".join(["V[%r]" % n for n in own[:k]]
                         + ["%s=V[%r]" % (n, n) for n in own[k:] + extra])
        forms.append(("pos%d" % k, text))
    text = ", ".join("%s=V[%r]" % (n, n) for n in reversed(own + extra))
    forms.append(("kw_reversed", text))
    return forms
