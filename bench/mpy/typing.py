# Names the reference imports for annotations only; MicroPython never
# evaluates them, so any placeholder will do.
Any = Dict = IO = List = Optional = Tuple = Type = Union = object
