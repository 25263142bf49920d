import JSON
import Testing

@testable import Store

/// SplitMix64: a small seeded generator so failures reproduce.
struct SeededRandom: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Property tests: random operation sequences against a dictionary model; lists must match the
/// model at every step and at every past revision, and watchers must see ordered, unique,
/// reliable, resumable streams with correct selector transitions and sound bookmarks.
@Suite("Properties")
struct PropertyTests {
  struct ModelObject: Equatable {
    var value: String
    var app: String
    var revision: Revision
  }

  /// One committed change in the model.
  struct Change {
    var revision: Revision
    var key: ObjectKey
    var old: ModelObject?
    var new: ModelObject?
  }

  struct WatchSpec {
    var namespace: String?
    var app: String?  // predicate: labels["app"] == app
    var start: WatchStart
    var watcher: Watcher
    var startRevision: Revision
    var initial: [ObjectKey: ModelObject]
  }

  static let namespaces = ["a", "a-b", "b"]
  static let names = ["p", "q", "r", "s"]

  @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64], BackendKind.allCases)
  func randomOperationsAgainstAModel(seed: UInt64, kind: BackendKind) throws {
    var rng = SeededRandom(seed: seed)
    let store = kind.store(StoreConfiguration(historySize: 1000, historyAge: .zero))
    var model: [ObjectKey: ModelObject] = [:]
    var states: [Revision: [ObjectKey: ModelObject]] = [store.currentRevision: [:]]
    var changes: [Change] = []
    var watches: [WatchSpec] = []
    var drained: [ObjectIdentifier: [WatchFrame]] = [:]

    func predicate(_ app: String?) -> Predicate? {
      guard let app else { return nil }
      return { $0.labels["app"] == app }
    }
    func addWatch() {
      let namespace = Bool.random(using: &rng) ? nil : Self.namespaces.randomElement(using: &rng)!
      let app: String? = Bool.random(using: &rng) ? nil : ["x", "y"].randomElement(using: &rng)!
      let current = store.currentRevision
      let start: WatchStart
      switch Int.random(in: 0..<3, using: &rng) {
      case 0: start = .now
      case 1: start = .initialState
      default:
        start = .after(Revision.random(in: (current - min(current - 1, 30))...current, using: &rng))
      }
      let w = store.watch(
        configmaps, namespace: namespace, predicate: predicate(app), from: start,
        options: WatchOptions(kind: "ConfigMap", apiVersion: "v1", bookmarks: true))
      var from = current
      if case .after(let n) = start { from = n }
      watches.append(
        WatchSpec(
          namespace: namespace, app: app, start: start, watcher: w, startRevision: from,
          initial: start == .initialState ? model : [:]))
    }

    /// Point reads of every key (present or not) match the model.
    func checkPointReads() {
      for namespace in Self.namespaces {
        for name in Self.names {
          let key = cmKey(namespace, name)
          #expect(store.get(key)?.revision == model[key]?.revision, "\(key)")
        }
      }
    }

    for _ in 0..<4 { addWatch() }
    for step in 0..<400 {
      let key = cmKey(
        Self.namespaces.randomElement(using: &rng)!, Self.names.randomElement(using: &rng)!)
      let value = String(Int.random(in: 0..<3, using: &rng))
      let app = ["x", "y"].randomElement(using: &rng)!
      let old = model[key]
      let body = configMap(key.namespace, key.name, data: [("k", value)], labels: [("app", app)])
      let f = fields(key.namespace, key.name)
      switch (old, Int.random(in: 0..<10, using: &rng)) {
      case (nil, _):
        let s = try store.create(key, body, fields: f)
        model[key] = ModelObject(value: value, app: app, revision: s.revision)
      case (let old?, 0..<3):
        let s = try store.delete(key, preconditions: Preconditions(revision: old.revision))
        model[key] = nil
        changes.append(Change(revision: s.revision, key: key, old: old, new: nil))
        states[s.revision] = model
        checkPointReads()
        continue
      case (let old?, _):
        let s = try store.update(
          key, body, fields: f, preconditions: Preconditions(revision: old.revision))
        if old.value == value && old.app == app {
          #expect(s.revision == old.revision)  // unchanged: no revision
          continue
        }
        model[key] = ModelObject(value: value, app: app, revision: s.revision)
      }
      let revision = store.currentRevision
      changes.append(Change(revision: revision, key: key, old: old, new: model[key]))
      states[revision] = model
      checkPointReads()

      // The list matches the model, across namespaces and within one.
      let listed = try store.list(configmaps)
      #expect(listed.revision == revision)
      #expect(listed.items.map(\.key) == model.keys.sorted(by: keyPrecedes))
      #expect(
        listed.items.map(\.revision)
          == model.keys.sorted(by: keyPrecedes).map { model[$0]!.revision })
      // A past revision lists exactly the model at that revision.
      let past = states.keys.randomElement(using: &rng)!
      let exact = try store.list(configmaps, options: ListOptions(revision: .exact(past)))
      #expect(exact.items.map(\.key) == states[past]!.keys.sorted(by: keyPrecedes))
      #expect(
        exact.items.map(\.revision)
          == states[past]!.keys.sorted(by: keyPrecedes).map { states[past]![$0]!.revision })

      if step % 40 == 7 { addWatch() }
      if step % 25 == 3 {
        store.sendBookmarks()
      }
      if step % 50 == 11, let spec = watches.randomElement(using: &rng) {
        // Drain mid-way sometimes: streams must still concatenate correctly.
        drained[ObjectIdentifier(spec.watcher), default: []] += spec.watcher.drain().frames
      }
    }

    for spec in watches {
      var frames = drained[ObjectIdentifier(spec.watcher)] ?? []
      frames += spec.watcher.drain().frames
      try check(spec, frames: frames, changes: changes, store: store)
    }
  }

  /// Expected non-bookmark frames for a watch of `spec` over `changes` after `after`.
  func expected(
    _ spec: WatchSpec, changes: [Change], after: Revision
  ) -> [Seen] {
    func inScope(_ k: ObjectKey) -> Bool { spec.namespace == nil || spec.namespace == k.namespace }
    func matches(_ o: ModelObject?) -> Bool {
      guard let o else { return false }
      return spec.app == nil || spec.app == o.app
    }
    var out: [Seen] = []
    for c in changes where c.revision > after && inScope(c.key) {
      switch (matches(c.old), matches(c.new)) {
      case (false, true): out.append(Seen(.added, c.key.name, c.revision))
      case (true, true): out.append(Seen(.modified, c.key.name, c.revision))
      case (true, false): out.append(Seen(.deleted, c.key.name, c.revision))
      case (false, false): break
      }
    }
    return out
  }

  func check(_ spec: WatchSpec, frames: [WatchFrame], changes: [Change], store: Store) throws {
    let events = frames.filter { $0.type != .bookmark }
    var want: [Seen] = []
    if spec.start == .initialState {
      let keys = spec.initial.keys.filter { k in
        (spec.namespace == nil || spec.namespace == k.namespace)
          && (spec.app == nil || spec.initial[k]!.app == spec.app)
      }.sorted(by: keyPrecedes)
      want = keys.map { Seen(.added, $0.name, spec.initial[$0]!.revision) }
    }
    want += expected(spec, changes: changes, after: spec.startRevision)
    // Reliable, unique, ordered: exactly the expected sequence.
    #expect(
      seen(events) == want,
      "watch \(spec.namespace ?? "*") app=\(spec.app ?? "*") from \(spec.start)")
    let live = spec.start == .initialState ? Array(events.dropFirst(spec.initial.count)) : events
    #expect(zip(live, live.dropFirst()).allSatisfy { $0.revision < $1.revision })
    // Bookmarks never go back and never run ahead of what was delivered-or-skipped.
    var last: Revision = 0
    for f in frames {
      if f.type == .bookmark {
        #expect(f.revision >= last)
        #expect(f.revision <= store.currentRevision)
      } else if live.contains(where: { $0 === f }) {
        last = f.revision
      }
    }
    // Leaving the selector: DELETED carries the old content with the new revision.
    for f in live where f.type == .deleted {
      let o = try #require(f.object)
      #expect(o.revision == f.revision)
      #expect(try resourceVersion(ofBytes: f.body) == String(f.revision))
      if let app = spec.app { #expect(o.labels["app"] == app) }
    }
    // Resumable: a watch resumed from any revision it saw reproduces the rest exactly.
    var predicate: Predicate?
    if let app = spec.app { predicate = { $0.labels["app"] == app } }
    for (i, f) in live.enumerated() where i % 3 == 0 {
      let resumed = store.watch(
        configmaps, namespace: spec.namespace, predicate: predicate, from: .after(f.revision))
      #expect(seen(resumed.drain().frames) == seen(Array(live[(i + 1)...])))
      resumed.cancel()
    }
  }
}
