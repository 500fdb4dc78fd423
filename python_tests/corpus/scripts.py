"""The published scripts the corpus runs (paths in the Learning System
Guides), and what is known about the differences between the two runs."""

# Each runs unmodified; every one reaches the network on both firmwares.
SCRIPTS = [
]

# script -> why its runs may differ, with the SPEC line the module follows
# (the reference's behaviour there is a bug SPEC fixes).
KNOWN_DIFFERENCES = {}
