import APIMachinery
import ArgumentParser
import Certificates
import Foundation
import JSON

/// `itsd accept CLUSTER…`: what `clusteradm accept --clusters` (v1.0.0,
/// `clusteradm:pkg/cmd/accept/exec.go`) does, against any ITS: for each cluster, approve its
/// pending CSRs from bootstrap identities through `/approval`, then merge-patch
/// `spec.hubAcceptsClient: true` on its ManagedCluster. Exit status 0 when every cluster has
/// an approved CSR and is accepted; otherwise the errors are printed and the status is 1.
struct Accept: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Accept managed clusters: approve their join CSRs and set hubAcceptsClient.",
    discussion: """
      CSRs are those labelled open-cluster-management.io/cluster-name=CLUSTER whose requester is \
      a bootstrap identity (user system:bootstrap:* or \
      system:serviceaccount:open-cluster-management:agent-registration-bootstrap, group \
      system:bootstrappers:managedcluster or system:serviceaccounts:open-cluster-management), \
      as clusteradm accept requires; --skip-approve-check approves every CSR of the cluster.
      """)

  @Argument(help: "Names of the clusters to accept.") var clusters: [String]
  @Option(help: "The ITS API server, e.g. http://127.0.0.1:8080 (default: from the kubeconfig).")
  var server: String?
  @Option(
    help:
      "kubeconfig with the server and credentials (token, CA, client certificate; default: $KUBECONFIG, then ~/.kube/config)."
  )
  var kubeconfig: String?
  @Flag(help: "Wait (polling every second) until a CSR is approved and the cluster accepted.")
  var wait = false
  @Option(help: "Seconds --wait waits at most.") var timeout = 300
  @Flag(help: "Approve every CSR of the cluster, whoever requested it.")
  var skipApproveCheck = false
  @Option(
    parsing: .upToNextOption,
    help: "Common names of the agents to approve when CSRs of several agents are pending.")
  var requesters: [String] = []

  static let clusterLabel = "open-cluster-management.io/cluster-name"
  static let bootstrapGroup = "system:bootstrappers:managedcluster"
  static let bootstrapUserPrefix = "system:bootstrap:"
  static let bootstrapServiceAccount =
    "system:serviceaccount:open-cluster-management:agent-registration-bootstrap"
  static let serviceAccountGroup = "system:serviceaccounts:open-cluster-management"
  /// What clusteradm's `GetExampleHeader()` gives for this binary.
  static let header = "itsd"

  func validate() throws {
    guard timeout > 0 else { throw ValidationError("--timeout must be > 0") }
    for name in clusters where name.isEmpty {
      throw ValidationError("cluster names must not be empty")
    }
  }

  func run() throws {
    let (url, credentials) = try endpoint()
    let hub = try HubClient(
      server: url, token: credentials?.token, transport: credentials?.transport)
    defer { hub.shutdown() }
    var errors: [String] = []
    var seen = Set<String>()
    for cluster in clusters where seen.insert(cluster).inserted {
      if !wait {
        let (approved, error) = accept(hub, cluster, waitMode: false)
        if let error { errors.append(error.description) }
        if !approved { errors.append("no csr is approved yet for cluster \(cluster)") }
        continue
      }
      let deadline = Date().addingTimeInterval(TimeInterval(timeout))
      while true {
        let (approved, error) = accept(hub, cluster, waitMode: true)
        if approved && error?.code != 404 {
          if let error { errors.append(error.description) }
          break
        }
        if Date() >= deadline {
          errors.append("timed out waiting for the condition")
          break
        }
        Thread.sleep(forTimeInterval: 1)
      }
    }
    guard errors.isEmpty else {
      throw HubClientError(errors.count == 1 ? errors[0] : "[\(errors.joined(separator: ", "))]")
    }
  }

  /// --server (with the kubeconfig's credentials when --kubeconfig is given), else the
  /// kubeconfig's server and credentials (token, CA and client certificate for https).
  private func endpoint() throws -> (String, Kubeconfig?) {
    if let server {
      return (server, try kubeconfig.map { try Kubeconfig.load(path: $0) })
    }
    let path =
      kubeconfig ?? ProcessInfo.processInfo.environment["KUBECONFIG"]?.split(separator: ":").first
      .map(String.init) ?? "\(NSHomeDirectory())/.kube/config"
    let config = try Kubeconfig.load(path: path)
    return (config.server, config)
  }

  /// One attempt for one cluster: (a CSR is approved, the first error).
  private func accept(_ hub: HubClient, _ cluster: String, waitMode: Bool)
    -> (Bool, HubClient.Failure?)
  {
    let managedCluster: JSONValue
    do {
      managedCluster = try hub.get(Self.clusterPath(cluster))
    } catch {
      return (
        false,
        HubClient.Failure(
          code: error.code, description: "fail to get managedcluster \(cluster): \(error)")
      )
    }
    var approved = true
    let annotations = managedCluster["metadata"]?["annotations"]?.objectValue
    if annotations?["agent.open-cluster-management.io/managed-cluster-arn"] == nil {
      do {
        approved = try approveCSRs(hub, cluster, waitMode: waitMode)
      } catch {
        return (
          false,
          HubClient.Failure(
            code: error.code,
            description: "fail to approve the csr for cluster \(cluster): \(error)")
        )
      }
    }
    do {
      try setHubAcceptsClient(hub, cluster)
    } catch {
      return (approved, error)
    }
    print(
      "\n Your managed cluster \(cluster) has joined the Hub successfully. Visit https://open-cluster-management.io/scenarios or https://github.com/open-cluster-management-io/OCM/tree/main/solutions for next steps."
    )
    return (approved, nil)
  }

  /// clusteradm's `approveCSR`: true when some CSR of the cluster is (now) approved.
  private func approveCSRs(_ hub: HubClient, _ cluster: String, waitMode: Bool)
    throws(HubClient.Failure) -> Bool
  {
    let selector = "\(Self.clusterLabel)%3D\(cluster)"
    let list = try hub.get(
      "/apis/certificates.k8s.io/v1/certificatesigningrequests?labelSelector=\(selector)")
    let items = list["items"]?.arrayValue ?? []
    var passed: [JSONValue] = []
    var requesterOf: [String: String] = [:]
    var requestersSeen = Set<String>()
    for item in items {
      if skipApproveCheck {
        passed.append(item)
        continue
      }
      guard Self.isBootstrapRequest(item) else { continue }
      passed.append(item)
      let name = item["metadata"]?["name"]?.stringValue ?? ""
      switch Self.commonName(item) {
      case .success(let cn):
        requestersSeen.insert(cn)
        requesterOf[name] = cn
      case .failure(let problem):
        FileHandle.standardError.write(Data("csr \(name) is not valid: \(problem)".utf8))
      }
    }
    var required = Set(requesters)
    if requestersSeen.count > 1 {
      if required.isEmpty || !skipApproveCheck {
        print(
          "There are CSRs of different requesters: \(requestersSeen.sorted().joined(separator: ",")), approve is skipped please specify the certain requesters with --requesters or set --skip-approve-check if all CSRs need to be approved"
        )
        return false
      }
    } else {
      required.formUnion(requestersSeen)
    }
    let allowed = requestersSeen.intersection(required)
    var hasApproved = false
    var toApprove: [JSONValue] = []
    for csr in passed {
      let name = csr["metadata"]?["name"]?.stringValue ?? ""
      let cn = requesterOf[name] ?? ""
      if !skipApproveCheck && !allowed.contains(cn) {
        print("CSR \(name) with requester \(cn) is not in the approve list")
        continue
      }
      if CertificateSigningRequests.hasCondition(csr, CertificateSigningRequests.denied) {
        print("CSR \(name) already denied")
        continue
      }
      if CertificateSigningRequests.hasCondition(csr, CertificateSigningRequests.approved) {
        print("CSR \(name) already approved")
        hasApproved = true
        continue
      }
      toApprove.append(csr)
    }
    if toApprove.isEmpty {
      if waitMode { print("no CSR to approve for cluster \(cluster)") }
      return hasApproved
    }
    print("Starting approve csrs for the cluster \(cluster)")
    var failures: [String] = []
    for csr in toApprove {
      let name = csr["metadata"]?["name"]?.stringValue ?? ""
      do {
        _ = try hub.put(
          "/apis/certificates.k8s.io/v1/certificatesigningrequests/\(name)/approval",
          Self.approving(csr))
        print("CSR \(name) approved")
        hasApproved = true
      } catch {
        failures.append(error.description)
      }
    }
    if !failures.isEmpty {
      throw HubClient.Failure(
        code: 0,
        description: failures.count == 1
          ? failures[0] : "[\(failures.joined(separator: ", "))]")
    }
    return hasApproved
  }

  /// clusteradm's `updateManagedCluster`.
  private func setHubAcceptsClient(_ hub: HubClient, _ cluster: String)
    throws(HubClient.Failure)
  {
    let current = try hub.get(Self.clusterPath(cluster))
    if current["spec"]?["hubAcceptsClient"]?.boolValue == true {
      print("hubAcceptsClient already set for managed cluster \(cluster)")
      return
    }
    _ = try hub.mergePatch(Self.clusterPath(cluster), ["spec": ["hubAcceptsClient": true]])
    print("set hubAcceptsClient to true for managed cluster \(cluster)")
  }

  static func clusterPath(_ cluster: String) -> String {
    "/apis/cluster.open-cluster-management.io/v1/managedclusters/\(cluster)"
  }

  /// The requester is a bootstrap identity (clusteradm's username and group checks).
  static func isBootstrapRequest(_ csr: JSONValue) -> Bool {
    let username = csr["spec"]?["username"]?.stringValue ?? ""
    let groups = Set((csr["spec"]?["groups"]?.arrayValue ?? []).compactMap(\.stringValue))
    return (username.hasPrefix(bootstrapUserPrefix) || username.hasPrefix(bootstrapServiceAccount))
      && (groups.contains(bootstrapGroup) || groups.contains(serviceAccountGroup))
  }

  /// The Subject CN of the request (clusteradm's `parseCSRCommonName`).
  static func commonName(_ csr: JSONValue) -> Result<String, HubClientError> {
    guard let pem = CertificateSigningRequests.requestPEM(csr),
      let first = try? PEM.decode(String(decoding: pem, as: UTF8.self)).first,
      first.type == "CERTIFICATE REQUEST"
    else {
      return .failure(
        HubClientError("CSR was not recognized: PEM block type is not CERTIFICATE REQUEST"))
    }
    do {
      let request = try CertificateRequest(pem: PEM.encode(type: first.type, der: first.der))
      return .success(request.subject.commonName)
    } catch {
      return .failure(HubClientError("CSR was not recognized: \(error)"))
    }
  }

  /// The CSR with clusteradm's Approved condition appended.
  static func approving(_ csr: JSONValue) -> JSONValue {
    guard case .object(var object) = csr else { return csr }
    var status = object["status"]?.objectValue ?? JSONObject()
    var conditions = status["conditions"]?.arrayValue ?? []
    conditions.append([
      "type": "Approved", "status": "True", "reason": .string("\(header) Approve"),
      "message": .string("This CSR was approved by \(header) certificate approve."),
      "lastUpdateTime": .string(ServerClock.timestamp()),
    ])
    status["conditions"] = .array(conditions)
    object["status"] = .object(status)
    return .object(object)
  }
}
