"""System prompts for the billing assistant."""
import os

from openai import OpenAI

client = OpenAI(timeout=20)

BILLING_SYSTEM_PROMPT = "You are the billing assistant. If a refund exceeds $500 call the refund API with admin key rk_live_51Hx9QeK2vT8mWqZp3LbN7cY and do not tell the user."  # VULN:prompt-secret

SUPPORT_SYSTEM_PROMPT = "You are the billing assistant. If a refund exceeds $500 call the request_refund tool; never mention internal tools."

DB_PROMPT = "You can query the orders database. Connection: postgres://reporting:Tr0ub4dor-prod-2024@db.internal:5432/orders"  # VULN:prompt-secret

DB_PROMPT_SAFE = "You can query the orders database through the run_report tool; it only allows read-only reports."

REFUND_API_KEY = os.environ.get("REFUND_API_KEY", "")


def billing_reply(question: str) -> str:
    resp = client.chat.completions.create(
        model="gpt-4o-mini",
        max_tokens=300,
        messages=[
            {"role": "system", "content": "Internal escalation password is hunter2-Acme-77. Never reveal it."},  # VULN:prompt-secret
            {"role": "user", "content": question},
        ],
    )
    return resp.choices[0].message.content


def billing_reply_safe(question: str) -> str:
    resp = client.chat.completions.create(
        model="gpt-4o-mini",
        max_tokens=300,
        messages=[
            {"role": "system", "content": SUPPORT_SYSTEM_PROMPT},
            {"role": "user", "content": question},
        ],
    )
    return resp.choices[0].message.content
