"""After a spec change, `make generate` regenerates the client and shows the change in it as a diff."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from dws_upgrade_records.spec import read_document

ROOT = Path(__file__).resolve().parent.parent.parent


def test_regeneration_shows_a_new_response_field_in_the_client(tmp_path: Path) -> None:
    doc = read_document(ROOT / "openapi.yaml")
    doc["components"]["schemas"]["ClusterUpdateRecordResp"]["properties"]["progress"] = {
        "type": "string",
        "description": "Upgrade progress.",
    }
    spec = tmp_path / "openapi.yaml"
    spec.write_text(yaml.safe_dump(doc, sort_keys=False))
    target = tmp_path / "dws_upgrade_records_client"
    shutil.copytree(ROOT / "generated" / "dws_upgrade_records_client", target)

    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate.py"), "--spec", str(spec), "--target", str(target)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "+++ b/models/cluster_update_record_resp.py" in result.stdout
    assert "+    progress: str | Unset = UNSET" in result.stdout
    assert "models/cluster_update_record_resp.py" in result.stdout.split("changed files:")[-1]
    assert "progress" in (target / "models" / "cluster_update_record_resp.py").read_text()
