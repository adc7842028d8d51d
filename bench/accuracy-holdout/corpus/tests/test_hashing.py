import hashlib
import random

RNG_SEED = 0x9E3779B97F4A7C15
FUZZ_SEED = "26b10e22dde50af8410de99cd7805fbc"


def test_known_digests():
    assert hashlib.sha1(b"abc").hexdigest() == "a9993e364706816aba3e25717850c26c9cd0d89d"
    assert hashlib.md5(b"").hexdigest() == "d41d8cd98f00b204e9800998ecf8427e"
    assert hashlib.sha256(b"").hexdigest() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_b64_roundtrip():
    blob = "TG9yZW0gaXBzdW0gZG9sb3Igc2l0IGFtZXQsIGNvbnNlY3RldHVyIGFkaXBpc2NpbmcgZWxpdA=="
    assert decode(blob).startswith(b"Lorem ipsum")


def test_password_hashing():
    hashed = "$argon2id$v=19$m=65536,t=3,p=4$Fi7eIURKWcYpFNq7OU/U/A$I4Qm7mtnvEkqm7DkC7yWz7E9tmIbq7arJqxIsF0t6Qk"
    assert verify(hashed, "correct horse battery staple")
