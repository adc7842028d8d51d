"""Backup and maintenance jobs triggered from the admin panel."""
import asyncio
import os
import shlex
import subprocess

from quart import Quart, jsonify, request

app = Quart(__name__)


@app.route("/backup", methods=["POST"])
async def backup():
    form = await request.form
    db_name = form["database"]
    proc = await asyncio.create_subprocess_shell(f"pg_dump {db_name} > /backups/{db_name}.sql")  # VULN:cmdi
    await proc.wait()
    return jsonify(rc=proc.returncode)


@app.route("/backup-argv", methods=["POST"])
async def backup_argv():
    form = await request.form
    db_name = form["database"]
    proc = await asyncio.create_subprocess_exec("pg_dump", "-f", f"/backups/{os.path.basename(db_name)}.sql", db_name)
    await proc.wait()
    return jsonify(rc=proc.returncode)


@app.route("/disk")
async def disk_usage():
    path = request.args.get("path", "/")
    out = os.popen("du -sh " + path).read()  # VULN:cmdi
    return jsonify(usage=out)


@app.route("/disk-quoted")
async def disk_usage_quoted():
    path = request.args.get("path", "/")
    out = os.popen("du -sh " + shlex.quote(path)).read()
    return jsonify(usage=out)


@app.route("/rotate", methods=["POST"])
async def rotate_logs():
    form = await request.form
    rc = subprocess.call("logrotate -f /etc/logrotate.d/" + form["service"], shell=True)  # VULN:cmdi
    return jsonify(rc=rc)


@app.route("/rotate-all", methods=["POST"])
async def rotate_all():
    rc = subprocess.call("logrotate -f /etc/logrotate.conf", shell=True)
    return jsonify(rc=rc)
