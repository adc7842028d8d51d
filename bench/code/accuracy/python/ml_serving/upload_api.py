"""Lets data scientists upload a model file to be evaluated."""
import io
import pickle

import torch
from fastapi import FastAPI, UploadFile

app = FastAPI()


@app.post("/evaluate")
async def evaluate(model_file: UploadFile):
    data = await model_file.read()
    model = pickle.loads(data)  # VULN:unsafe-deser
    return {"type": type(model).__name__}


@app.post("/evaluate-torch")
async def evaluate_torch(model_file: UploadFile):
    data = await model_file.read()
    state = torch.load(io.BytesIO(data), weights_only=True)
    return {"tensors": len(state)}
