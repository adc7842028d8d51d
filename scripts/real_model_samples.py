#!/usr/bin/env python3
"""Writes benign model files with the real libraries that produce them in the wild, into OUTDIR.

Run by scripts/real-model-samples.sh inside its venv (numpy, joblib, scikit-learn, onnx, safetensors, gguf,
h5py). Every file here is *written* by its library; nothing is ever loaded or unpickled. warden must report
none of them at medium severity or above (tests/model_real.rs).
"""
import collections
import os
import pickle
import sys

import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def path(name):
    p = os.path.join(out, name)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


rng = np.random.default_rng(0)
w = rng.standard_normal((64, 32)).astype(np.float32)

# numpy: .npy, .npz (plain and compressed), an object-free structured array.
np.save(path("numpy/weights.npy"), w)
np.savez(path("numpy/arrays.npz"), w=w, b=np.zeros(32, dtype=np.float16))
np.savez_compressed(path("numpy/arrays_compressed.npz"), w=w, ids=np.arange(100))
np.save(path("numpy/structured.npy"), np.zeros(4, dtype=[("x", "<f4"), ("y", "<i8")]))

# pickle of every protocol: a state dict of numpy arrays (numpy's own reduce helpers) and plain data.
state = collections.OrderedDict(
    [("layer.weight", w), ("layer.bias", np.zeros(32, dtype=np.float32)), ("step", 10), ("name", "m")]
)
for proto in range(0, pickle.HIGHEST_PROTOCOL + 1):
    with open(path(f"pickle/state_p{proto}.pkl"), "wb") as f:
        pickle.dump(state, f, protocol=proto)
with open(path("pickle/plain.pkl"), "wb") as f:
    pickle.dump({"vocab": ["a", "b"], "sizes": (1, 2.5, None, True), "blob": b"\x00" * 64}, f)

# joblib: numpy arrays written between pickle opcodes, plain and compressed.
import joblib

joblib.dump({"w": w, "meta": {"v": 1}}, path("joblib/model.joblib"))
joblib.dump({"w": w}, path("joblib/model_z.joblib"), compress=3)
joblib.dump({"w": w}, path("joblib/model_gz.joblib.gz"), compress=("gzip", 3))

# scikit-learn estimators through joblib and pickle.
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.ensemble import RandomForestClassifier

X = rng.standard_normal((50, 4))
y = (X[:, 0] > 0).astype(int)
clf = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
joblib.dump(clf, path("sklearn/pipeline.joblib"))
with open(path("sklearn/forest.pkl"), "wb") as f:
    pickle.dump(RandomForestClassifier(n_estimators=3, random_state=0).fit(X, y), f)

# safetensors from numpy.
from safetensors.numpy import save_file

save_file({"w": w, "b": np.ones(8, dtype=np.int64)}, path("safetensors/model.safetensors"), metadata={"format": "np"})

# GGUF with a real chat template.
import gguf

writer = gguf.GGUFWriter(path("gguf/tiny.gguf"), "llama")
writer.add_name("tiny")
writer.add_context_length(128)
writer.add_chat_template(
    "{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + '</s>\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"
)
writer.add_tensor("w", w)
writer.write_header_to_file()
writer.write_kv_data_to_file()
writer.write_tensors_to_file()
writer.close()

# ONNX: a small graph with standard ops, one with external data beside it.
import onnx
from onnx import TensorProto, helper, numpy_helper

init = numpy_helper.from_array(w, name="W")
graph = helper.make_graph(
    [
        helper.make_node("MatMul", ["X", "W"], ["H"]),
        helper.make_node("Relu", ["H"], ["Y"]),
    ],
    "g",
    [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 64])],
    [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, 32])],
    [init],
)
model = helper.make_model(graph, producer_name="warden-samples")
onnx.save(model, path("onnx/model.onnx"))
onnx.save_model(
    model,
    path("onnx_external/model.onnx"),
    save_as_external_data=True,
    all_tensors_to_one_file=True,
    location="model.onnx.data",
    size_threshold=0,
)

# HDF5 with a Keras-style model_config attribute (plain Dense layers), as Keras 2 writes it.
import h5py
import json

config = {
    "class_name": "Sequential",
    "config": {"name": "s", "layers": [{"class_name": "Dense", "config": {"name": "d", "units": 32}}]},
}
with h5py.File(path("keras/model.h5"), "w") as f:
    f.attrs["model_config"] = json.dumps(config).encode("utf8")
    f.attrs["keras_version"] = "2.15.0"
    g = f.create_group("model_weights/d")
    g.create_dataset("kernel:0", data=w)

print(f"wrote samples into {out}")
