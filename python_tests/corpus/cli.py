"""python -m corpus.cli SCRIPT... (from python_tests): runs published
scripts on both firmwares and prints what each did; for working on the
corpus, the test is test_published_scripts.py.

python -m corpus.cli --examples [PART...]: the requests library's own
examples (REQUESTS_GIT) whose case name contains a PART (all without one);
the test is test_library_examples.py."""

import sys

from . import corpus_env


def main(argv):
    summary = "--summary" in argv
    examples = "--examples" in argv
    argv = [a for a in argv if a not in ("--summary", "--examples")]
    env = corpus_env.CorpusEnv.create(library_examples=examples)
    if examples:
        from .library_scripts import CASES, VARIANTS, case_id
        runs = [(case_id(c), c[0], VARIANTS[c[1]]) for c in CASES
                if not argv or any(part in case_id(c) for part in argv)]
    else:
        runs = [(script, script, None) for script in argv]
    try:
        for script, path, variant in runs:
            native, ref = env.run_both(path, variant=variant)
            same = native.lines == ref.lines and native.requests == ref.requests
            if summary:
                print("%s %s | %d req | native: %s | ref: %s" % (
                    "SAME" if same else "DIFF", script, len(native.requests),
                    native.end[:70], ref.end[:70]), flush=True)
                continue
            print("=" * 70)
            print(script, "IDENTICAL" if same else "DIFFERENT")
            print("--- native:", native.describe())
            print("--- requests: %d native, %d reference" % (len(native.requests),
                                                           len(ref.requests)))
            if not same:
                print("--- reference:", ref.describe())
                for a, b in zip(native.requests, ref.requests):
                    if a != b:
                        print("first request difference:\n  native %r\n  ref    %r" % (a, b))
                        break
    finally:
        env.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
