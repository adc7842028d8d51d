import anthropic
import openai
from slack_sdk import WebClient

slack = WebClient(token="xoxb-33410133992-5101549542936-Wls6xZeJ3GGafNkbQJINVJYa")
claude = anthropic.Anthropic(api_key="sk-ant-api03-Q1JsMUguQxNihpD60GlSr1oIQhgNXHsMVzry3P2MRTQZ5_hPGNaz4ZTqDl1saPCHmo8Iq6gHgslDHF1cU-hWktiZrLD-uAA")
oai = openai.OpenAI(api_key="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")
backup = openai.OpenAI(api_key="sk-...")  # set OPENAI_API_KEY instead
sg = SendGridAPIClient("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")
TWILIO_ACCOUNT_SID = "ACf7aaae161cf6d7b363c4b483c8e6d332"
TWILIO_AUTH_TOKEN = "12d71c812c92926a424b1b180912bf39"
twilio_key = Client("SK627f90f2671e039a75630e75a0f86d6f", "4M9lOLqjWLTv3Xmh7nTStXVMjjVrWH0u")

def ping():
    return slack.api_test()
