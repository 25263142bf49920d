import JSON
import Synchronization
import Testing

@testable import Store

/// Every backend the conformance suite runs against.
enum BackendKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
  case inMemory

  var testDescription: String { rawValue }

  func make(_ configuration: StoreConfiguration) -> any StorageBackend {
    switch self {
    case .inMemory: InMemoryBackend(configuration: configuration)
    }
  }

  func store(_ configuration: StoreConfiguration = .init()) -> Store {
    Store(backend: make(configuration), configuration: configuration)
  }
}

/// A clock the test moves by hand (nanoseconds).
final class ManualClock: Sendable {
  private let now = Atomic<Int64>(0)
  func advance(_ d: Duration) { now.add(d.nanoseconds, ordering: .relaxed) }
  var read: @Sendable () -> Int64 { { [self] in now.load(ordering: .relaxed) } }
}

let configmaps = ResourceKey(group: "", resource: "configmaps")
let clusters = ResourceKey(group: "cluster.open-cluster-management.io", resource: "managedclusters")

func cmKey(_ ns: String, _ name: String) -> ObjectKey {
  ObjectKey(resource: configmaps, namespace: ns, name: name)
}

/// A ConfigMap-shaped object.
func configMap(
  _ ns: String, _ name: String, data: [(String, String)] = [], labels: [(String, String)] = [],
  uid: String? = nil, resourceVersion: String? = nil
) -> JSONValue {
  var meta = JSONObject([("name", .string(name)), ("namespace", .string(ns))])
  if let uid { meta["uid"] = .string(uid) }
  if let resourceVersion { meta["resourceVersion"] = .string(resourceVersion) }
  if !labels.isEmpty { meta["labels"] = .object(JSONObject(labels.map { ($0.0, .string($0.1)) })) }
  var top = JSONObject([
    ("apiVersion", .string("v1")), ("kind", .string("ConfigMap")), ("metadata", .object(meta)),
  ])
  if !data.isEmpty { top["data"] = .object(JSONObject(data.map { ($0.0, .string($0.1)) })) }
  return .object(top)
}

func fields(_ ns: String, _ name: String) -> [String: String] {
  ["metadata.name": name, "metadata.namespace": ns]
}

extension Store {
  @discardableResult
  func put(_ ns: String, _ name: String, _ value: String = "v", labels: [(String, String)] = [])
    throws -> StoredObject
  {
    let key = cmKey(ns, name)
    let obj = configMap(ns, name, data: [("k", .init(value))], labels: labels)
    if get(key) == nil { return try create(key, obj, fields: fields(ns, name)) }
    return try update(key, obj, fields: fields(ns, name))
  }
}

/// The parsed JSON of a frame's whole line (checks the framing too).
func parsedLine(_ frame: WatchFrame) throws -> JSONObject {
  let bytes = frame.bytes
  #expect(bytes.last == UInt8(ascii: "\n"))
  let value = try JSONParser.parse(Array(bytes.dropLast()))
  guard case .object(let o) = value else { throw TestFailure("frame is not an object") }
  return o
}

struct TestFailure: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}

/// (type, name, revision) of frames, the shape most assertions compare.
struct Seen: Equatable, CustomStringConvertible {
  var type: WatchEventType
  var name: String
  var revision: Revision
  init(_ type: WatchEventType, _ name: String, _ revision: Revision) {
    self.type = type
    self.name = name
    self.revision = revision
  }
  var description: String { "\(type.rawValue) \(name)@\(revision)" }
}

func seen(_ frames: [WatchFrame]) -> [Seen] {
  frames.map { Seen($0.type, $0.object?.name ?? "", $0.revision) }
}

func resourceVersion(_ o: JSONValue) -> String? {
  guard case .object(let top) = o, case .object(let m)? = top["metadata"],
    case .string(let rv)? = m["resourceVersion"]
  else { return nil }
  return rv
}

func resourceVersion(ofBytes bytes: [UInt8]) throws -> String? {
  resourceVersion(try JSONParser.parse(bytes))
}

/// A shared counter for callbacks.
final class Counter: Sendable {
  private let atomic = Atomic<Int>(0)
  func add(_ n: Int = 1) { atomic.add(n, ordering: .relaxed) }
  var value: Int { atomic.load(ordering: .relaxed) }
}
