import JSON

/// `metav1.Condition` lists handled the way apimachinery's `meta.SetStatusCondition` does:
/// a condition is updated in place by `type`, `lastTransitionTime` changes only when `status`
/// changes, and a new type is appended.
public enum Conditions {
  /// The condition of `type` in `list`, if any.
  public static func find(_ list: [JSONValue], _ type: String) -> JSONObject? {
    for c in list {
      if let o = c.objectValue, o["type"]?.stringValue == type { return o }
    }
    return nil
  }

  /// `status` of the condition of `type` ("True", "False", "Unknown"), if present.
  public static func status(_ list: [JSONValue], _ type: String) -> String? {
    find(list, type)?["status"]?.stringValue
  }

  /// Sets one condition with SetStatusCondition semantics; `now` is its RFC 3339 time.
  public static func set(
    _ list: inout [JSONValue], type: String, status: String, reason: String, message: String,
    observedGeneration: Int64? = nil, now: String
  ) {
    for i in list.indices {
      guard var o = list[i].objectValue, o["type"]?.stringValue == type else { continue }
      if o["status"]?.stringValue != status || o["lastTransitionTime"] == nil {
        o["lastTransitionTime"] = .string(now)
      }
      o["status"] = .string(status)
      o["reason"] = .string(reason)
      o["message"] = .string(message)
      if let observedGeneration { o["observedGeneration"] = .int(observedGeneration) }
      list[i] = .object(o)
      return
    }
    var o = JSONObject()
    o["type"] = .string(type)
    o["status"] = .string(status)
    if let observedGeneration { o["observedGeneration"] = .int(observedGeneration) }
    o["lastTransitionTime"] = .string(now)
    o["reason"] = .string(reason)
    o["message"] = .string(message)
    list.append(.object(o))
  }

  /// True when `list` has a condition of `type` with exactly these status, reason and message
  /// (and observedGeneration, when given).
  public static func matches(
    _ list: [JSONValue], type: String, status: String, reason: String, message: String,
    observedGeneration: Int64? = nil
  ) -> Bool {
    guard let c = find(list, type) else { return false }
    if let observedGeneration, c["observedGeneration"]?.int64Value != observedGeneration {
      return false
    }
    return c["status"]?.stringValue == status && c["reason"]?.stringValue == reason
      && c["message"]?.stringValue == message
  }
}
