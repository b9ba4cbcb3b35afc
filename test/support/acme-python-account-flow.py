"""One order with python3-acme (certbot's library) for one IP identifier, with an account kept on
disk the way certbot keeps it: the first run registers (RSA-2048 key) and saves the key and the
account resource; a later run loads them and orders straight away under that account URL (no
newAccount request), then asks the server for the account once more with onlyReturnExisting.

usage: acme-python-account-flow.py DIRECTORY_URL IP HTTP01_PORT STATE_DIR
Prints a JSON summary on stdout; the chain is written to STATE_DIR/fullchain-N.pem.
"""
import json
import os
import sys

from acme import client, messages
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
import josepy as jose

from acme_python_order import count_served_challenges, order_over_http01


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
    served = count_served_challenges()

    def acme_client_for(key):
        net = client.ClientNetwork(key, user_agent="smsgate-ca-test python3-acme")
        return client.ClientV2(client.ClientV2.get_directory(directory_url, net), net), net

    acme, account_key, regr, registered = load_or_register(acme_client_for, state_dir)

    order, finalized = order_over_http01(acme, account_key, ip, port)

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
