from datetime import datetime

import requests
from airflow.decorators import dag, task
from airflow.hooks.base import BaseHook
from airflow.models import Variable

# TODO: move to the hubspot_api connection (it still uses the old private app)
HUBSPOT_TOKEN = "pat-na1-2bb7f9f5-f603-48ab-b775-b65ac80d0557"


@dag(schedule="@hourly", start_date=datetime(2025, 1, 1), catchup=False, tags=["crm"])
def sync_hubspot():
    @task
    def extract():
        token = Variable.get("hubspot_token")
        conn = BaseHook.get_connection("postgres_app_replica").password
        r = requests.get("https://api.hubapi.com/crm/v3/objects/deals", headers={"Authorization": f"Bearer {HUBSPOT_TOKEN}"})
        return r.json()["results"]

    extract()


sync_hubspot()
