# Shared by the stand-ins of python_tests/corpus: the run's settings, the
# exception that ends a published script's endless loop, and Stub, which
# stands in for any hardware library by recording what it is told.
import json
import uos

_cfg_path = uos.getenv("CORPUS_CONFIG")
CONFIG = {}
if _cfg_path:
    with open(_cfg_path) as _f:
        CONFIG = json.load(_f)
del _cfg_path

# Lines the test reads apart from the script's own prints.
MARK = "@@"


def note(text):
    print(MARK + text)


# Called once the script has ended, however it ended: stand-ins report what
# they saw (a radio its connections) on lines both runs must agree on.
_at_end = []


def at_end(fn):
    _at_end.append(fn)


def run_at_end():
    for fn in _at_end:
        fn()


class StopScript(BaseException):
    # BaseException: the scripts' `except Exception:` retry loops must not
    # swallow the end of the run.
    pass


def _short(v):
    r = repr(v)
    return r if len(r) <= 200 else r[:200] + "..."


def _texts(args, kw):
    texts = [_short(a) for a in args if isinstance(a, str)]
    texts += ["%s=%s" % (k, _short(v)) for k, v in kw.items() if isinstance(v, str)]
    return ", ".join(texts)


def _child(name):
    s = object.__new__(Stub)
    object.__setattr__(s, "_name", name)
    return s


class Stub:
    # Names in SUBCLASSED are subclasses of Stub; anything else an instance.
    _cls = "stub"

    def __init__(self, *args, **kw):
        object.__setattr__(self, "_name", self._cls + "()")
        texts = _texts(args, kw)
        if texts:
            note("call %s(%s)" % (self._cls, texts))

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _child(self._name + "." + attr)

    def __setattr__(self, attr, value):
        # Text shown on a display is what a user would compare.
        if isinstance(value, str):
            note("set %s.%s = %s" % (self._name, attr, _short(value)))
        object.__setattr__(self, attr, value)

    def __call__(self, *args, **kw):
        texts = _texts(args, kw)
        if texts:
            note("call %s(%s)" % (self._name, texts))
        return _child(self._name + "()")

    def __repr__(self):
        return "<stub %s>" % self._name

    def __getitem__(self, key):
        return _child(self._name + "[]")

    def __setitem__(self, key, value):
        pass

    def __len__(self):
        return 0

    def __bool__(self):
        return False

    def __iter__(self):
        return iter(())

    def __contains__(self, item):
        return False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __int__(self):
        return 0

    def __index__(self):
        return 0

    def __float__(self):
        return 0.0

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __lt__(self, other):
        return False

    __le__ = __gt__ = __ge__ = __lt__

    def __add__(self, other):
        return self

    __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __add__
    __truediv__ = __rtruediv__ = __floordiv__ = __mod__ = __add__

    def __neg__(self):
        return self


# Names scripts subclass; other capitalised names (board.DISPLAY,
# Direction.INPUT) are namespaces, which only an instance can stub.
SUBCLASSED = ("Group", "TileGrid")


def stub_module(modname):
    made = {}

    def getattr_(attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        if attr not in made:
            full = modname + "." + attr
            if attr in SUBCLASSED:
                made[attr] = type(attr, (Stub,), {"_cls": full})
            else:
                made[attr] = _child(full)
        return made[attr]
    return getattr_
