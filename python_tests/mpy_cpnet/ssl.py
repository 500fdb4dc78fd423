# Stand-in for CircuitPython's ssl: create_default_context() trusting the CA
# a test leaves in CA_DER (DER bytes) before the first request.
import faultpool

CA_DER = None
made = []


def create_default_context():
    ctx = faultpool.FaultSSLContext(CA_DER)
    made.append(ctx)
    return ctx
