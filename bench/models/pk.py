"""Byte-level builders for the model-artifact benchmarks: a pickle opcode emitter, a zip writer that can lie
(encrypted flag, local/central name mismatch), and the .npy / safetensors / GGUF / Keras containers.

Nothing here imports torch or numpy, and nothing unpickles anything: malicious pickles are written opcode by
opcode and never loaded. (The stdlib pickle module is used elsewhere only to *dump* plain data.)
"""
from __future__ import annotations

import base64
import io
import json
import struct
import zlib


class Pickle:
    """An opcode emitter. Each method appends opcodes and returns self, so payloads read as chains:

        Pickle(2).glob("os", "system").s("id").tuple1().reduce().stop()

    `s()` picks the string opcode a real pickler of that protocol would use (UNICODE for 0, BINUNICODE for
    1-3, SHORT_BINUNICODE from 4); `args()` wraps the last n stack items in a tuple (TUPLE1/2/3 from
    protocol 2, MARK ... TUPLE before).
    """

    def __init__(self, proto: int | None = 2, frame: bool = False):
        self.proto = 0 if proto is None else proto
        self.b = bytearray()
        self._frame_at = None
        if proto is not None and proto >= 2:
            self.b += bytes([0x80, proto])
        if frame:
            self.b += b"\x95" + b"\0" * 8  # FRAME: length patched by stop()
            self._frame_at = len(self.b)

    # ---- raw
    def raw(self, data: bytes) -> "Pickle":
        self.b += data
        return self

    def op(self, code: bytes) -> "Pickle":
        return self.raw(code)

    # ---- imports
    def glob(self, module: str, name: str) -> "Pickle":  # GLOBAL 'c'
        return self.raw(b"c" + module.encode() + b"\n" + name.encode() + b"\n")

    def stack_global(self) -> "Pickle":  # STACK_GLOBAL: module and name strings already on the stack
        return self.raw(b"\x93")

    def sglob(self, module: str, name: str) -> "Pickle":
        return self.s(module).s(name).stack_global()

    def inst(self, module: str, name: str) -> "Pickle":  # INST 'i': MARK args... INST mod name
        return self.raw(b"i" + module.encode() + b"\n" + name.encode() + b"\n")

    def ext1(self, code: int) -> "Pickle":
        return self.raw(b"\x82" + bytes([code]))

    def ext2(self, code: int) -> "Pickle":
        return self.raw(b"\x83" + struct.pack("<H", code))

    def ext4(self, code: int) -> "Pickle":
        return self.raw(b"\x84" + struct.pack("<I", code))

    # ---- scalars
    def s(self, text: str) -> "Pickle":
        data = text.encode("utf-8")
        if self.proto == 0:
            esc = text.encode("raw_unicode_escape").replace(b"\\", b"\\u005c").replace(b"\n", b"\\u000a")
            return self.raw(b"V" + esc + b"\n")
        if self.proto >= 4 and len(data) < 256:
            return self.raw(b"\x8c" + bytes([len(data)]) + data)
        return self.raw(b"X" + struct.pack("<I", len(data)) + data)

    def py2str(self, text: str) -> "Pickle":  # STRING 'S' (protocol 0 str)
        return self.raw(b"S" + repr(text).encode() + b"\n")

    def binstring(self, text: str) -> "Pickle":  # SHORT_BINSTRING 'U' / BINSTRING 'T' (protocol 1 str)
        data = text.encode("latin-1")
        if len(data) < 256:
            return self.raw(b"U" + bytes([len(data)]) + data)
        return self.raw(b"T" + struct.pack("<I", len(data)) + data)

    def binunicode(self, text: str) -> "Pickle":
        data = text.encode("utf-8")
        return self.raw(b"X" + struct.pack("<I", len(data)) + data)

    def short_binunicode(self, text: str) -> "Pickle":
        data = text.encode("utf-8")
        return self.raw(b"\x8c" + bytes([len(data)]) + data)

    def by(self, data: bytes) -> "Pickle":  # bytes: SHORT_BINBYTES / BINBYTES / BINBYTES8
        if len(data) < 256:
            return self.raw(b"C" + bytes([len(data)]) + data)
        if len(data) < 1 << 32:
            return self.raw(b"B" + struct.pack("<I", len(data)) + data)
        return self.raw(b"\x8e" + struct.pack("<Q", len(data)) + data)

    def i(self, n: int) -> "Pickle":
        if self.proto == 0:
            return self.raw(b"I" + str(n).encode() + b"\n")
        if 0 <= n < 256:
            return self.raw(b"K" + bytes([n]))
        if 0 <= n < 65536:
            return self.raw(b"M" + struct.pack("<H", n))
        if -(1 << 31) <= n < 1 << 31:
            return self.raw(b"J" + struct.pack("<i", n))
        data = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
        return self.raw(b"\x8a" + bytes([len(data)]) + data)

    def long1(self, n: int) -> "Pickle":
        data = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
        return self.raw(b"\x8a" + bytes([len(data)]) + data)

    def none(self) -> "Pickle":
        return self.raw(b"N")

    def true(self) -> "Pickle":
        return self.raw(b"\x88" if self.proto >= 2 else b"I01\n")

    def false(self) -> "Pickle":
        return self.raw(b"\x89" if self.proto >= 2 else b"I00\n")

    def float(self, x: float) -> "Pickle":
        return self.raw(b"G" + struct.pack(">d", x))

    # ---- containers
    def mark(self) -> "Pickle":
        return self.raw(b"(")

    def tuple(self) -> "Pickle":
        return self.raw(b"t")

    def empty_tuple(self) -> "Pickle":
        return self.raw(b")")

    def tuple1(self) -> "Pickle":
        return self.raw(b"\x85")

    def tuple2(self) -> "Pickle":
        return self.raw(b"\x86")

    def tuple3(self) -> "Pickle":
        return self.raw(b"\x87")

    def empty_dict(self) -> "Pickle":
        return self.raw(b"}")

    def empty_list(self) -> "Pickle":
        return self.raw(b"]")

    def setitem(self) -> "Pickle":
        return self.raw(b"s")

    def setitems(self) -> "Pickle":
        return self.raw(b"u")

    def appends(self) -> "Pickle":
        return self.raw(b"e")

    def args(self, build) -> "Pickle":
        """Emit a tuple of the items `build(self)` pushes (a list of callables, one per item)."""
        n = len(build)
        if n == 0:
            return self.empty_tuple()
        if self.proto >= 2 and n <= 3:
            for f in build:
                f(self)
            return self.raw({1: b"\x85", 2: b"\x86", 3: b"\x87"}[n])
        self.mark()
        for f in build:
            f(self)
        return self.tuple()

    # ---- calls
    def reduce(self) -> "Pickle":
        return self.raw(b"R")

    def build(self) -> "Pickle":
        return self.raw(b"b")

    def obj(self) -> "Pickle":
        return self.raw(b"o")

    def newobj(self) -> "Pickle":
        return self.raw(b"\x81")

    def newobj_ex(self) -> "Pickle":
        return self.raw(b"\x92")

    def binpersid(self) -> "Pickle":
        return self.raw(b"Q")

    # ---- memo
    def memoize(self) -> "Pickle":
        return self.raw(b"\x94")

    def put(self, k: int) -> "Pickle":
        if self.proto == 0:
            return self.raw(b"p" + str(k).encode() + b"\n")
        return self.raw(b"q" + bytes([k]) if k < 256 else b"r" + struct.pack("<I", k))

    def get(self, k: int) -> "Pickle":
        if self.proto == 0:
            return self.raw(b"g" + str(k).encode() + b"\n")
        return self.raw(b"h" + bytes([k]) if k < 256 else b"j" + struct.pack("<I", k))

    def pop(self) -> "Pickle":
        return self.raw(b"0")

    # ---- end
    def stop(self) -> "Pickle":
        self.b += b"."
        if self._frame_at is not None:
            struct.pack_into("<Q", self.b, self._frame_at - 8, len(self.b) - self._frame_at)
            self._frame_at = None
        return self

    def bytes(self) -> bytes:
        return bytes(self.b)


# ----------------------------------------------------------------------------- benign pickle pieces

TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


def torch_tensor(p: Pickle, key: str, shape: tuple, storage: str = "FloatStorage") -> Pickle:
    """torch._utils._rebuild_tensor_v2(persistent('storage', torch.FloatStorage, key, 'cpu', numel), 0, shape,
    stride, False, OrderedDict()) as torch.save writes it (protocol 2)."""
    numel = 1
    for d in shape:
        numel *= d
    stride = []
    acc = 1
    for d in reversed(shape):
        stride.insert(0, acc)
        acc *= d
    p.glob("torch._utils", "_rebuild_tensor_v2")
    p.mark()
    p.args([lambda q: q.s("storage"), lambda q: q.glob("torch", storage), lambda q: q.s(key),
            lambda q: q.s("cpu"), lambda q: q.i(numel)]).binpersid()
    p.i(0)
    p.mark()
    for d in shape:
        p.i(d)
    p.tuple()
    p.mark()
    for d in stride:
        p.i(d)
    p.tuple()
    p.false()
    p.glob("collections", "OrderedDict").empty_tuple().reduce()
    p.tuple().reduce()
    return p


def torch_state_dict(tensors: list[tuple[str, tuple]], proto: int = 2) -> bytes:
    """An OrderedDict of tensors, storages keyed '0', '1', ... (the data.pkl of a torch.save zip)."""
    p = Pickle(proto)
    p.glob("collections", "OrderedDict").empty_tuple().reduce()
    p.mark()
    for i, (name, shape) in enumerate(tensors):
        p.s(name)
        torch_tensor(p, str(i), shape)
    p.setitems()
    return p.stop().bytes()


def numpy_array_pickle(p: Pickle, data: bytes, n: int, dtype: str = "f4") -> Pickle:
    """numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b') + BUILD (1, (n,), dtype, False, data),
    as numpy.ndarray.__reduce__ gives it."""
    p.glob("numpy.core.multiarray", "_reconstruct")
    p.args([lambda q: q.glob("numpy", "ndarray"), lambda q: q.args([lambda r: r.i(0)]), lambda q: q.by(b"b")])
    p.reduce()
    p.mark()
    p.i(1)
    p.args([lambda q: q.i(n)])
    p.glob("numpy", "dtype").args([lambda q: q.s(dtype), lambda q: q.false(), lambda q: q.true()]).reduce()
    p.mark().i(3).s("<").none().none().none().i(-1).i(-1).i(0).tuple().build()
    p.false()
    p.by(data)
    p.tuple().build()
    return p


# ----------------------------------------------------------------------------- zip

def zip_bytes(members: list[dict]) -> bytes:
    """A zip archive written by hand. Each member: {name, data, [method 0|8], [flags], [local_name],
    [extra]}. Stored by default. `flags` goes into both headers (bit 0x1 = "encrypted"; the data is still
    plain); `local_name` makes the local header name differ from the central directory's."""
    out = io.BytesIO()
    central = []
    for m in members:
        name = m["name"].encode()
        lname = m.get("local_name", m["name"]).encode()
        data = m["data"]
        method = m.get("method", 0)
        flags = m.get("flags", 0)
        crc = zlib.crc32(data) & 0xFFFFFFFF
        if method == 8:
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            body = c.compress(data) + c.flush()
        else:
            body = data
        offset = out.tell()
        extra = m.get("extra", b"")
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, 0, 0x21, crc, len(body), len(data),
                              len(lname), len(extra)))
        out.write(lname + extra + body)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 20, flags, method, 0, 0x21, crc,
                                   len(body), len(data), len(name), 0, 0, 0, 0, 0o100644 << 16, offset) + name)
    cd_start = out.tell()
    for c in central:
        out.write(c)
    cd_size = out.tell() - cd_start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), cd_size, cd_start, 0))
    return out.getvalue()


def torch_zip(data_pkl: bytes, storages: dict[str, bytes], prefix: str = "archive", extra_members=None,
              data_pkl_opts=None) -> bytes:
    """The layout torch.save writes: PREFIX/data.pkl, PREFIX/byteorder, PREFIX/data/<key>, PREFIX/version."""
    members = [dict(name=f"{prefix}/data.pkl", data=data_pkl, **(data_pkl_opts or {})),
               dict(name=f"{prefix}/byteorder", data=b"little")]
    for key, blob in storages.items():
        members.append(dict(name=f"{prefix}/data/{key}", data=blob))
    members += extra_members or []
    members += [dict(name=f"{prefix}/version", data=b"3\n"),
                dict(name=f"{prefix}/.data/serialization_id", data=b"1234567890123456789012345678901234567890")]
    return zip_bytes(members)


# ----------------------------------------------------------------------------- numpy .npy

def npy(descr: str, shape: tuple, body: bytes) -> bytes:
    """A .npy v1.0 file: magic, version, header dict padded to 64 bytes, then the body."""
    header = "{'descr': %r, 'fortran_order': False, 'shape': %s, }" % (descr, repr(tuple(shape)))
    total = 10 + len(header) + 1
    header += " " * ((64 - total % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin-1") + body


def f32(values) -> bytes:
    return struct.pack(f"<{len(values)}f", *values)


# ----------------------------------------------------------------------------- safetensors

def safetensors(tensors: dict[str, tuple[str, list, bytes]], metadata=None) -> bytes:
    header, blobs, off = {}, [], 0
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


# ----------------------------------------------------------------------------- GGUF

def gguf(kvs: list[tuple[str, object]], version: int = 3) -> bytes:
    """A GGUF file with no tensors: magic, version, tensor_count 0, kv_count, then key/type/value triples
    (strings type 8, uint32 type 4)."""
    out = bytearray(b"GGUF" + struct.pack("<IQQ", version, 0, len(kvs)))
    for key, val in kvs:
        k = key.encode()
        out += struct.pack("<Q", len(k)) + k
        if isinstance(val, str):
            v = val.encode()
            out += struct.pack("<IQ", 8, len(v)) + v
        elif isinstance(val, int):
            out += struct.pack("<II", 4, val)
        else:
            raise TypeError(val)
    return bytes(out)


# ----------------------------------------------------------------------------- Keras v3

def keras_file(layers: list[dict]) -> bytes:
    """A Keras v3 `.keras` zip: config.json (a Sequential of LAYERS), metadata.json, model.weights.h5 (a
    placeholder HDF5 signature: no scanner here reads the weights)."""
    config = {"module": "keras", "class_name": "Sequential",
              "config": {"name": "sequential", "trainable": True, "dtype": "float32",
                         "layers": [{"module": "keras.layers", "class_name": "InputLayer",
                                     "config": {"batch_shape": [None, 4], "dtype": "float32", "sparse": False,
                                                "name": "input_layer"}, "registered_name": None}] + layers},
              "registered_name": None, "build_config": {"input_shape": [None, 4]},
              "compile_config": None}
    meta = {"keras_version": "3.3.3", "date_saved": "2024-05-01@12:00:00"}
    weights = b"\x89HDF\r\n\x1a\n" + b"\0" * 504
    return zip_bytes([dict(name="metadata.json", data=json.dumps(meta).encode(), method=8),
                      dict(name="config.json", data=json.dumps(config).encode(), method=8),
                      dict(name="model.weights.h5", data=weights)])


def keras_dense(name: str, units: int) -> dict:
    return {"module": "keras.layers", "class_name": "Dense",
            "config": {"name": name, "trainable": True, "dtype": "float32", "units": units,
                       "activation": "relu", "use_bias": True,
                       "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                                              "config": {"seed": None}, "registered_name": None},
                       "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {},
                                            "registered_name": None}},
            "registered_name": None, "build_config": {"input_shape": [None, 4]}}


def keras_lambda(name: str, source: str) -> dict:
    """A Lambda layer as Keras 3 serializes it: the function's code object, marshalled and base64-encoded.
    compile() only builds the code object; nothing runs it."""
    import marshal
    code = compile(source, "<lambda>", "eval")
    blob = base64.b64encode(marshal.dumps(code)).decode()
    return {"module": "keras.layers", "class_name": "Lambda",
            "config": {"name": name, "trainable": True, "dtype": "float32",
                       "function": {"class_name": "__lambda__", "config": {"code": blob, "defaults": None,
                                                                           "closure": None}},
                       "output_shape": None, "arguments": {}},
            "registered_name": None, "build_config": {"input_shape": [None, 4]}}
