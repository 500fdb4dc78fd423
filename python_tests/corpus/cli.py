"""python -m corpus.cli SCRIPT... (from python_tests): runs published
scripts on both firmwares and prints what each did; for working on the
corpus, the test is test_published_scripts.py."""

import sys

from . import corpus_env


def main(argv):
    summary = "--summary" in argv
    argv = [a for a in argv if a != "--summary"]
    env = corpus_env.CorpusEnv.create()
    try:
        for script in argv:
            native, ref = env.run_both(script)
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
