"""Full RFC 8555 flow with python3-acme (the library certbot is built on) for one IP identifier:
RSA account key, account, order, http-01 (acme.standalone responder), finalize, download, revoke.

usage: acme-python-flow.py DIRECTORY_URL CA_BUNDLE IP HTTP01_PORT OUT_DIR
Prints a JSON summary on stdout; the chain is written to OUT_DIR/fullchain.pem.
"""
import ipaddress
import json
import logging
import sys
import threading

from acme import challenges, client, crypto_util, messages, standalone
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
import josepy as jose
import OpenSSL


class ServedChallenges(logging.Handler):
    """Counts the http-01 answers acme.standalone served, so the test sees the server validated."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record):
        if "Serving HTTP01 with token" in record.getMessage():
            self.count += 1


def main():
    directory_url, bundle, ip, port, out_dir = sys.argv[1:6]
    served = ServedChallenges()
    standalone_log = logging.getLogger("acme.standalone")
    standalone_log.setLevel(logging.DEBUG)
    standalone_log.addHandler(served)
    account_key = jose.JWKRSA(key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    net = client.ClientNetwork(account_key, user_agent="smsgate-ca-test python3-acme", verify_ssl=bundle)
    directory = client.ClientV2.get_directory(directory_url, net)
    acme = client.ClientV2(directory, net)
    account = acme.new_account(messages.NewRegistration.from_data(email="ops@example.internal", terms_of_service_agreed=True))

    cert_key = ec.generate_private_key(ec.SECP256R1())
    cert_key_pem = cert_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    csr_pem = crypto_util.make_csr(cert_key_pem, ipaddrs=[ipaddress.ip_address(ip)])
    order = acme.new_order(csr_pem)

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
        finalized = acme.poll_and_finalize(order)
    finally:
        server.shutdown()
        server.server_close()

    with open(f"{out_dir}/fullchain.pem", "w") as handle:
        handle.write(finalized.fullchain_pem)
    leaf = OpenSSL.crypto.load_certificate(OpenSSL.crypto.FILETYPE_PEM, finalized.fullchain_pem)
    acme.revoke(jose.ComparableX509(leaf), 1)
    try:
        acme.revoke(jose.ComparableX509(leaf), 1)
        again = "accepted"
    except messages.Error as error:
        again = error.typ

    print(json.dumps({
        "account": account.uri,
        "order_status": finalized.body.status.name,
        "identifiers": [i.value for i in finalized.body.identifiers],
        "revoked_again": again,
        "http01_served": served.count,
    }))


if __name__ == "__main__":
    main()
