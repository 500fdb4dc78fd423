# The reference imports typing names on every non-CircuitPython runtime;
# MicroPython ignores annotations, so the names only have to exist.


class _Any:
    def __getitem__(self, item):
        return self

    def __call__(self, *args, **kwargs):
        return self


Any = IO = Dict = List = Optional = Tuple = Type = Union = Callable = _Any()
Protocol = object
