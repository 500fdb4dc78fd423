# The reference imports TracebackType for an annotation only.
class TracebackType:
    pass
