"""What both python3-acme flows share: one order for one IP identifier, validated over http-01 by
acme.standalone's responder, with a count of the answers it served (so a test sees the server
really fetched them)."""
import ipaddress
import logging
import threading

from acme import challenges, crypto_util, standalone
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


class ServedChallenges(logging.Handler):
    """Counts the http-01 answers acme.standalone served."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record):
        if "Serving HTTP01 with token" in record.getMessage():
            self.count += 1


def count_served_challenges():
    served = ServedChallenges()
    standalone_log = logging.getLogger("acme.standalone")
    standalone_log.setLevel(logging.DEBUG)
    standalone_log.addHandler(served)
    return served


def order_over_http01(acme, account_key, ip, port):
    """A fresh P-256 key and CSR for IP, the order, every http-01 challenge answered, then
    poll_and_finalize. Returns (order, finalized order)."""
    cert_key = ec.generate_private_key(ec.SECP256R1())
    cert_key_pem = cert_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    order = acme.new_order(crypto_util.make_csr(cert_key_pem, ipaddrs=[ipaddress.ip_address(ip)]))

    resources = set()
    answers = []
    for authz in order.authorizations:
        challb = next(c for c in authz.body.challenges if isinstance(c.chall, challenges.HTTP01))
        response, validation = challb.response_and_validation(account_key)
        resources.add(standalone.HTTP01RequestHandler.HTTP01Resource(chall=challb.chall, response=response, validation=validation))
        answers.append((challb, response))
    server = standalone.HTTP01Server((ip, int(port)), resources)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for challb, response in answers:
            acme.answer_challenge(challb, response)
        return order, acme.poll_and_finalize(order)
    finally:
        server.shutdown()
        server.server_close()
