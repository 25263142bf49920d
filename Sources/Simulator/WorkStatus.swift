import JSON

/// The status a work agent writes for one ManifestWork (ocm.md §3.3): per-manifest
/// `resourceStatus` (resourceMeta with ordinal/group/version/kind/resource/name/namespace, and
/// Applied/Available/StatusFeedbackSynced conditions) and the work-level Applied and Available
/// conditions with `observedGeneration`. Existing conditions keep their transition times.
public enum WorkStatus {
  /// The message of a manifest the simulated WEC refuses (`--fail-ratio`).
  public static let simulatedFailure = "simulated apply failure (itsd simulate --fail-ratio)"

  /// The outcome for one work object (`work` as read from the hub).
  public struct Outcome: Sendable {
    public var status: JSONValue
    public var applied: Bool
    public var manifests: Int
    public var failed: Int
  }

  public static func build(work: JSONValue, failRatio: Double, now: String) -> Outcome {
    let meta = work["metadata"]
    let namespace = meta?["namespace"]?.stringValue ?? ""
    let name = meta?["name"]?.stringValue ?? ""
    let generation = meta?["generation"]?.int64Value ?? 1
    let manifests = work["spec"]?["workload"]?["manifests"]?.arrayValue ?? []
    let old = work["status"]
    let oldManifests = old?["resourceStatus"]?["manifests"]?.arrayValue ?? []

    var entries: [JSONValue] = []
    entries.reserveCapacity(manifests.count)
    var failed = 0
    for (ordinal, manifest) in manifests.enumerated() {
      let (group, version) = splitAPIVersion(manifest["apiVersion"]?.stringValue ?? "")
      let kind = manifest["kind"]?.stringValue ?? ""
      let resourceMeta: JSONValue = .object(
        JSONObject([
          ("ordinal", .int(Int64(ordinal))), ("group", .string(group)),
          ("version", .string(version)), ("kind", .string(kind)),
          ("resource", .string(guessResource(kind))),
          ("name", .string(manifest["metadata"]?["name"]?.stringValue ?? "")),
          ("namespace", .string(manifest["metadata"]?["namespace"]?.stringValue ?? "")),
        ]))
      let fails = shouldFail("\(namespace)/\(name)#\(ordinal)", ratio: failRatio)
      if fails { failed += 1 }
      var conditions = previousConditions(oldManifests, ordinal: ordinal)
      if fails {
        Conditions.set(
          &conditions, type: OCM.applied, status: "False", reason: OCM.manifestFailedReason,
          message: "Failed to apply manifest: \(simulatedFailure)", now: now)
        Conditions.set(
          &conditions, type: OCM.workAvailable, status: "False",
          reason: OCM.manifestNotAvailableReason, message: OCM.manifestNotAvailableMessage, now: now
        )
        conditions.removeAll { $0["type"]?.stringValue == OCM.feedbackSynced }
      } else {
        Conditions.set(
          &conditions, type: OCM.applied, status: "True", reason: OCM.manifestAppliedReason,
          message: OCM.manifestAppliedMessage, now: now)
        Conditions.set(
          &conditions, type: OCM.workAvailable, status: "True",
          reason: OCM.manifestAvailableReason, message: OCM.manifestAvailableMessage, now: now)
        Conditions.set(
          &conditions, type: OCM.feedbackSynced, status: "True", reason: OCM.noFeedbackReason,
          message: "", now: now)
      }
      entries.append(
        .object(JSONObject([("resourceMeta", resourceMeta), ("conditions", .array(conditions))])))
    }

    var workConditions = old?["conditions"]?.arrayValue ?? []
    let total = manifests.count
    if failed == 0 {
      Conditions.set(
        &workConditions, type: OCM.applied, status: "True", reason: OCM.workAppliedReason,
        message: OCM.workAppliedMessage, observedGeneration: generation, now: now)
      Conditions.set(
        &workConditions, type: OCM.workAvailable, status: "True",
        reason: OCM.workAvailableReason, message: OCM.workAvailableMessage,
        observedGeneration: generation, now: now)
    } else {
      Conditions.set(
        &workConditions, type: OCM.applied, status: "False", reason: OCM.workFailedReason,
        message: OCM.workFailedMessage, observedGeneration: generation, now: now)
      Conditions.set(
        &workConditions, type: OCM.workAvailable, status: "False",
        reason: OCM.workNotAvailableReason,
        message: "\(failed) of \(total) resources are not available",
        observedGeneration: generation, now: now)
    }
    let status: JSONValue = .object(
      JSONObject([
        ("conditions", .array(workConditions)),
        ("resourceStatus", .object(JSONObject([("manifests", .array(entries))]))),
      ]))
    return Outcome(status: status, applied: failed == 0, manifests: total, failed: failed)
  }

  /// True when the work's status already reports generation `generation` (an Applied
  /// condition with that observedGeneration): nothing to write.
  public static func isReported(_ work: JSONValue) -> Bool {
    let generation = work["metadata"]?["generation"]?.int64Value ?? 1
    let conditions = work["status"]?["conditions"]?.arrayValue ?? []
    return Conditions.find(conditions, OCM.applied)?["observedGeneration"]?.int64Value == generation
  }

  /// `apps/v1` → ("apps", "v1"); `v1` → ("", "v1").
  static func splitAPIVersion(_ apiVersion: String) -> (String, String) {
    guard let slash = apiVersion.lastIndex(of: "/") else { return ("", apiVersion) }
    return (
      String(apiVersion[..<slash]), String(apiVersion[apiVersion.index(after: slash)...])
    )
  }

  /// apimachinery's `meta.UnsafeGuessKindToResource`: lower-case the kind, then `s`→`ses`,
  /// `y`→`ies`, otherwise append `s` (the work agent uses a REST mapper; a simulated WEC has
  /// none, and the guess matches it for the common kinds).
  public static func guessResource(_ kind: String) -> String {
    let k = kind.lowercased()
    if k.isEmpty { return k }
    if k.hasSuffix("s") { return k + "es" }
    if k.hasSuffix("y") { return String(k.dropLast()) + "ies" }
    return k + "s"
  }

  /// A stable choice: FNV-1a of `key` mapped to [0, 1) below `ratio`.
  static func shouldFail(_ key: String, ratio: Double) -> Bool {
    if ratio <= 0 { return false }
    if ratio >= 1 { return true }
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in key.utf8 {
      h ^= UInt64(b)
      h = h &* 0x100_0000_01b3
    }
    return Double(h >> 11) / Double(1 << 53) < ratio
  }

  private static func previousConditions(_ manifests: [JSONValue], ordinal: Int) -> [JSONValue] {
    for m in manifests where m["resourceMeta"]?["ordinal"]?.int64Value == Int64(ordinal) {
      return m["conditions"]?.arrayValue ?? []
    }
    return []
  }
}
