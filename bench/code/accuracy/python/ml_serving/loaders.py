"""Model artefact loading for the scoring service."""
import json
import pickle

import cloudpickle
import dill
import joblib
import keras
import numpy as np
import torch
from safetensors.torch import load_file

ARTIFACTS = "/models"


def load_classifier(path: str):
    return torch.load(path)  # VULN:unsafe-deser


def load_classifier_weights(path: str):
    return torch.load(path, weights_only=True)


def load_checkpoint_cpu(path: str):
    return torch.load(path, map_location="cpu", weights_only=False)  # VULN:unsafe-deser


def load_tensors(path: str):
    return load_file(path)


def load_sklearn(path: str):
    with open(path, "rb") as fh:
        return pickle.load(fh)  # VULN:unsafe-deser


def load_sklearn_joblib(path: str):
    return joblib.load(path)  # VULN:unsafe-deser


def load_label_map(path: str):
    with open(path) as fh:
        return json.load(fh)


def load_feature_fn(blob: bytes):
    return dill.loads(blob)  # VULN:unsafe-deser


def load_udf(blob: bytes):
    return cloudpickle.loads(blob)  # VULN:unsafe-deser


def load_embeddings(path: str):
    return np.load(path, allow_pickle=True)  # VULN:unsafe-deser


def load_embeddings_plain(path: str):
    return np.load(path)


def load_keras(path: str):
    return keras.models.load_model(path, safe_mode=False)  # VULN:unsafe-deser


def load_keras_safe(path: str):
    return keras.models.load_model(path)
