"""Authentication and RBAC (issue 6 items 2 and 3; docs/security.md): static tokens over plain HTTP
(`--token-auth-file` turns authentication on), anonymous access limited to the public paths, kube's
401/403 bodies, the per-WEC authorization matrix over ManifestWorks, ManagedClusters, leases and
status, `kubectl auth can-i` (and `--list`), TokenRequest for OCM's bootstrap ServiceAccount, and a
bootstrap token.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import ssl
import shutil
import subprocess
from pathlib import Path

import pytest

from kubeapi import Api, Reply, wait_for

MCL = "/apis/cluster.open-cluster-management.io/v1/managedclusters"
MCL_GROUP = "cluster.open-cluster-management.io"
WORK_GROUP = "work.open-cluster-management.io"
RBAC = "/apis/rbac.authorization.k8s.io/v1"
WECS = ["wec1", "wec2"]

TOKENS = {
    "admin": "admin-token-0123456789",
    "wec1": "wec1-token-0123456789",
    "wec2": "wec2-token-0123456789",
    "plain": "plain-token-0123456789",
}
USERS = {
    "wec1": "system:open-cluster-management:wec1:agent1",
    "wec2": "system:open-cluster-management:wec2:agent1",
}


def token_file(path: Path) -> Path:
    lines = [f'{TOKENS["admin"]},admin,uid-admin,"system:masters"']
    for wec in WECS:
        groups = f"system:open-cluster-management:{wec},system:open-cluster-management:managed-clusters"
        lines.append(f'{TOKENS[wec]},{USERS[wec]},uid-{wec},"{groups}"')
    lines.append(f'{TOKENS["plain"]},plain-user,uid-plain')
    path.write_text("\n".join(lines) + "\n")
    return path


class AuthApi(Api):
    """`Api` with a bearer token on every request; over HTTPS when `ca` (a CA file) is given."""

    def __init__(self, port: int, token: str | None, ca: Path | None = None):
        super().__init__(port)
        self.token = token
        self.ca = ca

    def request(self, method, path, body=None, headers=None, content_type="application/json", timeout=None):
        hdrs = dict(headers or {})
        if self.token is not None:
            hdrs["Authorization"] = f"Bearer {self.token}"
        if self.ca is None:
            return super().request(method, path, body, headers=hdrs, content_type=content_type, timeout=timeout)
        context = ssl.create_default_context(cafile=str(self.ca))
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout or self.timeout, context=context)
        try:
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                if content_type is not None:
                    hdrs.setdefault("Content-Type", content_type)
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            return Reply(resp.status, resp.getheaders(), resp.read())
        finally:
            conn.close()


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory):
    from conftest import Itsd, _stop_and_check

    work = tmp_path_factory.mktemp("itsd-auth")
    tokens = token_file(work / "tokens.csv")
    s = Itsd(["--port", "0", "--data-dir", str(work / "data"), "--token-auth-file", str(tokens)],
             work).start()
    yield s
    _stop_and_check(s)


@pytest.fixture(scope="module")
def admin(auth_server) -> AuthApi:
    return AuthApi(auth_server.port, TOKENS["admin"])


def as_(auth_server, who: str) -> AuthApi:
    return AuthApi(auth_server.port, TOKENS.get(who, who))


def cluster_rbac(cluster: str) -> list[tuple[str, dict]]:
    """The per-cluster RBAC of ocm.md §2.3 (accepted form), as the hub controllers create it."""
    g = "rbac.authorization.k8s.io"
    name = f"open-cluster-management:managedcluster:{cluster}"
    role = {"apiVersion": f"{g}/v1", "kind": "ClusterRole", "metadata": {"name": name}, "rules": [
        {"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests"],
         "verbs": ["create", "get", "list", "watch"]},
        {"apiGroups": ["register.open-cluster-management.io"], "resources": ["managedclusters/clientcertificates"],
         "verbs": ["renew"]},
        {"apiGroups": [MCL_GROUP], "resources": ["managedclusters"], "resourceNames": [cluster],
         "verbs": ["get", "list", "update", "watch"]},
        {"apiGroups": [MCL_GROUP], "resources": ["managedclusters/status"], "resourceNames": [cluster],
         "verbs": ["patch", "update"]}]}
    groups = [{"kind": "Group", "apiGroup": g, "name": f"system:open-cluster-management:{cluster}"},
              {"kind": "Group", "apiGroup": g, "name": f"open-cluster-management:{cluster}"}]
    crb = {"apiVersion": f"{g}/v1", "kind": "ClusterRoleBinding", "metadata": {"name": name},
           "roleRef": {"apiGroup": g, "kind": "ClusterRole", "name": name}, "subjects": groups}
    registration = {"apiVersion": f"{g}/v1", "kind": "ClusterRole",
                    "metadata": {"name": "open-cluster-management:managedcluster:registration"}, "rules": [
                        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
                         "verbs": ["get", "update"]}]}
    workrole = {"apiVersion": f"{g}/v1", "kind": "ClusterRole",
                "metadata": {"name": "open-cluster-management:managedcluster:work"}, "rules": [
                    {"apiGroups": [WORK_GROUP], "resources": ["manifestworks"],
                     "verbs": ["get", "list", "watch", "update", "patch"]},
                    {"apiGroups": [WORK_GROUP], "resources": ["manifestworks/status"],
                     "verbs": ["patch", "update"]}]}
    rbs = [{"apiVersion": f"{g}/v1", "kind": "RoleBinding",
            "metadata": {"name": f"{name}:{kind}", "namespace": cluster},
            "roleRef": {"apiGroup": g, "kind": "ClusterRole",
                        "name": f"open-cluster-management:managedcluster:{kind}"}, "subjects": groups}
           for kind in ("registration", "work")]
    return ([(f"{RBAC}/clusterroles", role), (f"{RBAC}/clusterrolebindings", crb),
             (f"{RBAC}/clusterroles", registration), (f"{RBAC}/clusterroles", workrole)]
            + [(f"{RBAC}/namespaces/{cluster}/rolebindings", rb) for rb in rbs])


@pytest.fixture(scope="module")
def wecs(admin):
    return setup_wecs(admin)


def setup_wecs(admin: AuthApi) -> list[str]:
    """Two accepted WECs, each with a ManifestWork and a lease in its namespace. The per-cluster
    RBAC comes from the hub controllers on acceptance; if they did not create it within 10 s the
    test creates the same objects itself (noted in `created_by_test`)."""
    created_by_test = []
    for wec in WECS:
        r = admin.post(MCL, {"apiVersion": f"{MCL_GROUP}/v1", "kind": "ManagedCluster",
                             "metadata": {"name": wec}, "spec": {"hubAcceptsClient": True}})
        assert r.status in (201, 409), r
    for wec in WECS:
        rb = f"{RBAC}/namespaces/{wec}/rolebindings/open-cluster-management:managedcluster:{wec}:work"
        if not wait_for(lambda: admin.get(rb).status == 200, 10):
            created_by_test.append(wec)
            if admin.get(f"/api/v1/namespaces/{wec}").status == 404:
                admin.ok("POST", "/api/v1/namespaces", {"metadata": {"name": wec}})
            for path, obj in cluster_rbac(wec):
                r = admin.post(path, obj)
                assert r.status in (201, 409), r
        admin.ok("POST", f"/apis/{WORK_GROUP}/v1/namespaces/{wec}/manifestworks", {
            "apiVersion": f"{WORK_GROUP}/v1", "kind": "ManifestWork", "metadata": {"name": "w"},
            "spec": {"workload": {"manifests": [{"apiVersion": "v1", "kind": "ConfigMap",
                                                 "metadata": {"name": "c", "namespace": "default"}}]}}})
        lease = f"/apis/coordination.k8s.io/v1/namespaces/{wec}/leases/managed-cluster-lease"
        if not wait_for(lambda: admin.get(lease).status == 200, 5):
            admin.ok("POST", f"/apis/coordination.k8s.io/v1/namespaces/{wec}/leases", {
                "metadata": {"name": "managed-cluster-lease"}, "spec": {"holderIdentity": "managed-cluster-lease"}})
    return created_by_test


# -- authentication ----------------------------------------------------------------------------------

def test_anonymous_reaches_only_public_paths(auth_server):
    anon = as_(auth_server, None)
    anon.token = None
    for path in ("/healthz", "/livez", "/readyz", "/version"):
        assert anon.get(path).status == 200, path
    for path in ("/api", "/apis", "/api/v1/namespaces", "/openapi/v2", MCL):
        r = anon.get(path)
        assert r.status == 401, path
        assert r.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": "Unauthorized", "reason": "Unauthorized", "code": 401}


@pytest.mark.parametrize("header", ["Bearer unknown-token", "Bearer abcdef.0123456789abcdef", "Bearer "])
def test_bad_credentials_get_401_even_on_public_paths(auth_server, header):
    api = Api(auth_server.port)
    r = api.get("/api", headers={"Authorization": header})
    assert r.status == 401
    if header != "Bearer ":
        assert api.get("/healthz", headers={"Authorization": header}).status == 401


def test_authenticated_user_gets_discovery_but_403_on_data(auth_server):
    plain = as_(auth_server, "plain")
    assert plain.get("/api").status == 200
    assert plain.get("/apis").status == 200
    r = plain.get("/api/v1/namespaces/default/configmaps")
    assert r.status == 403
    assert r.json() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'configmaps is forbidden: User "plain-user" cannot list resource "configmaps" '
                   'in API group "" in the namespace "default"',
        "reason": "Forbidden", "details": {"kind": "configmaps"}, "code": 403}
    r = plain.get(f"{MCL}/wec9")
    assert r.status == 403
    assert r.json()["details"] == {"name": "wec9", "group": MCL_GROUP, "kind": "managedclusters"}
    assert r.json()["message"] == (
        f'managedclusters.{MCL_GROUP} "wec9" is forbidden: User "plain-user" cannot get resource '
        f'"managedclusters" in API group "{MCL_GROUP}" at the cluster scope')


def test_rbac_objects_are_validated(admin):
    r = admin.post(f"{RBAC}/namespaces/default/roles", {
        "metadata": {"name": "bad"}, "rules": [{"verbs": ["get"], "nonResourceURLs": ["/metrics"]}]})
    assert r.status == 422
    assert r.json()["message"] == (
        'Role.rbac.authorization.k8s.io "bad" is invalid: rules[0].nonResourceURLs: Invalid value: '
        '[]string{"/metrics"}: namespaced rules cannot apply to non-resource URLs')
    r = admin.post(f"{RBAC}/clusterrolebindings", {
        "metadata": {"name": "bad"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "x"},
        "subjects": [{"kind": "User", "name": "u"}]})
    assert r.status == 422
    assert 'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"' in r.json()["message"]
    # Names with colons are fine for RBAC, and User subjects get the RBAC apiGroup by default.
    crb = admin.ok("POST", f"{RBAC}/clusterrolebindings", {
        "metadata": {"name": "a:b"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                                 "name": "view"}, "subjects": [{"kind": "User", "name": "u"}]})
    assert crb["subjects"][0]["apiGroup"] == "rbac.authorization.k8s.io"
    r = admin.patch(f"{RBAC}/clusterrolebindings/a:b", {"roleRef": {"name": "edit"}})
    assert r.status == 422 and "cannot change roleRef" in r.json()["message"]


# -- the authorization matrix ------------------------------------------------------------------------

def matrix_requests(target: str):
    """(description, verb-set key, method, path, body, content type) for one WEC's objects."""
    mw = f"/apis/{WORK_GROUP}/v1/namespaces/{target}/manifestworks"
    lease = f"/apis/coordination.k8s.io/v1/namespaces/{target}/leases/managed-cluster-lease"
    merge = "application/merge-patch+json"
    return [
        ("list manifestworks", True, "GET", mw, None, None),
        ("watch manifestworks", True, "GET", f"{mw}?watch=true&timeoutSeconds=1", None, None),
        ("get manifestwork", True, "GET", f"{mw}/w", None, None),
        ("patch manifestwork", True, "PATCH", f"{mw}/w", {"metadata": {"labels": {"seen": "yes"}}}, merge),
        ("patch manifestwork status", True, "PATCH", f"{mw}/w/status",
         {"status": {"conditions": [{"type": "Applied", "status": "True", "reason": "R", "message": "m",
                                     "lastTransitionTime": "2026-01-01T00:00:00Z"}]}}, merge),
        ("create manifestwork", False, "POST", mw,
         {"apiVersion": f"{WORK_GROUP}/v1", "kind": "ManifestWork", "metadata": {"name": "new"},
          "spec": {"workload": {"manifests": []}}}, None),
        ("delete manifestwork", False, "DELETE", f"{mw}/w", None, None),
        ("get managedcluster", True, "GET", f"{MCL}/{target}", None, None),
        ("list own managedcluster by field selector", True, "GET",
         f"{MCL}?fieldSelector=metadata.name%3D{target}", None, None),
        ("patch managedcluster status", True, "PATCH", f"{MCL}/{target}/status",
         {"status": {"version": {"kubernetes": "v1.32.0"}}}, merge),
        ("delete managedcluster", False, "DELETE", f"{MCL}/{target}", None, None),
        ("get lease", True, "GET", lease, None, None),
        ("update lease", True, "PUT", lease, "LEASE", None),
        ("list configmaps in the cluster namespace", False, "GET", f"/api/v1/namespaces/{target}/configmaps",
         None, None),
    ]


@pytest.mark.parametrize("who", WECS)
@pytest.mark.parametrize("target", WECS)
def test_authz_matrix(auth_server, admin, wecs, who, target):
    agent = as_(auth_server, who)
    own = who == target
    for desc, granted, method, path, body, ctype in matrix_requests(target):
        if body == "LEASE":
            body = admin.ok("GET", path)
            body["spec"]["renewTime"] = "2026-01-01T00:00:00.000000Z"
        kw = {"content_type": ctype} if ctype else {}
        r = agent.request(method, path, body, **kw)
        expected_ok = own and granted
        if expected_ok:
            assert 200 <= r.status < 300, f"{who} {desc} on {target}: {r.status} {r.body[:300]!r}"
        else:
            assert r.status == 403, f"{who} {desc} on {target}: {r.status} {r.body[:300]!r}"
            status = r.json()
            assert status["reason"] == "Forbidden"
            assert f'User "{USERS[who]}" cannot ' in status["message"]


def test_list_all_managedclusters_is_denied_as_a_whole(auth_server, wecs):
    r = as_(auth_server, "wec1").get(MCL)
    assert r.status == 403
    assert r.json()["message"] == (
        f'managedclusters.{MCL_GROUP} is forbidden: User "{USERS["wec1"]}" cannot list resource '
        f'"managedclusters" in API group "{MCL_GROUP}" at the cluster scope')


# -- kubectl auth can-i -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def secure_server(tmp_path_factory):
    """`--secure` (TLS with generated certificates) plus the same token file: kubectl sends bearer
    tokens only over TLS."""
    from conftest import Itsd, _stop_and_check

    work = tmp_path_factory.mktemp("itsd-auth-tls")
    tokens = token_file(work / "tokens.csv")
    s = Itsd(["--port", "0", "--data-dir", str(work / "data"), "--secure", "--token-auth-file", str(tokens)],
             work).start()
    s.data = work / "data"
    yield s
    _stop_and_check(s)


@pytest.fixture(scope="module")
def secure_wecs(secure_server):
    return setup_wecs(AuthApi(secure_server.port, TOKENS["admin"], ca=secure_server.data / "ca.crt"))


def kubeconfig(path: Path, url: str, ca: Path, token: str) -> Path:
    path.write_text(f"""apiVersion: v1
kind: Config
clusters:
- name: itsd
  cluster: {{server: "{url}", certificate-authority: "{ca}"}}
users:
- name: u
  user: {{token: "{token}"}}
contexts:
- name: c
  context: {{cluster: itsd, user: u, namespace: default}}
current-context: c
""")
    return path


@pytest.fixture(scope="module")
def kubectl_as(secure_server, tmp_path_factory):
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl not installed")
    work = tmp_path_factory.mktemp("kubectl-auth")

    def run(who: str, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        name = who if who in TOKENS else "token"
        cfg = kubeconfig(work / f"{name}.kubeconfig", f"https://127.0.0.1:{secure_server.port}",
                         secure_server.data / "ca.crt", TOKENS.get(who, who))
        p = subprocess.run(["kubectl", f"--kubeconfig={cfg}", f"--cache-dir={work / 'cache' / name}", *args],
                           capture_output=True, text=True, timeout=30, env=dict(os.environ, HOME=str(work)))
        if check:
            assert p.returncode == 0, p.stderr
        return p
    return run


@pytest.mark.parametrize("who,args,answer", [
    ("wec1", ["get", "manifestworks.work.open-cluster-management.io", "-n", "wec1"], "yes"),
    ("wec1", ["get", "manifestworks.work.open-cluster-management.io", "-n", "wec2"], "no"),
    ("wec1", ["patch", "manifestworks.work.open-cluster-management.io/w", "--subresource=status", "-n", "wec1"], "yes"),
    ("wec1", ["delete", "manifestworks.work.open-cluster-management.io", "-n", "wec1"], "no"),
    ("wec2", ["update", "managedclusters.cluster.open-cluster-management.io/wec2"], "yes"),
    ("wec2", ["update", "managedclusters.cluster.open-cluster-management.io/wec1"], "no"),
    ("wec2", ["get", "/api"], "yes"),
    ("plain", ["list", "configmaps"], "no"),
    ("admin", ["delete", "namespaces"], "yes"),
])
def test_kubectl_auth_can_i(kubectl_as, secure_wecs, who, args, answer):
    p = kubectl_as(who, "auth", "can-i", *args)
    assert p.stdout.strip() == answer, (p.stdout, p.stderr)
    assert p.returncode == (0 if answer == "yes" else 1)


def test_kubectl_auth_can_i_list(kubectl_as, secure_wecs):
    p = kubectl_as("wec1", "auth", "can-i", "--list", "-n", "wec1", check=True)
    lines = p.stdout.splitlines()
    def verbs(line: str) -> set[str]:
        return set(line.rsplit("[", 1)[1].rstrip("]").split())
    work = [line for line in lines if line.startswith("manifestworks.work.open-cluster-management.io ")]
    assert work and verbs(work[0]) == {"get", "list", "watch", "update", "patch"}, p.stdout
    status = [line for line in lines if line.startswith("manifestworks.work.open-cluster-management.io/status ")]
    assert status and verbs(status[0]) == {"patch", "update"}, p.stdout
    own = [line for line in lines if line.startswith("managedclusters.cluster.open-cluster-management.io ")]
    assert own and "[wec1]" in own[0], p.stdout
    p2 = kubectl_as("wec1", "auth", "can-i", "--list", "-n", "wec2", check=True)
    assert not any(line.startswith("manifestworks.") for line in p2.stdout.splitlines()), p2.stdout


def test_kubectl_create_token_and_whoami_like_use(kubectl_as, auth_server):
    p = kubectl_as("admin", "create", "token", "agent-registration-bootstrap", "-n", "open-cluster-management",
                   check=True)
    token = p.stdout.strip()
    assert token
    p = kubectl_as(token, "auth", "can-i", "create", "managedclusters.cluster.open-cluster-management.io")
    assert p.stdout.strip() == "yes", p.stderr


def test_admin_kubeconfig_client_certificate_is_system_masters(secure_server):
    """The admin.kubeconfig `--secure` writes authenticates by client certificate (CN=itsd-admin,
    O=system:masters): user = CN, groups = O + system:authenticated."""
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl not installed")
    cfg = secure_server.data / "admin.kubeconfig"
    env = dict(os.environ, HOME=str(secure_server.data))
    p = subprocess.run(["kubectl", f"--kubeconfig={cfg}", "auth", "whoami", "-o", "json"],
                       capture_output=True, text=True, timeout=30, env=env)
    assert p.returncode == 0, p.stderr
    info = json.loads(p.stdout)["status"]["userInfo"]
    assert info["username"] == "itsd-admin"
    assert info["groups"] == ["system:masters", "system:authenticated"]
    p = subprocess.run(["kubectl", f"--kubeconfig={cfg}", "get", "clusterrolebindings", "-o", "name"],
                       capture_output=True, text=True, timeout=30, env=env)
    assert "clusterrolebinding.rbac.authorization.k8s.io/cluster-admin" in p.stdout.split(), p.stderr


def test_kubectl_auth_whoami_with_token(kubectl_as):
    p = kubectl_as("wec1", "auth", "whoami", "-o", "json", check=True)
    info = json.loads(p.stdout)["status"]["userInfo"]
    assert info == {"username": USERS["wec1"], "uid": "uid-wec1",
                    "groups": ["system:open-cluster-management:wec1",
                               "system:open-cluster-management:managed-clusters", "system:authenticated"]}


# -- OCM bootstrap identities -------------------------------------------------------------------------

def csr_served(admin) -> bool:
    return admin.get("/apis/certificates.k8s.io/v1").status == 200


def test_token_request_for_agent_registration_bootstrap(auth_server, admin):
    # What `clusteradm get token` sends (ocm.md §2.1).
    tr = admin.ok("POST", "/api/v1/namespaces/open-cluster-management/serviceaccounts/"
                          "agent-registration-bootstrap/token",
                  {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                   "spec": {"expirationSeconds": 3600}})
    assert tr["kind"] == "TokenRequest" and tr["apiVersion"] == "authentication.k8s.io/v1"
    assert tr["spec"]["expirationSeconds"] == 3600
    assert tr["status"]["expirationTimestamp"].endswith("Z")
    boot = as_(auth_server, tr["status"]["token"])
    r = boot.post(MCL, {"apiVersion": f"{MCL_GROUP}/v1", "kind": "ManagedCluster",
                        "metadata": {"name": "joiner"}, "spec": {"hubAcceptsClient": False}})
    assert r.status == 201, r
    assert boot.get(f"{MCL}/joiner").status == 200
    assert boot.get("/api/v1/namespaces/kube-public/configmaps/cluster-info").status in (200, 404)
    r = boot.get("/api/v1/namespaces/default/configmaps")
    assert r.status == 403
    assert r.json()["message"] == (
        'configmaps is forbidden: User "system:serviceaccount:open-cluster-management:agent-registration-bootstrap" '
        'cannot list resource "configmaps" in API group "" in the namespace "default"')
    assert boot.delete(f"{MCL}/joiner").status == 403
    if csr_served(admin) and shutil.which("openssl"):
        csr = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
               "metadata": {"generateName": "joiner-", "labels": {"open-cluster-management.io/cluster-name": "joiner"}},
               "spec": {"request": base64.b64encode(csr_pem("joiner").encode()).decode(),
                        "signerName": "kubernetes.io/kube-apiserver-client",
                        "usages": ["digital signature", "key encipherment", "client auth"]}}
        r = boot.post("/apis/certificates.k8s.io/v1/certificatesigningrequests", csr)
        assert r.status == 201, r
        assert r.json()["spec"]["username"] == \
            "system:serviceaccount:open-cluster-management:agent-registration-bootstrap"


def test_token_request_validation(admin):
    r = admin.post("/api/v1/namespaces/open-cluster-management/serviceaccounts/agent-registration-bootstrap/token",
                   {"spec": {"expirationSeconds": 60}})
    assert r.status == 422
    assert "spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes" \
        in r.json()["message"]
    assert admin.post("/api/v1/namespaces/default/serviceaccounts/nobody/token", {}).status == 404


def test_service_account_token_dies_with_its_service_account(auth_server, admin):
    admin.ok("POST", "/api/v1/namespaces/default/serviceaccounts", {"metadata": {"name": "robot"}})
    tr = admin.ok("POST", "/api/v1/namespaces/default/serviceaccounts/robot/token", {})
    robot = as_(auth_server, tr["status"]["token"])
    assert robot.get("/api").status == 200
    admin.ok("DELETE", "/api/v1/namespaces/default/serviceaccounts/robot")
    assert robot.get("/api").status == 401


def b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


def test_bootstrap_token(auth_server, admin):
    admin.ok("POST", "/api/v1/namespaces/kube-system/secrets", {
        "metadata": {"name": "bootstrap-token-ocmhub", "labels": {"app": "cluster-manager"}},
        "type": "bootstrap.kubernetes.io/token",
        "data": {"token-id": b64("ocmhub"), "token-secret": b64("0123456789abcdef"),
                 "usage-bootstrap-authentication": b64("true"),
                 "auth-extra-groups": b64("system:bootstrappers:managedcluster")}})
    boot = as_(auth_server, "ocmhub.0123456789abcdef")
    r = boot.post(MCL, {"apiVersion": f"{MCL_GROUP}/v1", "kind": "ManagedCluster",
                        "metadata": {"name": "tokenjoiner"}, "spec": {"hubAcceptsClient": False}})
    assert r.status == 201, r
    r = boot.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
        "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": {"verb": "list", "resource": "secrets", "namespace": "kube-system"}}})
    assert r.status == 201 and r.json()["status"]["allowed"] is False
    # Expired: 401.
    r = admin.patch("/api/v1/namespaces/kube-system/secrets/bootstrap-token-ocmhub",
                    {"data": {"expiration": b64("2001-01-01T00:00:00Z")}})
    assert r.status == 200, r
    assert boot.get("/api").status == 401
    assert as_(auth_server, "ocmhub.ffffffffffffffff").get("/api").status == 401


def csr_pem(cluster: str) -> str:
    """A real EC P-256 CSR shaped like the registration agent's (ocm.md §2.2)."""
    subject = (f"/O=system:open-cluster-management:{cluster}/O=system:open-cluster-management:managed-clusters"
               f"/CN=system:open-cluster-management:{cluster}:agent1")
    p = subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-keyout", "/dev/null", "-subj", subject],
                       capture_output=True, text=True, timeout=30, check=True)
    return p.stdout


AGGREGATED = """apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: e2e-monitoring
aggregationRule:
  clusterRoleSelectors:
  - matchLabels:
      e2e.example.com/aggregate-to-monitoring: "true"
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: e2e-monitoring-plain
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: e2e-monitoring}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: plain-user}
"""

LABELLED = """apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: e2e-configmap-reader
  labels:
    e2e.example.com/aggregate-to-monitoring: "true"
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch"]
"""


def test_clusterrole_aggregation_grants_the_selected_rules(kubectl_as, tmp_path):
    """kube's clusterrole-aggregation controller: the aggregated role gets the labelled role's
    rules, and a user bound to it gets (and loses) the access they grant."""
    (tmp_path / "aggregated.yaml").write_text(AGGREGATED)
    (tmp_path / "labelled.yaml").write_text(LABELLED)
    kubectl_as("admin", "apply", "-f", str(tmp_path / "aggregated.yaml"), check=True)
    assert kubectl_as("plain", "auth", "can-i", "list", "configmaps").stdout.strip() == "no"
    kubectl_as("admin", "apply", "-f", str(tmp_path / "labelled.yaml"), check=True)

    def rules():
        p = kubectl_as("admin", "get", "clusterrole", "e2e-monitoring", "-o", "json", check=True)
        return json.loads(p.stdout).get("rules") or []

    want = [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}]
    assert wait_for(lambda: rules() == want, 10), rules()
    yaml_out = kubectl_as("admin", "get", "clusterrole", "e2e-monitoring", "-o", "yaml", check=True).stdout
    assert "resources:\n  - configmaps" in yaml_out, yaml_out
    assert wait_for(lambda: kubectl_as("plain", "get", "configmaps", "-n", "default").returncode == 0, 10)
    assert kubectl_as("plain", "auth", "can-i", "delete", "configmaps").stdout.strip() == "no"

    # Dropping the label takes the rules (and the access) away again.
    kubectl_as("admin", "label", "clusterrole", "e2e-configmap-reader",
               "e2e.example.com/aggregate-to-monitoring-", check=True)
    assert wait_for(lambda: rules() == [], 10), rules()
    assert wait_for(lambda: kubectl_as("plain", "get", "configmaps", "-n", "default").returncode != 0, 10)
    for kind, name in (("clusterrolebinding", "e2e-monitoring-plain"), ("clusterrole", "e2e-monitoring"),
                       ("clusterrole", "e2e-configmap-reader")):
        kubectl_as("admin", "delete", kind, name, check=True)


@pytest.mark.parametrize("role, allowed, denied", [
    ("view", [("GET", "configmaps")], [("POST", "configmaps"), ("GET", "secrets")]),
    ("edit", [("GET", "configmaps"), ("POST", "configmaps"), ("GET", "secrets")],
     [("POST", "rolebindings")]),
    ("admin", [("POST", "configmaps"), ("POST", "rolebindings")], []),
])
def test_kube_user_facing_roles_bound_in_a_namespace(auth_server, admin, role, allowed, denied):
    """kube's `view`, `edit` and `admin` ClusterRoles exist (aggregated from
    `system:aggregate-to-*`) and, bound with a RoleBinding, grant what they grant in kube."""
    ns = f"team-{role}"
    admin.ok("POST", "/api/v1/namespaces", {"metadata": {"name": ns}})
    aggregated = admin.ok("GET", f"{RBAC}/clusterroles/{role}")
    assert aggregated["aggregationRule"]["clusterRoleSelectors"] == [
        {"matchLabels": {f"rbac.authorization.k8s.io/aggregate-to-{role}": "true"}}]
    admin.ok("POST", f"{RBAC}/namespaces/{ns}/rolebindings", {
        "metadata": {"name": f"plain-{role}"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "plain-user"}],
    })
    plain = as_(auth_server, "plain")
    paths = {"configmaps": f"/api/v1/namespaces/{ns}/configmaps",
             "secrets": f"/api/v1/namespaces/{ns}/secrets",
             "rolebindings": f"{RBAC}/namespaces/{ns}/rolebindings"}
    bodies = {"configmaps": {"metadata": {"generateName": "cm-"}},
              "rolebindings": {"metadata": {"generateName": "rb-"},
                               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                           "name": "view"},
                               "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                                             "name": "someone"}]}}

    def call(method, resource):
        if method == "GET":
            return plain.get(paths[resource])
        return plain.post(paths[resource], bodies[resource])

    for method, resource in allowed:
        # The aggregation controller fills the chain (view -> edit -> admin) shortly after start.
        assert wait_for(lambda: call(method, resource).status in (200, 201), 10), (
            role, method, resource, call(method, resource))
    for method, resource in denied:
        reply = call(method, resource)
        assert reply.status == 403, (role, method, resource, reply)
    # Outside the namespace the binding grants nothing.
    assert plain.get("/api/v1/namespaces/default/configmaps").status == 403
