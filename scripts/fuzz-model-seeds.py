#!/usr/bin/env python3
"""Writes the synthetic seeds of the model fuzz targets into fuzz/corpus/{pickle,modelzip,safetensors,gguf,protobuf}/.

Every file is built here from scratch (pickle opcodes written out or produced by pickle.dumps of plain
containers, zips by zipfile, headers by struct): no third-party model file is involved. The `os.system`
pickle is only opcode bytes; nothing here unpickles anything."""
import collections
import io
import json
import os
import pickle
import struct
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "corpus")


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# --- pickle -------------------------------------------------------------------------------------------------
ordered_p2 = b"\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01."
os_system_p0 = b"cos\nsystem\n(S'true'\ntR."
stack_global_p4 = b"\x80\x04\x8c\x0bcollections\x94\x8c\x0bOrderedDict\x94\x93\x94)R\x94."
# A legacy-torch-like state dict: a tensor rebuilt from a persistent storage id (BINPERSID).
torch_like = (
    b"\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01X\x06\x00\x00\x00weightq\x02"
    b"ctorch._utils\n_rebuild_tensor_v2\nq\x03((X\x07\x00\x00\x00storageq\x04ctorch\nFloatStorage\nq\x05"
    b"X\x01\x00\x00\x000q\x06X\x03\x00\x00\x00cpuq\x07K\x04tq\x08QK\x00K\x04\x85q\tK\x01\x85q\n\x89h\x00)Rq\x0b"
    b"tq\x0cRq\rs."
)
plain = {"a": [1, 2.5, None, True], "b": (b"\x00\x01", "text"), "c": {3, 4}, "d": collections.OrderedDict(x=1)}
pickles = {
    "ordered-p2.pkl": ordered_p2,
    "os-system-p0.pkl": os_system_p0,
    "stack-global-p4.pkl": stack_global_p4,
    "torch-like-p2.pkl": torch_like,
    "two-pickles.pkl": ordered_p2 + stack_global_p4,
}
for proto in range(0, 6):
    pickles[f"plain-p{proto}.pkl"] = pickle.dumps(plain, protocol=proto)
for name, data in pickles.items():
    write("pickle", name, data)


# --- modelzip (first byte picks the file name: '0' model.pt, '1' model.bin, '2' model.keras, '3' model.pkl) --
def zip_of(members, method=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data, compress_type=method)
    return buf.getvalue()


torch_zip = [
    ("archive/data.pkl", torch_like),
    ("archive/byteorder", b"little"),
    ("archive/data/0", b"\x00" * 16),
    ("archive/version", b"3\n"),
]
write("modelzip", "torch-stored.pt", b"0" + zip_of(torch_zip))
write("modelzip", "torch-deflate.bin", b"1" + zip_of(torch_zip, zipfile.ZIP_DEFLATED))
write("modelzip", "os-system-stored.pt", b"0" + zip_of([("archive/data.pkl", os_system_p0), ("archive/version", b"3\n")]))
keras_config = json.dumps({"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {"units": 1}}]}})
write("modelzip", "keras.keras", b"2" + zip_of([("metadata.json", b'{"keras_version": "3.0.0"}'), ("config.json", keras_config.encode()), ("model.weights.h5", b"\x89HDF\r\n\x1a\n")]))
write("modelzip", "raw-pickle.pkl", b"3" + ordered_p2)
nested = zip_of([("inner.zip", zip_of([("archive/data.pkl", ordered_p2)]))])
write("modelzip", "nested.pt", b"0" + nested)


# --- safetensors ------------------------------------------------------------------------------------------
def safetensors(header, data):
    h = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(h)) + h + data


write("safetensors", "one.safetensors", safetensors(
    {"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "__metadata__": {"format": "pt"}}, b"\x00" * 8))
write("safetensors", "two.safetensors", safetensors(
    {"a": {"dtype": "BF16", "shape": [2, 2], "data_offsets": [0, 8]},
     "b": {"dtype": "I64", "shape": [1], "data_offsets": [8, 16]}}, b"\x01" * 16))
write("safetensors", "empty.safetensors", safetensors({}, b""))


# --- gguf -------------------------------------------------------------------------------------------------
def gstr(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gguf(kvs, version=3):
    out = b"GGUF" + struct.pack("<I", version) + struct.pack("<Q", 0) + struct.pack("<Q", len(kvs))
    for key, ty, raw in kvs:
        out += gstr(key) + struct.pack("<I", ty) + raw
    return out


STRING, UINT32, ARRAY = 8, 4, 9
tokens = struct.pack("<I", STRING) + struct.pack("<Q", 3) + gstr("<s>") + gstr("</s>") + gstr("hi")
base = [
    ("general.architecture", STRING, gstr("llama")),
    ("llama.context_length", UINT32, struct.pack("<I", 2048)),
    ("tokenizer.ggml.tokens", ARRAY, tokens),
]
write("gguf", "template.gguf", gguf(base + [
    ("tokenizer.chat_template", STRING, gstr("{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"))]))
write("gguf", "template-globals.gguf", gguf(base + [
    ("tokenizer.chat_template.tool_use", STRING, gstr("{{ cycler.__init__.__globals__.os.popen('id').read() }}"))]))
write("gguf", "plain-v2.gguf", gguf(base, version=2))


# --- protobuf (ONNX ModelProto, TensorFlow SavedModel) -------------------------------------------------------
def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_varint(n, v):
    return varint(n << 3) + varint(v)


def field_bytes(n, b):
    if isinstance(b, str):
        b = b.encode()
    return varint(n << 3 | 2) + varint(len(b)) + b


def onnx_node(op, domain="", subgraph=None):
    node = field_bytes(1, "x") + field_bytes(2, "y") + field_bytes(4, op) + field_bytes(7, domain)
    if subgraph is not None:
        node += field_bytes(5, field_bytes(1, "body") + field_bytes(6, subgraph))
    return node


def onnx_tensor(name, location=None, raw=b""):
    t = field_varint(2, 1) + field_bytes(8, name)
    if raw:
        t += field_bytes(9, raw)
    if location is not None:
        t += field_bytes(13, field_bytes(1, "location") + field_bytes(2, location)) + field_varint(14, 1)
    return t


def onnx_model(nodes, tensors=(), functions=()):
    graph = b"".join(field_bytes(1, n) for n in nodes) + field_bytes(2, "g")
    graph += b"".join(field_bytes(5, t) for t in tensors)
    m = field_varint(1, 8) + field_bytes(2, "seed") + field_bytes(7, graph)
    m += field_bytes(8, field_bytes(1, "") + field_varint(2, 17))
    m += b"".join(field_bytes(25, f) for f in functions)
    return m


body = field_bytes(1, onnx_node("Add")) + field_bytes(1, onnx_node("Custom", "acme.ops"))
write("protobuf", "standard.onnx", onnx_model([onnx_node("MatMul"), onnx_node("Relu")], [onnx_tensor("W", raw=b"\0" * 64)]))
write("protobuf", "loop_custom.onnx", onnx_model([onnx_node("Loop", subgraph=body)]))
write("protobuf", "external.onnx", onnx_model([onnx_node("MatMul")], [onnx_tensor("W", "../../etc/passwd"), onnx_tensor("B", "b.bin")]))
fn = field_bytes(1, "Fn") + field_bytes(7, onnx_node("Mul")) + field_bytes(10, "local.fns")
write("protobuf", "function.onnx", onnx_model([onnx_node("Fn", "local.fns")], functions=[fn]))


def tf_node(name, op, attr=None):
    n = field_bytes(1, name) + field_bytes(2, op)
    if attr:
        key, value = attr
        n += field_bytes(5, field_bytes(1, key) + field_bytes(2, field_bytes(2, value)))
    return n


def saved_model(nodes, functions=()):
    graph = b"".join(field_bytes(1, n) for n in nodes)
    if functions:
        lib = b"".join(
            field_bytes(1, field_bytes(1, field_bytes(1, name)) + b"".join(field_bytes(3, n) for n in body))
            for name, body in functions
        )
        graph += field_bytes(2, lib)
    return field_varint(1, 1) + field_bytes(2, field_bytes(2, graph))


write("protobuf", "saved_model_saver.pb", saved_model([tf_node("p", "Placeholder"), tf_node("s", "SaveV2"), tf_node("r", "RestoreV2")]))
write(
    "protobuf",
    "saved_model_risky.pb",
    saved_model(
        [tf_node("p", "Placeholder"), tf_node("pr", "PrintV2", ("output_stream", "file:///tmp/x"))],
        [("f", [tf_node("rf", "ReadFile"), tf_node("py", "EagerPyFunc")])],
    ),
)
