import JSON

/// One RBAC rule (`rbacv1.PolicyRule`) and kube's matching of a request against it
/// (`pkg/apis/rbac/v1/evaluation_helpers.go`): `*` matches any verb, group or resource;
/// `*/sub` matches subresource `sub` of any resource; an empty `resourceNames` matches every
/// name; a non-resource URL ending in `*` matches by prefix.
public struct PolicyRule: Sendable, Hashable {
  public var verbs: [String]
  public var apiGroups: [String]
  public var resources: [String]
  public var resourceNames: [String]
  public var nonResourceURLs: [String]

  public init(
    verbs: [String], apiGroups: [String] = [], resources: [String] = [],
    resourceNames: [String] = [], nonResourceURLs: [String] = []
  ) {
    self.verbs = verbs
    self.apiGroups = apiGroups
    self.resources = resources
    self.resourceNames = resourceNames
    self.nonResourceURLs = nonResourceURLs
  }

  /// The rule as stored in a Role or ClusterRole (missing lists are empty).
  public init(json: JSONValue) {
    func strings(_ key: String) -> [String] {
      (json[key]?.arrayValue ?? []).compactMap(\.stringValue)
    }
    self.init(
      verbs: strings("verbs"), apiGroups: strings("apiGroups"), resources: strings("resources"),
      resourceNames: strings("resourceNames"), nonResourceURLs: strings("nonResourceURLs"))
  }

  /// The rule as JSON, members in kube's order, empty lists omitted (Go's `omitempty`).
  public var json: JSONValue {
    var o = JSONObject()
    o["verbs"] = .array(verbs.map { .string($0) })
    let optional: [(String, [String])] = [
      ("apiGroups", apiGroups), ("resources", resources), ("resourceNames", resourceNames),
      ("nonResourceURLs", nonResourceURLs),
    ]
    for (key, values) in optional where !values.isEmpty {
      o[key] = .array(values.map { .string($0) })
    }
    return .object(o)
  }

  /// Whether this rule grants the request (`RuleAllows`).
  public func allows(_ a: AuthorizationAttributes) -> Bool {
    guard verbMatches(a.verb) else { return false }
    if !a.isResourceRequest { return nonResourceURLMatches(a.path) }
    return apiGroupMatches(a.group) && resourceMatches(a.resource, subresource: a.subresource)
      && resourceNameMatches(a.name)
  }

  func verbMatches(_ verb: String) -> Bool { verbs.contains { $0 == "*" || $0 == verb } }

  func apiGroupMatches(_ group: String) -> Bool { apiGroups.contains { $0 == "*" || $0 == group } }

  func resourceMatches(_ resource: String, subresource: String) -> Bool {
    let combined = subresource.isEmpty ? resource : "\(resource)/\(subresource)"
    for r in resources {
      if r == "*" || r == combined { return true }
      if !subresource.isEmpty && r.hasPrefix("*/") && r.dropFirst(2) == subresource { return true }
    }
    return false
  }

  func resourceNameMatches(_ name: String) -> Bool {
    resourceNames.isEmpty || (!name.isEmpty && resourceNames.contains(name))
  }

  func nonResourceURLMatches(_ path: String) -> Bool {
    for url in nonResourceURLs {
      if url == "*" || url == path { return true }
      guard url.hasSuffix("*") else { continue }
      var prefix = Substring(url)
      while prefix.hasSuffix("*") { prefix = prefix.dropLast() }
      if path.hasPrefix(prefix) { return true }
    }
    return false
  }
}
