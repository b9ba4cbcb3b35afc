"""Full RFC 8555 flow with python3-acme (the library certbot is built on) for one IP identifier:
RSA account key, account, order, http-01 (acme.standalone responder), finalize, download, revoke.

usage: acme-python-flow.py DIRECTORY_URL CA_BUNDLE IP HTTP01_PORT OUT_DIR
Prints a JSON summary on stdout; the chain is written to OUT_DIR/fullchain.pem.
"""
import json
import sys

from acme import client, messages
from cryptography.hazmat.primitives.asymmetric import rsa
import josepy as jose
import OpenSSL

from acme_python_order import count_served_challenges, order_over_http01


def main():
    directory_url, bundle, ip, port, out_dir = sys.argv[1:6]
    served = count_served_challenges()
    account_key = jose.JWKRSA(key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    net = client.ClientNetwork(account_key, user_agent="smsgate-ca-test python3-acme", verify_ssl=bundle)
    directory = client.ClientV2.get_directory(directory_url, net)
    acme = client.ClientV2(directory, net)
    account = acme.new_account(messages.NewRegistration.from_data(email="ops@example.internal", terms_of_service_agreed=True))

    _, finalized = order_over_http01(acme, account_key, ip, port)

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
