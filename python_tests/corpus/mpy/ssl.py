# CircuitPython's ssl: the default context trusts the run's test CA only.
import faultpool

import _corpus

_ca = None


def create_default_context():
    global _ca
    if _ca is None:
        with open(_corpus.CONFIG["ca_der"], "rb") as f:
            _ca = f.read()
    return faultpool.FaultSSLContext(_ca)


SSLContext = faultpool.FaultSSLContext
