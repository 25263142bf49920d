"""Simulated WECs against an https ITS (docs/its.md "Simulated WECs"): `itsd simulate
--kubeconfig` with the CA and the admin client certificate `itsd serve --secure` writes, and
`itsd serve --secure --simulated-wecs`, whose in-process fleet uses the same kubeconfig.
"""

from __future__ import annotations

import json
import subprocess

from kubeapi import wait_for
from test_simulator import joined_and_available, simulate  # noqa: F401 (the fixture)


def clusters(kubeconfig, names):
    out = subprocess.run(["kubectl", f"--kubeconfig={kubeconfig}", "get", "managedclusters", "-o", "json"],
                         capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, out.stderr
    items = [c for c in json.loads(out.stdout)["items"] if c["metadata"]["name"] in names]
    return items if len(items) == len(names) and all(joined_and_available(c) for c in items) else None


def test_simulate_over_tls_with_client_certificate(start_itsd, simulate, tmp_path):
    data = tmp_path / "tls-data"
    srv = start_itsd("--secure", "--data-dir", str(data))
    assert srv.url.startswith("https://")
    kubeconfig = data / "admin.kubeconfig"
    sim = simulate("--kubeconfig", str(kubeconfig), "--count", "5", "--name-prefix", "tls", "--accept")
    names = {f"tls{i}" for i in range(1, 6)}
    assert wait_for(lambda: clusters(kubeconfig, names), 30, 0.5), "\n".join(sim.lines[-5:])
    assert sim.stop() == 0


def test_serve_secure_with_simulated_wecs(start_itsd, tmp_path):
    data = tmp_path / "tls-fleet"
    start_itsd("--secure", "--data-dir", str(data), "--simulated-wecs", "3")
    names = {"wec1", "wec2", "wec3"}
    assert wait_for(lambda: clusters(data / "admin.kubeconfig", names), 30, 0.5)
