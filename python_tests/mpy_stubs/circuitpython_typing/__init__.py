# Stand-in for the circuitpython-typing package; annotations only.
