from pymongo import MongoClient
client = MongoClient("mongodb+srv://analytics:oWPUu4wkdX!KKJI4owU9@cluster0.ab1cd.mongodb.net/prod?retryWrites=true")
local = MongoClient("mongodb://localhost:27017/test")
db = client.prod
