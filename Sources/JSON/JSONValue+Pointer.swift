extension JSONValue {
  /// The value `pointer` refers to, or nil if there is none.
  public func value(at pointer: JSONPointer) -> JSONValue? {
    var node = self
    for token in pointer.tokens {
      switch node {
      case .object(let object):
        guard let next = object[token] else { return nil }
        node = next
      case .array(let elements):
        guard let k = JSONPointer.arrayIndex(token), k < elements.count else { return nil }
        node = elements[k]
      default:
        return nil
      }
    }
    return node
  }

  /// Sets the value at `pointer`: adds or replaces an object member, replaces an array element,
  /// or appends to an array when the last token is `-` or equals the array's count. The empty
  /// pointer replaces the whole value. Every parent must already exist.
  public mutating func setValue(_ v: JSONValue, at pointer: JSONPointer) throws(JSONError) {
    _ = try modify(pointer, depth: 0) { (node: inout JSONValue, token: String) throws(JSONError) in
      switch node {
      case .object(var object):
        node = .null
        object[token] = v
        node = .object(object)
      case .array(var elements):
        if token == "-" || JSONPointer.arrayIndex(token) == elements.count {
          node = .null
          elements.append(v)
          node = .array(elements)
        } else if let k = JSONPointer.arrayIndex(token), k < elements.count {
          node = .null
          elements[k] = v
          node = .array(elements)
        } else {
          throw JSONError(
            message:
              "JSON pointer \(pointer): array index \"\(token)\" is out of bounds or invalid",
            offset: pointer.tokens.count - 1)
        }
      default:
        throw JSONPointer.notContainer(pointer, pointer.tokens.count - 1)
      }
      return .null
    } root: { node throws(JSONError) in
      node = v
      return .null
    }
  }

  /// Removes and returns the value at `pointer` (an object member or an array element; later
  /// elements shift down). Throws if it does not exist or `pointer` is empty.
  @discardableResult
  public mutating func removeValue(at pointer: JSONPointer) throws(JSONError) -> JSONValue {
    try modify(pointer, depth: 0) { (node: inout JSONValue, token: String) throws(JSONError) in
      switch node {
      case .object(var object):
        guard let k = object.index(of: token) else {
          throw JSONError(
            message: "JSON pointer \(pointer): member \"\(token)\" does not exist",
            offset: pointer.tokens.count - 1)
        }
        node = .null
        let removed = object.remove(at: k).value
        node = .object(object)
        return removed
      case .array(var elements):
        guard let k = JSONPointer.arrayIndex(token), k < elements.count else {
          throw JSONError(
            message:
              "JSON pointer \(pointer): array index \"\(token)\" is out of bounds or invalid",
            offset: pointer.tokens.count - 1)
        }
        node = .null
        let removed = elements.remove(at: k)
        node = .array(elements)
        return removed
      default:
        throw JSONPointer.notContainer(pointer, pointer.tokens.count - 1)
      }
    } root: { _ throws(JSONError) in
      throw JSONError(message: "JSON pointer \"\": cannot remove the whole document", offset: 0)
    }
  }

  /// Walks to the parent of `pointer`'s last token, in place (no copies of untouched parts),
  /// and runs `last` on it; runs `root` for the empty pointer.
  private mutating func modify(
    _ pointer: JSONPointer, depth: Int,
    last: (inout JSONValue, String) throws(JSONError) -> JSONValue,
    root: (inout JSONValue) throws(JSONError) -> JSONValue
  ) throws(JSONError) -> JSONValue {
    let tokens = pointer.tokens
    if tokens.isEmpty { return try root(&self) }
    if depth == tokens.count - 1 { return try last(&self, tokens[depth]) }
    let token = tokens[depth]
    switch self {
    case .object(var object):
      guard let k = object.index(of: token) else {
        throw JSONError(
          message: "JSON pointer \(pointer): member \"\(token)\" does not exist", offset: depth)
      }
      self = .null
      defer { self = .object(object) }
      return try object[valueAt: k].modify(pointer, depth: depth + 1, last: last, root: root)
    case .array(var elements):
      guard let k = JSONPointer.arrayIndex(token), k < elements.count else {
        throw JSONError(
          message: "JSON pointer \(pointer): array index \"\(token)\" is out of bounds or invalid",
          offset: depth)
      }
      self = .null
      defer { self = .array(elements) }
      return try elements[k].modify(pointer, depth: depth + 1, last: last, root: root)
    default:
      throw JSONPointer.notContainer(pointer, depth)
    }
  }
}

extension JSONPointer {
  static func notContainer(_ pointer: JSONPointer, _ depth: Int) -> JSONError {
    let path = JSONPointer(tokens: Array(pointer.tokens[..<depth]))
    return JSONError(
      message: "JSON pointer \(pointer): the value at \"\(path)\" is not an object or array",
      offset: depth)
  }
}
