"""One order with python3-acme (certbot's library) for one IP identifier, with an account kept on
disk the way certbot keeps it: the first run registers (RSA-2048 key) and saves the key and the
account resource; a later run loads them and orders straight away under that account URL (no
newAccount request), then asks the server for the account once more with onlyReturnExisting.

usage: acme-python-account-flow.py DIRECTORY_URL IP HTTP01_PORT STATE_DIR
Prints a JSON summary on stdout; the chain is written to STATE_DIR/fullchain-N.pem.
"""
import ipaddress
import json
import logging
import os
import sys
import threading

from acme import challenges, client, crypto_util, messages, standalone
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
import josepy as jose


class ServedChallenges(logging.Handler):
    """Counts the http-01 answers acme.standalone served, so the test sees the server validated."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record):
        if "Serving HTTP01 with token" in record.getMessage():
            self.count += 1


def load_or_register(acme_client_for, state_dir):
    """The saved account (key + resource), or a new registration saved for next time."""
    state_file = os.path.join(state_dir, "account.json")
    if os.path.exists(state_file):
        with open(state_file) as handle:
            saved = json.load(handle)
        key = jose.JWKRSA(key=serialization.load_pem_private_key(saved["key"].encode(), password=None))
        regr = messages.RegistrationResource.from_json(saved["regr"])
        acme, net = acme_client_for(key)
        net.account = regr
        return acme, key, regr, False
    key = jose.JWKRSA(key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    acme, _ = acme_client_for(key)
    regr = acme.new_account(messages.NewRegistration.from_data(email="ops@example.internal", terms_of_service_agreed=True))
    key_pem = key.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with open(state_file, "w") as handle:
        json.dump({"key": key_pem.decode(), "regr": regr.to_json()}, handle)
    return acme, key, regr, True


def main():
    directory_url, ip, port, state_dir = sys.argv[1:5]
    served = ServedChallenges()
    standalone_log = logging.getLogger("acme.standalone")
    standalone_log.setLevel(logging.DEBUG)
    standalone_log.addHandler(served)

    def acme_client_for(key):
        net = client.ClientNetwork(key, user_agent="smsgate-ca-test python3-acme")
        return client.ClientV2(client.ClientV2.get_directory(directory_url, net), net), net

    acme, account_key, regr, registered = load_or_register(acme_client_for, state_dir)

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
        finalized = acme.poll_and_finalize(order)
    finally:
        server.shutdown()
        server.server_close()

    runs = len([name for name in os.listdir(state_dir) if name.startswith("fullchain-")])
    chain_file = os.path.join(state_dir, f"fullchain-{runs + 1}.pem")
    with open(chain_file, "w") as handle:
        handle.write(finalized.fullchain_pem)
    # The server still knows the account by its key alone (newAccount, onlyReturnExisting).
    confirmed = acme.query_registration(regr)

    print(json.dumps({
        "registered": registered,
        "account": regr.uri,
        "confirmed_account": confirmed.uri,
        "confirmed_status": confirmed.body.status,
        "order": order.uri,
        "order_status": finalized.body.status.name,
        "identifiers": [i.value for i in finalized.body.identifiers],
        "chain_file": chain_file,
        "http01_served": served.count,
    }))


if __name__ == "__main__":
    main()
