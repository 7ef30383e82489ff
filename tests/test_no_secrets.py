"""No secret in the repository: every file git tracks (or would add) is
scanned for private keys, cloud and chat tokens, passwords in URLs and
password/secret/token assignments in configuration files.

Allowed, because they are documented placeholders or templates, never values:
``CHANGE_ME`` (any case, any suffix), ``${VAR}``/``$VAR``, ``{{ … }}`` and
``{name}`` templates, ``<…>``, ``***``, ``…``, ``xxx``, and empty values.
"""

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MAX_BYTES = 2_000_000
# patterns are assembled so this file does not match itself
_BEGIN, _END = "-" * 5 + "BEGIN ", "-" * 5
PRIVATE_KEY = re.compile(_BEGIN + r"(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?" + _END)
AWS_ACCESS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b")
AWS_SECRET_KEY = re.compile(
    r"(?i)aws_?secret_?access_?key\W{0,4}[:=]\s*['\"]?(?P<value>[A-Za-z0-9/+=]{40})\b"
)
TOKENS = re.compile(r"\b(?:xox[abprs]-[0-9A-Za-z-]{10,}|gh[pousr]_[A-Za-z0-9]{36,})\b")
URL_PASSWORD = re.compile(
    r"\b[a-z][a-z0-9+.-]*://(?P<user>[^\s:/@'\"<>]*):(?P<value>[^\s@/'\"]*)@[^\s/'\"]+"
)
CONFIG_FILES = re.compile(r"(?:^|/)(?:\.env[^/]*|[^/]+\.(?:ya?ml|toml|ini|cfg|conf)|Dockerfile)$")
CONFIG_ASSIGNMENT = re.compile(
    r"(?im)^[ \t#-]*['\"]?(?P<name>[A-Za-z0-9_.-]*(?:password|passwd|secret|token)[A-Za-z0-9_]*)"
    r"['\"]?[ \t]*[:=][ \t]*['\"]?(?P<value>[^\s'\"#]*)"
)
# keys naming where a secret is kept (a Kubernetes Secret), not the secret
SECRET_REFERENCE = re.compile(r"(?i)(?:name|names)$")
# Made-up values in tests of URL parsing, one by one: adding one is a decision.
KNOWN_FAKES = {("tests/dagster_project/lib/test_database.py", "s3cret")}
PLACEHOLDER = re.compile(
    r"(?i)^(?:|change[_-]?me.*|\*+|…|\.\.\.|x{3,}|<[^>]*>|~|null|none|true|false)$"
)


def is_placeholder(value: str) -> bool:
    """A documented placeholder, or a template filled in from elsewhere."""
    return bool(PLACEHOLDER.match(value)) or any(mark in value for mark in ("$", "{", "%("))


def findings(path: str, text: str) -> list[str]:
    found = []

    def add(kind: str, match: re.Match) -> None:
        line = text.count("\n", 0, match.start()) + 1
        found.append(f"{path}:{line}: {kind}")

    for match in PRIVATE_KEY.finditer(text):
        add("private key", match)
    for match in AWS_ACCESS_KEY_ID.finditer(text):
        add("AWS access key id", match)
    for match in AWS_SECRET_KEY.finditer(text):
        add("AWS secret access key", match)
    for match in TOKENS.finditer(text):
        add("access token", match)
    for match in URL_PASSWORD.finditer(text):
        value = match.group("value")
        if not is_placeholder(value) and (path, value) not in KNOWN_FAKES:
            add("password in a URL", match)
    if CONFIG_FILES.search(path):
        for match in CONFIG_ASSIGNMENT.finditer(text):
            if SECRET_REFERENCE.search(match.group("name")):
                continue
            if not is_placeholder(match.group("value")):
                add(f"{match.group('name')} set in configuration", match)
    return found


def repository_files() -> list[str]:
    """Tracked files and the untracked ones git would add (not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted({name for name in listed.split("\0") if name and (REPO / name).is_file()})


def test_the_repository_holds_no_secret():
    files = repository_files()
    assert "dagster_project/settings.py" in files and ".env.example" in files
    problems = []
    for name in files:
        raw = (REPO / name).read_bytes()[:MAX_BYTES]
        if b"\0" in raw:
            continue  # binary
        problems.extend(findings(name, raw.decode("utf-8", errors="replace")))
    assert problems == [], "secrets in the repository:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("path", "text", "kind"),
    [
        ("deploy/key.pem", _BEGIN + "RSA PRIVATE KEY" + _END + "\nMIIE\n", "private key"),
        ("notes.md", _BEGIN + "OPENSSH PRIVATE KEY" + _END, "private key"),
        ("app.py", "key = 'AKIA" + "Q3EXAMPLE7ABCDEF'", "AWS access key id"),
        (
            "app.py",
            "aws_secret_access_key = " + "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY",
            "AWS",
        ),
        ("app.py", "SLACK = 'xox" + "b-1234567890-abcdefghij'", "access token"),
        ("app.py", "url = 'postgresql://payroll:" + "hunter2-real@db.prod:5432/payroll'", "URL"),
        ("README.md", "redis://:" + "s3cr3t-value@cache:6379/0", "password in a URL"),
        ("deploy/values.yaml", "postgresqlPassword: " + "Sup3rS3cret", "postgresqlPassword"),
        (".env", "WAREHOUSE_DB_PASSWORD=" + "r3al-value", "WAREHOUSE_DB_PASSWORD"),
        ("deploy/app.toml", "api_token = '" + "abc123def'", "api_token"),
    ],
)
def test_the_scan_finds_each_kind_of_secret(path, text, kind):
    found = findings(path, text)
    assert len(found) == 1 and kind in found[0], found
    assert found[0].startswith(f"{path}:")


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (".env.example", "POSTGRES_PASSWORD=CHANGE_ME"),
        (".env.example", "# PAYROLL_DATABASE_URL=postgresql://app:CHANGE_ME@db:5432/payroll"),
        ("deploy/docker-compose.yaml", "URL: postgresql://app:${WAREHOUSE_DB_PASSWORD}@db/p"),
        ("deploy/helm/values.yaml", 'postgresqlPassword: ""'),
        ("deploy/compose/dagster.yaml", "password:\n  env: DAGSTER_PG_PASSWORD"),
        ("dbt_project/profiles.yml", "password: \"{{ env_var('PAYROLL_DBT_PASSWORD', '') }}\""),
        ("tests/test_x.py", 'f"postgresql://{user}:{password}@db.internal:5432/payroll"'),
        ("tests/test_x.py", "postgresql://postgres@127.0.0.1:5432/postgres"),
        ("app.py", "password = settings.password  # code, not configuration"),
        ("deploy/helm/values.yaml", "  postgresqlSecretName: dagster-postgresql-secret"),
        ("deploy/helm/values.yaml", "envSecrets:\n  - name: payroll-settings"),
    ],
)
def test_placeholders_templates_and_code_are_not_secrets(path, text):
    assert findings(path, text) == []
