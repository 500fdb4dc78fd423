# Only the name the reference imports for its annotations.
TracebackType = object
