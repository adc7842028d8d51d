from pymongo import MongoClient
client = MongoClient("mongodb+srv://analytics:3xc=l5lpMaikw1=6*O73tyw-f%T8@cluster0.ab1cd.mongodb.net/prod?retryWrites=true")
local = MongoClient("mongodb://localhost:27017/test")
db = client.prod
