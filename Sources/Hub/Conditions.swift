import JSON

/// A `metav1.Condition` to set, without its transition time.
struct Condition: Sendable, Equatable {
  var type: String
  var status: String
  var reason: String
  var message: String
}

/// `meta.SetStatusCondition` and friends over a JSON `status.conditions` list: a condition is
/// updated in place by type, `lastTransitionTime` changes only when `status` changes, new
/// types are appended, and fields are written in `metav1.Condition`'s JSON order.
enum Conditions {
  /// The condition of `type` in `object.status.conditions`, if any.
  static func find(_ type: String, in object: JSONValue) -> JSONValue? {
    for c in object["status"]?["conditions"]?.arrayValue ?? [] where c["type"]?.stringValue == type
    {
      return c
    }
    return nil
  }

  /// `status` of the condition of `type`, or nil when absent.
  static func status(_ type: String, in object: JSONValue) -> String? {
    find(type, in: object)?["status"]?.stringValue
  }

  /// Whether setting `condition` would change nothing (same status, reason and message).
  static func isSet(_ condition: Condition, in object: JSONValue) -> Bool {
    guard let c = find(condition.type, in: object) else { return false }
    return c["status"]?.stringValue == condition.status
      && c["reason"]?.stringValue == condition.reason
      && c["message"]?.stringValue == condition.message
  }

  /// `object` with `condition` set (SetStatusCondition semantics); `now` is the RFC 3339 time
  /// for a new or transitioned condition.
  static func setting(_ condition: Condition, in object: JSONValue, now: String) -> JSONValue {
    guard case .object(var root) = object else { return object }
    var status = root["status"]?.objectValue ?? JSONObject()
    var list = status["conditions"]?.arrayValue ?? []
    if let i = list.firstIndex(where: { $0["type"]?.stringValue == condition.type }) {
      let old = list[i]
      let transitioned = old["status"]?.stringValue != condition.status
      let time = transitioned ? now : (old["lastTransitionTime"]?.stringValue ?? now)
      list[i] = encode(condition, time: time)
    } else {
      list.append(encode(condition, time: now))
    }
    status["conditions"] = .array(list)
    root["status"] = .object(status)
    return .object(root)
  }

  /// The hub's conditions carry no observedGeneration (0, omitted), as SetStatusCondition
  /// copies the new condition's 0 over an old value.
  private static func encode(_ c: Condition, time: String) -> JSONValue {
    var o = JSONObject()
    o["type"] = .string(c.type)
    o["status"] = .string(c.status)
    o["lastTransitionTime"] = .string(time)
    o["reason"] = .string(c.reason)
    o["message"] = .string(c.message)
    return .object(o)
  }
}
