"""compose.yaml is a valid Compose file and runs the Procfile's roles, nothing else.

With the `docker compose` CLI on the machine, `docker compose config` judges it; without,
the Compose Specification's own JSON schema (vendored in compose_spec/, see its README).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from tests.roles.procfile import ROOT, procfile

SCHEMA = Path(__file__).with_name("compose_spec") / "compose-spec.json"
SECRETS = {
    "POSTGRES_PASSWORD": "x",
    "TRAINLYTICS_SECRET_KEY": "x",
    "TRAINLYTICS_ENCRYPTION_KEYS": "x",
}


def compose_file() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def _docker_compose() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return probe.returncode == 0


def test_compose_file_is_valid():
    if _docker_compose():
        subprocess.run(
            ["docker", "compose", "-f", str(ROOT / "compose.yaml"), "config", "--quiet"],
            env=SECRETS | {"PATH": "/usr/bin:/bin:/usr/local/bin"},
            check=True,
        )
        return
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose_file()), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_a_broken_compose_file_is_caught_by_the_schema():
    broken = compose_file()
    broken["services"]["web"]["ports"] = {"8000": 8000}  # a mapping where a list belongs
    assert list(jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).iter_errors(broken))


def test_compose_services_run_the_procfile_roles_with_the_release_first():
    services = compose_file()["services"]
    roles = {name: command for name, command in procfile().items()}
    assert services["migrate"]["command"] == roles.pop("release")
    for role, command in roles.items():
        assert services[role]["command"] == command, role
        assert services[role]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert {"postgres", "redis"} <= set(services)
