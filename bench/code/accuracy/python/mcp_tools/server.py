"""MCP server exposing host utilities to coding assistants."""
import os
import sqlite3
import subprocess
from pathlib import Path

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("devbox-tools")
NOTES = Path("/srv/notes")
DB_PATH = "/srv/devbox/tickets.db"


@mcp.tool()
def run_diagnostic(host: str) -> str:
    """Ping a host and return the output."""
    out = subprocess.run(f"ping -c 2 {host}", shell=True, capture_output=True, text=True)  # VULN:cmdi
    return out.stdout


@mcp.tool()
def run_diagnostic_safe(host: str) -> str:
    """Ping a host and return the output (argument vector, no shell)."""
    out = subprocess.run(["ping", "-c", "2", "--", host], capture_output=True, text=True)
    return out.stdout


@mcp.tool()
def find_tickets(customer: str) -> list:
    """Open tickets of a customer."""
    conn = sqlite3.connect(DB_PATH)
    return conn.execute(f"SELECT id, title FROM tickets WHERE customer = '{customer}'").fetchall()  # VULN:sqli


@mcp.tool()
def find_tickets_safe(customer: str) -> list:
    """Open tickets of a customer (parameterised)."""
    conn = sqlite3.connect(DB_PATH)
    return conn.execute("SELECT id, title FROM tickets WHERE customer = ?", (customer,)).fetchall()


@mcp.tool()
def read_note(name: str) -> str:
    """Read a note from the notes folder."""
    return open(os.path.join(NOTES, name)).read()  # VULN:path


@mcp.tool()
def read_note_safe(name: str) -> str:
    """Read a note from the notes folder, refusing paths outside it."""
    path = (NOTES / name).resolve()
    if not path.is_relative_to(NOTES.resolve()):
        raise ValueError("outside the notes folder")
    return open(path).read()


@mcp.tool()
def git_log(repo: str, count: int = 10) -> str:
    """Recent commits of a repository under /src."""
    return subprocess.check_output("git -C /src/" + repo + " log --oneline -n " + str(count), shell=True, text=True)  # VULN:cmdi


@mcp.tool()
def git_log_safe(repo: str, count: int = 10) -> str:
    """Recent commits of a repository under /src (argument vector)."""
    return subprocess.check_output(["git", "-C", f"/src/{repo}", "log", "--oneline", "-n", str(int(count))], text=True)


if __name__ == "__main__":
    mcp.run()
