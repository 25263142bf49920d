import JSON
import Synchronization

/// The FieldsV1 objects of recent creates, by the shape of the object each was computed from.
/// What `ManagedFields.createdFieldsV1` gives depends on nothing but that shape and the kind's
/// schema, and most creates of a kind share one shape (every ConfigMap of a workload has the
/// same data keys and labels): a hit hands out the stored object (one retain) instead of
/// building a tree of containers and `f:` key strings that is freed once serialized.
///
/// The shape of an object is its member keys in order, each with what its value is (null, a
/// scalar, or an object, recursively); values themselves play no part. It is kept as a
/// skeleton: the object with every scalar replaced by `true`. An object holding an array
/// anywhere has no shape (list items are keyed by their values) and is never cached, nor is one
/// of more than `maxMembers` members in all.
///
/// Invariant: an entry's `fields` is `createdFieldsV1` of every object with its shape for a
/// resource with its `schema` (by identity; held, so the identity is not reused) and flags.
/// Thread-safe; at most `capacity` entries, replaced round-robin.
final class CreatedFieldsCache: Sendable {
  private struct Entry: Sendable {
    let schema: SchemaNode?
    let builtIn: Bool
    let skipsStatus: Bool
    let skeleton: JSONObject
    let fields: JSONObject
  }

  private struct State: Sendable {
    var entries: [Entry] = []
    var next = 0
  }

  static let shared = CreatedFieldsCache()
  static let capacity = 8
  static let maxMembers = 512

  private let state = Mutex(State())

  /// The FieldsV1 object of `object` for a resource whose field-manager schema is
  /// `schema`/`builtIn` and whose `status` is its own subresource (`skipsStatus`): the cached
  /// one when an object of the same shape was seen, else `build()` (then remembered).
  func fields(
    of object: JSONObject, schema: SchemaNode?, builtIn: Bool, skipsStatus: Bool,
    build: () -> JSONObject
  ) -> JSONObject {
    // Compared outside the lock: the entries are immutable values.
    let entries = state.withLock { $0.entries }
    for e in entries
    where e.schema === schema && e.builtIn == builtIn && e.skipsStatus == skipsStatus
      && Self.matches(object, e.skeleton)
    {
      return e.fields
    }
    let fields = build()
    var budget = Self.maxMembers
    guard let skeleton = Self.skeleton(object, budget: &budget) else { return fields }
    let entry = Entry(
      schema: schema, builtIn: builtIn, skipsStatus: skipsStatus, skeleton: skeleton,
      fields: fields)
    state.withLock { state in
      if state.entries.count < Self.capacity {
        state.entries.append(entry)
      } else {
        state.entries[state.next] = entry
        state.next = (state.next + 1) % Self.capacity
      }
    }
    return fields
  }

  /// Forgets every entry (tests).
  func removeAll() { state.withLock { $0 = State() } }

  /// `o` with every scalar replaced by `true`; nil when it holds an array or more than
  /// `budget` members.
  static func skeleton(_ o: JSONObject, budget: inout Int) -> JSONObject? {
    budget -= o.count
    guard budget >= 0 else { return nil }
    var out = JSONObject()
    out.reserveCapacity(o.count)
    for m in o.members {
      switch m.value {
      case .null: out.appendUnique(m.key, .null)
      case .array: return nil
      case .object(let child):
        guard let s = skeleton(child, budget: &budget) else { return nil }
        out.appendUnique(m.key, .object(s))
      default: out.appendUnique(m.key, true)
      }
    }
    return out
  }

  /// Whether `o` has the shape of `skeleton` (which holds no arrays): the same keys in the same
  /// order, null where it has null, an object of the same shape where it has one, a scalar
  /// (anything else but an array) where it has `true`.
  static func matches(_ o: JSONObject, _ skeleton: JSONObject) -> Bool {
    guard o.count == skeleton.count else { return false }
    return o.members.withUnsafeBufferPointer { m in
      skeleton.members.withUnsafeBufferPointer { s in
        for i in m.indices {
          guard m[i].key == s[i].key else { return false }
          switch s[i].value {
          case .null:
            guard m[i].value.isNull else { return false }
          case .object(let shape):
            guard case .object(let child) = m[i].value, matches(child, shape) else { return false }
          default:
            if m[i].value.isNull || m[i].value.isContainer { return false }
          }
        }
        return true
      }
    }
  }
}
