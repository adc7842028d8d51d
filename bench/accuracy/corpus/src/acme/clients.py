import anthropic
import openai
from slack_sdk import WebClient

slack = WebClient(token="xoxb-51245261494-8508760425658-ruE5o8IQizoqnQGku0LDkWGs")
claude = anthropic.Anthropic(api_key="sk-ant-api03-Vzry3P2MRTQZ5_hPGNaz4ZTqDl1saPCHmo8Iq6gHgslDHF1cU-hWktiZrLD-ufVS_U8gksKEFVTU0L28QZ3_pWEJ7_3lNAA")
oai = openai.OpenAI(api_key="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")
backup = openai.OpenAI(api_key="sk-...")  # set OPENAI_API_KEY instead
sg = SendGridAPIClient("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")
TWILIO_ACCOUNT_SID = "AC812c92926a424b1b180912bf39627f90"
TWILIO_AUTH_TOKEN = "f2671e039a75630e75a0f86d6f675b59"
twilio_key = Client("SKb99ba6ab39a535bec975f2222eac5fb2", "3Plz7BA8miBxjaXAyfTxU5N28wieCT4h")

def ping():
    return slack.api_test()
