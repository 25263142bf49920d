import APIMachinery
import HTTP1
import HTTPServer
import JSON

/// Discovery documents: legacy (`/api`, `/apis`, `/api/v1`, `/apis/G[/V]`) and aggregated
/// (`apidiscovery.k8s.io` v2 and v2beta1), negotiated exactly by the Accept header as
/// kube-apiserver does (a v2beta1-only client must never get v2).
struct Discovery {
  let catalog: Catalog

  /// Which aggregated discovery version an Accept header asks for first, if any.
  static func aggregatedVersion(_ accept: String?) -> String? {
    guard let accept else { return nil }
    for item in accept.split(separator: ",") {
      let params = item.split(separator: ";").map { $0.trimmingCharacters() }
      guard let type = params.first?.lowercased() else { continue }
      guard type == "application/json" else { continue }
      if params.contains("as=APIGroupDiscoveryList") && params.contains("g=apidiscovery.k8s.io") {
        if params.contains("v=v2") { return "v2" }
        if params.contains("v=v2beta1") { return "v2beta1" }
        continue
      }
      if !params.contains(where: { $0.hasPrefix("as=") }) { return nil }
    }
    return nil
  }

  func handle(_ request: HTTPRequest) -> HTTPResponse? {
    let path =
      request.head.path.hasSuffix("/") && request.head.path.count > 1
      ? String(request.head.path.dropLast()) : request.head.path
    let snapshot = catalog.snapshot
    let parts = path.split(separator: "/").map(String.init)
    let aggregated = Self.aggregatedVersion(request.head.headers["Accept"])
    switch parts.count {
    case 1 where parts[0] == "api":
      if let v = aggregated { return aggregatedResponse(v, groups: [("", ["v1"])], snapshot) }
      return Self.json([
        "kind": "APIVersions", "versions": ["v1"],
        "serverAddressByClientCIDRs": [
          ["clientCIDR": "0.0.0.0/0", "serverAddress": .string(request.head.headers["Host"] ?? "")]
        ],
      ])
    case 1 where parts[0] == "apis":
      let groups = snapshot.groups.filter { !$0.name.isEmpty } + [("authorization.k8s.io", ["v1"])]
      if let v = aggregated { return aggregatedResponse(v, groups: groups, snapshot) }
      return Self.json([
        "kind": "APIGroupList", "apiVersion": "v1",
        "groups": .array(groups.map { Self.apiGroup($0.0, $0.1) }),
      ])
    case 2 where parts[0] == "api" && parts[1] == "v1":
      return Self.json(resourceList(group: "", version: "v1", snapshot))
    case 2 where parts[0] == "apis":
      if parts[1] == "authorization.k8s.io" {
        return Self.json(Self.apiGroup(parts[1], ["v1"]).withKind("APIGroup"))
      }
      guard let group = snapshot.groups.first(where: { $0.name == parts[1] }) else { return nil }
      return Self.json(Self.apiGroup(group.name, group.versions).withKind("APIGroup"))
    case 3 where parts[0] == "apis":
      if parts[1] == "authorization.k8s.io" && parts[2] == "v1" {
        return Self.json(Authorization.resourceList)
      }
      guard snapshot.serves(group: parts[1], version: parts[2]) else { return nil }
      return Self.json(resourceList(group: parts[1], version: parts[2], snapshot))
    default:
      return nil
    }
  }

  static func json(_ value: JSONValue, contentType: String = "application/json") -> HTTPResponse {
    HTTPResponse(
      status: 200, contentType: contentType, body: value.serialized(), headers: [("Vary", "Accept")]
    )
  }

  static func apiGroup(_ name: String, _ versions: [String]) -> JSONValue {
    let vs: [JSONValue] = versions.map {
      ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)]
    }
    return ["name": .string(name), "versions": .array(vs), "preferredVersion": vs[0]]
  }

  func resourceList(group: String, version: String, _ snapshot: Catalog.Snapshot) -> JSONValue {
    var resources: [JSONValue] = []
    for r in snapshot.resources(group: group, version: version) {
      var entry = JSONObject()
      entry["name"] = .string(r.plural)
      entry["singularName"] = .string(r.singular)
      entry["namespaced"] = .bool(r.namespaced)
      entry["kind"] = .string(r.kind)
      entry["verbs"] = .array(r.verbs.map { .string($0) })
      if !r.shortNames.isEmpty { entry["shortNames"] = .array(r.shortNames.map { .string($0) }) }
      if !r.categories.isEmpty { entry["categories"] = .array(r.categories.map { .string($0) }) }
      resources.append(.object(entry))
      for (sub, verbs) in Self.subresources(r) {
        resources.append([
          "name": .string("\(r.plural)/\(sub)"), "singularName": "",
          "namespaced": .bool(r.namespaced),
          "kind": .string(r.kind), "verbs": .array(verbs.map { .string($0) }),
        ])
      }
    }
    return [
      "kind": "APIResourceList", "apiVersion": "v1",
      "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
      "resources": .array(resources),
    ]
  }

  static func subresources(_ r: ResourceDefinition) -> [(String, [String])] {
    var subs: [(String, [String])] = []
    if r.group.isEmpty && r.plural == "namespaces" { subs.append(("finalize", ["update"])) }
    if r.group.isEmpty && r.plural == "serviceaccounts" { subs.append(("token", ["create"])) }
    if r.hasApprovalSubresource { subs.append(("approval", ["get", "patch", "update"])) }
    if r.hasStatusSubresource { subs.append(("status", ["get", "patch", "update"])) }
    return subs
  }

  private func aggregatedResponse(
    _ version: String, groups: [(name: String, versions: [String])], _ snapshot: Catalog.Snapshot
  )
    -> HTTPResponse
  {
    let items: [JSONValue] = groups.map { group in
      var item = JSONObject()
      item["metadata"] = group.name.isEmpty ? [:] : ["name": .string(group.name)]
      item["versions"] = .array(
        group.versions.map { v in
          let resources: [JSONValue]
          if group.name == "authorization.k8s.io" {
            resources = Authorization.aggregatedResources
          } else {
            resources = snapshot.resources(group: group.name, version: v).map(
              Self.aggregatedResource)
          }
          return ["version": .string(v), "resources": .array(resources), "freshness": "Current"]
        })
      return .object(item)
    }
    let doc: JSONValue = [
      "kind": "APIGroupDiscoveryList", "apiVersion": .string("apidiscovery.k8s.io/\(version)"),
      "metadata": [:], "items": .array(items),
    ]
    return Self.json(
      doc,
      contentType: "application/json;g=apidiscovery.k8s.io;v=\(version);as=APIGroupDiscoveryList")
  }

  static func aggregatedResource(_ r: ResourceDefinition) -> JSONValue {
    let kind: JSONValue = [
      "group": .string(r.group), "version": .string(r.version), "kind": .string(r.kind),
    ]
    var entry = JSONObject()
    entry["resource"] = .string(r.plural)
    entry["responseKind"] = kind
    entry["scope"] = r.namespaced ? "Namespaced" : "Cluster"
    entry["singularResource"] = .string(r.singular)
    entry["verbs"] = .array(r.verbs.map { .string($0) })
    if !r.shortNames.isEmpty { entry["shortNames"] = .array(r.shortNames.map { .string($0) }) }
    if !r.categories.isEmpty { entry["categories"] = .array(r.categories.map { .string($0) }) }
    let subs = subresources(r)
    if !subs.isEmpty {
      entry["subresources"] = .array(
        subs.map {
          [
            "subresource": .string($0.0), "responseKind": kind,
            "verbs": .array($0.1.map { .string($0) }),
          ]
        })
    }
    return .object(entry)
  }
}

extension JSONValue {
  /// The same object with `kind` (and `apiVersion: v1`) first.
  func withKind(_ kind: String) -> JSONValue {
    guard case .object(let o) = self else { return self }
    var out = JSONObject()
    out["kind"] = .string(kind)
    out["apiVersion"] = "v1"
    for m in o.members { out[m.key] = m.value }
    return .object(out)
  }
}
