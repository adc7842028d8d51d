import os

from Crypto.Cipher import AES
from Crypto.Util.Padding import pad
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

STATIC_IV = b"0123456789abcdef"


def encrypt_record(key: bytes, data: bytes) -> bytes:
    cipher = AES.new(key, AES.MODE_ECB)  # VULN:ecb
    return cipher.encrypt(pad(data, 16))


def encrypt_record_gcm(key: bytes, data: bytes) -> bytes:
    cipher = AES.new(key, AES.MODE_GCM)
    ct, tag = cipher.encrypt_and_digest(data)
    return cipher.nonce + tag + ct


def encrypt_blob(key: bytes, data: bytes) -> bytes:
    cipher = AES.new(key, AES.MODE_CBC, STATIC_IV)  # VULN:static-iv
    return cipher.encrypt(pad(data, 16))


def encrypt_blob_random_iv(key: bytes, data: bytes) -> bytes:
    iv = os.urandom(16)
    cipher = AES.new(key, AES.MODE_CBC, iv)
    return iv + cipher.encrypt(pad(data, 16))


def encrypt_block_hazmat(key: bytes, block: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # VULN:ecb
    return encryptor.update(block) + encryptor.finalize()


def encrypt_hazmat_cbc(key: bytes, data: bytes) -> bytes:
    iv = os.urandom(16)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return iv + encryptor.update(data) + encryptor.finalize()


def encrypt_hazmat_static(key: bytes, data: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.CBC(b"\x00" * 16)).encryptor()  # VULN:static-iv
    return encryptor.update(data) + encryptor.finalize()
