import JSON

/// The patch family: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge
/// patch for built-in kinds. Each takes the current object and returns the patched one; a
/// malformed patch or a failed operation throws the Status kube-apiserver sends.
public enum Patches {
  // MARK: Merge patch (RFC 7386)

  public static func mergePatch(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
    guard case .object(let p) = patch else { return patch }
    var result: JSONObject
    if case .object(let t) = target { result = t } else { result = JSONObject() }
    for m in p.members {
      if m.value.isNull {
        result[m.key] = nil
      } else {
        result[m.key] = mergePatch(result[m.key] ?? .null, m.value)
      }
    }
    return .object(result)
  }

  // MARK: JSON patch (RFC 6902)

  public static func jsonPatch(_ target: JSONValue, _ patch: JSONValue) throws(APIError)
    -> JSONValue
  {
    guard case .array(let operations) = patch else {
      throw APIError.badRequest(
        "json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    }
    var doc = target
    for op in operations {
      guard let name = op["op"]?.stringValue else {
        throw APIError.unprocessable(
          "the server rejected our request due to an error in our request")
      }
      func pointer(_ field: String) throws(APIError) -> JSONPointer {
        guard let text = op[field]?.stringValue else {
          throw APIError.unprocessable(
            "the server rejected our request due to an error in our request")
        }
        do {
          return try JSONPointer(text)
        } catch {
          throw APIError.unprocessable(
            "the server rejected our request due to an error in our request")
        }
      }
      do {
        switch name {
        case "add":
          guard let value = op["value"] else {
            throw APIError.unprocessable(
              "the server rejected our request due to an error in our request")
          }
          try add(value, at: try pointer("path"), to: &doc)
        case "remove":
          _ = try doc.removeValue(at: try pointer("path"))
        case "replace":
          guard let value = op["value"] else {
            throw APIError.unprocessable(
              "the server rejected our request due to an error in our request")
          }
          let path = try pointer("path")
          guard doc.value(at: path) != nil else {
            throw APIError.unprocessable(
              "the server rejected our request due to an error in our request")
          }
          try doc.setValue(value, at: path)  // in place (an existing member or element)
        case "move":
          let from = try pointer("from")
          let value = try doc.removeValue(at: from)
          try add(value, at: try pointer("path"), to: &doc)
        case "copy":
          guard let value = doc.value(at: try pointer("from")) else {
            throw APIError.unprocessable(
              "the server rejected our request due to an error in our request")
          }
          try add(value, at: try pointer("path"), to: &doc)
        case "test":
          let path = try pointer("path")
          guard let want = op["value"], doc.value(at: path) == want else {
            throw APIError.unprocessable(
              "the server rejected our request due to an error in our request")
          }
        default:
          throw APIError.unprocessable(
            "the server rejected our request due to an error in our request")
        }
      } catch let e as APIError {
        throw e
      } catch {
        throw APIError.unprocessable(
          "the server rejected our request due to an error in our request")
      }
    }
    return doc
  }

  /// RFC 6902 `add`: into an array it inserts before the index (or appends for `-`); into an
  /// object it adds or replaces the member; the empty path replaces the document.
  static func add(_ value: JSONValue, at path: JSONPointer, to doc: inout JSONValue)
    throws(JSONError)
  {
    guard let last = path.tokens.last else {
      doc = value
      return
    }
    let parentPointer = JSONPointer(tokens: Array(path.tokens.dropLast()))
    guard case .array(var elements)? = doc.value(at: parentPointer), last != "-" else {
      try doc.setValue(value, at: path)
      return
    }
    guard let index = JSONPointer.arrayIndex(last), index <= elements.count else {
      throw JSONError(
        message: "JSON pointer \(path): array index \"\(last)\" is out of bounds", offset: 0)
    }
    elements.insert(value, at: index)
    try doc.setValue(.array(elements), at: parentPointer)
  }

  // MARK: Strategic merge patch (built-in kinds)

  /// Lists that merge by a key instead of being replaced (the fields our built-ins have).
  static let mergeKeys: [String: String] = [
    "ownerReferences": "uid",
    "managedFields": "manager",
    "conditions": "type",
  ]
  /// Primitive lists that merge as sets.
  static let setLists: Set<String> = ["finalizers"]

  public static func strategicMergePatch(_ target: JSONValue, _ patch: JSONValue) throws(APIError)
    -> JSONValue
  {
    guard case .object(let p) = patch else {
      throw APIError.badRequest(
        "the body of the request must be a JSON object for a strategic merge patch")
    }
    return try strategic(target, p, path: [])
  }

  private static func strategic(_ target: JSONValue, _ patch: JSONObject, path: [String])
    throws(APIError) -> JSONValue
  {
    if let directive = patch["$patch"]?.stringValue {
      switch directive {
      case "replace":
        var replaced = patch
        replaced["$patch"] = nil
        return .object(replaced)
      case "delete":
        return .null
      default:
        throw APIError.badRequest(
          "Unknown patch type: \(directive) at \(path.joined(separator: "."))")
      }
    }
    var result: JSONObject
    if case .object(let t) = target { result = t } else { result = JSONObject() }
    if let retain = patch["$retainKeys"]?.arrayValue {
      let keep = Set(retain.compactMap(\.stringValue))
      for key in result.keys where !keep.contains(key) { result[key] = nil }
    }
    for m in patch.members {
      let key = m.key
      if key == "$retainKeys" { continue }
      if key.hasPrefix("$setElementOrder/") { continue }
      if key.hasPrefix("$deleteFromPrimitiveList/") {
        let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
        let remove = m.value.arrayValue ?? []
        if let list = result[field]?.arrayValue {
          result[field] = .array(list.filter { !remove.contains($0) })
        }
        continue
      }
      if m.value.isNull {
        result[key] = nil
        continue
      }
      switch m.value {
      case .object(let child):
        result[key] = try strategic(result[key] ?? .null, child, path: path + [key])
        if result[key]?.isNull == true { result[key] = nil }
      case .array(let items):
        let order = patch["$setElementOrder/\(key)"]?.arrayValue
        if let mergeKey = mergeKeys[key], case .array(let current)? = result[key] {
          let merged = try mergeList(current, items, key: mergeKey, path: path + [key])
          let patchOrder = order ?? items.filter { $0["$patch"] == nil }
          result[key] = .array(
            normalizeOrder(merged, order: patchOrder, server: current, mergeKey: mergeKey))
        } else if setLists.contains(key), case .array(let current)? = result[key] {
          var merged = current
          for item in items where !merged.contains(item) { merged.append(item) }
          result[key] = .array(
            normalizeOrder(merged, order: order ?? items, server: current, mergeKey: nil))
        } else {
          result[key] = .array(items.filter { $0["$patch"] == nil })
        }
      default:
        result[key] = m.value
      }
    }
    // `$setElementOrder/<list>` alone (the list itself unchanged): only the order changes.
    for m in patch.members where m.key.hasPrefix("$setElementOrder/") {
      let field = String(m.key.dropFirst("$setElementOrder/".count))
      guard patch[field] == nil, case .array(let current)? = result[field],
        let order = m.value.arrayValue
      else {
        continue
      }
      let mergeKey = mergeKeys[field]
      guard mergeKey != nil || setLists.contains(field) else { continue }
      result[field] = .array(
        normalizeOrder(current, order: order, server: current, mergeKey: mergeKey))
    }
    return .object(result)
  }

  /// apimachinery's `normalizeElementOrder` + `mergeSortedSlice`: the items named by the patch
  /// (or its `$setElementOrder`) in that order, the server-only items in their live order,
  /// interleaved where the live order says so (patch items first when it cannot tell).
  static func normalizeOrder(
    _ merged: [JSONValue], order: [JSONValue], server: [JSONValue], mergeKey: String?
  )
    -> [JSONValue]
  {
    func identity(_ v: JSONValue) -> JSONValue { mergeKey.map { v[$0] ?? .null } ?? v }
    func index(_ list: [JSONValue], _ v: JSONValue) -> Int? {
      let id = identity(v)
      return list.firstIndex { identity($0) == id }
    }
    func sorted(_ items: [JSONValue], by list: [JSONValue]) -> [JSONValue] {
      items.enumerated().sorted { a, b in
        let (ia, ib) = (index(list, a.element) ?? Int.max, index(list, b.element) ?? Int.max)
        return ia != ib ? ia < ib : a.offset < b.offset
      }.map(\.element)
    }
    let patchItems = sorted(merged.filter { index(order, $0) != nil }, by: order)
    let serverOnly = sorted(merged.filter { index(order, $0) == nil }, by: server)
    var out: [JSONValue] = []
    out.reserveCapacity(merged.count)
    var (i, j) = (0, 0)
    while i < serverOnly.count || j < patchItems.count {
      if i >= serverOnly.count {
        out.append(patchItems[j])
        j += 1
      } else if j >= patchItems.count {
        out.append(serverOnly[i])
        i += 1
      } else if let li = index(server, serverOnly[i]), let ri = index(server, patchItems[j]),
        li < ri
      {
        out.append(serverOnly[i])
        i += 1
      } else {
        out.append(patchItems[j])
        j += 1
      }
    }
    return out
  }

  private static func mergeList(
    _ current: [JSONValue], _ patch: [JSONValue], key: String, path: [String]
  ) throws(APIError)
    -> [JSONValue]
  {
    var merged = current
    for item in patch {
      guard case .object(let p) = item, let id = p[key] else {
        merged.append(item)
        continue
      }
      let index = merged.firstIndex { $0[key] == id }
      if p["$patch"]?.stringValue == "delete" {
        if let index { merged.remove(at: index) }
        continue
      }
      if let index {
        merged[index] = try strategic(merged[index], p, path: path)
      } else {
        var clean = p
        clean["$patch"] = nil
        merged.append(.object(clean))
      }
    }
    return merged
  }
}

extension APIError {
  /// 422 with no details (what kube-apiserver answers for a failing JSON patch operation).
  public static func unprocessable(_ message: String) -> APIError {
    APIError(code: 422, reason: "Invalid", message: message)
  }
}
