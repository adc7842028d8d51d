import ssl
import urllib.request

import httpx
import requests

CA_BUNDLE = "/etc/ssl/certs/partner-ca.pem"


class PartnerClient:
    def __init__(self, base_url: str):
        self.base_url = base_url

    def fetch_orders(self):
        return requests.get(f"{self.base_url}/orders", verify=False, timeout=10).json()  # VULN:tls

    def fetch_orders_verified(self):
        return requests.get(f"{self.base_url}/orders", verify=CA_BUNDLE, timeout=10).json()

    def fetch_invoices(self):
        with httpx.Client(verify=False, timeout=10) as client:  # VULN:tls
            return client.get(f"{self.base_url}/invoices").json()

    def fetch_invoices_verified(self):
        with httpx.Client(verify=True, timeout=10) as client:
            return client.get(f"{self.base_url}/invoices").json()

    def legacy_status(self):
        ctx = ssl._create_unverified_context()  # VULN:tls
        with urllib.request.urlopen(f"{self.base_url}/status", context=ctx) as resp:
            return resp.read()

    def legacy_status_verified(self):
        ctx = ssl.create_default_context(cafile=CA_BUNDLE)
        with urllib.request.urlopen(f"{self.base_url}/status", context=ctx) as resp:
            return resp.read()

    def session(self):
        s = requests.Session()
        s.verify = False  # VULN:tls
        return s
