/// A JSON document as a value: objects keep their key order, integers that fit in 64 bits stay
/// exact (`.int`) and are never confused with floating-point numbers (`.double`).
///
/// Invariants: an `.object`'s keys are unique (see `JSONObject`); `.double` never holds NaN or
/// an infinity (JSON cannot express them).
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case int(Int64)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object(JSONObject)
}

/// An ordered JSON object: members in insertion order, each key at most once.
///
/// Setting an existing key replaces its value in place (order kept); setting a new key appends.
/// Lookups are linear, which beats hashing for the small objects Kubernetes metadata is made of.
public struct JSONObject: Sendable, Equatable {
  /// One member. A struct, not a tuple: an array of them is destroyed by compiled code rather
  /// than by the runtime's generic walk over tuple metadata (every JSON tree freed pays it).
  public struct Member: Sendable {
    public var key: String
    public var value: JSONValue

    public init(key: String, value: JSONValue) {
      self.key = key
      self.value = value
    }
  }

  /// The members, in order. Keys are unique.
  public private(set) var members: [Member]

  public init() { members = [] }

  /// Adopts members whose keys the caller has already made unique (the parser does; so do
  /// builders of objects from the distinct keys of another). Checked in debug builds only.
  public init(uniqueMembers: [Member]) {
    members = uniqueMembers
    assert(Set(members.map(\.key)).count == members.count, "duplicate keys")
  }

  /// Builds an object from pairs; a later duplicate key replaces an earlier one (Go's rule).
  public init(_ pairs: [(String, JSONValue)]) {
    members = []
    members.reserveCapacity(pairs.count)
    for (k, v) in pairs { self[k] = v }
  }

  public var count: Int { members.count }
  public var isEmpty: Bool { members.isEmpty }
  public var keys: [String] { members.map(\.key) }

  public func index(of key: String) -> Int? {
    // Keys of another length are skipped without a string comparison (utf8.count is O(1) for
    // native strings), and elements are borrowed in place, not copied out with their values.
    let length = key.utf8.count
    return members.withUnsafeBufferPointer { m in
      for i in m.indices where m[i].key.utf8.count == length && m[i].key == key { return i }
      return nil
    }
  }

  /// Reads a member, or sets it (nil removes it).
  public subscript(key: String) -> JSONValue? {
    get {
      guard let i = index(of: key) else { return nil }
      return members[i].value
    }
    set {
      if let i = index(of: key) {
        if let newValue { members[i].value = newValue } else { members.remove(at: i) }
      } else if let newValue {
        members.append(Member(key: key, value: newValue))
      }
    }
  }

  /// Appends a member whose key the caller knows is not present yet (no lookup: objects
  /// built key by key from unique keys, e.g. the members of another object).
  public mutating func appendUnique(_ key: String, _ value: JSONValue) {
    assert(index(of: key) == nil, "duplicate key \(key)")
    members.append(Member(key: key, value: value))
  }

  /// Reorders the members stably by `rank` of their keys (lower first); nothing moves when they
  /// are in order already. Members are swapped in place through the buffer (moves: no copies,
  /// no reference counting), ranks kept on the stack.
  public mutating func sortMembers(byRank rank: (String) -> Int) {
    let n = members.count
    guard n > 1 else { return }
    withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { ranks in
      var sorted = true
      members.withUnsafeBufferPointer { m in
        for i in 0..<n {
          ranks[i] = rank(m[i].key)
          if i > 0 && ranks[i] < ranks[i - 1] { sorted = false }
        }
      }
      if sorted { return }
      // Insertion sort: stable, and objects here are small.
      members.withUnsafeMutableBufferPointer { m in
        for i in 1..<n {
          var j = i
          while j > 0 && ranks[j - 1] > ranks[j] {
            ranks.swapAt(j - 1, j)
            m.swapAt(j - 1, j)
            j -= 1
          }
        }
      }
    }
  }

  /// Visits the members in order, each value modifiable in place (borrowed from the storage:
  /// no copy, no reference counting), and removes those for which `body` returns false. Keys
  /// cannot change, so they stay unique; kept members keep their order.
  public mutating func updateMembers(_ body: (_ key: String, _ value: inout JSONValue) -> Bool) {
    let n = members.count
    var kept = 0
    members.withUnsafeMutableBufferPointer { m in
      for i in 0..<n where body(m[i].key, &m[i].value) {
        if kept != i { m.swapAt(kept, i) }  // a removed member moves towards the end
        kept += 1
      }
    }
    if kept < n { members.removeLast(n - kept) }
  }

  /// Inserts a member whose key the caller knows is not present yet at position `index`.
  public mutating func insertUnique(_ key: String, _ value: JSONValue, at index: Int) {
    assert(self.index(of: key) == nil, "duplicate key \(key)")
    members.insert(Member(key: key, value: value), at: index)
  }

  /// The object value of member `key`, taken out: the member keeps its place holding `null`,
  /// so the caller owns the only reference and can edit it without copying it (then puts it
  /// back with the subscript). Nil, and nothing changes, when the member is absent or not an
  /// object.
  public mutating func takeObject(_ key: String) -> JSONObject? {
    guard let i = index(of: key), case .object(let o) = members[i].value else { return nil }
    members[i].value = .null
    return o
  }

  /// The value of the member at `index` (a position in `members`), modifiable in place.
  public subscript(valueAt index: Int) -> JSONValue {
    get { members[index].value }
    _modify { yield &members[index].value }
  }

  /// Removes and returns the member at `index` (a position in `members`).
  @discardableResult
  public mutating func remove(at index: Int) -> Member {
    members.remove(at: index)
  }

  /// Reserves storage for `count` members.
  public mutating func reserveCapacity(_ count: Int) { members.reserveCapacity(count) }

  public static func == (a: JSONObject, b: JSONObject) -> Bool {
    guard a.members.count == b.members.count else { return false }
    for (x, y) in zip(a.members, b.members) where x.key != y.key || x.value != y.value {
      return false
    }
    return true
  }
}
