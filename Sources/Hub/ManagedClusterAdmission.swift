import APIMachinery
import JSON
import Store

/// OCM's ManagedCluster mutating webhook (`managedclustermutators…`, ocm
/// `pkg/registration/webhook/v1/managedcluster_mutating.go`), run on CREATE and UPDATE of the
/// main resource (not `/status`, which the webhook's rules do not cover):
/// - every taint gets `timeAdded` = now on CREATE; on UPDATE new or changed taints get it, and
///   a request that sets it on those, or changes it on an unchanged taint, is denied
///   (`It is not allowed to set TimeAdded of Taint "k1,k2".`, 400);
/// - the `cluster.open-cluster-management.io/clusterset` label is set to `default` when absent
///   or empty (feature `DefaultClusterSet`, on by default).
public struct ManagedClusterMutation: AdmissionPlugin {
  public init() {}

  public func admit(_ object: inout JSONObject, old: JSONObject?, _ a: AdmissionAttributes)
    throws(APIError)
  {
    guard a.subresource == .main else { return }
    try Self.stampTaints(&object, old: old, now: ServerClock.timestamp())
    Self.defaultClusterSetLabel(&object)
  }

  static func stampTaints(_ object: inout JSONObject, old: JSONObject?, now: String)
    throws(APIError)
  {
    guard var spec = object["spec"]?.objectValue, var taints = spec["taints"]?.arrayValue,
      !taints.isEmpty
    else { return }
    let oldTaints = old?["spec"]?["taints"]?.arrayValue ?? []
    var invalid: [String] = []
    for (i, taint) in taints.enumerated() {
      guard case .object(var t) = taint else { continue }
      let key = t["key"]?.stringValue ?? ""
      let added = Self.time(t["timeAdded"])
      let original = oldTaints.first { ($0["key"]?.stringValue ?? "") == key }
      if old == nil {
        // CREATE: whatever timeAdded says is replaced.
        t["timeAdded"] = .string(now)
      } else if let original {
        let same =
          (original["value"]?.stringValue ?? "") == (t["value"]?.stringValue ?? "")
          && (original["effect"]?.stringValue ?? "") == (t["effect"]?.stringValue ?? "")
        if same {
          if Self.time(original["timeAdded"]) != added { invalid.append(key) }
          continue
        }
        if added != nil {
          invalid.append(key)
          continue
        }
        t["timeAdded"] = .string(now)
      } else {
        if added != nil {
          invalid.append(key)
          continue
        }
        t["timeAdded"] = .string(now)
      }
      taints[i] = .object(t)
    }
    if !invalid.isEmpty {
      throw WebhookDenial.badRequest(
        WebhookDenial.managedClusterMutator,
        "It is not allowed to set TimeAdded of Taint \"\(invalid.joined(separator: ","))\".")
    }
    spec["taints"] = .array(taints)
    object["spec"] = .object(spec)
  }

  /// A `metav1.Time` as epoch seconds; nil for the zero time (absent, null or empty).
  static func time(_ value: JSONValue?) -> Int64? {
    guard let text = value?.stringValue, !text.isEmpty else { return nil }
    return ServerClock.epochSeconds(text) ?? Int64.min
  }

  static func defaultClusterSetLabel(_ object: inout JSONObject) {
    var meta = object["metadata"]?.objectValue ?? JSONObject()
    var labels = meta["labels"]?.objectValue ?? JSONObject()
    let current = labels[ClusterSetController.clusterSetLabel]?.stringValue ?? ""
    guard current.isEmpty else { return }
    labels[ClusterSetController.clusterSetLabel] = .string(ClusterSetController.defaultSet)
    meta["labels"] = .object(labels)
    object["metadata"] = .object(meta)
  }
}

/// OCM's ManagedCluster validating webhook (`managedclustervalidators…`, ocm
/// `pkg/registration/webhook/v1/managedcluster_validating.go`), on CREATE and UPDATE of the
/// main resource:
/// - the name must be a DNS-1123 label (the mailbox namespace gets it) and every
///   `spec.managedClusterClientConfigs[].url` an https URL: 400, one line per problem;
/// - turning `spec.hubAcceptsClient` on is refused while the cluster namespace is terminating,
///   and needs `update` on `register.open-cluster-management.io` `managedclusters/accept`
///   (name = cluster): 403;
/// - changing the clusterset label needs `create` on `managedclustersets/join` for the old and
///   the new set: 403.
/// Authorization questions go to the registry's authorizer; the server's own controllers (no
/// user) are not asked.
public struct ManagedClusterValidation: AdmissionPlugin {
  let store: Store
  let authorizer: AuthorizerSlot

  public init(store: Store, authorizer: AuthorizerSlot) {
    self.store = store
    self.authorizer = authorizer
  }

  public func validate(_ object: JSONObject, old: JSONObject?, _ a: AdmissionAttributes)
    throws(APIError)
  {
    guard a.subresource == .main else { return }
    let name = a.name
    let webhook = WebhookDenial.managedClusterValidator
    var problems: [String] = []
    let nameProblems = NameValidation.labelProblems(name)
    if !nameProblems.isEmpty {
      problems.append("metadata.name format is not correct: \(nameProblems.joined(separator: ","))")
    }
    for config in object["spec"]?["managedClusterClientConfigs"]?.arrayValue ?? [] {
      let url = config["url"]?.stringValue ?? ""
      if !Self.isHTTPSURL(url) { problems.append("url \"\(url)\" is invalid in client configs") }
    }
    if !problems.isEmpty {
      throw WebhookDenial.badRequest(webhook, problems.joined(separator: "\n"))
    }

    let accepts = object["spec"]?["hubAcceptsClient"]?.boolValue ?? false
    let accepted = old?["spec"]?["hubAcceptsClient"]?.boolValue ?? false
    if accepts && (old == nil || !accepted) {
      if namespaceTerminating(name) {
        throw WebhookDenial.forbidden(
          webhook, group: HubCRDs.clusterGroup, resource: "managedclusters/accept", name: name,
          "cluster namespace \"\(name)\" is terminating")
      }
      if let user = a.user,
        !authorizer.authorize(
          AuthorizationAttributes(
            user: user, verb: "update", group: "register.open-cluster-management.io",
            resource: "managedclusters", subresource: "accept", name: name)
        ).isAllowed
      {
        throw WebhookDenial.forbidden(
          webhook, group: HubCRDs.clusterGroup, resource: "managedclusters/accept", name: name,
          "user \"\(user.name)\" cannot update the HubAcceptsClient field")
      }
    }

    let label = ClusterSetController.clusterSetLabel
    let before = old?["metadata"]?["labels"]?[label]?.stringValue ?? ""
    let after = object["metadata"]?["labels"]?[label]?.stringValue ?? ""
    guard before != after, let user = a.user else { return }
    for set in [before, after] where !set.isEmpty {
      let decision = authorizer.authorize(
        AuthorizationAttributes(
          user: user, verb: "create", group: HubCRDs.clusterGroup, resource: "managedclustersets",
          subresource: "join", name: set))
      if !decision.isAllowed {
        throw WebhookDenial.forbidden(
          webhook, group: HubCRDs.clusterGroup, resource: "managedclustersets/join", name: set,
          "user \"\(user.name)\" cannot add/remove a ManagedCluster to/from ManagedClusterSet \"\(set)\""
        )
      }
    }
  }

  private func namespaceTerminating(_ name: String) -> Bool {
    let key = ObjectKey(
      resource: BuiltInResources.namespace.resourceKey, namespace: "", name: name)
    guard let ns = store.get(key) else { return false }
    return ns.isDeleting || ns.object["status"]?["phase"]?.stringValue == "Terminating"
  }

  /// OCM's `IsValidHTTPSURL`: Go's `url.Parse` succeeds and the scheme (case-insensitive, as
  /// Go lowercases it) is `https`.
  static func isHTTPSURL(_ url: String) -> Bool {
    let bytes = Array(url.utf8)
    guard !bytes.isEmpty, !bytes.contains(where: { $0 < 0x20 || $0 == 0x7f }),
      let colon = bytes.firstIndex(of: UInt8(ascii: ":"))
    else { return false }
    guard String(decoding: bytes[..<colon], as: UTF8.self).lowercased() == "https" else {
      return false
    }
    // Go rejects an authority whose port is not numeric.
    let rest = bytes[(colon + 1)...]
    guard rest.starts(with: Array("//".utf8)) else { return true }
    let authority = rest.dropFirst(2).prefix {
      $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#")
    }
    let host =
      authority.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false).last ?? []
    if host.first == UInt8(ascii: "[") {
      guard let close = host.firstIndex(of: UInt8(ascii: "]")) else { return false }
      let after = host[(close + 1)...]
      return after.isEmpty
        || (after.first == UInt8(ascii: ":")
          && after.dropFirst().allSatisfy { $0 >= 48 && $0 <= 57 })
    }
    guard let portColon = host.lastIndex(of: UInt8(ascii: ":")) else { return true }
    return host[(portColon + 1)...].allSatisfy { $0 >= 48 && $0 <= 57 }
  }
}
