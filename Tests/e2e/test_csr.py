"""The registration (CSR) path (issue 5 item 3; docs/its.md "Registration (CSR) path"):
CertificateSigningRequests created the way the OCM registration agent does (EC key, Subject
O=system:open-cluster-management:<cluster> + managed-clusters, CN=...:<agent>), approved with
`kubectl certificate approve` and signed by the itsd CA keeping CN and both O (checked with
openssl), denied with `kubectl certificate deny`, kube's validation messages, the agent's
label-selected list and watch through the Python client, and `itsd accept`.
"""

from __future__ import annotations

import base64
import json
import subprocess
import threading
from pathlib import Path

import pytest

from kubeapi import Api, Kubectl, wait_for

CSRS = "/apis/certificates.k8s.io/v1/certificatesigningrequests"
LABEL = "open-cluster-management.io/cluster-name"
CLUSTER_ORG = "system:open-cluster-management:{cluster}"
COMMON_ORG = "system:open-cluster-management:managed-clusters"


def make_request(workdir: Path, cluster: str, agent: str = "agent1") -> tuple[str, Path]:
    """A PEM CERTIFICATE REQUEST from a fresh P-256 key with the OCM agent subject."""
    workdir.mkdir(parents=True, exist_ok=True)
    key = workdir / f"{cluster}-{agent}.key"
    csr = workdir / f"{cluster}-{agent}.csr"
    subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", str(key)],
                   check=True, capture_output=True)
    subject = f"/O={CLUSTER_ORG.format(cluster=cluster)}/O={COMMON_ORG}/CN=system:open-cluster-management:{cluster}:{agent}"
    subprocess.run(["openssl", "req", "-new", "-key", str(key), "-subj", subject, "-out", str(csr)],
                   check=True, capture_output=True)
    return csr.read_text(), key


def csr_body(pem: str, cluster: str, **spec) -> dict:
    body = {
        "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
        "metadata": {"generateName": f"{cluster}-", "labels": {LABEL: cluster}},
        "spec": {"request": base64.b64encode(pem.encode()).decode(),
                 "signerName": "kubernetes.io/kube-apiserver-client",
                 "usages": ["digital signature", "key encipherment", "client auth"],
                 # The server ignores what the client claims about itself.
                 "username": "mallory", "groups": ["forged"]},
    }
    body["spec"].update(spec)
    return body


def subject_of(cert_pem: str) -> str:
    return subprocess.run(["openssl", "x509", "-noout", "-subject", "-nameopt", "RFC2253"],
                          input=cert_pem, capture_output=True, text=True, check=True).stdout.strip().removeprefix("subject=")


@pytest.fixture(scope="module")
def api(api_server) -> Api:
    return Api(api_server.port)


@pytest.fixture(scope="module")
def ca_file(api_server) -> Path:
    """The itsd CA the signer uses (created in --data-dir on first signing)."""
    return Path(api_server.workdir) / "data" / "ca.crt"


def create(api: Api, body: dict) -> dict:
    return api.ok("POST", CSRS, body)


def issued(api: Api, name: str, timeout: float = 10) -> str | None:
    def cert():
        c = api.ok("GET", f"{CSRS}/{name}").get("status", {}).get("certificate")
        return base64.b64decode(c).decode() if c else None
    return wait_for(cert, timeout)


# -- create, approve, sign ----------------------------------------------------------------------------

def test_kubectl_approve_issues_a_certificate_signed_by_the_itsd_ca(kubectl, api, tmp_path, ca_file):
    pem, key = make_request(tmp_path, "wec1")
    manifest = tmp_path / "csr.json"
    manifest.write_text(json.dumps(csr_body(pem, "wec1")))
    out = kubectl.ok("create", "-f", str(manifest), "-o", "jsonpath={.metadata.name}")
    name = out.strip()
    assert name.startswith("wec1-")
    created = kubectl.json("get", "csr", name)
    assert created["spec"]["username"] != "mallory" and "forged" not in created["spec"].get("groups", [])
    assert created["status"] == {}
    table = kubectl.ok("get", "csr", name)
    assert table.split("\n")[0].split() == ["NAME", "AGE", "SIGNERNAME", "REQUESTOR", "REQUESTEDDURATION", "CONDITION"]
    assert "Pending" in table and "kubernetes.io/kube-apiserver-client" in table

    assert kubectl.ok("certificate", "approve", name).strip() == \
        f"certificatesigningrequest.certificates.k8s.io/{name} approved"
    cert = issued(api, name)
    assert cert, "no certificate was issued"
    approved = kubectl.json("get", "csr", name)
    condition = approved["status"]["conditions"][0]
    assert (condition["type"], condition["status"], condition["reason"]) == ("Approved", "True", "KubectlApprove")
    assert condition["lastUpdateTime"] and condition["lastTransitionTime"]
    assert "Approved,Issued" in kubectl.ok("get", "csr", name)

    cert_file = tmp_path / "wec1.crt"
    cert_file.write_text(cert)
    verify = subprocess.run(["openssl", "verify", "-CAfile", str(ca_file), str(cert_file)],
                            capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert subject_of(cert) == ("CN=system:open-cluster-management:wec1:agent1,"
                                "O=system:open-cluster-management:managed-clusters,"
                                "O=system:open-cluster-management:wec1")
    # The certificate is for the requester's key (the agent checks this).
    pub_cert = subprocess.run(["openssl", "x509", "-noout", "-pubkey"], input=cert,
                              capture_output=True, text=True, check=True).stdout
    pub_key = subprocess.run(["openssl", "ec", "-in", str(key), "-pubout"],
                             capture_output=True, text=True, check=True).stdout
    assert pub_cert == pub_key
    usage = subprocess.run(["openssl", "x509", "-noout", "-ext", "extendedKeyUsage"], input=cert,
                           capture_output=True, text=True, check=True).stdout
    assert "TLS Web Client Authentication" in usage


def test_requested_duration_is_honoured(api, kubectl, tmp_path):
    pem, _ = make_request(tmp_path, "wec2")
    name = create(api, csr_body(pem, "wec2", expirationSeconds=3600))["metadata"]["name"]
    assert kubectl.ok("get", "csr", name).split("\n")[1].split()[4] == "60m"  # REQUESTEDDURATION
    kubectl.ok("certificate", "approve", name)
    cert = issued(api, name)
    dates = subprocess.run(["openssl", "x509", "-noout", "-startdate", "-enddate", "-dateopt", "iso_8601"],
                           input=cert, capture_output=True, text=True)
    if dates.returncode != 0:  # older openssl without -dateopt
        pytest.skip("openssl cannot print ISO dates")
    import datetime
    start, end = [datetime.datetime.fromisoformat(line.split("=", 1)[1].replace("Z", "+00:00"))
                  for line in dates.stdout.strip().splitlines()]
    assert (end - start).total_seconds() == 3600 + 300  # backdated 5 minutes, as kube-controller-manager does


def test_kubectl_deny_and_the_signer_leaves_it_alone(api, kubectl, tmp_path):
    pem, _ = make_request(tmp_path, "wec3")
    name = create(api, csr_body(pem, "wec3"))["metadata"]["name"]
    assert kubectl.ok("certificate", "deny", name).strip().endswith("denied")
    denied = kubectl.json("get", "csr", name)
    assert [(c["type"], c["reason"]) for c in denied["status"]["conditions"]] == [("Denied", "KubectlDeny")]
    assert "Denied" in kubectl.ok("get", "csr", name)
    assert "is already Denied" in kubectl.fails("certificate", "approve", name).stderr
    # The server itself refuses Approved next to Denied.
    both = api.ok("GET", f"{CSRS}/{name}")
    both["status"]["conditions"].append({"type": "Approved", "status": "True", "reason": "Late"})
    r = api.put(f"{CSRS}/{name}/approval", both)
    assert r.status == 422
    assert r.json()["details"]["causes"] == [{
        "reason": "FieldValueInvalid", "field": "status.conditions[1].type",
        "message": "Invalid value: \"Approved\": Approved and Denied conditions are mutually exclusive"}]
    assert api.ok("GET", f"{CSRS}/{name}")["status"].get("certificate") is None


# -- validation and subresource rules -----------------------------------------------------------------

def test_validation_messages_are_kubes(api, tmp_path):
    pem, _ = make_request(tmp_path, "wec4")
    r = api.post(CSRS, csr_body("not a pem", "wec4"))
    assert r.status == 422
    assert r.json()["details"]["causes"][0]["field"] == "spec.request"
    assert r.json()["details"]["causes"][0]["message"].endswith(": PEM block type must be CERTIFICATE REQUEST")
    r = api.post(CSRS, csr_body(pem, "wec4", signerName="example"))
    assert r.status == 422
    assert r.json()["message"].endswith(
        "spec.signerName: Invalid value: \"example\": must be a fully qualified domain and path of the form 'example.com/signer-name'")
    r = api.post(CSRS, csr_body(pem, "wec4", expirationSeconds=60))
    assert r.json()["details"]["causes"] == [{
        "reason": "FieldValueInvalid", "field": "spec.expirationSeconds",
        "message": "Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)"}]
    r = api.post(CSRS, csr_body(pem, "wec4", usages=[]))
    assert r.json()["details"]["causes"][0]["message"] == "Required value: usages must be provided"
    body = csr_body(pem, "wec4")
    body["spec"]["request"] = "%%%"
    r = api.post(CSRS, body)
    assert r.status == 400
    assert r.json()["message"] == ("CertificateSigningRequest in version \"v1\" cannot be handled as a "
                                   "CertificateSigningRequest: illegal base64 data at input byte 0")


def test_status_cannot_approve_and_main_put_ignores_status(api, tmp_path):
    pem, _ = make_request(tmp_path, "wec5")
    obj = create(api, csr_body(pem, "wec5"))
    name = obj["metadata"]["name"]
    obj["status"] = {"conditions": [{"type": "Approved", "status": "True", "reason": "Sneaky"}]}
    r = api.put(f"{CSRS}/{name}/status", obj)
    assert r.status == 422
    assert r.json()["details"]["causes"][0]["message"] == \
        "Forbidden: updates may not add a condition of type \"Approved\""
    r = api.put(f"{CSRS}/{name}", obj)
    assert r.status == 200 and r.json()["status"] == {}
    # /approval may add it; then nobody may remove it.
    fresh = api.ok("GET", f"{CSRS}/{name}")
    fresh["status"] = {"conditions": [{"type": "Approved", "status": "True", "reason": "Test"}]}
    approved = api.ok("PUT", f"{CSRS}/{name}/approval", fresh)
    assert approved["status"]["conditions"][0]["type"] == "Approved"
    assert issued(api, name)  # the signer writes next; take its version
    approved = api.ok("GET", f"{CSRS}/{name}")
    approved["status"]["conditions"] = []
    r = api.put(f"{CSRS}/{name}/approval", approved)
    assert r.status == 422
    assert "updates may not remove a condition of type \\\"Approved\\\"" in r.body.decode()


def test_discovery_lists_the_subresources(api, kubectl):
    doc = api.ok("GET", "/apis/certificates.k8s.io/v1")
    names = [(r["name"], r["verbs"]) for r in doc["resources"]]
    assert names[0][0] == "certificatesigningrequests"
    assert ("certificatesigningrequests/approval", ["get", "patch", "update"]) in names
    assert ("certificatesigningrequests/status", ["get", "patch", "update"]) in names
    resources = kubectl.ok("api-resources", "--api-group=certificates.k8s.io")
    assert "certificatesigningrequests" in resources and "csr" in resources
    paths = api.ok("GET", "/openapi/v3/apis/certificates.k8s.io/v1")["paths"]
    assert "/apis/certificates.k8s.io/v1/certificatesigningrequests/{name}/approval" in paths


# -- the agent's view: Python client, label-selected list and watch ----------------------------------

def test_python_client_list_and_watch_by_label_as_the_agent_does(api_server, api, tmp_path):
    from kubernetes import client, watch

    config = client.Configuration(host=f"http://127.0.0.1:{api_server.port}")
    certs = client.CertificatesV1Api(client.ApiClient(config))
    selector = f"{LABEL}=wec6"
    pem, _ = make_request(tmp_path, "wec6")
    other, _ = make_request(tmp_path, "wec7")
    create(api, csr_body(other, "wec7"))

    listed = certs.list_certificate_signing_request(label_selector=selector)
    start = listed.metadata.resource_version
    events: list[tuple[str, str, bool]] = []

    def stream():
        w = watch.Watch()
        for e in w.stream(certs.list_certificate_signing_request, label_selector=selector,
                          resource_version=start, timeout_seconds=15):
            obj = e["object"]
            events.append((e["type"], obj.metadata.name, bool(obj.status and obj.status.certificate)))
            if obj.status and obj.status.certificate:
                w.stop()

    watcher = threading.Thread(target=stream, daemon=True)
    watcher.start()
    body = client.V1CertificateSigningRequest(
        metadata=client.V1ObjectMeta(generate_name="wec6-", labels={LABEL: "wec6"}),
        spec=client.V1CertificateSigningRequestSpec(
            request=base64.b64encode(pem.encode()).decode(),
            signer_name="kubernetes.io/kube-apiserver-client",
            usages=["digital signature", "key encipherment", "client auth"]))
    created = certs.create_certificate_signing_request(body)
    name = created.metadata.name
    assert created.spec.username  # filled by the server
    assert [i.metadata.name for i in certs.list_certificate_signing_request(label_selector=selector).items] == [name]

    current = certs.read_certificate_signing_request(name)
    current.status.conditions = [client.V1CertificateSigningRequestCondition(
        type="Approved", status="True", reason="PythonApprove", message="approved from the test")]
    certs.replace_certificate_signing_request_approval(name, current)
    watcher.join(20)
    assert events and events[0][:2] == ("ADDED", name)
    assert events[-1] == ("MODIFIED", name, True)
    assert all(n == name for _, n, _ in events)  # wec7's request never shows up
    done = certs.read_certificate_signing_request(name)
    assert base64.b64decode(done.status.certificate).startswith(b"-----BEGIN CERTIFICATE-----")


# -- itsd accept ---------------------------------------------------------------------------------------

def itsd_accept(itsd_bin: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([itsd_bin, "accept", *args], capture_output=True, text=True, timeout=60)


def managed_cluster(name: str) -> dict:
    return {"apiVersion": "cluster.open-cluster-management.io/v1", "kind": "ManagedCluster",
            "metadata": {"name": name},
            "spec": {"hubAcceptsClient": False,
                     "managedClusterClientConfigs": [{"url": "https://wec.example:6443"}]}}


def test_itsd_accept_approves_bootstrap_requests_and_accepts(start_itsd, itsd_bin, tmp_path):
    tokens = tmp_path / "tokens.csv"
    tokens.write_text('admin-token,admin,u-admin,"system:masters"\n'
                      'bootstrap-token,system:bootstrap:abc123,u-boot,"system:bootstrappers,system:bootstrappers:managedcluster"\n')
    s = start_itsd("--token-auth-file", str(tokens))
    admin = {"Authorization": "Bearer admin-token"}
    agent = {"Authorization": "Bearer bootstrap-token"}
    api = Api(s.port)
    kubeconfig = tmp_path / "admin.kubeconfig"
    kubeconfig.write_text(f"""apiVersion: v1
kind: Config
clusters: [{{name: its, cluster: {{server: "http://127.0.0.1:{s.port}"}}}}]
users: [{{name: admin, user: {{token: admin-token}}}}]
contexts: [{{name: its, context: {{cluster: its, user: admin}}}}]
current-context: its
""")
    # Nothing to accept yet: the cluster does not exist.
    p = itsd_accept(itsd_bin, "wec1", "--kubeconfig", str(kubeconfig))
    assert p.returncode != 0
    assert "fail to get managedcluster wec1" in p.stderr

    pem, _ = make_request(tmp_path, "wec1")
    r = api.post("/apis/cluster.open-cluster-management.io/v1/managedclusters", managed_cluster("wec1"),
                 headers=agent)
    assert r.status == 201, r
    r = api.post(CSRS, csr_body(pem, "wec1"), headers=agent)
    assert r.status == 201, r
    name = r.json()["metadata"]["name"]
    assert r.json()["spec"]["username"] == "system:bootstrap:abc123"
    assert "system:bootstrappers:managedcluster" in r.json()["spec"]["groups"]
    # A request from someone else (an admin) is not a join request and is left alone.
    r = api.post(CSRS, csr_body(pem, "wec1"), headers=admin)
    assert r.status == 201
    admins = r.json()["metadata"]["name"]

    p = itsd_accept(itsd_bin, "wec1", "--kubeconfig", str(kubeconfig))
    assert p.returncode == 0, p.stdout + p.stderr
    assert f"CSR {name} approved" in p.stdout
    assert "set hubAcceptsClient to true for managed cluster wec1" in p.stdout
    csr = api.ok("GET", f"{CSRS}/{name}", headers=admin)
    condition = csr["status"]["conditions"][0]
    assert (condition["type"], condition["reason"], condition["message"]) == \
        ("Approved", "itsd Approve", "This CSR was approved by itsd certificate approve.")
    assert wait_for(lambda: api.ok("GET", f"{CSRS}/{name}", headers=admin)["status"].get("certificate"), 10)
    assert "conditions" not in api.ok("GET", f"{CSRS}/{admins}", headers=admin)["status"]
    mc = api.ok("GET", "/apis/cluster.open-cluster-management.io/v1/managedclusters/wec1", headers=admin)
    assert mc["spec"]["hubAcceptsClient"] is True

    # Running it again changes nothing and says so.
    p = itsd_accept(itsd_bin, "wec1", "--kubeconfig", str(kubeconfig))
    assert p.returncode == 0, p.stdout + p.stderr
    assert f"CSR {name} already approved" in p.stdout
    assert "hubAcceptsClient already set for managed cluster wec1" in p.stdout


def test_itsd_accept_without_requests_fails_and_wait_times_out(api_server, api, itsd_bin):
    api.ok("POST", "/apis/cluster.open-cluster-management.io/v1/managedclusters", managed_cluster("lonely"))
    url = f"http://127.0.0.1:{api_server.port}"
    p = itsd_accept(itsd_bin, "lonely", "--server", url)
    assert p.returncode == 1
    assert "no csr is approved yet for cluster lonely" in p.stderr
    p = itsd_accept(itsd_bin, "lonely", "--server", url, "--wait", "--timeout", "2")
    assert p.returncode == 1
    assert "no CSR to approve for cluster lonely" in p.stdout
    assert "timed out waiting for the condition" in p.stderr


def test_itsd_accept_skip_approve_check(api_server, api, itsd_bin, tmp_path):
    api.ok("POST", "/apis/cluster.open-cluster-management.io/v1/managedclusters", managed_cluster("wec8"))
    pem, _ = make_request(tmp_path, "wec8")
    name = create(api, csr_body(pem, "wec8"))["metadata"]["name"]
    p = itsd_accept(itsd_bin, "wec8", "--server", f"http://127.0.0.1:{api_server.port}", "--skip-approve-check")
    assert p.returncode == 0, p.stdout + p.stderr
    assert f"CSR {name} approved" in p.stdout
    assert issued(api, name)
    mc = api.ok("GET", "/apis/cluster.open-cluster-management.io/v1/managedclusters/wec8")
    assert mc["spec"]["hubAcceptsClient"] is True


def test_over_tls_the_signer_uses_the_serving_ca_and_accept_uses_the_kubeconfig(start_itsd, itsd_bin, tmp_path):
    data = tmp_path / "secure"
    start_itsd("--secure", "--data-dir", str(data))
    kubectl = Kubectl("unused", tmp_path / "kubectl")
    kubectl.kubeconfig = data / "admin.kubeconfig"
    kubectl.env["KUBECONFIG"] = str(kubectl.kubeconfig)
    mc = tmp_path / "mc.json"
    mc.write_text(json.dumps(managed_cluster("wec9")))
    kubectl.ok("create", "-f", str(mc))
    pem, _ = make_request(tmp_path, "wec9")
    manifest = tmp_path / "csr.json"
    manifest.write_text(json.dumps(csr_body(pem, "wec9")))
    name = kubectl.ok("create", "-f", str(manifest), "-o", "jsonpath={.metadata.name}").strip()
    # The admin certificate's identity is the requester (CN itsd-admin, O system:masters).
    csr = kubectl.json("get", "csr", name)
    assert csr["spec"]["username"] == "itsd-admin"
    assert "system:masters" in csr["spec"]["groups"]
    # Not a bootstrap identity: the default filter leaves it, --skip-approve-check takes it.
    p = itsd_accept(itsd_bin, "wec9", "--kubeconfig", str(kubectl.kubeconfig))
    assert p.returncode == 1 and "no csr is approved yet for cluster wec9" in p.stderr, p.stdout + p.stderr
    p = itsd_accept(itsd_bin, "wec9", "--kubeconfig", str(kubectl.kubeconfig), "--skip-approve-check")
    assert p.returncode == 0, p.stdout + p.stderr
    cert = wait_for(lambda: kubectl.json("get", "csr", name)["status"].get("certificate"), 10)
    assert cert
    cert_file = tmp_path / "wec9.crt"
    cert_file.write_bytes(base64.b64decode(cert))
    verify = subprocess.run(["openssl", "verify", "-CAfile", str(data / "ca.crt"), str(cert_file)],
                            capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_auto_accept_approves_join_requests_from_the_bootstrap_service_account(start_itsd, tmp_path):
    tokens = tmp_path / "tokens.csv"
    bootstrap = "system:serviceaccount:open-cluster-management:agent-registration-bootstrap"
    tokens.write_text('admin-token,admin,u-admin,"system:masters"\n'
                      f'sa-token,{bootstrap},u-sa,"system:serviceaccounts,system:serviceaccounts:open-cluster-management"\n'
                      'other-token,system:bootstrap:zzz,u-z,"system:bootstrappers:managedcluster"\n')
    s = start_itsd("--token-auth-file", str(tokens), "--auto-accept")
    api = Api(s.port)
    admin = {"Authorization": "Bearer admin-token"}
    pem, _ = make_request(tmp_path, "wec10")
    joined = api.post(CSRS, csr_body(pem, "wec10"), headers={"Authorization": "Bearer sa-token"})
    assert joined.status == 201, joined
    other = api.post(CSRS, csr_body(pem, "wec10"), headers={"Authorization": "Bearer other-token"})
    assert other.status == 201, other
    name = joined.json()["metadata"]["name"]

    def approved():
        c = api.ok("GET", f"{CSRS}/{name}", headers=admin)
        return c if c["status"].get("certificate") else None
    csr = wait_for(approved, 10)
    assert csr, "the bootstrap service account's request was not auto-approved and signed"
    condition = csr["status"]["conditions"][0]
    assert (condition["type"], condition["reason"], condition["message"]) == (
        "Approved", "AutoApprovedByHubCSRApprovingController",
        "Auto approving Managed cluster agent certificate after SubjectAccessReview.")
    # A bootstrap token user is not in the auto-approval list: its request waits for an admin.
    waiting = api.ok("GET", f"{CSRS}/{other.json()['metadata']['name']}", headers=admin)
    assert "conditions" not in waiting["status"]


def test_renewal_by_an_accepted_agent_is_auto_approved(start_itsd, tmp_path):
    """The whole loop over TLS: the admin accepts wec11 (the hub grants its agents `renew` on
    managedclusters/clientcertificates), approves the agent's first request; the agent then
    authenticates with that certificate and its renewal request is approved by the hub itself."""
    data = tmp_path / "secure"
    start_itsd("--secure", "--data-dir", str(data))
    admin = Kubectl("unused", tmp_path / "admin")
    admin.kubeconfig = data / "admin.kubeconfig"
    admin.env["KUBECONFIG"] = str(admin.kubeconfig)
    mc = managed_cluster("wec11")
    mc["spec"]["hubAcceptsClient"] = True
    (tmp_path / "mc.json").write_text(json.dumps(mc))
    admin.ok("create", "-f", str(tmp_path / "mc.json"))

    pem, key = make_request(tmp_path / "first", "wec11")
    (tmp_path / "first.json").write_text(json.dumps(csr_body(pem, "wec11")))
    first = admin.ok("create", "-f", str(tmp_path / "first.json"), "-o", "jsonpath={.metadata.name}").strip()
    admin.ok("certificate", "approve", first)
    cert = wait_for(lambda: admin.json("get", "csr", first)["status"].get("certificate"), 10)
    assert cert

    import yaml
    config = yaml.safe_load(admin.kubeconfig.read_text())
    config["users"] = [{"name": "agent", "user": {
        "client-certificate-data": cert,
        "client-key-data": base64.b64encode(key.read_bytes()).decode()}}]
    config["contexts"][0]["context"]["user"] = "agent"
    agent = Kubectl("unused", tmp_path / "agent")
    agent.kubeconfig = tmp_path / "agent.kubeconfig"
    agent.kubeconfig.write_text(yaml.safe_dump(config))
    agent.env["KUBECONFIG"] = str(agent.kubeconfig)

    renewal_pem, _ = make_request(tmp_path / "renewal", "wec11")
    (tmp_path / "renewal.json").write_text(json.dumps(csr_body(renewal_pem, "wec11")))

    def renewal_created():
        # The acceptance controller's RBAC may take a moment to appear.
        p = agent.run("create", "-f", str(tmp_path / "renewal.json"), "-o", "jsonpath={.metadata.name}")
        return p.stdout.strip() if p.returncode == 0 else None
    renewal = wait_for(renewal_created, 10, interval=0.2)
    assert renewal, agent.run("create", "-f", str(tmp_path / "renewal.json")).stderr
    spec = admin.json("get", "csr", renewal)["spec"]
    assert spec["username"] == "system:open-cluster-management:wec11:agent1"
    assert "system:open-cluster-management:wec11" in spec["groups"]
    done = wait_for(lambda: (c := admin.json("get", "csr", renewal))["status"].get("certificate") and c, 10)
    assert done, admin.json("get", "csr", renewal)
    assert done["status"]["conditions"][0]["reason"] == "AutoApprovedByHubCSRApprovingController"
    # The first request (made by the admin, not by the agent itself) was never auto-approved.
    assert admin.json("get", "csr", first)["status"]["conditions"][0]["reason"] == "KubectlApprove"
