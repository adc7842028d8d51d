import sqlite3

import yaml
from fastapi import FastAPI, Request

app = FastAPI()


def db():
    return sqlite3.connect("/srv/ops/reports.db")


@app.get("/reports/{team}")
def reports_for_team(team: str, since: str = "2024-01-01"):
    sql = "SELECT * FROM reports WHERE team = '%s' AND created >= '%s'" % (team, since)
    return {"rows": db().execute(sql).fetchall()}  # VULN:sqli


@app.get("/reports-safe/{team}")
def reports_for_team_safe(team: str, since: str = "2024-01-01"):
    sql = "SELECT * FROM reports WHERE team = ? AND created >= ?"
    return {"rows": db().execute(sql, (team, since)).fetchall()}


@app.post("/reports/schedule")
async def schedule(request: Request):
    body = await request.body()
    spec = yaml.load(body, Loader=yaml.UnsafeLoader)  # VULN:yaml
    return {"jobs": len(spec)}


@app.post("/reports/schedule-safe")
async def schedule_safe(request: Request):
    body = await request.body()
    spec = yaml.load(body, Loader=yaml.CSafeLoader)
    return {"jobs": len(spec)}
