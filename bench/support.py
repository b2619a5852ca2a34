"""What both benchmarks share: throw-away PostgreSQL databases and manage.py runs in a subprocess."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
# The PostgreSQL server the benchmarks create their databases on (any database name in it is ignored here).
SERVER_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")


def database_url(name: str, server: str = SERVER_URL) -> str:
    return urlsplit(server)._replace(path=f"/{name}").geturl()


def database_name(url: str | None) -> str:
    return urlsplit(url or "").path.lstrip("/")


def _admin(statement: sql.Composable) -> None:
    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        connection.execute(statement)


def database_exists(name: str) -> bool:
    with psycopg.connect(database_url("postgres")) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def create_database(name: str) -> None:
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name: str) -> None:
    _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def manage(*args: str, database: str, settings: str = "sn_site.settings.dev", env: dict | None = None) -> str:
    """Run manage.py against a database URL (with more of the environment in `env`) and return its
    output; stop the benchmark if it fails."""
    env = {**os.environ, **(env or {}), "DATABASE_URL": database, "DJANGO_SETTINGS_MODULE": settings}
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout
