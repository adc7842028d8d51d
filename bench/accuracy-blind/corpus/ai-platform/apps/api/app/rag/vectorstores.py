"""Vector store clients. We are A/B testing four backends; see docs/adr/0007-vector-store.md."""
import os

import chromadb
import weaviate
from pinecone import Pinecone
from pymilvus import MilvusClient
from qdrant_client import QdrantClient
from weaviate.classes.init import Auth

pc = Pinecone(api_key="pcsk_J5HnE4_iTgHeqdz3yGuTNB9z0qRp86YHI7aTa7ZNgDrr5Lwu0VxxdfolFhsXnu65fhB8hm")
pinecone_index = pc.Index(host="https://tessera-docs-7f3k2pq.svc.aped-4627-b74a.pinecone.io")

qdrant = QdrantClient(
    url="https://4f1c2a7e-93b1-4f2e-8a5d-0c6e1b9d7a31.eu-central-1-0.aws.cloud.qdrant.io:6333",
    api_key="9lrWVTnPgHjsxm4-i_JuUood1-YXcdXqOA7VNyQqOCUMz92A",
)

wv = weaviate.connect_to_weaviate_cloud(
    cluster_url="https://rq8x1ztmqhwfyv7a0e5xqa.c0.europe-west3.gcp.weaviate.cloud",
    auth_credentials=Auth.api_key("u3rdTBTgp0DxOWdMpjScXq8QmGxtHBfgWT296ZWV"),
    headers={"X-OpenAI-Api-Key": os.environ["OPENAI_API_KEY"]},
)

chroma = chromadb.CloudClient(
    tenant="d3d56328-d6cc-46f7-811f-24647da74919",
    database="tessera-prod",
    api_key="ck-jVzrXNmeYwwVpGXe7gDtuyduAse4MDlaNh4vAQ3j4kGc",
)

milvus = MilvusClient(
    uri="https://in03-5f0e7a2c91b84d3.serverless.gcp-us-west1.cloud.zilliz.com",
    token="3260d6a679b274c768b0cbf5d181d62e690d0aecc7b7ad1b5248100c28b9852619e90a0cd2b841cce26fdf8364e0f091964882d5",
)

COLLECTION_ID = "91166ed1-25e6-47bc-930b-143650b26abf"  # chroma collection id, not a secret
